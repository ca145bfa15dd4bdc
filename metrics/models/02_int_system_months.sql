-- int_system_months
-- grain: one row per system in stage `operation` per month, from the later of its go-live month
-- and the first month of telemetry in the database, up to the run month (docs/metrics.md §4 "Rows"). The
-- registry's current stage applies to every month. A system shut down by a decision has no row
-- from the month after its shutdown on (docs/decisions.md §5.7).
-- key: system_id, month
-- not_null: days_in_month, month_end
WITH p AS (
  SELECT * FROM run_params
), operating AS (
  SELECT system_id, go_live_date, retired_from FROM stg_systems WHERE stage = 'operation'
), months AS (
  SELECT o.system_id, o.retired_from,
    unnest(generate_series(
      greatest(date_trunc('month', coalesce(o.go_live_date, p.first_month)), p.first_month)::TIMESTAMP,
      p.month::TIMESTAMP,
      INTERVAL 1 MONTH)) AS month_ts
  FROM operating o, p
  WHERE p.first_month IS NOT NULL
)
SELECT system_id,
  CAST(month_ts AS DATE) AS month,
  CAST(day(last_day(month_ts)) AS INTEGER) AS days_in_month,
  last_day(CAST(month_ts AS DATE)) AS month_end
FROM months
WHERE retired_from IS NULL OR CAST(month_ts AS DATE) < retired_from
