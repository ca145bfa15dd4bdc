-- 0008 the reference time of a run, and the provisional evaluation (docs/decisions.md §5.5a).

-- A run's started_at is the wall clock (when it ran, shown in Beijing time); as_of is the "today"
-- its deadline rules used (passed in, as every rule takes it), recorded so that a decision can be
-- reproduced. NULL for runs recorded before this migration (their started_at was that "today").
ALTER TABLE runs ADD COLUMN as_of TIMESTAMPTZ;

-- grain: one row per evaluation run: what it stands on. provisional (预评价): run before the O&M
-- reports of the year were due, so the report of report_year (the year before) stood in and the
-- assessment windows were shifted back one year.
CREATE TABLE res_evaluations (
  run_id           INTEGER PRIMARY KEY,
  year             INTEGER NOT NULL,
  as_of_month      DATE NOT NULL,
  provisional      BOOLEAN NOT NULL,
  report_year      INTEGER NOT NULL,
  report_due_date  DATE NOT NULL
);

-- Every score and budget row says whether it is provisional and which year's report it read.
ALTER TABLE res_scores ADD COLUMN provisional BOOLEAN;
ALTER TABLE res_scores ADD COLUMN report_year INTEGER;
ALTER TABLE res_budget ADD COLUMN provisional BOOLEAN;
ALTER TABLE res_budget ADD COLUMN report_year INTEGER;

-- The current evaluation of a year: the latest final one; a provisional one only while no final
-- one exists. A provisional result is replaced, not overwritten: it stays, exportable by run id.
CREATE OR REPLACE VIEW year_runs AS
SELECT CAST(r.period AS INTEGER) AS year,
  arg_max(r.run_id, CASE WHEN coalesce(e.provisional, false) THEN 0 ELSE 4294967296 END + r.run_id) AS run_id
FROM runs r LEFT JOIN res_evaluations e USING (run_id)
WHERE r.job = 'year' AND r.status IN ('ok', 'warnings')
GROUP BY r.period;
