// `govmon publish` (docs/province.md §10): a city's results of one month as Parquet in Hive layout,
// DIR/<table>/city=<CODE>/month=<YYYY-MM>/part-0.parquet, with the manifest of that city and month
// at DIR/_manifest/city=<CODE>/month=<YYYY-MM>/manifest.json (a path beginning with "_", which Spark,
// Trino and Hive skip). An output: it only reads the store (pipelines/read.ts). Classified systems
// are left out of every file. Publishing a month again replaces its partitions: everything is
// written into a temporary folder first, each partition is then renamed into place, and the
// manifest last — the manifest is the commit point, so a reader that catches the tree between two
// renames sees files whose hashes its manifest does not list and refuses them.

import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { UserError } from '../../core/errors.ts';
import { isMonth } from '../../core/clock.ts';
import { currentMonthRun, type Results } from '../../pipelines/read.ts';
import { CITY_CODE, MANIFEST_FORMAT, manifestRelPath, partitionPath, type Manifest, type ManifestFile } from '../../metrics/province.ts';

export { CITY_CODE, type Manifest };

/** What a publish reads: the month's run and the latest evaluation of a year ≤ the month's year. */
export interface PublishRuns {
  monthRun: number;
  yearRun: number | null;
  year: number | null;
}

/**
 * One published table: its name and the query of its rows. The list is the contract of the
 * published tree (docs/province.md); adding a table is adding an entry here (the decision register
 * will add `decisions`). Queries leave out the partition columns city and month, which the path
 * carries, and classified systems (`visible`).
 */
export interface PublishedTable {
  table: string;
  /** the rows; a table with none this month (no evaluation yet) is written as an empty file */
  sql: (r: PublishRuns, visible: string) => string;
}

const V = (alias: string, visible: string) => `${alias}.system_id NOT IN (${visible})`;

export const PUBLISHED_TABLES: readonly PublishedTable[] = [
  {
    table: 'metrics',
    sql: (r, v) => `SELECT m.* EXCLUDE (run_id, month) FROM res_metrics m
      WHERE m.run_id = ${r.monthRun} AND m.month = (SELECT CAST(period || '-01' AS DATE) FROM runs WHERE run_id = ${r.monthRun}) AND ${V('m', v)}
      ORDER BY m.system_id`,
  },
  {
    table: 'notices',
    sql: (r, v) => `SELECT n.system_id, n.system_name, n.department, n.status, strftime(n.issued_month, '%Y-%m') AS issued_month,
        n.months_open, n.deadline, array_to_string(list_transform(n.conditions, lambda x: x.condition), ';') AS conditions,
        array_to_string(list_transform(n.conditions, lambda x: CAST(x.streak AS VARCHAR)), ';') AS streaks,
        array_to_string(n.citations, '；') AS citations
      FROM res_notices n
      WHERE n.run_id = ${r.monthRun} AND n.month = (SELECT CAST(period || '-01' AS DATE) FROM runs WHERE run_id = ${r.monthRun}) AND ${V('n', v)}
      ORDER BY n.system_id`,
  },
  {
    table: 'elimination',
    sql: (
      r,
      v,
    ) => `SELECT e.system_id, e.system_name, e.department, array_to_string(list_transform(e.conditions, lambda x: x.condition), ';') AS conditions,
        array_to_string(e.citations, '；') AS citations, e.vcpu, e.memory_gb, e.storage_gb, e.cloud_cost_annual, e.cost_source,
        e.exempt, e.exempt_until, e.exempt_reason, e.decision_status, e.decision_id, e.decision_document_no, e.decision_date,
        CAST(e.evidence AS VARCHAR) AS evidence
      FROM res_elimination e WHERE e.run_id = ${r.monthRun} AND ${V('e', v)} ORDER BY e.system_id`,
  },
  {
    table: 'rightsizing',
    sql: (r, v) => `SELECT x.* EXCLUDE (run_id, month, citations), array_to_string(x.citations, '；') AS citations
      FROM res_rightsizing x WHERE x.run_id = ${r.monthRun} AND ${V('x', v)} ORDER BY x.system_id`,
  },
  {
    table: 'sharing',
    sql: (r, v) => `SELECT s.* EXCLUDE (run_id, month) FROM res_sharing s
      WHERE s.run_id = ${r.monthRun} AND s.month = (SELECT CAST(period || '-01' AS DATE) FROM runs WHERE run_id = ${r.monthRun}) AND ${V('s', v)}
      ORDER BY s.system_id`,
  },
  {
    table: 'costshare',
    sql: (r, v) => `SELECT k.* EXCLUDE (run_id) FROM res_cost_shares k WHERE k.run_id = ${r.monthRun} AND ${V('k', v)}
      ORDER BY k.system_id, k.county`,
  },
  {
    table: 'scores',
    sql: (r, v) => `SELECT s.system_id, s.system_name, s.department, s.year, s.score, s.grade, s.operation, s.cost, s.effect, s.sharing,
        s.security, s.integration, s.self_score, s.inflation, s.report_missing
      FROM res_scores s WHERE s.run_id = ${r.yearRun ?? -1} AND ${V('s', v)} ORDER BY s.system_id`,
  },
  {
    table: 'budget',
    sql: (r, v) => `SELECT b.* EXCLUDE (run_id, reasons, citations), array_to_string(b.reasons, ';') AS reasons,
        array_to_string(b.citations, '；') AS citations
      FROM res_budget b WHERE b.run_id = ${r.yearRun ?? -1} AND ${V('b', v)} ORDER BY b.system_id`,
  },
];

