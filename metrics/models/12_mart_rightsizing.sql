-- mart_rightsizing
-- grain: one row per system in operation, not on the elimination list in the run month (an exempt
-- system counts as not on it), whose CPU P95 was below p95_max in each of the last `months`
-- months (docs/decisions.md §5.2, 云资源减配): recommended vCPU = max(1, ceil(vcpu × max P95 / target)); the
-- reclaimable vCPU and its pro-rata share of the annual cloud cost. Nothing to reclaim: not listed.
-- vcpu is the allocation left after what decisions reclaimed (docs/decisions.md §5.7); the cost
-- share is of the registry's vCPU.
-- key: system_id
-- not_null: system_name, department, month, vcpu, max_p95_pct, recommended_vcpu, reclaim_vcpu, cost_source, citations
-- accepted: cost_source in cost_source
WITH p AS (
  SELECT * FROM run_params
), window_months AS (
  SELECT m.system_id,
    count(*) FILTER (WHERE m.cpu_p95_pct < p.rightsizing_p95_max) AS months_below,
    max(m.cpu_p95_pct) AS max_p95_pct
  FROM int_metrics_monthly m, p
  WHERE m.month > p.month - to_months(p.rightsizing_months) AND m.month <= p.month
  GROUP BY m.system_id
), candidates AS (
  SELECT w.system_id, w.max_p95_pct, s.alloc_vcpu AS vcpu, s.vcpu AS registry_vcpu, s.reclaimed_vcpu,
    s.cloud_cost_annual, s.cost_source, s.system_name, s.department,
    CAST(greatest(1, ceil(s.alloc_vcpu * w.max_p95_pct / p.rightsizing_target_p95)) AS INTEGER) AS recommended_vcpu
  FROM window_months w
  JOIN stg_systems s USING (system_id)
  CROSS JOIN p
  WHERE w.months_below = p.rightsizing_months AND s.alloc_vcpu > 0
    AND w.system_id NOT IN (
      SELECT system_id FROM int_system_status WHERE month = (SELECT month FROM run_params) AND eliminating AND NOT exempt)
)
SELECT c.system_id, c.system_name, c.department, p.month, c.vcpu, c.max_p95_pct, c.recommended_vcpu,
  c.vcpu - c.recommended_vcpu AS reclaim_vcpu,
  c.cloud_cost_annual, c.cost_source,
  c.cloud_cost_annual * (c.vcpu - c.recommended_vcpu) / c.registry_vcpu AS reclaim_cost_annual,
  (SELECT coalesce(list(citation ORDER BY citation), []) FROM rule_citations WHERE rule = 'rightsizing') AS citations,
  c.reclaimed_vcpu
FROM candidates c, p
WHERE c.recommended_vcpu < c.vcpu
