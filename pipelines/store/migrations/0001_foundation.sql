-- 0001 foundation: the file register, the raw (append-only) input tables, rejects, the run log.
-- Raw tables keep every version of every row with the file it came from; the current value of a
-- key is the row of the latest file (and, within a file, the latest row): see the *_current views.

CREATE SEQUENCE file_id_seq START 1;

-- One row per file ingested, including those that failed as a whole. Presenting the same bytes
-- again is a no-op and writes nothing (the command says which earlier file it was).
CREATE TABLE files (
  file_id        INTEGER PRIMARY KEY,
  sha256         VARCHAR NOT NULL,
  source_path    VARCHAR NOT NULL,
  file_name      VARCHAR NOT NULL,
  size_bytes     BIGINT NOT NULL,
  kind           VARCHAR,
  format         VARCHAR,
  encoding       VARCHAR,
  sheet          VARCHAR,
  status         VARCHAR NOT NULL,   -- loaded | partial | rejected | failed
  rows_read      BIGINT,
  rows_loaded    BIGINT,
  rows_rejected  BIGINT,
  extra_columns  VARCHAR[],
  message        VARCHAR,
  archive_path   VARCHAR,
  ingested_at    TIMESTAMPTZ NOT NULL,
  duration_ms    BIGINT
);

-- Each rejected value: file, row number (as a person sees it in the file), column, value, reason.
-- A file that is unusable as a whole has one reject with row_no NULL.
CREATE TABLE rejects (
  file_id     INTEGER NOT NULL,
  kind        VARCHAR,
  row_no      BIGINT,
  column_name VARCHAR,
  value       VARCHAR,
  reason      VARCHAR NOT NULL
);

-- grain: one row per system per registry file that named it
CREATE TABLE raw_systems (
  file_id                 INTEGER NOT NULL,
  system_id               VARCHAR NOT NULL,
  system_name             VARCHAR NOT NULL,
  department              VARCHAR NOT NULL,
  stage                   VARCHAR NOT NULL,
  go_live_date            DATE,
  initial_acceptance_date DATE,
  final_acceptance_date   DATE,
  security_level          INTEGER,
  vcpu                    INTEGER,
  memory_gb               DOUBLE,
  storage_gb              DOUBLE,
  cloud_cost_annual       DOUBLE,
  om_budget_annual        DOUBLE,
  key_project             BOOLEAN,
  classified              BOOLEAN,
  exempt_until            DATE,
  exempt_reason           VARCHAR
);

-- grain: one row per system per day per file (append-only; rowid order is arrival order)
CREATE TABLE raw_telemetry (
  file_id          INTEGER NOT NULL,
  system_id        VARCHAR NOT NULL,
  date             DATE NOT NULL,
  cpu_avg_pct      DOUBLE,
  cpu_max_pct      DOUBLE,
  mem_avg_pct      DOUBLE,
  storage_used_gb  DOUBLE,
  active_users     BIGINT,
  requests         BIGINT,
  availability_pct DOUBLE,
  open_high_vulns  INTEGER
);

-- grain: one row per system per resource per file
CREATE TABLE raw_catalog (
  file_id              INTEGER NOT NULL,
  system_id            VARCHAR NOT NULL,
  resource_id          VARCHAR NOT NULL,
  resource_name        VARCHAR,
  share_type           VARCHAR,
  update_cycle         VARCHAR,
  cataloged_date       DATE,
  last_aggregated_date DATE,
  duplicate_of         VARCHAR
);

-- grain: one row per system per O&M year per file
CREATE TABLE raw_om_report (
  file_id                  INTEGER NOT NULL,
  system_id                VARCHAR NOT NULL,
  year                     INTEGER NOT NULL,
  submitted_date           DATE NOT NULL,
  incidents                INTEGER,
  security_assessment_date DATE,
  crypto_assessment_date   DATE,
  om_paid                  DOUBLE,
  goals_total              INTEGER,
  goals_met                INTEGER,
  integration_points       INTEGER,
  self_score               DOUBLE,
  notes                    VARCHAR
);

-- grain: one row per telemetry file per month it touches (tells a run which months changed)
CREATE TABLE file_months (
  file_id INTEGER NOT NULL,
  month   DATE NOT NULL,
  rows    BIGINT NOT NULL
);

-- Current versions: the latest file wins; within a file, the later row wins.
CREATE VIEW systems_current AS
SELECT * EXCLUDE (rn) FROM (
  SELECT *, row_number() OVER (PARTITION BY system_id ORDER BY file_id DESC, rowid DESC) AS rn
  FROM raw_systems
) WHERE rn = 1;

CREATE VIEW telemetry_current AS
SELECT * EXCLUDE (rn) FROM (
  SELECT *, row_number() OVER (PARTITION BY system_id, date ORDER BY file_id DESC, rowid DESC) AS rn
  FROM raw_telemetry
) WHERE rn = 1;

