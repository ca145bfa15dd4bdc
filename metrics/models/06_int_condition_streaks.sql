-- int_condition_streaks
-- grain: one row per system per month per condition. streak = consecutive months, ending with
-- this month, in which the condition holds (0 when it does not). warned / eliminated compare the
-- streak with the profile's warn_months / eliminate_months; deadline is the last day of the month
-- in which the streak would reach eliminate_months (no_data, never eliminated: end of month + 2).
WITH long AS (
  UNPIVOT (SELECT system_id, month, {{condition_list}} FROM int_conditions)
  ON {{condition_list}}
  INTO NAME condition VALUE holds
), grouped AS (
  SELECT *,
    sum(CASE WHEN holds THEN 0 ELSE 1 END) OVER (PARTITION BY system_id, condition ORDER BY month) AS gm_grp
  FROM long
), streaks AS (
  SELECT system_id, month, condition, holds,
    CAST(CASE WHEN holds
      THEN count(*) OVER (PARTITION BY system_id, condition, gm_grp ORDER BY month ROWS UNBOUNDED PRECEDING)
           - CASE WHEN gm_grp > 0 THEN 1 ELSE 0 END
      ELSE 0 END AS INTEGER) AS streak
  FROM grouped
)
SELECT s.*,
  s.streak >= c.warn_months AS warned,
  c.eliminate_months IS NOT NULL AND s.streak >= c.eliminate_months AS eliminated,
  c.warn_months, c.eliminate_months,
  CASE WHEN s.streak >= c.warn_months THEN
    CASE WHEN c.eliminate_months IS NULL THEN last_day(s.month + INTERVAL 2 MONTH)
         ELSE last_day(s.month + to_months(c.eliminate_months - s.streak)) END
  END AS deadline
FROM streaks s
JOIN condition_params c USING (condition)
