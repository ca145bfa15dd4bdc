-- stg_systems
-- grain: one row per system of the current registry that is not classified.
-- Classified systems (涉密) are excluded from every computation and output (docs/inputs.md §2.1).
-- cloud_cost_annual is the measured cost of the run month's year from FOCUS bills where there is
-- one (docs/inputs.md §2.5), else the registry's; cost_source says which.
-- season_months holds the declared season (使用月份) as months 1–12, NULL for a system used all year
-- (docs/metrics.md §4.2).
-- key: system_id
-- not_null: system_name, department, stage, cost_source
-- accepted: stage in stage
-- accepted: cost_source in cost_source
SELECT s.* REPLACE (coalesce(c.cloud_cost_annual, s.cloud_cost_annual) AS cloud_cost_annual),
  coalesce(c.cost_source, 'registry') AS cost_source,
  gm_parse_months(s.active_months) AS season_months
FROM systems_current s
LEFT JOIN system_cloud_cost c ON c.system_id = s.system_id AND c.year = (SELECT year(month) FROM run_params)
WHERE NOT coalesce(s.classified, false)
