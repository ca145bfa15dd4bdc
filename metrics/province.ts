// The published tree and the province overview (docs/province.md §10): the names and layout both
// `govmon publish` (dashboards/publish/) and `govmon rollup` (pipelines/province/) follow, the
// manifest's shape, and the SQL of the overview — one definition, so writer and reader cannot
// drift. Pure: no file is touched here.

/** A city code: a path component and a Hive partition value (administrative code or short name). */
export const CITY_CODE = /^[A-Za-z0-9_-]{1,32}$/;

/** Manifests live under a folder whose name begins with "_", which Spark, Trino and Hive skip. */
export const MANIFEST_DIR = '_manifest';
export const MANIFEST_FORMAT = 'govmon-publish/1';

export interface ManifestFile {
  /** relative to the published root, '/'-separated: <table>/city=<CODE>/month=<YYYY-MM>/part-0.parquet */
  path: string;
  table: string;
  rows: number;
  sha256: string;
  bytes: number;
}

export interface Manifest {
  format: typeof MANIFEST_FORMAT;
  city: string;
  month: string;
  run_id: number;
  /** the evaluation the scores and budget come from (the latest of a year ≤ the month's year) */
  year: number | null;
  year_run_id: number | null;
  profile: string | null;
  profile_sha256: string | null;
  govmon_version: string;
  published_at: string;
  files: ManifestFile[];
}

/** <table>/city=<CODE>/month=<YYYY-MM> */
export function partitionPath(table: string, city: string, month: string): string {
  return `${table}/city=${city}/month=${month}`;
}

/** _manifest/city=<CODE>/month=<YYYY-MM>/manifest.json */
export function manifestRelPath(city: string, month: string): string {
  return `${MANIFEST_DIR}/city=${city}/month=${month}/manifest.json`;
}

/**
 * The province overview, per city and month, from the published tables — each figure defined as the
 * city's own overview defines it (dashboards/site/kpis.ts), so the two agree:
 *   monitored: metrics rows; flagged: of those, any condition holds; rectification: notices issued or
 *   open; elimination / exempted: listed and not exempt / exempt; reclaim: vCPU and yearly cloud cost of
 *   the elimination list (not exempt, not already shut down by a decision) plus right-sizing; reclaimed: what the decision register says
 *   was taken back (NULL until the register is published); sharing: 100 × Σ timely ÷ Σ shareable;
 *   grades: the scores of the latest evaluation; cost sharing: systems shared and systems missing a
 *   plan or population.
 */
export const PROVINCE_OVERVIEW_SQL = `
WITH keys AS (
  SELECT city, month, run_id, year AS score_year FROM manifests
), m AS (
  SELECT city, month, count(*) AS monitored,
    count(*) FILTER (WHERE no_data OR inactive OR low_util OR unusable OR security) AS flagged,
    count(*) FILTER (WHERE coalesce(off_season, false)) AS off_season
  FROM metrics GROUP BY city, month
), n AS (
  SELECT city, month, count(*) FILTER (WHERE status IN ('issued', 'open')) AS rectification FROM notices GROUP BY city, month
), e AS (
  SELECT city, month, count(*) FILTER (WHERE NOT exempt) AS elimination, count(*) FILTER (WHERE exempt) AS exempted,
    coalesce(sum(vcpu) FILTER (WHERE NOT exempt AND coalesce(decision_status, '') <> 'shut_down'), 0) AS vcpu,
    coalesce(sum(cloud_cost_annual) FILTER (WHERE NOT exempt AND coalesce(decision_status, '') <> 'shut_down'), 0) AS cost
  FROM elimination GROUP BY city, month
), r AS (
  SELECT city, month, coalesce(sum(reclaim_vcpu), 0) AS vcpu, coalesce(sum(reclaim_cost_annual), 0) AS cost FROM rightsizing GROUP BY city, month
), s AS (
  SELECT city, month, 100.0 * sum(timely) / nullif(sum(shareable), 0) AS sharing_completeness_pct,
    count(*) FILTER (WHERE sharing_failure) AS sharing_failures
  FROM sharing GROUP BY city, month
), g AS (
  SELECT city, month, count(*) AS scored, avg(score) AS mean_score,
    count(*) FILTER (WHERE grade = '优') AS grade_excellent, count(*) FILTER (WHERE grade = '良') AS grade_good,
    count(*) FILTER (WHERE grade = '中') AS grade_fair, count(*) FILTER (WHERE grade = '差') AS grade_poor
  FROM scores GROUP BY city, month
), c AS (
  SELECT city, month, count(DISTINCT system_id) FILTER (WHERE status = 'shared') AS cost_shared,
    count(DISTINCT system_id) FILTER (WHERE status <> 'shared') AS cost_share_missing
  FROM costshare GROUP BY city, month
)
SELECT k.city, k.month, k.run_id,
  coalesce(m.monitored, 0) AS monitored, coalesce(m.flagged, 0) AS flagged, coalesce(m.off_season, 0) AS off_season,
  coalesce(n.rectification, 0) AS rectification,
  coalesce(e.elimination, 0) AS elimination, coalesce(e.exempted, 0) AS exempted,
  coalesce(e.vcpu, 0) + coalesce(r.vcpu, 0) AS reclaim_vcpu,
  coalesce(e.cost, 0) + coalesce(r.cost, 0) AS reclaim_cost_annual,
  CAST(NULL AS BIGINT) AS reclaimed_vcpu, CAST(NULL AS DOUBLE) AS reclaimed_cost_annual,
  s.sharing_completeness_pct, coalesce(s.sharing_failures, 0) AS sharing_failures,
  k.score_year, coalesce(g.scored, 0) AS scored, g.mean_score,
  coalesce(g.grade_excellent, 0) AS grade_excellent, coalesce(g.grade_good, 0) AS grade_good,
  coalesce(g.grade_fair, 0) AS grade_fair, coalesce(g.grade_poor, 0) AS grade_poor,
  coalesce(c.cost_shared, 0) AS cost_shared, coalesce(c.cost_share_missing, 0) AS cost_share_missing
FROM keys k
LEFT JOIN m USING (city, month) LEFT JOIN n USING (city, month) LEFT JOIN e USING (city, month)
LEFT JOIN r USING (city, month) LEFT JOIN s USING (city, month) LEFT JOIN g USING (city, month)
LEFT JOIN c USING (city, month)
ORDER BY k.city, k.month`;
