-- int_telemetry_monthly
-- grain: one row per system in operation per month that has telemetry.
-- Aggregates the raw rows directly in one scan; a (system, month) whose row count exceeds its
-- distinct dates holds a replaced row (a corrected export), and only those are aggregated again
-- over the current versions (the latest file wins, within a file the later row) — the same rule
-- as the telemetry_current view.
WITH p AS (
  SELECT * FROM run_params
), direct AS (
  SELECT t.system_id, CAST(date_trunc('month', t.date) AS DATE) AS month, count(*) AS gm_rows,
    {{aggregates}}
  FROM raw_telemetry t
  WHERE t.date >= (SELECT first_month FROM p) AND t.date <= (SELECT month_end FROM p)
    AND t.system_id IN (SELECT DISTINCT system_id FROM int_system_months)
  GROUP BY t.system_id, CAST(date_trunc('month', t.date) AS DATE)
), replaced AS (
  SELECT system_id, month FROM direct WHERE gm_rows > days_reported
), current_rows AS (
  SELECT r.* FROM raw_telemetry r
  SEMI JOIN replaced ON r.system_id = replaced.system_id AND CAST(date_trunc('month', r.date) AS DATE) = replaced.month
  WHERE r.date >= (SELECT first_month FROM p) AND r.date <= (SELECT month_end FROM p)
  QUALIFY row_number() OVER (PARTITION BY r.system_id, r.date ORDER BY r.file_id DESC, r.rowid DESC) = 1
), repaired AS (
  SELECT t.system_id, CAST(date_trunc('month', t.date) AS DATE) AS month,
    {{aggregates}}
  FROM current_rows t
  GROUP BY t.system_id, CAST(date_trunc('month', t.date) AS DATE)
)
SELECT * EXCLUDE (gm_rows) FROM direct ANTI JOIN replaced USING (system_id, month)
UNION ALL BY NAME
SELECT * FROM repaired
