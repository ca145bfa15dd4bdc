-- int_conditions
-- grain: one row per system in operation per month, with each condition of docs/metrics.md §4.1 as a
-- boolean. A comparison with a NULL metric does not hold. no_data comes first: the others read it.
-- off_season says the month is outside the system's declared season (docs/metrics.md §4.2), where the
-- seasonal conditions (inactive, low_util) do not hold.
-- key: system_id, month
-- not_null: days_in_month, month_end, days_reported, {{condition_list}}
WITH p AS (
  SELECT * FROM run_params
), seasons AS (
  SELECT system_id, season_months FROM stg_systems WHERE season_months IS NOT NULL
), with_no_data AS (
  SELECT m.*, {{no_data}},
    coalesce(NOT list_contains(se.season_months, CAST(month(m.month) AS INTEGER)), false) AS off_season
  FROM int_metrics_monthly m
  LEFT JOIN seasons se USING (system_id)
  CROSS JOIN p
)
SELECT m.*,
  {{other_conditions}}
FROM with_no_data m, p
