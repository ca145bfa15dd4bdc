-- int_condition_streaks
-- grain: one row per system per month per condition that holds (streak ≥ 1: a condition that does
-- not hold is neither warned nor eliminated, and no list shows it), with its streak; warned / eliminated compare
-- the streak with the profile's warn_months / eliminate_months; deadline is the last day of the
-- month in which the streak would reach eliminate_months (no_data, never eliminated: end of the
-- month + 2).
-- key: system_id, month, condition
-- not_null: holds, streak, warned, eliminated, warn_months
-- accepted: condition in condition
-- accepted: holds in (true)
WITH long AS (
  UNPIVOT (SELECT c.system_id, c.month, {{condition_pairs_select}} FROM int_conditions c JOIN int_streaks s USING (system_id, month))
  ON {{condition_pairs}}
  INTO NAME condition VALUE holds, streak
)
SELECT l.system_id, l.month, l.condition, l.holds, l.streak,
  l.streak >= c.warn_months AS warned,
  c.eliminate_months IS NOT NULL AND l.streak >= c.eliminate_months AS eliminated,
  c.warn_months, c.eliminate_months,
  CASE WHEN l.streak >= c.warn_months THEN
    CASE WHEN c.eliminate_months IS NULL THEN last_day(l.month + INTERVAL 2 MONTH)
         ELSE last_day(l.month + to_months(c.eliminate_months - l.streak)) END
  END AS deadline
FROM long l
JOIN condition_params c USING (condition)
WHERE l.holds
