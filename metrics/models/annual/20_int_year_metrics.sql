-- int_year_metrics
-- grain: one row per system in operation (not classified) with at least one month row in the
-- evaluated year, up to the run month (December, or the last full month of a year in progress).
-- Means are over the monthly values of the year (months without a value ignored).
-- key: system_id
-- not_null: months_monitored, months_active, months_security, months
WITH p AS (
  SELECT * FROM run_params
)
SELECT system_id,
  gm_mean(availability_pct) AS availability_pct,
  gm_mean(cpu_p95_pct) AS cpu_p95_pct,
  CAST(count(*) FILTER (WHERE NOT no_data) AS INTEGER) AS months_monitored,
  CAST(count(*) FILTER (WHERE NOT no_data AND NOT inactive) AS INTEGER) AS months_active,
  CAST(count(*) FILTER (WHERE security) AS INTEGER) AS months_security,
  CAST(count(*) AS INTEGER) AS months
FROM int_conditions
WHERE year(month) = (SELECT year(month) FROM p)
GROUP BY system_id
