-- mart_metrics
-- grain: one row per system in operation per month up to the run month: metrics, conditions and
-- streaks (the `metrics` export, docs/outputs.md §7.2).
-- materialized: view (read once, by the run's persist step)
-- key: system_id, month
-- not_null: days_reported, {{condition_list}}, {{streak_list}}
SELECT c.* EXCLUDE (month_end), s.* EXCLUDE (system_id, month)
FROM int_conditions c
JOIN int_streaks s USING (system_id, month)