CREATE VIEW catalog_current AS
SELECT * EXCLUDE (rn) FROM (
  SELECT *, row_number() OVER (PARTITION BY system_id, resource_id ORDER BY file_id DESC, rowid DESC) AS rn
  FROM raw_catalog
) WHERE rn = 1;

CREATE VIEW om_report_current AS
SELECT * EXCLUDE (rn) FROM (
  SELECT *, row_number() OVER (PARTITION BY system_id, year ORDER BY file_id DESC, rowid DESC) AS rn
  FROM raw_om_report
) WHERE rn = 1;

-- Every ingest, run, evaluation and scheduled job, with its inputs and profile, so a decision
-- can be traced and reproduced.
CREATE SEQUENCE run_id_seq START 1;
CREATE TABLE runs (
  run_id         INTEGER PRIMARY KEY,
  job            VARCHAR NOT NULL,   -- ingest | month | year | dashboard | inbox | schedule
  period         VARCHAR,            -- 'YYYY-MM' or 'YYYY'
  profile        VARCHAR,
  profile_sha256 VARCHAR,
  trigger        VARCHAR NOT NULL,   -- cli | schedule | catch-up | demo | test
  status         VARCHAR NOT NULL,   -- running | ok | warnings | failed | skipped
  started_at     TIMESTAMPTZ NOT NULL,
  finished_at    TIMESTAMPTZ,
  duration_ms    BIGINT,
  input_files    JSON,               -- [{file_id, sha256, name}]
  counts         JSON,
  message        VARCHAR
);

-- Parsers of input text, used by the validation SQL (pipelines/ingest/validate.ts). Each returns
-- NULL when the text does not parse; the validator then says why.
CREATE MACRO gm_num_or_null(x) AS CASE WHEN isfinite(x) THEN x END;
CREATE MACRO gm_parse_number(s) AS gm_num_or_null(TRY_CAST(
  CASE WHEN regexp_full_match(s, '[+-]?[0-9]{1,3}(,[0-9]{3})+(\.[0-9]+)?') THEN replace(s, ',', '') ELSE s END AS DOUBLE));
CREATE MACRO gm_parse_pct(s) AS gm_parse_number(rtrim(regexp_replace(s, '[%％]\s*$', ''), ' '));
CREATE MACRO gm_parse_int(s) AS
  CASE WHEN regexp_full_match(s, '[+-]?[0-9]{1,18}(\.0*)?') THEN TRY_CAST(regexp_replace(s, '\.0*$', '') AS BIGINT) END;
CREATE MACRO gm_date_shape(s) AS
  regexp_full_match(s, '[0-9]{4}[-/.][0-9]{1,2}[-/.][0-9]{1,2}([ T].*)?|[0-9]{4}年[0-9]{1,2}月[0-9]{1,2}日|[0-9]{8}');
CREATE MACRO gm_parse_date(s) AS CASE
  WHEN regexp_full_match(s, '[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}') THEN CAST(TRY_STRPTIME(s, '%Y-%m-%d') AS DATE)
  WHEN regexp_full_match(s, '[0-9]{4}/[0-9]{1,2}/[0-9]{1,2}') THEN CAST(TRY_STRPTIME(s, '%Y/%m/%d') AS DATE)
  WHEN regexp_full_match(s, '[0-9]{4}\.[0-9]{1,2}\.[0-9]{1,2}') THEN CAST(TRY_STRPTIME(s, '%Y.%m.%d') AS DATE)
  WHEN regexp_full_match(s, '[0-9]{4}年[0-9]{1,2}月[0-9]{1,2}日') THEN CAST(TRY_STRPTIME(s, '%Y年%m月%d日') AS DATE)
  WHEN regexp_full_match(s, '[0-9]{8}') THEN CAST(TRY_STRPTIME(s, '%Y%m%d') AS DATE)
  -- a timestamp (from Parquet or a spreadsheet): its calendar date as written
  WHEN regexp_full_match(s, '[0-9]{4}-[0-9]{2}-[0-9]{2}[ T][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?(Z|[+-][0-9]{2}(:?[0-9]{2})?)?')
    THEN TRY_CAST(left(s, 10) AS DATE)
  -- a spreadsheet serial day number (1900 date system)
  WHEN regexp_full_match(s, '[0-9]{1,7}(\.[0-9]+)?') AND TRY_CAST(s AS DOUBLE) BETWEEN 1 AND 2958465
    THEN CAST(DATE '1899-12-30' + CAST(floor(TRY_CAST(s AS DOUBLE)) AS INTEGER) AS DATE)
END;
CREATE MACRO gm_parse_bool(s) AS CASE
  WHEN lower(s) IN ('是', 'true', '1', 'y', 'yes', 't') THEN true
  WHEN lower(s) IN ('否', 'false', '0', 'n', 'no', 'f') THEN false
END;
