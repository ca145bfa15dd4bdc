-- int_sharing
-- grain: one row per system that is neither classified nor retired, per month from the first
-- month of telemetry in the database up to the run month: data-sharing completeness at the end
-- of the month (docs/decisions.md §5.3).
--   cataloged: catalog rows with cataloged_date ≤ month end; shareable: of those, share_type
--   other than 'none' (an unstated share type counts as shareable — 共享为原则，不共享为例外);
--   aggregated: shareable with last_aggregated_date ≤ month end; timely: aggregated within the
--   update cycle's window (an unstated cycle gets the longest window, yearly); duplicates:
--   cataloged rows with a duplicate_of. completeness = 100 × timely / shareable (NULL when no
--   shareable resource). Catalog deadline: the working_days-th working day after the initial
--   acceptance (counting from the next day, official calendar); overdue when the deadline has
--   passed by the month end and no resource was cataloged on or before it.
--   A resource's attributes are its current row's (the latest file); its last aggregation at a
--   month end is read from the history of every catalog file (a platform exports the catalog each
--   month): the date of the most recently ingested row that gives one on or before that month end.
--   An empty date (never aggregated, as of that export) does not erase a date an earlier export gave.
-- key: system_id, month
-- not_null: system_name, department, stage, cataloged, shareable, aggregated, timely, duplicates
-- not_null: uncataloged, sharing_failure, catalog_overdue
-- accepted: stage in stage
-- accepted: stage in (construction, trial, operation)
WITH p AS (
  SELECT * FROM run_params
), months AS (
  SELECT CAST(unnest(generate_series(p.first_month::TIMESTAMP, p.month::TIMESTAMP, INTERVAL 1 MONTH)) AS DATE) AS month
  FROM p WHERE p.first_month IS NOT NULL
), sys AS (
  SELECT s.system_id, s.system_name, s.department, s.stage, s.initial_acceptance_date, s.retired_from,
    due.date AS catalog_due_date
  FROM stg_systems s
  LEFT JOIN work_calendar d0 ON d0.date = s.initial_acceptance_date
  LEFT JOIN work_calendar due ON due.workday AND due.wd_ord = d0.wd_ord + (SELECT catalog_working_days FROM p)
  WHERE s.stage <> 'retired'
), cat AS (
  SELECT c.system_id, c.resource_id, c.cataloged_date, c.duplicate_of,
    coalesce(c.share_type, 'unconditional') <> 'none' AS shareable,
    w.window_days
  FROM catalog_current c
  LEFT JOIN cycle_windows w ON w.update_cycle = coalesce(c.update_cycle, 'yearly')
), aggregated_at AS (
  -- one row per resource and month end by which it had been aggregated
  SELECT m.month, r.system_id, r.resource_id,
    arg_max(r.last_aggregated_date, r.file_id * 4294967296 + r.rowid) AS last_aggregated_date
  FROM raw_catalog r
  JOIN months m ON r.last_aggregated_date <= last_day(m.month)
  GROUP BY m.month, r.system_id, r.resource_id
), first_cataloged AS (
  SELECT system_id, min(cataloged_date) AS first_cataloged_date FROM cat GROUP BY system_id
), grid AS (
  -- a system shut down by a decision counts as retired from the month after (docs/decisions.md §5.7)
  SELECT sys.* EXCLUDE (retired_from), m.month, last_day(m.month) AS month_end FROM sys CROSS JOIN months m
  WHERE sys.retired_from IS NULL OR m.month < sys.retired_from
), counted AS (
  SELECT g.system_id, g.month,
    count(c.resource_id) FILTER (WHERE c.cataloged_date <= g.month_end) AS cataloged,
    count(c.resource_id) FILTER (WHERE c.cataloged_date <= g.month_end AND c.shareable) AS shareable,
    count(c.resource_id) FILTER (WHERE c.cataloged_date <= g.month_end AND c.shareable
      AND a.last_aggregated_date IS NOT NULL) AS aggregated,
    count(c.resource_id) FILTER (WHERE c.cataloged_date <= g.month_end AND c.shareable
      AND datediff('day', a.last_aggregated_date, g.month_end) <= c.window_days) AS timely,
    count(c.resource_id) FILTER (WHERE c.cataloged_date <= g.month_end AND c.duplicate_of IS NOT NULL) AS duplicates
  FROM grid g
  LEFT JOIN cat c ON c.system_id = g.system_id
  LEFT JOIN aggregated_at a ON a.month = g.month AND a.system_id = c.system_id AND a.resource_id = c.resource_id
  GROUP BY g.system_id, g.month
)
SELECT g.system_id, g.system_name, g.department, g.stage, g.month,
  k.cataloged, k.shareable, k.aggregated, k.timely, k.duplicates,
  CASE WHEN k.shareable > 0 THEN 100.0 * k.timely / k.shareable END AS completeness_pct,
  g.stage = 'operation' AND k.cataloged = 0 AS uncataloged,
  (g.stage = 'operation' AND k.cataloged = 0)
    OR coalesce(100.0 * k.timely / nullif(k.shareable, 0) < (SELECT sharing_min_pct FROM p), false)
    OR k.duplicates > 0 AS sharing_failure,
  g.catalog_due_date,
  coalesce(g.catalog_due_date <= g.month_end
    AND (f.first_cataloged_date IS NULL OR f.first_cataloged_date > g.catalog_due_date), false) AS catalog_overdue
FROM grid g
JOIN counted k USING (system_id, month)
LEFT JOIN first_cataloged f USING (system_id)
