-- mart_elimination
-- grain: one row per system in operation that has a condition at or beyond eliminate_months in
-- the run month (exempt systems included and flagged: they go to the separate exempted section).
-- Conditions are those whose streak reached eliminate_months; evidence is the metrics of the
-- months each streak covers (a seasonal condition's streak counts in-season months only,
-- docs/metrics.md §4.2, so its first month is found among those); what to reclaim is the
-- registry's allocation less what decisions have reclaimed. The decision status (docs/decisions.md §5.7): shut_down (a completed shutdown), else
-- exempted (an exemption holds at the month end, registry or decision), else confirmed (a
-- `confirm_shutdown`), else pending; with the decision it rests on.
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
), latest AS (
  -- the latest confirmation and the completed shutdown of each system
  SELECT * EXCLUDE (rn) FROM (
    SELECT d.*, row_number() OVER (PARTITION BY d.system_id, d.decision
      ORDER BY CASE WHEN d.decision = 'shutdown_done' THEN d.effective_date END, d.effective_date DESC, d.arrival DESC) AS rn
    FROM stg_decisions d WHERE d.decision IN ('confirm_shutdown', 'shutdown_done')
  ) WHERE rn = 1
), status AS (
  SELECT c.system_id,
    CASE WHEN sd.decision_id IS NOT NULL THEN 'shut_down' WHEN st.exempt THEN 'exempted' WHEN cf.decision_id IS NOT NULL THEN 'confirmed'
      ELSE 'pending' END AS decision_status,
    sd.decision_id AS sd_id, sd.document_no AS sd_doc, sd.effective_date AS sd_date, sd.decided_by AS sd_by,
    cf.decision_id AS cf_id, cf.document_no AS cf_doc, cf.effective_date AS cf_date, cf.decided_by AS cf_by
  FROM conds c
  JOIN int_system_status st ON st.system_id = c.system_id AND st.month = (SELECT month FROM p)
  LEFT JOIN latest sd ON sd.system_id = c.system_id AND sd.decision = 'shutdown_done'
  LEFT JOIN latest cf ON cf.system_id = c.system_id AND cf.decision = 'confirm_shutdown'
)
SELECT c.system_id, s.system_name, s.department, p.month, c.conditions, e.evidence, ci.citations,
  s.alloc_vcpu AS vcpu, s.alloc_memory_gb AS memory_gb, s.alloc_storage_gb AS storage_gb, s.alloc_cloud_cost_annual AS cloud_cost_annual,
  s.cost_source,
  st.exempt, st.exempt_until, st.exempt_reason,
  d.decision_status,
  CASE d.decision_status WHEN 'shut_down' THEN d.sd_id WHEN 'exempted' THEN st.exempt_decision_id WHEN 'confirmed' THEN d.cf_id END AS decision_id,
  CASE d.decision_status WHEN 'shut_down' THEN d.sd_doc WHEN 'exempted' THEN st.exempt_document_no WHEN 'confirmed' THEN d.cf_doc END
    AS decision_document_no,
  CASE d.decision_status WHEN 'shut_down' THEN d.sd_date WHEN 'confirmed' THEN d.cf_date
    WHEN 'exempted' THEN (SELECT effective_date FROM stg_decisions WHERE decision_id = st.exempt_decision_id) END AS decision_date,
  CASE d.decision_status WHEN 'shut_down' THEN d.sd_by WHEN 'exempted' THEN st.exempt_decided_by WHEN 'confirmed' THEN d.cf_by END AS decided_by,
  st.exempt_source, st.registry_exempt_until, st.registry_exempt_reason,
  st.exempt_decision_id, st.exempt_decision_until, st.exempt_document_no, st.exempt_decided_by, st.exempt_decision_reason,
  s.reclaimed_vcpu, s.reclaimed_memory_gb, s.reclaimed_storage_gb
FROM conds c
CROSS JOIN p
JOIN stg_systems s USING (system_id)
JOIN int_system_status st ON st.system_id = c.system_id AND st.month = p.month
JOIN status d USING (system_id)
LEFT JOIN evidence e USING (system_id)
LEFT JOIN cites ci USING (system_id)
