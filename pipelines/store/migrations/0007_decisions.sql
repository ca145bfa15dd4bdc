-- 0007 the decision register (docs/inputs.md §2.6) and what the monthly run makes of it
-- (docs/decisions.md §5.7): the decision status of each elimination row, exemptions from both
-- sources, a decision's note on a rectification notice, the allocation left after resources were
-- reclaimed, and what was reclaimed (已收回) in the run month.

-- grain: one row per decision, in arrival order (rowid). Append-only: no statement of govmon
-- updates or deletes a row; a correction is a `revoke` row plus a new decision. Every row carries
-- the file it came from (a decision recorded with `govmon decide` is a one-row file, archived like
-- any other).
CREATE TABLE raw_decisions (
  file_id              INTEGER NOT NULL,
  decision_id          VARCHAR NOT NULL PRIMARY KEY,
  system_id            VARCHAR NOT NULL,
  decision             VARCHAR NOT NULL,   -- exempt | confirm_shutdown | shutdown_done | reclaimed | rectified | reject_reply | revoke
  effective_date       DATE NOT NULL,
  until                DATE,
  document_no          VARCHAR,
  decided_by           VARCHAR NOT NULL,
  reason               VARCHAR,
  revokes              VARCHAR,
  reclaimed_vcpu       BIGINT,
  reclaimed_memory_gb  DOUBLE,
  reclaimed_storage_gb DOUBLE
);

-- grain: one row per decision of the register, with the revocation that revoked it (if any) and
-- the file it came from. A revoked decision counts only before its revocation's effective_date.
CREATE VIEW decision_register AS
WITH revocations AS (
  SELECT revokes AS decision_id, min(effective_date) AS revoked_date,
    arg_min(decision_id, effective_date) AS revoked_by
  FROM raw_decisions WHERE decision = 'revoke' GROUP BY revokes
)
SELECT d.*, r.revoked_by, r.revoked_date, f.file_name, f.ingested_at, d.rowid AS arrival
FROM raw_decisions d
LEFT JOIN revocations r USING (decision_id)
LEFT JOIN files f USING (file_id);

-- The decision status of an elimination row (pending | confirmed | exempted | shut_down), the
-- decision it rests on, and where its exemption comes from. exempt_until / exempt_reason are those
-- of the exemption that wins (the later until); both sources stay in their own columns.
ALTER TABLE res_elimination ADD COLUMN decision_status VARCHAR;
ALTER TABLE res_elimination ADD COLUMN decision_id VARCHAR;
ALTER TABLE res_elimination ADD COLUMN decision_document_no VARCHAR;
ALTER TABLE res_elimination ADD COLUMN decision_date DATE;
ALTER TABLE res_elimination ADD COLUMN decided_by VARCHAR;
ALTER TABLE res_elimination ADD COLUMN exempt_source VARCHAR;
ALTER TABLE res_elimination ADD COLUMN registry_exempt_until DATE;
ALTER TABLE res_elimination ADD COLUMN registry_exempt_reason VARCHAR;
ALTER TABLE res_elimination ADD COLUMN exempt_decision_id VARCHAR;
ALTER TABLE res_elimination ADD COLUMN exempt_decision_until DATE;
ALTER TABLE res_elimination ADD COLUMN exempt_document_no VARCHAR;
ALTER TABLE res_elimination ADD COLUMN exempt_decided_by VARCHAR;
ALTER TABLE res_elimination ADD COLUMN exempt_decision_reason VARCHAR;
-- resources already reclaimed by decisions before the list (vcpu … are what is left to reclaim)
ALTER TABLE res_elimination ADD COLUMN reclaimed_vcpu BIGINT;
ALTER TABLE res_elimination ADD COLUMN reclaimed_memory_gb DOUBLE;
ALTER TABLE res_elimination ADD COLUMN reclaimed_storage_gb DOUBLE;

-- A decision's note on a notice (rectified | rectified_not_held | reply_rejected) and the decision.
ALTER TABLE res_notices ADD COLUMN decision_note VARCHAR;
ALTER TABLE res_notices ADD COLUMN decision_id VARCHAR;
ALTER TABLE res_notices ADD COLUMN decision_document_no VARCHAR;
ALTER TABLE res_notices ADD COLUMN decision_date DATE;
ALTER TABLE res_notices ADD COLUMN decided_by VARCHAR;
ALTER TABLE res_notices ADD COLUMN decision_reason VARCHAR;

-- Right-sizing on the allocation left after earlier reclaims (vcpu is that allocation).
ALTER TABLE res_rightsizing ADD COLUMN reclaimed_vcpu BIGINT;

-- grain: one row per run per decision that reclaimed resources in the run month: a completed
-- shutdown (its whole remaining allocation) or a `reclaimed` decision (its amounts); the yearly
-- cost follows the vCPU, pro rata, as right-sizing shares it.
CREATE TABLE res_reclaimed (
  run_id            INTEGER NOT NULL,
  system_id         VARCHAR NOT NULL,
  system_name       VARCHAR,
  department        VARCHAR,
  month             DATE NOT NULL,
  decision_id       VARCHAR NOT NULL,
  decision          VARCHAR NOT NULL,
  effective_date    DATE NOT NULL,
  document_no       VARCHAR,
  vcpu              DOUBLE,
  memory_gb         DOUBLE,
  storage_gb        DOUBLE,
  cloud_cost_annual DOUBLE
);
