-- int_telemetry_monthly
-- grain: one row per system in operation per month that has telemetry.
-- Aggregates the raw rows directly; a (system, month) whose row count exceeds its distinct dates
-- holds a replaced row (a corrected export), and only those are aggregated again over the current
-- versions (the latest file wins, within a file the later row) — same rule as telemetry_current.
WITH p AS (
  SELECT * FROM run_params
), t AS (
  SELECT r.*, r.rowid AS gm_rowid, CAST(date_trunc('month', r.date) AS DATE) AS month
  FROM raw_telemetry r
  WHERE r.date >= (SELECT first_month FROM p) AND r.date <= (SELECT month_end FROM p)
    AND r.system_id IN (SELECT DISTINCT system_id FROM int_system_months)
), direct AS (
  SELECT t.system_id, t.month, count(*) AS gm_rows,
    {{aggregates}}
  FROM t GROUP BY t.system_id, t.month
), replaced AS (
  SELECT system_id, month FROM direct WHERE gm_rows > days_reported
), current_rows AS (
  SELECT t.* FROM t SEMI JOIN replaced ON t.system_id = replaced.system_id AND t.month = replaced.month
  QUALIFY row_number() OVER (PARTITION BY t.system_id, t.date ORDER BY t.file_id DESC, t.gm_rowid DESC) = 1
), repaired AS (
  SELECT t.system_id, t.month, count(*) AS gm_rows,
    {{aggregates}}
  FROM current_rows t GROUP BY t.system_id, t.month
)
SELECT * EXCLUDE (gm_rows) FROM direct ANTI JOIN replaced USING (system_id, month)
UNION ALL BY NAME
SELECT * EXCLUDE (gm_rows) FROM repaired
