-- 0002 monthly run: the results of `govmon run --month` (docs/metrics.md §4, docs/decisions.md §5.1, §5.2). Every row carries
-- the run that produced it; a re-run of a month adds a new run and becomes the current one
-- (month_runs), earlier runs stay queryable so a past decision can be traced and re-exported.

-- grain: one row per run per system in operation per month up to the run month
CREATE TABLE res_metrics (
  run_id           INTEGER NOT NULL,
  system_id        VARCHAR NOT NULL,
  month            DATE NOT NULL,
  days_in_month    INTEGER NOT NULL,
  days_reported    BIGINT NOT NULL,
  cpu_avg_pct      DOUBLE,
  cpu_p95_pct      DOUBLE,
  mem_avg_pct      DOUBLE,
  storage_used_gb  DOUBLE,
  storage_util_pct DOUBLE,
  dau_avg          DOUBLE,
  dau_max          BIGINT,
  requests_total   BIGINT,
  availability_pct DOUBLE,
  open_high_vulns  BIGINT,
  no_data          BOOLEAN NOT NULL,
  inactive         BOOLEAN NOT NULL,
  low_util         BOOLEAN NOT NULL,
  unusable         BOOLEAN NOT NULL,
  security         BOOLEAN NOT NULL,
  streak_no_data   INTEGER NOT NULL,
  streak_inactive  INTEGER NOT NULL,
  streak_low_util  INTEGER NOT NULL,
  streak_unusable  INTEGER NOT NULL,
  streak_security  INTEGER NOT NULL
);

-- grain: one row per run per system per month in which it has a notice (issued, open, resolved,
-- escalated): the notice history month by month
CREATE TABLE res_notices (
  run_id        INTEGER NOT NULL,
  system_id     VARCHAR NOT NULL,
  system_name   VARCHAR,
  department    VARCHAR,
  month         DATE NOT NULL,
  status        VARCHAR NOT NULL,
  issued_month  DATE NOT NULL,
  months_open   INTEGER NOT NULL,
  deadline      DATE,
  conditions    STRUCT(condition VARCHAR, streak INTEGER, warned BOOLEAN)[] NOT NULL,
  citations     VARCHAR[] NOT NULL
);

-- grain: one row per run per system that reached an elimination streak in the run month
-- (exempt systems included, flagged)
CREATE TABLE res_elimination (
  run_id            INTEGER NOT NULL,
  system_id         VARCHAR NOT NULL,
  system_name       VARCHAR,
  department        VARCHAR,
  month             DATE NOT NULL,
  conditions        STRUCT(condition VARCHAR, streak INTEGER, from_month DATE)[] NOT NULL,
  evidence          JSON,
  citations         VARCHAR[] NOT NULL,
  vcpu              INTEGER,
  memory_gb         DOUBLE,
  storage_gb        DOUBLE,
  cloud_cost_annual DOUBLE,
  cost_source       VARCHAR,             -- measured (FOCUS bills) | registry
  exempt            BOOLEAN NOT NULL,
  exempt_until      DATE,
  exempt_reason     VARCHAR
);

-- grain: one row per run per system recommended for fewer vCPU in the run month
CREATE TABLE res_rightsizing (
  run_id              INTEGER NOT NULL,
  system_id           VARCHAR NOT NULL,
  system_name         VARCHAR,
  department          VARCHAR,
  month               DATE NOT NULL,
  vcpu                INTEGER NOT NULL,
  max_p95_pct         DOUBLE NOT NULL,
  recommended_vcpu    INTEGER NOT NULL,
  reclaim_vcpu        INTEGER NOT NULL,
  cloud_cost_annual   DOUBLE,
  cost_source         VARCHAR,
  reclaim_cost_annual DOUBLE,
  citations           VARCHAR[] NOT NULL
);

-- The current run of each month: the latest that finished.
CREATE VIEW month_runs AS
SELECT period AS month, max(run_id) AS run_id
FROM runs WHERE job = 'month' AND status IN ('ok', 'warnings')
GROUP BY period;

-- Means and sums of DOUBLE columns are accumulated exactly (DECIMAL), so a result does not depend
-- on the order in which parallel threads add rows up: re-running a month gives byte-identical
-- numbers. Inputs carry far fewer than 12 decimals, so nothing is lost.
CREATE MACRO gm_mean(x) AS CAST(sum(CAST(x AS DECIMAL(38, 12))) / count(x) AS DOUBLE);
CREATE MACRO gm_sum(x) AS CAST(sum(CAST(x AS DECIMAL(38, 12))) AS DOUBLE);

-- A text cell that a spreadsheet would read as a formula gets a leading apostrophe (OWASP CSV
-- injection); used by the CSV and XLSX exports.
CREATE MACRO gm_safe_text(x) AS CASE WHEN regexp_matches(x, '^[=+\-@\t\r]') THEN '''' || x ELSE x END;

-- grain: one row per run per system (not classified, not retired) per month up to the run month:
-- data-sharing completeness at the month end (docs/decisions.md §5.3)
CREATE TABLE res_sharing (
  run_id           INTEGER NOT NULL,
  system_id        VARCHAR NOT NULL,
  system_name      VARCHAR,
  department       VARCHAR,
  stage            VARCHAR,
  month            DATE NOT NULL,
  cataloged        BIGINT NOT NULL,
  shareable        BIGINT NOT NULL,
  aggregated       BIGINT NOT NULL,
  timely           BIGINT NOT NULL,
  duplicates       BIGINT NOT NULL,
  completeness_pct DOUBLE,
  uncataloged      BOOLEAN NOT NULL,
  sharing_failure  BOOLEAN NOT NULL,
  catalog_due_date DATE,
  catalog_overdue  BOOLEAN NOT NULL
);

-- grain: one row per run per system per dated obligation (docs/decisions.md §5.6), status on the run month's end
CREATE TABLE res_calendar (
  run_id       INTEGER NOT NULL,
  system_id    VARCHAR NOT NULL,
  system_name  VARCHAR,
  department   VARCHAR,
  month        DATE NOT NULL,
  obligation   VARCHAR NOT NULL,
  window_start DATE,
  due_date     DATE,
  done_date    DATE,
  status       VARCHAR NOT NULL,
  note         VARCHAR,
  citations    VARCHAR[] NOT NULL
);
