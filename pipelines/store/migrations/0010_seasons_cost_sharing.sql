-- 0010 seasonal systems and city–county cost sharing (docs/inputs.md §2.7, docs/metrics.md §4.2,
-- docs/decisions.md §5.8): the registry's optional columns, the population and cost_plan inputs,
-- the month parser and season arithmetic the models use, and the results of a run.

-- Optional registry columns. active_months is kept as written (validated at ingest by
-- gm_parse_months below); the models parse it.
ALTER TABLE raw_systems ADD COLUMN active_months VARCHAR;
ALTER TABLE raw_systems ADD COLUMN citywide BOOLEAN;
ALTER TABLE raw_systems ADD COLUMN serves_public BOOLEAN;
ALTER TABLE raw_systems ADD COLUMN county VARCHAR;

-- The view of 0001 again, so that it names the new columns.
CREATE OR REPLACE VIEW systems_current AS
SELECT * EXCLUDE (rn) FROM (
  SELECT *, row_number() OVER (PARTITION BY system_id ORDER BY file_id DESC, rowid DESC) AS rn
  FROM raw_systems
) WHERE rn = 1;

-- grain: one row per county per year per file (年末常住人口)
CREATE TABLE raw_population (
  file_id    INTEGER NOT NULL,
  county     VARCHAR NOT NULL,
  year       INTEGER NOT NULL,
  population BIGINT NOT NULL
);

-- grain: one row per system per county per file (云资源费用分摊方案)
CREATE TABLE raw_cost_plan (
  file_id   INTEGER NOT NULL,
  system_id VARCHAR NOT NULL,
  county    VARCHAR NOT NULL,
  share_pct DOUBLE NOT NULL
);

-- The latest file wins for a (county, year); within a file the later row.
CREATE VIEW population_current AS
SELECT * EXCLUDE (rn) FROM (
  SELECT *, row_number() OVER (PARTITION BY county, year ORDER BY file_id DESC, rowid DESC) AS rn
  FROM raw_population
) WHERE rn = 1;

-- A plan has no year and is replaced whole: the plan of a system is the rows of the latest file
-- that names it (a county the new plan leaves out is out); within that file the later row of a
-- county wins.
CREATE VIEW cost_plan_current AS
WITH latest AS (
  SELECT system_id, max(file_id) AS file_id FROM raw_cost_plan GROUP BY system_id
), rows AS (
  SELECT p.*, row_number() OVER (PARTITION BY p.system_id, p.county ORDER BY p.rowid DESC) AS rn
  FROM raw_cost_plan p JOIN latest USING (system_id, file_id)
)
SELECT * EXCLUDE (rn) FROM rows WHERE rn = 1;

-- 使用月份 as a person writes it → the sorted months 1–12, or NULL when it does not parse:
-- months separated by commas, 顿号, semicolons or spaces; a range a-b (also －, ~, 至, 到, with an
-- optional 月), wrapping over the year end when a > b (11-2 = 11, 12, 1, 2).
CREATE MACRO gm_month_range(a, b) AS
  CASE WHEN a <= b THEN range(a, b + 1) ELSE list_concat(range(a, 13), range(1, b + 1)) END;
CREATE MACRO gm_month_part(p) AS CASE
  WHEN regexp_full_match(p, '(1[0-2]|0?[1-9])月?') THEN [CAST(regexp_extract(p, '[0-9]+') AS BIGINT)]
  WHEN regexp_full_match(p, '(1[0-2]|0?[1-9])月?[-－~～至到](1[0-2]|0?[1-9])月?')
    THEN gm_month_range(CAST(regexp_extract(p, '^[0-9]+') AS BIGINT), CAST(regexp_extract(p, '([0-9]+)月?$', 1) AS BIGINT))
END;
CREATE MACRO gm_month_parts(s) AS
  list_filter(string_split(regexp_replace(trim(s), '[,，、;；\s]+', ',', 'g'), ','), lambda x: x <> '');
CREATE MACRO gm_parse_months(s) AS CASE
  WHEN len(gm_month_parts(s)) > 0 AND NOT list_bool_or(list_transform(gm_month_parts(s), lambda x: gm_month_part(x) IS NULL))
    THEN CAST(list_sort(list_distinct(flatten(list_transform(gm_month_parts(s), lambda x: gm_month_part(x))))) AS INTEGER[])
END;

-- Counting in-season months (docs/metrics.md §4.2). gm_season_forward(m, months, k): the k-th month
-- after m (k ≥ 1) whose calendar month is in `months`; gm_season_back(m, months, k): the k-th such
-- month counting back from m itself. A season has at least one month a year, so 12 × k + 12
-- months always hold k of them.
CREATE MACRO gm_season_forward(m, months, k) AS CAST(m + to_months(CAST(
  list_filter(range(1, 12 * k + 13), lambda i: list_contains(months, month(m + to_months(CAST(i AS INTEGER)))))[k] AS INTEGER)) AS DATE);
CREATE MACRO gm_season_back(m, months, k) AS CAST(m - to_months(CAST(
  list_filter(range(0, 12 * k + 13), lambda i: list_contains(months, month(m - to_months(CAST(i AS INTEGER)))))[k] AS INTEGER)) AS DATE);

-- A month outside its season (非使用季): inactive and low_util did not hold, their streaks paused.
ALTER TABLE res_metrics ADD COLUMN off_season BOOLEAN;

-- grain: one row per run per system in operation without a declared season whose requests of the
-- last two years fell in the same few calendar months: a suggestion, never applied by itself
CREATE TABLE res_season_suggestions (
  run_id            INTEGER NOT NULL,
  system_id         VARCHAR NOT NULL,
  system_name       VARCHAR,
  department        VARCHAR,
  month             DATE NOT NULL,
  season_months     INTEGER[] NOT NULL,
  recent_share_pct  DOUBLE NOT NULL,   -- of the requests of the 12 months ending with the run month
  earlier_share_pct DOUBLE NOT NULL,   -- of the 12 months before those
  months_of_data    INTEGER NOT NULL
);

-- grain: one row per run per system subject to cost sharing in year Y per county of its split;
-- one row with county NULL for a system whose plan or population is missing
CREATE TABLE res_cost_shares (
  run_id            INTEGER NOT NULL,
  system_id         VARCHAR NOT NULL,
  system_name       VARCHAR,
  department        VARCHAR,
  year              INTEGER NOT NULL,
  basis             VARCHAR NOT NULL,   -- population | plan
  status            VARCHAR NOT NULL,   -- shared | missing_plan | missing_population
  county            VARCHAR,
  share_pct         DOUBLE,             -- 100 × weight ÷ Σ weights, unrounded
  plan_share_pct    DOUBLE,             -- the plan's share as written (plan basis)
  population        BIGINT,             -- the county's population of Y−1 (population basis)
  population_year   INTEGER,
  cloud_cost_annual DOUBLE,             -- the system's yearly cloud cost as the run read it
  cost_source       VARCHAR,
  cost              DECIMAL(18, 2),     -- that cost rounded half up to the fen
  amount            DECIMAL(18, 2),     -- the county's share, to the fen; the amounts sum to cost
  remainder         DECIMAL(18, 2),     -- what the rounding left, put on the largest share (0 elsewhere)
  largest           BOOLEAN
);
