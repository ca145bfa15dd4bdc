-- 0006 exact means of bounded telemetry columns, cheaper than gm_mean (0002); the raw row count
-- of each cached system-month.
-- A percentage column is validated to 0–100 at ingest, so 3 integer and 12 decimal digits hold
-- every stored value exactly as DECIMAL(38, 12) does: DECIMAL(18, 12) keeps it in 64 bits, and
-- the sum (DECIMAL(38, 12)) is as exact and as order-independent as before. An integer column is
-- summed exactly as an integer. The results are those of gm_mean, bit for bit.
CREATE MACRO gm_mean_pct(x) AS CAST(sum(CAST(x AS DECIMAL(18, 12))) / count(x) AS DOUBLE);
CREATE MACRO gm_mean_int(x) AS CAST(sum(x) / count(x) AS DOUBLE);

-- rows_total: every raw row of the system-month, replaced versions included; more rows than
-- days_reported means a corrected export replaced some (metrics/telemetry-cache.ts). NULL for
-- months cached before this migration, which are aggregated again at the next run.
ALTER TABLE agg_telemetry_monthly ADD COLUMN rows_total BIGINT;
DELETE FROM agg_telemetry_months;
DELETE FROM agg_telemetry_monthly;
