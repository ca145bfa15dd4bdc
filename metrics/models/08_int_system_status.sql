-- int_system_status
-- grain: one row per system in operation per month: which list it is on (docs/decisions.md §5.1) and the
-- status of its rectification notice.
--   on the rectification list: some condition warned, none eliminated;
--   eliminating: some condition reached eliminate_months; exempt while exempt_until ≥ month end;
--   notice status: issued (first month on the list), open (following months), resolved (first
--   month off the list with nothing eliminated), escalated (first month off the list because a
--   condition reached eliminate_months).
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
)
SELECT i.system_id, i.month, i.on_rectification, i.eliminating, i.deadline,
  s.exempt_until IS NOT NULL AND s.exempt_until >= last_day(i.month) AS exempt,
  CASE
    WHEN i.on_rectification AND NOT i.was_on_rectification THEN 'issued'
    WHEN i.on_rectification THEN 'open'
    WHEN i.was_on_rectification AND i.eliminating THEN 'escalated'
    WHEN i.was_on_rectification THEN 'resolved'
  END AS notice_status,
  CASE WHEN i.on_rectification THEN i.gm_issued
       ELSE lag(i.gm_issued) OVER (PARTITION BY i.system_id ORDER BY i.month) END AS issued_month
FROM issued i
JOIN stg_systems s USING (system_id)
