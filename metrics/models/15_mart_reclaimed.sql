-- mart_reclaimed
-- grain: one row per decision that reclaimed resources in the run month (已收回, docs/decisions.md
-- §5.7): a completed shutdown (the first of a system) takes back the whole allocation left, a
-- `reclaimed` decision its amounts; the yearly cloud cost follows the vCPU, pro rata, as
-- right-sizing shares it.
-- key: decision_id
WITH p AS (
  SELECT * FROM run_params
), shutdowns AS (
  SELECT d.* FROM stg_decisions d JOIN stg_systems s ON s.system_id = d.system_id AND d.effective_date = s.shutdown_date
  WHERE d.decision = 'shutdown_done'
  QUALIFY row_number() OVER (PARTITION BY d.system_id ORDER BY d.arrival) = 1
), reclaiming AS (
  SELECT * FROM shutdowns
  UNION ALL BY NAME SELECT * FROM stg_decisions WHERE decision = 'reclaimed'
)
SELECT d.system_id, s.system_name, s.department, p.month, d.decision_id, d.decision, d.effective_date, d.document_no,
  CASE d.decision WHEN 'shutdown_done' THEN s.alloc_vcpu ELSE d.reclaimed_vcpu END AS vcpu,
  CASE d.decision WHEN 'shutdown_done' THEN s.alloc_memory_gb ELSE d.reclaimed_memory_gb END AS memory_gb,
  CASE d.decision WHEN 'shutdown_done' THEN s.alloc_storage_gb ELSE d.reclaimed_storage_gb END AS storage_gb,
  CASE d.decision WHEN 'shutdown_done' THEN s.alloc_cloud_cost_annual
    ELSE s.cloud_cost_annual * coalesce(d.reclaimed_vcpu, 0) / nullif(s.vcpu, 0) END AS cloud_cost_annual
FROM reclaiming d
JOIN stg_systems s USING (system_id)
CROSS JOIN p
WHERE d.month = p.month
