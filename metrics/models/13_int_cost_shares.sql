-- int_cost_shares
-- grain: one row per system subject to city–county cost sharing in year Y (the run month's year)
-- per county of its split; one row (county NULL) for such a system whose plan or population is
-- missing (docs/decisions.md §5.8, Shaoxing 第二十三条).
--   subject: citywide (全市性系统), not retired, yearly cloud cost (as the run reads it: measured
--   FOCUS cost of Y where there is one, else the registry's) rounded to the fen ≥ the profile's
--   threshold; no threshold (a profile without cost sharing): nothing.
--   population basis (serves_public, 直接面向基层民生): the counties of the population input
--   (市本级 never takes a population share), weighted by their population of Y−1; missing when any
--   of them lacks that year. Plan basis (otherwise): the system's current plan, weighted by its
--   shares (read to a millionth of a percent) relative to their sum, so a plan of 33.33 × 3
--   splits in thirds.
--   Money in integer fen: cost_fen = the cost rounded half up to the fen; each county's
--   round-half-up(cost_fen × weight ÷ Σ weights) in integer arithmetic; the remainder (cost_fen −
--   Σ rounded) goes to the largest weight — ties: the county first in code-point order — so the
--   amounts sum exactly to the cost.
-- key: system_id, county?
-- not_null: system_name, department, year, basis, status, cloud_cost_annual, cost_source, cost, largest
-- accepted: basis in cost_share_basis
-- accepted: status in cost_share_status
-- accepted: cost_source in cost_source
WITH p AS (
  SELECT * FROM run_params
), subject AS (
  SELECT s.system_id, s.system_name, s.department, s.cloud_cost_annual, s.cost_source,
    coalesce(s.serves_public, false) AS serves_public,
    CAST(round(CAST(s.cloud_cost_annual AS DECIMAL(38, 6)) * 100) AS HUGEINT) AS cost_fen
  FROM stg_systems s, p
  WHERE coalesce(s.citywide, false) AND s.stage <> 'retired' AND s.cloud_cost_annual IS NOT NULL
    AND p.cost_share_threshold_yuan IS NOT NULL
    AND round(CAST(s.cloud_cost_annual AS DECIMAL(38, 6)) * 100) >= CAST(p.cost_share_threshold_yuan AS DECIMAL(38, 6)) * 100
), counties AS (
  SELECT DISTINCT county FROM population_current WHERE county <> '市本级'
), population_prev AS (
  SELECT c.county, pc.population
  FROM counties c
  LEFT JOIN population_current pc ON pc.county = c.county AND pc.year = (SELECT year(month) - 1 FROM p)
), population_ok AS (
  SELECT count(*) > 0 AND count(population) = count(*) AS ok FROM population_prev
), weights AS (
  SELECT s.system_id, 'population' AS basis, x.county, CAST(x.population AS HUGEINT) AS weight,
    CAST(NULL AS DOUBLE) AS plan_share_pct, x.population
  FROM subject s, population_prev x
  WHERE s.serves_public AND (SELECT ok FROM population_ok)
  UNION ALL
  SELECT s.system_id, 'plan' AS basis, c.county, CAST(round(CAST(c.share_pct AS DECIMAL(18, 6)) * 1000000) AS HUGEINT) AS weight,
    c.share_pct AS plan_share_pct, CAST(NULL AS BIGINT) AS population
  FROM subject s
  JOIN cost_plan_current c USING (system_id)
  WHERE NOT s.serves_public
), split AS (
  SELECT w.*, s.cost_fen,
    sum(w.weight) OVER (PARTITION BY w.system_id) AS total_weight,
    row_number() OVER (PARTITION BY w.system_id ORDER BY w.weight DESC, w.county) = 1 AS largest
  FROM weights w
  JOIN subject s USING (system_id)
), rounded AS (
  SELECT *, (2 * cost_fen * weight + total_weight) // (2 * total_weight) AS rounded_fen
  FROM split
), shared AS (
  SELECT *,
    CASE WHEN largest THEN cost_fen - sum(rounded_fen) OVER (PARTITION BY system_id) ELSE 0 END AS remainder_fen
  FROM rounded
), missing AS (
  SELECT s.system_id,
    CASE WHEN s.serves_public THEN 'population' ELSE 'plan' END AS basis,
    CASE WHEN s.serves_public THEN 'missing_population' ELSE 'missing_plan' END AS status
  FROM subject s
  WHERE NOT EXISTS (SELECT 1 FROM weights w WHERE w.system_id = s.system_id)
), final AS (
  SELECT system_id, basis, 'shared' AS status, county,
    CAST(100 * CAST(weight AS DOUBLE) / CAST(total_weight AS DOUBLE) AS DOUBLE) AS share_pct, plan_share_pct, population,
    CAST(rounded_fen + remainder_fen AS DECIMAL(18, 0)) AS amount_fen,
    CAST(remainder_fen AS DECIMAL(18, 0)) AS remainder_fen, largest
  FROM shared
  UNION ALL BY NAME
  SELECT m.system_id, m.basis, m.status, CAST(NULL AS VARCHAR) AS county
  FROM missing m
)
SELECT f.system_id, s.system_name, s.department, CAST(year(p.month) AS INTEGER) AS year, f.basis, f.status, f.county,
  f.share_pct, f.plan_share_pct, f.population,
  CASE WHEN f.basis = 'population' THEN CAST(year(p.month) - 1 AS INTEGER) END AS population_year,
  s.cloud_cost_annual, s.cost_source,
  CAST(CAST(s.cost_fen AS DECIMAL(18, 0)) * 0.01 AS DECIMAL(18, 2)) AS cost,
  CAST(f.amount_fen * 0.01 AS DECIMAL(18, 2)) AS amount,
  CAST(f.remainder_fen * 0.01 AS DECIMAL(18, 2)) AS remainder,
  coalesce(f.largest, false) AS largest
FROM final f
JOIN subject s USING (system_id)
CROSS JOIN p
