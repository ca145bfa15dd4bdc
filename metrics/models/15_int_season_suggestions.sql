-- int_season_suggestions
-- grain: one row per system in operation without a declared season whose requests fall in the
-- same few calendar months year after year (docs/metrics.md §4.2): a suggestion, never applied.
--   data: the 24 months ending with the run month — "recent" the last 12, "earlier" the 12
--   before; months of data are those with at least one reported day. Suggested when there are
--   at least season_min_months months of data, both years have requests, and some set of at most
--   season_max_months calendar months holds at least season_min_share_pct % of each year's
--   requests. Of such sets the smallest is suggested, then the one whose smaller share is larger,
--   then the earliest months.
-- key: system_id
WITH p AS (
  SELECT * FROM run_params
), hist AS (
  SELECT m.system_id, CAST(month(m.month) AS INTEGER) AS cal_month,
    m.month > CAST(p.month - INTERVAL 12 MONTH AS DATE) AS recent,
    coalesce(m.requests_total, 0) AS requests, m.days_reported
  FROM int_metrics_monthly m
  JOIN stg_systems s USING (system_id)
  CROSS JOIN p
  WHERE s.season_months IS NULL AND m.month > CAST(p.month - INTERVAL 24 MONTH AS DATE)
), years AS (
  SELECT system_id,
    count(*) FILTER (WHERE days_reported > 0) AS months_of_data,
    sum(requests) FILTER (WHERE recent) AS recent_total,
    sum(requests) FILTER (WHERE NOT recent) AS earlier_total
  FROM hist GROUP BY system_id
), by_month AS (
  -- request counts, not shares: the comparison with the threshold is exact
  SELECT h.system_id, h.cal_month,
    coalesce(sum(h.requests) FILTER (WHERE h.recent), 0) AS recent_requests,
    coalesce(sum(h.requests) FILTER (WHERE NOT h.recent), 0) AS earlier_requests,
    y.recent_total, y.earlier_total
  FROM hist h
  JOIN years y USING (system_id)
  CROSS JOIN p
  WHERE y.months_of_data >= p.season_min_months AND y.recent_total > 0 AND y.earlier_total > 0
  GROUP BY h.system_id, h.cal_month, y.recent_total, y.earlier_total
), ranked AS (
  -- a set of n months can only reach the share if the n largest months of each year do
  SELECT *,
    row_number() OVER (PARTITION BY system_id ORDER BY recent_requests DESC, cal_month) AS recent_rank,
    row_number() OVER (PARTITION BY system_id ORDER BY earlier_requests DESC, cal_month) AS earlier_rank
  FROM by_month
), candidates AS (
  SELECT r.system_id FROM ranked r, p
  GROUP BY r.system_id, r.recent_total, r.earlier_total, p.season_max_months, p.season_min_share_pct
  HAVING 100 * sum(r.recent_requests) FILTER (WHERE r.recent_rank <= p.season_max_months) >= p.season_min_share_pct * r.recent_total
     AND 100 * sum(r.earlier_requests) FILTER (WHERE r.earlier_rank <= p.season_max_months) >= p.season_min_share_pct * r.earlier_total
), masks AS (
  -- every set of at most season_max_months calendar months, as a bit mask (bit 0 = January)
  SELECT mask FROM (SELECT CAST(unnest(range(1, 4096)) AS INTEGER) AS mask), p WHERE bit_count(mask) <= p.season_max_months
), sets AS (
  SELECT b.system_id, k.mask, b.recent_total, b.earlier_total,
    sum(b.recent_requests) AS recent_in, sum(b.earlier_requests) AS earlier_in,
    list(b.cal_month ORDER BY b.cal_month) AS season_months
  FROM by_month b
  SEMI JOIN candidates c ON c.system_id = b.system_id
  JOIN masks k ON (k.mask >> (b.cal_month - 1)) & 1 = 1
  GROUP BY b.system_id, k.mask, b.recent_total, b.earlier_total
), qualifying AS (
  -- a mask naming a calendar month without any row is the same set as a smaller one: left out
  SELECT s.*, len(s.season_months) AS n_months,
    100.0 * s.recent_in / s.recent_total AS recent_share_pct, 100.0 * s.earlier_in / s.earlier_total AS earlier_share_pct
  FROM sets s, p
  WHERE 100 * s.recent_in >= p.season_min_share_pct * s.recent_total
    AND 100 * s.earlier_in >= p.season_min_share_pct * s.earlier_total
    AND len(s.season_months) = bit_count(s.mask)
), best AS (
  SELECT *, row_number() OVER (PARTITION BY system_id
    ORDER BY n_months, least(recent_in * earlier_total, earlier_in * recent_total) DESC, season_months) AS rn
  FROM qualifying
)
SELECT b.system_id, s.system_name, s.department, p.month, CAST(b.season_months AS INTEGER[]) AS season_months,
  b.recent_share_pct, b.earlier_share_pct, CAST(y.months_of_data AS INTEGER) AS months_of_data
FROM best b
JOIN stg_systems s USING (system_id)
JOIN years y USING (system_id)
CROSS JOIN p
WHERE b.rn = 1
