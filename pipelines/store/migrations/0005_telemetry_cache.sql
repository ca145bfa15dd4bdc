-- 0005 telemetry aggregates per month, kept between runs (metrics/models/03): a month is
-- aggregated again only when a telemetry file touching it arrived since (its watermark — the
-- highest file id among the files of that month — changed). So a monthly run costs one month of
-- telemetry, not all of history, and the answer is the same as aggregating everything afresh.
-- Written inside the run's transaction: a failed run leaves the cache as it was.

-- grain: one row per system per month with telemetry (every system, classified included: the
-- models filter); the aggregates are those of metrics/definitions.ts over the current versions
CREATE TABLE agg_telemetry_monthly (
  system_id        VARCHAR NOT NULL,
  month            DATE NOT NULL,
  days_reported    BIGINT NOT NULL,
  cpu_avg_pct      DOUBLE,
  cpu_p95_pct      DOUBLE,
  mem_avg_pct      DOUBLE,
  storage_used_gb  DOUBLE,
  dau_avg          DOUBLE,
  dau_max          BIGINT,
  requests_total   BIGINT,
  availability_pct DOUBLE,
  open_high_vulns  BIGINT
);

-- grain: one row per month present in agg_telemetry_monthly
CREATE TABLE agg_telemetry_months (
  month            DATE PRIMARY KEY,
  source_watermark INTEGER NOT NULL,
  systems          BIGINT NOT NULL,
  computed_at      TIMESTAMPTZ NOT NULL
);
