-- mart_notices
-- grain: one row per system per month with a rectification notice (issued, open, resolved,
-- escalated). Lists every condition that holds (streak ≥ 1; a seasonal condition paused outside
-- the season too, docs/metrics.md §4.2) and the articles cited: the rectification rule and each
-- such condition's rule.
-- key: system_id, month
-- not_null: system_name, department, status, issued_month, months_open, conditions, citations
-- accepted: status in notice_status
-- accepted: each conditions.condition in condition
WITH held AS (
  SELECT system_id, month,
    list({'condition': condition, 'streak': streak, 'warned': warned} ORDER BY condition_order) AS conditions,
    list(condition) AS condition_names
  FROM int_condition_streaks
  JOIN condition_params USING (condition)
  GROUP BY system_id, month
), cites AS (
  SELECT n.system_id, n.month, list(DISTINCT rc.citation ORDER BY rc.citation) AS citations
  FROM int_system_status n
  LEFT JOIN held h USING (system_id, month)
  JOIN rule_citations rc ON rc.rule = 'rectification' OR list_contains(h.condition_names, replace(rc.rule, 'condition.', ''))
  WHERE n.notice_status IS NOT NULL
  GROUP BY n.system_id, n.month
)
SELECT n.system_id, s.system_name, s.department, n.month, n.notice_status AS status, n.issued_month,
  CAST(datediff('month', n.issued_month, n.month) + CASE WHEN n.notice_status IN ('issued', 'open') THEN 1 ELSE 0 END AS INTEGER) AS months_open,
  n.deadline,
  coalesce(h.conditions, []) AS conditions,
  coalesce(c.citations, []) AS citations
FROM int_system_status n
JOIN stg_systems s USING (system_id)
LEFT JOIN held h USING (system_id, month)
LEFT JOIN cites c USING (system_id, month)
WHERE n.notice_status IS NOT NULL
