-- int_metrics_monthly
-- grain: one row per system in operation per month (int_system_months), with every metric of
-- docs/metrics.md §4; a month without telemetry has days_reported 0 and the other metrics NULL.
-- key: system_id, month
-- not_null: days_in_month, month_end, days_reported
WITH m AS (
  SELECT sm.system_id, sm.month, sm.days_in_month, sm.month_end,
    coalesce(a.days_reported, 0) AS days_reported,
    a.* EXCLUDE (system_id, month, days_reported)
  FROM int_system_months sm
  LEFT JOIN int_telemetry_monthly a USING (system_id, month)
)
SELECT m.*,
  {{derived}}
FROM m
JOIN stg_systems s USING (system_id)
