-- mart_elimination
-- grain: one row per system in operation that has a condition at or beyond eliminate_months in
-- the run month (exempt systems included and flagged: they go to the separate exempted section).
-- Conditions are those whose streak reached eliminate_months; evidence is the metrics of the
-- months each streak covers (a seasonal condition's streak counts in-season months only,
-- docs/metrics.md §4.2, so its first month is found among those); what to reclaim comes from the
-- registry.
-- key: system_id
-- not_null: system_name, department, month, conditions, evidence, citations, exempt, cost_source
-- accepted: each conditions.condition in condition
-- accepted: cost_source in cost_source
WITH p AS (
  SELECT * FROM run_params
), seasons AS (
  SELECT system_id, season_months FROM stg_systems WHERE season_months IS NOT NULL
), flagged AS (
  SELECT s.system_id, s.condition, s.streak, c.condition_order,
    CASE WHEN se.season_months IS NOT NULL AND s.condition IN ({{seasonal_conditions}})
      THEN gm_season_back(p.month, se.season_months, s.streak)
      ELSE CAST(p.month - to_months(s.streak - 1) AS DATE) END AS from_month
  FROM int_condition_streaks s
  JOIN condition_params c USING (condition)
  LEFT JOIN seasons se USING (system_id)
  CROSS JOIN p
  WHERE s.month = p.month AND s.eliminated
), conds AS (
  SELECT system_id,
    list({'condition': condition, 'streak': streak, 'from_month': from_month} ORDER BY condition_order) AS conditions,
    list(condition) AS names,
    min(from_month) AS first_month
  FROM flagged GROUP BY system_id
), evidence AS (
  SELECT c.system_id,
    to_json(list({{evidence_struct}} ORDER BY m.month)) AS evidence
  FROM conds c
  JOIN int_conditions m ON m.system_id = c.system_id AND m.month >= c.first_month
  GROUP BY c.system_id
), cites AS (
  SELECT c.system_id, list(DISTINCT rc.citation ORDER BY rc.citation) AS citations
  FROM conds c
  JOIN rule_citations rc ON rc.rule = 'elimination' OR list_contains(c.names, replace(rc.rule, 'condition.', ''))
  GROUP BY c.system_id
)
SELECT c.system_id, s.system_name, s.department, p.month, c.conditions, e.evidence, ci.citations,
  s.vcpu, s.memory_gb, s.storage_gb, s.cloud_cost_annual, s.cost_source,
  st.exempt, s.exempt_until, s.exempt_reason
FROM conds c
CROSS JOIN p
JOIN stg_systems s USING (system_id)
JOIN int_system_status st ON st.system_id = c.system_id AND st.month = p.month
LEFT JOIN evidence e USING (system_id)
LEFT JOIN cites ci USING (system_id)
