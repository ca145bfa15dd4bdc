-- int_system_status
-- grain: one row per system in operation per month: which list it is on (docs/decisions.md §5.1) and the
-- status of its rectification notice.
--   on the rectification list: some condition warned, none eliminated;
--   eliminating: some condition reached eliminate_months;
--   exempt: an exemption holds at the month end — the registry's (exempt_until ≥ month end) or a
--     decision's (effective_date ≤ month end ≤ until, docs/decisions.md §5.7); where both hold, the
--     later until wins and both sources are kept;
--   notice status: issued (first month on the list), open (following months), resolved (first
--   month off the list with nothing eliminated), escalated (first month off the list because a
--   condition reached eliminate_months); a notice that ended keeps the deadline it had.
-- key: system_id, month
-- not_null: on_rectification, eliminating, exempt
-- accepted: notice_status in notice_status
WITH flagged AS (
  SELECT system_id, month,
    bool_or(warned) AND NOT bool_or(eliminated) AS on_rectification,
    bool_or(eliminated) AS eliminating,
    min(deadline) FILTER (WHERE warned AND NOT eliminated) AS deadline
  FROM int_condition_streaks
  GROUP BY system_id, month
), per_month AS (
  -- every system-month, on a list or not (a month off the list resolves a notice)
  SELECT s.system_id, s.month,
    coalesce(f.on_rectification, false) AS on_rectification,
    coalesce(f.eliminating, false) AS eliminating,
    f.deadline
  FROM int_streaks s LEFT JOIN flagged f USING (system_id, month)
), runs AS (
  SELECT *,
    lag(on_rectification, 1, false) OVER (PARTITION BY system_id ORDER BY month) AS was_on_rectification,
    sum(CASE WHEN on_rectification THEN 0 ELSE 1 END) OVER (PARTITION BY system_id ORDER BY month) AS gm_grp
  FROM per_month
), issued AS (
  SELECT *,
    CASE WHEN on_rectification THEN min(month) FILTER (WHERE on_rectification) OVER (PARTITION BY system_id, gm_grp) END AS gm_issued
  FROM runs
), decision_exemptions AS (
  -- the decision exemption active at each month end with the latest until
  SELECT * EXCLUDE (rn) FROM (
    SELECT i.system_id, i.month, d.decision_id, d.until, d.document_no, d.decided_by, d.reason,
      row_number() OVER (PARTITION BY i.system_id, i.month ORDER BY d.until DESC, d.effective_date DESC, d.arrival DESC) AS rn
    FROM per_month i
    JOIN stg_decisions d ON d.system_id = i.system_id AND d.decision = 'exempt'
      AND d.effective_date <= last_day(i.month) AND d.until >= last_day(i.month)
  ) WHERE rn = 1
), final AS (
  SELECT i.system_id, i.month, i.on_rectification, i.eliminating,
    CASE WHEN i.on_rectification THEN i.deadline
         ELSE lag(i.deadline) OVER (PARTITION BY i.system_id ORDER BY i.month) END AS deadline,
    coalesce(s.exempt_until >= last_day(i.month), false) AS registry_exempt,
    x.decision_id IS NOT NULL AS decision_exempt,
    CASE
      WHEN i.on_rectification AND NOT i.was_on_rectification THEN 'issued'
      WHEN i.on_rectification THEN 'open'
      WHEN i.was_on_rectification AND i.eliminating THEN 'escalated'
      WHEN i.was_on_rectification THEN 'resolved'
    END AS notice_status,
    CASE WHEN i.on_rectification THEN i.gm_issued
         ELSE lag(i.gm_issued) OVER (PARTITION BY i.system_id ORDER BY i.month) END AS issued_month,
    s.exempt_until AS registry_exempt_until, s.exempt_reason AS registry_exempt_reason,
    x.decision_id AS exempt_decision_id, x.until AS exempt_decision_until, x.document_no AS exempt_document_no,
    x.decided_by AS exempt_decided_by, x.reason AS exempt_decision_reason
  FROM issued i
  JOIN stg_systems s USING (system_id)
  LEFT JOIN decision_exemptions x USING (system_id, month)
)
SELECT * EXCLUDE (registry_exempt, decision_exempt),
  registry_exempt OR decision_exempt AS exempt,
  CASE WHEN registry_exempt AND decision_exempt THEN 'both' WHEN registry_exempt THEN 'registry' WHEN decision_exempt THEN 'decision' END AS exempt_source,
  -- the exemption that wins: an active decision's where the registry's is not active or ends
  -- earlier (a tie goes to the decision, the more recent act); else the registry's, active or not
  CASE WHEN decision_exempt AND (NOT registry_exempt OR exempt_decision_until >= registry_exempt_until) THEN exempt_decision_until
       ELSE registry_exempt_until END AS exempt_until,
  CASE WHEN decision_exempt AND (NOT registry_exempt OR exempt_decision_until >= registry_exempt_until) THEN exempt_decision_reason
       ELSE registry_exempt_reason END AS exempt_reason
FROM final
