-- stg_decisions
-- grain: one row per decision of the register (docs/decisions.md §5.7) that counts at the end of
-- the run month: effective on or before month_end and not revoked by a revocation effective on or
-- before it (a revoked decision counts only before its revocation's effective_date). The register
-- as it stands at the end of the run month is what the whole run reads, history included, so a
-- correction (a revocation and a new decision) corrects the months before it too; each month's
-- own run keeps what it said then. Revocations themselves and classified systems are left out.
-- key: decision_id
WITH p AS (
  SELECT * FROM run_params
), revoked AS (
  SELECT DISTINCT r.revokes AS decision_id FROM raw_decisions r, p WHERE r.decision = 'revoke' AND r.effective_date <= p.month_end
), classified AS (
  SELECT system_id FROM systems_current WHERE coalesce(classified, false)
)
SELECT d.decision_id, d.system_id, d.decision, d.effective_date, d.until, d.document_no, d.decided_by, d.reason,
  d.reclaimed_vcpu, d.reclaimed_memory_gb, d.reclaimed_storage_gb, d.file_id,
  CAST(date_trunc('month', d.effective_date) AS DATE) AS month,
  d.rowid AS arrival
FROM raw_decisions d, p
WHERE d.decision <> 'revoke' AND d.effective_date <= p.month_end
  AND d.decision_id NOT IN (SELECT decision_id FROM revoked)
  AND d.system_id NOT IN (SELECT system_id FROM classified)
