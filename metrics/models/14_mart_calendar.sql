-- mart_calendar
-- grain: one row per system (in construction, trial or operation; not classified) per dated obligation of the
-- profile (docs/decisions.md §5.6), with its due date and status on the last day of the run month:
-- done (evidence on or before that day), overdue (due date passed without it), due (not yet).
--   catalog: working_days-th working day after initial acceptance; done = first resource cataloged;
--   completion_acceptance: window from go-live + min_days to go-live + max_days; done = final acceptance;
--   self_evaluation: from_months … to_months after the anchor (final acceptance, or for
--     'operation_start' the final acceptance or else the go-live date); done = an O&M report with a
--     self-score submitted inside the window;
--   annual_report: each of the last two O&M years complete by the month end (a December run month
--     completes its own year), due report_due_days after the year end;
--     done = the report of that year submitted;
--   cost_plan / population:YYYY (docs/decisions.md §5.8, listed only while missing): a system
--     subject to cost sharing without a plan (due with the project's application, so by its
--     go-live date at the latest) or, public-facing, without the population of Y−1 (due at the
--     start of Y, whose cloud rent it shares).
-- key: system_id, obligation
-- not_null: system_name, department, month, status, citations
-- accepted: status in calendar_status
-- accepted: note in calendar_note
-- accepted: (split_part(obligation, ':', 1)) in obligation
WITH p AS (
  SELECT * FROM run_params
), sys AS (
  -- a system shut down by a decision has no obligations from the month after (docs/decisions.md §5.7)
  SELECT * FROM stg_systems WHERE stage IN ('construction', 'trial', 'operation')
    AND (retired_from IS NULL OR retired_from > (SELECT month FROM run_params))
), sharing_now AS (
  SELECT system_id, catalog_due_date FROM int_sharing WHERE month = (SELECT month FROM p)
), first_cataloged AS (
  SELECT system_id, min(cataloged_date) AS done_date FROM catalog_current GROUP BY system_id
), catalog AS (
  SELECT s.system_id, 'catalog' AS obligation, s.initial_acceptance_date AS window_start,
    sn.catalog_due_date AS due_date, f.done_date
  FROM sys s
  JOIN sharing_now sn USING (system_id)
  LEFT JOIN first_cataloged f USING (system_id)
  WHERE s.initial_acceptance_date IS NOT NULL
), acceptance AS (
  SELECT s.system_id, 'completion_acceptance' AS obligation,
    CAST(s.go_live_date + to_days(p.acceptance_min_days) AS DATE) AS window_start,
    CAST(s.go_live_date + to_days(p.acceptance_max_days) AS DATE) AS due_date,
    s.final_acceptance_date AS done_date
  FROM sys s, p
  WHERE p.acceptance_min_days IS NOT NULL AND s.go_live_date IS NOT NULL
), anchored AS (
  SELECT s.system_id,
    CASE p.self_eval_anchor WHEN 'final_acceptance' THEN s.final_acceptance_date
      ELSE coalesce(s.final_acceptance_date, s.go_live_date) END AS anchor_date
  FROM sys s, p
  WHERE p.self_eval_anchor IS NOT NULL AND s.stage = 'operation'
), self_eval AS (
  SELECT a.system_id, 'self_evaluation' AS obligation,
    CAST(a.anchor_date + to_months(p.self_eval_from_months) AS DATE) AS window_start,
    CAST(a.anchor_date + to_months(p.self_eval_to_months) AS DATE) AS due_date,
    (SELECT min(r.submitted_date) FROM om_report_current r
      WHERE r.system_id = a.system_id AND r.self_score IS NOT NULL
        AND r.submitted_date >= a.anchor_date + to_months(p.self_eval_from_months)
        AND r.submitted_date <= a.anchor_date + to_months(p.self_eval_to_months)) AS done_date
  FROM anchored a, p
  WHERE a.anchor_date IS NOT NULL
), report_years AS (
  SELECT s.system_id, y.year
  FROM sys s, p, (
    SELECT unnest(range(last_year - 1, last_year + 1)) AS year
    FROM (SELECT year(month) - CASE WHEN month(month) = 12 THEN 0 ELSE 1 END AS last_year FROM run_params)
  ) y
  WHERE p.report_due_days IS NOT NULL AND s.stage = 'operation'
    AND y.year >= year(coalesce(s.final_acceptance_date, s.go_live_date, DATE '1900-01-01'))
), reports AS (
  SELECT ry.system_id, 'annual_report:' || ry.year AS obligation,
    make_date(CAST(ry.year AS INTEGER), 1, 1) AS window_start,
    CAST(make_date(CAST(ry.year AS INTEGER), 12, 31) + to_days(p.report_due_days) AS DATE) AS due_date,
    r.submitted_date AS done_date
  FROM report_years ry
  CROSS JOIN p
  LEFT JOIN om_report_current r ON r.system_id = ry.system_id AND r.year = ry.year
), cost_sharing AS (
  SELECT DISTINCT c.system_id,
    CASE c.status WHEN 'missing_plan' THEN 'cost_plan' ELSE 'population:' || (c.year - 1) END AS obligation,
    CAST(NULL AS DATE) AS window_start,
    CASE c.status WHEN 'missing_plan' THEN s.go_live_date ELSE make_date(c.year, 1, 1) END AS due_date,
    CAST(NULL AS DATE) AS done_date
  FROM int_cost_shares c
  JOIN stg_systems s USING (system_id)
  WHERE c.status IN ('missing_plan', 'missing_population')
), obligations AS (
  SELECT * FROM catalog UNION ALL BY NAME SELECT * FROM acceptance
  UNION ALL BY NAME SELECT * FROM self_eval UNION ALL BY NAME SELECT * FROM reports
  UNION ALL BY NAME SELECT * FROM cost_sharing
)
SELECT o.system_id, s.system_name, s.department, p.month,
  o.obligation, o.window_start, o.due_date,
  CASE WHEN o.done_date <= p.month_end THEN o.done_date END AS done_date,
  CASE
    WHEN o.done_date <= p.month_end THEN 'done'
    WHEN o.due_date < p.month_end THEN 'overdue'
    ELSE 'due'
  END AS status,
  CASE
    WHEN o.done_date <= p.month_end AND o.due_date IS NOT NULL AND o.done_date > o.due_date THEN 'late'
    WHEN o.done_date <= p.month_end AND o.obligation = 'completion_acceptance' AND o.done_date < o.window_start THEN 'early'
  END AS note,
  (SELECT coalesce(list(citation ORDER BY citation), [])
     FROM rule_citations WHERE rule = CASE WHEN o.obligation = 'catalog' THEN 'catalog_deadline'
                                           WHEN split_part(o.obligation, ':', 1) IN ('cost_plan', 'population') THEN 'cost_sharing'
                                           ELSE 'calendar.' || split_part(o.obligation, ':', 1) END) AS citations
FROM obligations o
JOIN sys s USING (system_id)
CROSS JOIN p
