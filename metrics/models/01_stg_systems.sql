-- stg_systems
-- grain: one row per system of the current registry that is not classified.
-- Classified systems (涉密) are excluded from every computation and output (docs/inputs.md §2.1).
-- cloud_cost_annual is the measured cost of the run month's year from FOCUS bills where there is
-- one (docs/inputs.md §2.5), else the registry's; cost_source says which.
-- season_months holds the declared season (使用月份) as months 1–12, NULL for a system used all year
-- (docs/metrics.md §4.2).
-- From the decision register (docs/decisions.md §5.7): shutdown_date, the first completed shutdown,
-- and retired_from, the first day of the month after it (the system counts as retired from then
-- on: the months up to the shutdown keep their rows); what `reclaimed` decisions took back, and the
-- allocation left (alloc_*: the registry's less the reclaimed amounts; the yearly cost follows the
-- vCPU, pro rata, as right-sizing shares it). Metrics keep the registry's allocation: a decision
-- never changes a metric.
-- key: system_id
-- not_null: system_name, department, stage, cost_source
-- accepted: stage in stage
-- accepted: cost_source in cost_source
WITH shut AS (
  SELECT system_id, min(effective_date) AS shutdown_date FROM stg_decisions WHERE decision = 'shutdown_done' GROUP BY system_id
), reclaimed AS (
  SELECT system_id,
    coalesce(sum(reclaimed_vcpu), 0) AS reclaimed_vcpu,
    coalesce(sum(reclaimed_memory_gb), 0) AS reclaimed_memory_gb,
    coalesce(sum(reclaimed_storage_gb), 0) AS reclaimed_storage_gb
  FROM stg_decisions WHERE decision = 'reclaimed' GROUP BY system_id
), final AS (
  SELECT s.* REPLACE (coalesce(c.cloud_cost_annual, s.cloud_cost_annual) AS cloud_cost_annual),
    coalesce(c.cost_source, 'registry') AS cost_source,
    gm_parse_months(s.active_months) AS season_months,
    sh.shutdown_date,
    CAST(date_trunc('month', sh.shutdown_date) + INTERVAL 1 MONTH AS DATE) AS retired_from,
    CAST(coalesce(r.reclaimed_vcpu, 0) AS INTEGER) AS reclaimed_vcpu,
    coalesce(r.reclaimed_memory_gb, 0) AS reclaimed_memory_gb,
    coalesce(r.reclaimed_storage_gb, 0) AS reclaimed_storage_gb
  FROM systems_current s
  LEFT JOIN system_cloud_cost c ON c.system_id = s.system_id AND c.year = (SELECT year(month) FROM run_params)
  LEFT JOIN shut sh ON sh.system_id = s.system_id
  LEFT JOIN reclaimed r ON r.system_id = s.system_id
  WHERE NOT coalesce(s.classified, false)
)
SELECT *,
  CAST(greatest(vcpu - reclaimed_vcpu, 0) AS INTEGER) AS alloc_vcpu,
  greatest(memory_gb - reclaimed_memory_gb, 0) AS alloc_memory_gb,
  greatest(storage_gb - reclaimed_storage_gb, 0) AS alloc_storage_gb,
  CASE WHEN vcpu > 0 THEN cloud_cost_annual * greatest(vcpu - reclaimed_vcpu, 0) / vcpu ELSE cloud_cost_annual END AS alloc_cloud_cost_annual
FROM final
