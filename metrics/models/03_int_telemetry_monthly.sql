-- int_telemetry_monthly
-- grain: one row per system in operation per month that has telemetry, up to the run month: the
-- month's aggregates, from the cache that refreshTelemetryCache (pipelines/run/telemetry-cache.ts)
-- keeps up to date with the same definitions.
-- materialized: view (read once, by int_metrics_monthly)
-- key: system_id, month
-- not_null: days_reported
SELECT a.* EXCLUDE (rows_total)
FROM agg_telemetry_monthly a
WHERE a.month >= (SELECT first_month FROM run_params) AND a.month <= (SELECT month FROM run_params)
  AND a.system_id IN (SELECT DISTINCT system_id FROM int_system_months)
