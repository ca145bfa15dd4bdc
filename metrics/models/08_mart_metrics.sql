-- mart_metrics
-- grain: one row per system in operation per month up to the run month: metrics, conditions and
-- streaks (the `metrics` export, SPEC §7.2).
WITH streaks AS (
  PIVOT (SELECT system_id, month, 'streak_' || condition AS name, streak FROM int_condition_streaks)
  ON name IN ({{streak_names}}) USING any_value(streak)
)
SELECT c.* EXCLUDE (month_end), {{streak_columns}}
FROM int_conditions c
JOIN streaks USING (system_id, month)
