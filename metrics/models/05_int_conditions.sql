-- int_conditions
-- grain: one row per system in operation per month, with each condition of docs/metrics.md §4.1 as a
-- boolean. A comparison with a NULL metric does not hold. no_data comes first: the others read it.
-- key: system_id, month
-- not_null: days_in_month, month_end, days_reported, {{condition_list}}
WITH p AS (
  SELECT * FROM run_params
), with_no_data AS (
  SELECT m.*, {{no_data}}
  FROM int_metrics_monthly m, p
)
SELECT m.*,
  {{other_conditions}}
FROM with_no_data m, p
