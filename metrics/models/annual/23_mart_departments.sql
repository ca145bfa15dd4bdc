-- mart_departments
-- grain: one row per department with a scored system: whether new project applications should be
-- suspended (暂停新项目申报) — a withhold for sharing failure, or a rectification open for more
-- than dept_open_months months at the end of the year (docs/decisions.md §5.5).
-- key: department
-- not_null: systems, withheld_for_sharing, longest_open_months, year, suspend_new_projects, reasons, citations
-- accepted: each reasons in budget_reason
WITH p AS (
  SELECT *, year(month) AS year FROM run_params
), open_notices AS (
  SELECT system_id, months_open FROM mart_notices
  WHERE month = (SELECT month FROM p) AND status IN ('issued', 'open')
), per_dept AS (
  SELECT b.department,
    CAST(count(*) AS INTEGER) AS systems,
    CAST(count(*) FILTER (WHERE b.recommendation = 'withhold' AND list_contains(b.reasons, 'sharing_failure')) AS INTEGER) AS withheld_for_sharing,
    CAST(coalesce(max(o.months_open), 0) AS INTEGER) AS longest_open_months,
    list(b.system_id ORDER BY b.system_id) FILTER (WHERE b.recommendation = 'withhold' AND list_contains(b.reasons, 'sharing_failure')) AS sharing_systems,
    list(o.system_id ORDER BY o.system_id) FILTER (WHERE o.months_open > (SELECT dept_open_months FROM p)) AS long_open_systems,
    gm_sum(b.om_budget_annual) AS om_budget_annual,
    gm_sum(b.recommended_om_budget) AS recommended_om_budget,
    gm_mean(b.score) AS mean_score
  FROM mart_budget b
  LEFT JOIN open_notices o USING (system_id)
  GROUP BY b.department
)
SELECT d.*, CAST(p.year + 1 AS INTEGER) AS year,
  d.withheld_for_sharing > 0 OR d.longest_open_months > p.dept_open_months AS suspend_new_projects,
  list_filter([
    CASE WHEN d.withheld_for_sharing > 0 THEN 'sharing_withhold' END,
    CASE WHEN d.longest_open_months > p.dept_open_months THEN 'long_open_rectification' END
  ], lambda x: x IS NOT NULL) AS reasons,
  (SELECT coalesce(list(citation ORDER BY citation), []) FROM rule_citations WHERE rule = 'budget.department_suspension') AS citations
FROM per_dept d CROSS JOIN p
