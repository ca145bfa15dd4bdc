-- mart_notices
-- grain: one row per system per month with a rectification notice (issued, open, resolved,
-- escalated). Lists every condition that holds (streak ≥ 1; a seasonal condition paused outside
-- the season too, docs/metrics.md §4.2) and the articles cited: the rectification rule and each
-- such condition's rule.
-- A decision on the notice (docs/decisions.md
-- §5.7) — the latest `rectified` or `reject_reply` dated from the notice's first month to this one —
-- gives its note: rectified (in the month of the decision, or after it once the notice ended
-- resolved), rectified_not_held (a later month in which a warned condition still holds: the
-- notice re-opens), reply_rejected.
-- key: system_id, month
-- not_null: system_name, department, status, issued_month, months_open, conditions, citations
-- accepted: status in notice_status
-- accepted: each conditions.condition in condition
WITH noticed AS (
  SELECT system_id, month FROM int_system_status WHERE notice_status IS NOT NULL
), held AS (
  -- only the system-months with a notice: the lists are built for those alone
  SELECT system_id, month,
    list({'condition': condition, 'streak': streak, 'warned': warned} ORDER BY condition_order) AS conditions,
    list(condition) AS condition_names
  FROM int_condition_streaks
  SEMI JOIN noticed USING (system_id, month)
  JOIN condition_params USING (condition)
  GROUP BY system_id, month
), cites AS (
  SELECT n.system_id, n.month, list(DISTINCT rc.citation ORDER BY rc.citation) AS citations
  FROM int_system_status n
  LEFT JOIN held h USING (system_id, month)
  JOIN rule_citations rc ON rc.rule = 'rectification' OR list_contains(h.condition_names, replace(rc.rule, 'condition.', ''))
  WHERE n.notice_status IS NOT NULL
  GROUP BY n.system_id, n.month
), decided AS (
  SELECT * EXCLUDE (rn) FROM (
    SELECT n.system_id, n.month, d.decision, d.decision_id, d.document_no, d.effective_date, d.decided_by, d.reason,
      d.month AS decision_month,
      row_number() OVER (PARTITION BY n.system_id, n.month ORDER BY d.effective_date DESC, d.arrival DESC) AS rn
    FROM int_system_status n
    JOIN stg_decisions d ON d.system_id = n.system_id AND d.decision IN ('rectified', 'reject_reply')
      AND d.month >= n.issued_month AND d.month <= n.month
    WHERE n.notice_status IS NOT NULL
  ) WHERE rn = 1
)
SELECT n.system_id, s.system_name, s.department, n.month, n.notice_status AS status, n.issued_month,
  CAST(datediff('month', n.issued_month, n.month) + CASE WHEN n.notice_status IN ('issued', 'open') THEN 1 ELSE 0 END AS INTEGER) AS months_open,
  n.deadline,
  coalesce(h.conditions, []) AS conditions,
  coalesce(c.citations, []) AS citations,
  CASE
    WHEN x.decision = 'reject_reply' THEN 'reply_rejected'
    WHEN x.decision = 'rectified' AND x.decision_month < n.month AND n.notice_status IN ('open', 'escalated') THEN 'rectified_not_held'
    WHEN x.decision = 'rectified' THEN 'rectified'
  END AS decision_note,
  x.decision_id, x.document_no AS decision_document_no, x.effective_date AS decision_date, x.decided_by, x.reason AS decision_reason
FROM int_system_status n
JOIN stg_systems s USING (system_id)
LEFT JOIN held h USING (system_id, month)
LEFT JOIN cites c USING (system_id, month)
LEFT JOIN decided x USING (system_id, month)
WHERE n.notice_status IS NOT NULL
