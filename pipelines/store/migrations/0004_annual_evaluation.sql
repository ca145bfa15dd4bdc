-- 0004 annual evaluation: the results of `govmon evaluate --year Y` (docs/decisions.md §5.4, §5.5). Rows carry
-- their run; year_runs gives the current evaluation of each year.

-- grain: one row per run per system in operation scored for the year
CREATE TABLE res_scores (
  run_id                  INTEGER NOT NULL,
  system_id               VARCHAR NOT NULL,
  system_name             VARCHAR,
  department              VARCHAR,
  year                    INTEGER NOT NULL,
  score                   DOUBLE NOT NULL,
  grade                   VARCHAR NOT NULL,
  operation               DOUBLE NOT NULL,
  cost                    DOUBLE NOT NULL,
  effect                  DOUBLE NOT NULL,
  sharing                 DOUBLE NOT NULL,
  security                DOUBLE NOT NULL,
  integration             DOUBLE NOT NULL,
  self_score              DOUBLE,
  inflation               BOOLEAN NOT NULL,
  report_missing          BOOLEAN NOT NULL,
  pts_availability        DOUBLE, pts_incidents DOUBLE, pts_utilization DOUBLE, pts_budget DOUBLE,
  pts_goals               DOUBLE, pts_activity DOUBLE, pts_sharing DOUBLE, pts_graded_protection DOUBLE,
  pts_crypto              DOUBLE, pts_vulnerabilities DOUBLE, pts_integration DOUBLE,
  availability_pct        DOUBLE,
  cpu_p95_pct             DOUBLE,
  months                  INTEGER,
  months_monitored        INTEGER,
  months_active           INTEGER,
  months_security         INTEGER,
  incidents               INTEGER,
  om_paid                 DOUBLE,
  om_budget_annual        DOUBLE,
  budget_execution        DOUBLE,
  goals_total             INTEGER,
  goals_met               INTEGER,
  integration_points      INTEGER,
  completeness_pct        DOUBLE,
  uncataloged             BOOLEAN,
  duplicates              BIGINT,
  security_level          INTEGER,
  security_assessment_date DATE,
  crypto_assessment_date  DATE,
  needs_graded_protection BOOLEAN,
  graded_protection_ok    BOOLEAN,
  crypto_ok               BOOLEAN
);

-- grain: one row per run per scored system: the budget recommendation for the year after
CREATE TABLE res_budget (
  run_id                 INTEGER NOT NULL,
  system_id              VARCHAR NOT NULL,
  system_name            VARCHAR,
  department             VARCHAR,
  year                   INTEGER NOT NULL,
  recommendation         VARCHAR NOT NULL,
  recommended_om_budget  DOUBLE,
  recommended_cloud_cost DOUBLE,
  reasons                VARCHAR[] NOT NULL,
  citations              VARCHAR[] NOT NULL,
  om_budget_annual       DOUBLE,
  cloud_cost_annual      DOUBLE,
  cost_source            VARCHAR,
  score                  DOUBLE,
  grade                  VARCHAR
);

-- grain: one row per run per department with a scored system
CREATE TABLE res_departments (
  run_id                INTEGER NOT NULL,
  department            VARCHAR NOT NULL,
  year                  INTEGER NOT NULL,
  systems               INTEGER NOT NULL,
  withheld_for_sharing  INTEGER NOT NULL,
  longest_open_months   INTEGER NOT NULL,
  sharing_systems       VARCHAR[],
  long_open_systems     VARCHAR[],
  om_budget_annual      DOUBLE,
  recommended_om_budget DOUBLE,
  mean_score            DOUBLE,
  suspend_new_projects  BOOLEAN NOT NULL,
  reasons               VARCHAR[] NOT NULL,
  citations             VARCHAR[] NOT NULL
);

CREATE VIEW year_runs AS
SELECT CAST(period AS INTEGER) AS year, max(run_id) AS run_id
FROM runs WHERE job = 'year' AND status IN ('ok', 'warnings')
GROUP BY period;
