-- mart_budget
-- grain: one row per scored system: the O&M budget recommendation for the next year (docs/decisions.md §5.5).
-- The first matching rule wins (withhold, suspend, reduce, fund); every matching reason is listed
-- with the articles it rests on. "At the end of the year" = the run month's results. A system shut
-- down in the year by a decision (docs/decisions.md §5.7) is withheld with reason shut_down, citing
-- the decision; one shut down before the year has no month in it and is not scored.
-- A provisional evaluation's rows say so (docs/decisions.md §5.5a).
-- key: system_id
-- not_null: system_name, department, year, recommendation, reasons, citations, score, grade, cost_source
-- accepted: recommendation in recommendation
-- accepted: each reasons in budget_reason
-- accepted: grade in (优, 良, 中, 差)
-- accepted: cost_source in cost_source
WITH p AS (
  SELECT *, year(month) AS year FROM run_params
), status AS (
  SELECT * FROM int_system_status WHERE month = (SELECT month FROM p)
), sh AS (
  SELECT system_id, sharing_failure FROM int_sharing WHERE month = (SELECT month FROM p)
), rs AS (
  SELECT system_id, reclaim_cost_annual FROM mart_rightsizing
), shut AS (
  SELECT d.system_id, d.decision_id, d.document_no, d.effective_date
  FROM stg_decisions d JOIN stg_systems s ON s.system_id = d.system_id AND d.effective_date = s.shutdown_date
  WHERE d.decision = 'shutdown_done' AND year(d.effective_date) = (SELECT year FROM p)
  QUALIFY row_number() OVER (PARTITION BY d.system_id ORDER BY d.arrival) = 1
), flags AS (
  SELECT sc.system_id, sc.system_name, sc.department, sc.score, sc.grade, s.om_budget_annual, s.cloud_cost_annual, s.cost_source,
    coalesce(st.eliminating AND NOT st.exempt, false) AS eliminated,
    s.final_acceptance_date IS NULL AS no_final_acceptance,
    (sc.needs_graded_protection AND NOT sc.graded_protection_ok) OR NOT sc.crypto_ok AS security_noncompliant,
    coalesce(sh.sharing_failure, false) AS sharing_failure,
    coalesce(st.on_rectification, false) AS open_rectification,
    rs.system_id IS NOT NULL AS rightsizing,
    rs.reclaim_cost_annual,
    sd.system_id IS NOT NULL AS shut_down,
    sd.decision_id AS shutdown_decision_id, sd.document_no AS shutdown_document_no, sd.effective_date AS shutdown_date
  FROM mart_scores sc
  JOIN stg_systems s USING (system_id)
  LEFT JOIN status st USING (system_id)
  LEFT JOIN sh USING (system_id)
  LEFT JOIN rs USING (system_id)
  LEFT JOIN shut sd USING (system_id)
), reasons AS (
  SELECT f.*,
    list_filter([
      CASE WHEN shut_down THEN 'shut_down' END,
      CASE WHEN eliminated THEN 'eliminated' END,
      CASE WHEN no_final_acceptance THEN 'no_final_acceptance' END,
      CASE WHEN security_noncompliant THEN 'security_noncompliant' END,
      CASE WHEN sharing_failure THEN 'sharing_failure' END,
      CASE WHEN grade = '差' AND open_rectification THEN 'poor_with_open_rectification' END,
      CASE WHEN open_rectification THEN 'open_rectification' END,
      CASE WHEN grade = '差' THEN 'grade_poor' END,
      CASE WHEN grade = '中' THEN 'grade_fair' END,
      CASE WHEN rightsizing THEN 'rightsizing' END
    ], lambda x: x IS NOT NULL) AS reasons
  FROM flags f
), decided AS (
  SELECT r.*,
    CASE
      WHEN shut_down OR eliminated OR no_final_acceptance OR security_noncompliant OR sharing_failure
        OR (grade = '差' AND open_rectification) THEN 'withhold'
      WHEN open_rectification OR grade = '差' THEN 'suspend'
      WHEN grade = '中' OR rightsizing THEN 'reduce'
      ELSE 'fund'
    END AS recommendation
  FROM reasons r
), rule_of AS (
  SELECT * FROM (VALUES
    ('eliminated', 'budget.withhold_elimination'),
    ('no_final_acceptance', 'budget.withhold_no_acceptance'),
    ('security_noncompliant', 'budget.withhold_security'),
    ('sharing_failure', 'budget.withhold_sharing'),
    ('poor_with_open_rectification', 'budget.withhold_poor_open'),
    ('open_rectification', 'budget.suspend'),
    ('grade_poor', 'budget.suspend'),
    ('grade_fair', 'budget.reduce'),
    ('rightsizing', 'budget.reduce'),
    ('rightsizing', 'rightsizing'),
    ('fund', 'budget')
  ) AS t(reason, rule)
), cited AS (
  SELECT d.system_id, rc.citation
  FROM decided d
  JOIN rule_of ro ON list_contains(d.reasons, ro.reason) OR (ro.reason = 'fund' AND d.recommendation = 'fund')
  JOIN rule_citations rc ON rc.rule = ro.rule
  UNION ALL
  -- a shutdown rests on the decision that recorded it
  SELECT system_id, '处置决定 ' || shutdown_decision_id || '（' || coalesce(shutdown_document_no || '，', '')
    || strftime(shutdown_date, '%Y-%m-%d') || ' 已关停）'
  FROM decided WHERE shut_down
), cites AS (
  SELECT system_id, list(DISTINCT citation ORDER BY citation) AS citations FROM cited GROUP BY system_id
)
SELECT d.system_id, d.system_name, d.department,
  CAST(p.year + 1 AS INTEGER) AS year,
  d.recommendation,
  CASE d.recommendation
    WHEN 'withhold' THEN 0 WHEN 'suspend' THEN 0
    WHEN 'reduce' THEN d.om_budget_annual * p.reduce_factor
    ELSE d.om_budget_annual END AS recommended_om_budget,
  CASE
    WHEN d.eliminated OR d.shut_down THEN 0
    WHEN d.rightsizing THEN d.cloud_cost_annual - coalesce(d.reclaim_cost_annual, 0)
    ELSE d.cloud_cost_annual END AS recommended_cloud_cost,
  d.reasons, coalesce(c.citations, []) AS citations,
  d.om_budget_annual, d.cloud_cost_annual, d.cost_source, d.score, d.grade,
  p.eval_provisional AS provisional, CAST(p.eval_report_year AS INTEGER) AS report_year
FROM decided d
CROSS JOIN p
LEFT JOIN cites c USING (system_id)
