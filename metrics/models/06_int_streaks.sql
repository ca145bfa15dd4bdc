-- int_streaks
-- grain: one row per system in operation per month: the streak of each condition — the number of
-- consecutive months, ending with this one, in which it holds (0 when it does not). Computed from
-- the last month, up to this one, in which the condition did not hold (or the month before the
-- system's first row).
-- key: system_id, month
-- not_null: {{streak_list}}
WITH marked AS (
  SELECT system_id, month, {{condition_list}},
    {{streak_windows}},
    min(month) OVER (PARTITION BY system_id) AS gm_first
  FROM int_conditions
  WINDOW w AS (PARTITION BY system_id ORDER BY month ROWS UNBOUNDED PRECEDING)
)
SELECT system_id, month,
  {{streak_values}}
FROM marked