export interface PublishOptions {
  month: string;
  outDir: string;
  city: string;
  now: Date;
  version: string;
}

function partitionDir(table: string, city: string, month: string): string {
  return path.join(...partitionPath(table, city, month).split('/'));
}

export function sha256File(p: string): string {
  return crypto.createHash('sha256').update(fs.readFileSync(p)).digest('hex');
}

export async function publishMonth(store: Results, o: PublishOptions): Promise<Manifest> {
  if (!isMonth(o.month)) throw new UserError(`月份格式应为 YYYY-MM：${o.month}`);
  if (!CITY_CODE.test(o.city)) throw new UserError(`城市代码“${o.city}”无效：只能用字母、数字、下划线和连字符（1–32 个），如 330600 或 YC`);
  const monthRun = await currentMonthRun(store, { month: o.month });
  const y = await store.one<{ year: number; run_id: number }>(
    'SELECT year, run_id FROM year_runs WHERE year <= $1 ORDER BY year DESC LIMIT 1',
    [Number(o.month.slice(0, 4))],
  );
  const runs: PublishRuns = { monthRun, yearRun: y?.run_id ?? null, year: y?.year ?? null };
  const run = (await store.one<{ profile: string | null; profile_sha256: string | null }>(
    'SELECT profile, profile_sha256 FROM runs WHERE run_id = $1',
    [monthRun],
  ))!;
  const visible = 'SELECT system_id FROM systems_current WHERE coalesce(classified, false)';
  const root = path.resolve(o.outDir);
  fs.mkdirSync(root, { recursive: true });
  const tmp = fs.mkdtempSync(path.join(root, '.publish-tmp-'));
  try {
    const files: ManifestFile[] = [];
    for (const t of PUBLISHED_TABLES) {
      const rel = partitionDir(t.table, o.city, o.month);
      fs.mkdirSync(path.join(tmp, rel), { recursive: true });
      const file = path.join(tmp, rel, 'part-0.parquet');
      const rows = await store.copy(t.sql(runs, visible), file, 'FORMAT parquet');
      files.push({
        path: `${partitionPath(t.table, o.city, o.month)}/part-0.parquet`,
        table: t.table,
        rows,
        sha256: sha256File(file),
        bytes: fs.statSync(file).size,
      });
    }
    const manifest: Manifest = {
      format: MANIFEST_FORMAT,
      city: o.city,
      month: o.month,
      run_id: monthRun,
      year: runs.year,
      year_run_id: runs.yearRun,
      profile: run.profile,
      profile_sha256: run.profile_sha256,
      govmon_version: o.version,
      published_at: o.now.toISOString(),
      files,
    };
    const mTmp = path.join(tmp, 'manifest.json');
    fs.writeFileSync(mTmp, `${JSON.stringify(manifest, null, 2)}\n`);
    // the partitions, each replaced by one rename; the manifest last
    for (const t of PUBLISHED_TABLES)
      swapInto(path.join(tmp, partitionDir(t.table, o.city, o.month)), path.join(root, partitionDir(t.table, o.city, o.month)), tmp);
    const mFinal = path.join(root, ...manifestRelPath(o.city, o.month).split('/'));
    fs.mkdirSync(path.dirname(mFinal), { recursive: true });
    fs.renameSync(mTmp, mFinal);
    return manifest;
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/** Put the folder `from` at `to`, replacing what was there: the old one is moved into `trash` (removed with it), the new one renamed in. */
function swapInto(from: string, to: string, trash: string): void {
  fs.mkdirSync(path.dirname(to), { recursive: true });
  if (fs.existsSync(to)) {
    const old = path.join(trash, `old-${crypto.randomBytes(6).toString('hex')}`);
    fs.renameSync(to, old);
    fs.renameSync(from, to);
    fs.rmSync(old, { recursive: true, force: true });
  } else fs.renameSync(from, to);
}
