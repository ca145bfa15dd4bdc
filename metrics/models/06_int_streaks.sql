-- int_streaks
-- grain: one row per system in operation per month: the streak of each condition — the number of
-- consecutive months, ending with this one, in which it holds (0 when it does not). Computed from
-- the last month, up to this one, in which the condition did not hold (or the month before the
-- system's first row). A seasonal condition (docs/metrics.md §4.2) counts in-season months only:
-- gm_ord numbers them, an off-season month neither adds to its streak nor resets it.
-- key: system_id, month
-- not_null: {{streak_list}}
WITH counted AS (
  SELECT system_id, month, {{condition_list}}, off_season,
    CAST(sum(CASE WHEN off_season THEN 0 ELSE 1 END) OVER w AS INTEGER) AS gm_ord,
    min(month) OVER (PARTITION BY system_id) AS gm_first
  FROM int_conditions
  WINDOW w AS (PARTITION BY system_id ORDER BY month ROWS UNBOUNDED PRECEDING)
), marked AS (
  SELECT *,
    {{streak_windows}}
  FROM counted
  WINDOW w AS (PARTITION BY system_id ORDER BY month ROWS UNBOUNDED PRECEDING)
)
SELECT system_id, month,
  {{streak_values}}
FROM marked
