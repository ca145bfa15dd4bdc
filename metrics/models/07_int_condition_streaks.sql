-- int_condition_streaks
-- grain: one row per system per month per condition whose streak is ≥ 1 — it holds, or it is a
-- seasonal condition paused outside the system's season (docs/metrics.md §4.2: the streak, and so
-- the list it puts the system on, stays as it was); a condition that does not hold otherwise is
-- neither warned nor eliminated, and no list shows it. warned / eliminated compare the streak
-- with the profile's warn_months / eliminate_months; deadline is the last day of the month in
-- which the streak would reach eliminate_months (no_data, never eliminated: end of the month + 2;
-- a seasonal condition of a system with a season: counting in-season months only).
-- key: system_id, month, condition
-- not_null: holds, streak, warned, eliminated, warn_months
-- accepted: condition in condition
WITH long AS (
  UNPIVOT (SELECT c.system_id, c.month, c.off_season, {{condition_pairs_select}} FROM int_conditions c JOIN int_streaks s USING (system_id, month))
  ON {{condition_pairs}}
  INTO NAME condition VALUE holds, streak
), seasons AS (
  SELECT system_id, season_months FROM stg_systems WHERE season_months IS NOT NULL
)
SELECT l.system_id, l.month, l.condition, l.holds, l.streak,
  l.off_season AND l.condition IN ({{seasonal_conditions}}) AS paused,
  l.streak >= c.warn_months AS warned,
  c.eliminate_months IS NOT NULL AND l.streak >= c.eliminate_months AS eliminated,
  c.warn_months, c.eliminate_months,
  CASE WHEN l.streak >= c.warn_months THEN
    CASE WHEN c.eliminate_months IS NULL THEN last_day(l.month + INTERVAL 2 MONTH)
         WHEN se.season_months IS NOT NULL AND l.condition IN ({{seasonal_conditions}})
           THEN last_day(gm_season_forward(l.month, se.season_months, c.eliminate_months - l.streak))
         ELSE last_day(l.month + to_months(c.eliminate_months - l.streak)) END
  END AS deadline
FROM long l
JOIN condition_params c USING (condition)
LEFT JOIN seasons se USING (system_id)
WHERE l.streak > 0
