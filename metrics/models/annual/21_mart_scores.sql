-- mart_scores
-- grain: one row per system in operation scored for the year (docs/decisions.md §5.4). Each indicator's points
-- are kept; clamp(x) = min(1, max(0, x)); a missing O&M report scores 0 on its indicators and
-- sets report_missing; scores are not rounded (display rounds to one decimal). A provisional
-- evaluation (预评价, §5.5a: run before the year's reports are due, a year in progress always is)
-- reads the report of the year before, and judges its assessment dates with that year's windows.
-- key: system_id
-- not_null: system_name, department, year, score, grade, operation, cost, effect, sharing, security, integration
-- not_null: report_missing, inflation
-- accepted: grade in (优, 良, 中, 差)
WITH p AS (
  SELECT *, year(month) AS year FROM run_params
), rep AS (
  -- the O&M report the evaluation reads: of the year, or of the year before for a provisional one
  SELECT r.* FROM om_report_current r, p WHERE r.year = p.eval_report_year
), sh AS (
  SELECT * FROM int_sharing WHERE month = (SELECT month FROM p)
), base AS (
  SELECT s.system_id, s.system_name, s.department, s.security_level, s.om_budget_annual,
    ym.availability_pct, ym.cpu_p95_pct, ym.months_monitored, ym.months_active, ym.months_security, ym.months,
    rep.system_id IS NULL AS report_missing,
    rep.incidents, rep.om_paid, rep.goals_total, rep.goals_met, rep.integration_points, rep.self_score,
    rep.security_assessment_date, rep.crypto_assessment_date,
    sh.completeness_pct, sh.uncataloged, sh.duplicates,
    coalesce(s.security_level, 2) >= 2 AS needs_graded_protection,
    -- an assessment counts in the report's year or the lookback years before (for a provisional
    -- evaluation: the year before and its lookback, as that year was judged)
    coalesce(rep.security_assessment_date BETWEEN make_date(CAST(p.eval_report_year - p.sc_lookback_years AS INTEGER), 1, 1)
      AND make_date(CAST(p.eval_report_year AS INTEGER), 12, 31), false) AS graded_protection_ok,
    coalesce(rep.crypto_assessment_date BETWEEN make_date(CAST(p.eval_report_year - p.sc_lookback_years AS INTEGER), 1, 1)
      AND make_date(CAST(p.eval_report_year AS INTEGER), 12, 31), false) AS crypto_ok,
    rep.om_paid / nullif(s.om_budget_annual, 0) AS budget_execution
  FROM int_year_metrics ym
  JOIN stg_systems s USING (system_id)
  CROSS JOIN p
  LEFT JOIN rep USING (system_id)
  LEFT JOIN sh USING (system_id)
  WHERE s.stage = 'operation'
), points AS (
  SELECT b.*,
    coalesce(p.sc_availability_points * least(1, greatest(0,
      (b.availability_pct - p.sc_availability_floor) / (p.sc_availability_full - p.sc_availability_floor))), 0) AS pts_availability,
    CASE WHEN b.report_missing OR b.incidents IS NULL THEN 0
      ELSE greatest(0, p.sc_incidents_points - p.sc_incidents_per * b.incidents) END AS pts_incidents,
    coalesce(p.sc_utilization_points * least(1, greatest(0,
      (b.cpu_p95_pct - p.sc_utilization_floor) / (p.sc_utilization_full - p.sc_utilization_floor))), 0) AS pts_utilization,
    CASE
      WHEN b.budget_execution IS NULL THEN 0
      WHEN b.budget_execution BETWEEN p.sc_budget_low AND p.sc_budget_high THEN p.sc_budget_points
      ELSE p.sc_budget_points * least(1, greatest(0, 1 - (CASE WHEN b.budget_execution < p.sc_budget_low
        THEN p.sc_budget_low - b.budget_execution ELSE b.budget_execution - p.sc_budget_high END) / p.sc_budget_falloff))
    END AS pts_budget,
    CASE WHEN coalesce(b.goals_total, 0) = 0 THEN 0
      ELSE p.sc_goals_points * coalesce(b.goals_met, 0) / b.goals_total END AS pts_goals,
    CASE WHEN b.months_monitored > 0 THEN p.sc_activity_points * b.months_active / b.months_monitored ELSE 0 END AS pts_activity,
    CASE WHEN b.uncataloged IS NULL OR b.uncataloged THEN 0
      ELSE greatest(0, p.sc_sharing_points * coalesce(b.completeness_pct, 100) / 100
        - CASE WHEN b.duplicates > 0 THEN p.sc_sharing_dup_penalty ELSE 0 END) END AS pts_sharing,
    CASE WHEN NOT b.needs_graded_protection OR b.graded_protection_ok THEN p.sc_graded_points ELSE 0 END AS pts_graded_protection,
    CASE WHEN b.crypto_ok THEN p.sc_crypto_points ELSE 0 END AS pts_crypto,
    greatest(0, p.sc_vuln_points - b.months_security) AS pts_vulnerabilities,
    CASE WHEN b.report_missing OR b.integration_points IS NULL THEN 0
      ELSE least(b.integration_points, p.sc_integration_max) * p.sc_integration_points / nullif(p.sc_integration_max, 0) END AS pts_integration
  FROM base b CROSS JOIN p
), dims AS (
  SELECT *,
    pts_availability + pts_incidents AS operation,
    pts_utilization + pts_budget AS cost,
    pts_goals + pts_activity AS effect,
    pts_sharing AS sharing,
    pts_graded_protection + pts_crypto + pts_vulnerabilities AS security,
    coalesce(pts_integration, 0) AS integration
  FROM points
)
SELECT d.*,
  CAST(p.year AS INTEGER) AS year,
  p.eval_provisional AS provisional,
  CAST(p.eval_report_year AS INTEGER) AS report_year,
  d.operation + d.cost + d.effect + d.sharing + d.security + d.integration AS score,
  CASE
    WHEN d.operation + d.cost + d.effect + d.sharing + d.security + d.integration >= p.grade_excellent THEN '优'
    WHEN d.operation + d.cost + d.effect + d.sharing + d.security + d.integration >= p.grade_good THEN '良'
    WHEN d.operation + d.cost + d.effect + d.sharing + d.security + d.integration >= p.grade_pass THEN '中'
    ELSE '差'
  END AS grade,
  coalesce(d.self_score - (d.operation + d.cost + d.effect + d.sharing + d.security + d.integration) > p.inflation_margin, false) AS inflation
FROM dims d CROSS JOIN p
