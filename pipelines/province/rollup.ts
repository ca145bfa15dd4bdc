// `govmon rollup DIR... --db FILE` (docs/province.md §10): the published trees of many cities into one
// province database. Every manifest is read and every file it lists is checked against its SHA-256
// before anything is read — a file that differs is refused, with a Chinese message naming it; only
// the files the manifests list are read (DuckDB read_parquet with hive_partitioning, so city and
// month come from the paths), and the province overview is built from them. The database is built
// in a temporary file beside the target and renamed into place: a refused or failed rollup leaves
// the earlier province database as it was.

import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { UserError } from '../../core/errors.ts';
import { sqlString, ident } from '../../core/sql.ts';
import type { Log } from '../../core/log.ts';
import { CITY_CODE, MANIFEST_DIR, MANIFEST_FORMAT, PROVINCE_OVERVIEW_SQL, type Manifest } from '../../metrics/province.ts';
import { Store } from '../store/database.ts';

export interface RollupOptions {
  dirs: readonly string[];
  dbPath: string;
  now: Date;
  log?: Log;
}

export interface RollupResult {
  dbPath: string;
  manifests: (Manifest & { source: string })[];
  tables: Record<string, number>;
  cities: string[];
  months: string[];
}

/** The marker table of a province database (a city database never has it). */
const PROVINCE_MARKER = 'province_rollup';

function sha256(p: string): string {
  return crypto.createHash('sha256').update(fs.readFileSync(p)).digest('hex');
}

/** Every manifest.json under DIR/_manifest/city=*\/month=*\/. */
function findManifests(dir: string): string[] {
  const base = path.join(dir, MANIFEST_DIR);
  if (!fs.existsSync(base)) return [];
  const out: string[] = [];
  for (const c of fs
    .readdirSync(base)
    .filter((d) => d.startsWith('city='))
    .sort())
    for (const m of fs
      .readdirSync(path.join(base, c))
      .filter((d) => d.startsWith('month='))
      .sort()) {
      const f = path.join(base, c, m, 'manifest.json');
      if (fs.existsSync(f)) out.push(f);
    }
  return out;
}

function readManifest(file: string): Manifest {
  let m: Manifest;
  try {
    m = JSON.parse(fs.readFileSync(file, 'utf8')) as Manifest;
  } catch (e) {
    throw new UserError(`发布清单 ${file} 不是有效的 JSON：${(e as Error).message}`);
  }
  if (m?.format !== MANIFEST_FORMAT || !Array.isArray(m.files) || typeof m.city !== 'string' || typeof m.month !== 'string')
    throw new UserError(`发布清单 ${file} 不是 govmon publish 写出的清单（格式应为 ${MANIFEST_FORMAT}）`);
  if (!CITY_CODE.test(m.city) || !/^\d{4}-\d{2}$/.test(m.month)) throw new UserError(`发布清单 ${file} 的城市代码或月份无效`);
  return m;
}

/** Check every file of a manifest: inside the tree, present, and with the SHA-256 the manifest gives. */
function verify(root: string, file: string, m: Manifest): string[] {
  const paths: string[] = [];
  for (const f of m.files) {
    const expected = `${f.table}/city=${m.city}/month=${m.month}/`;
    if (!f.path.startsWith(expected) || f.path.includes('..') || !/^[a-z_]+$/.test(f.table))
      throw new UserError(`发布清单 ${file} 列出的文件 ${f.path} 不在该城市、该月份的分区中，已拒绝汇总`);
    const full = path.join(root, ...f.path.split('/'));
    if (!fs.existsSync(full)) throw new UserError(`发布结果不完整：清单 ${file} 列出的文件 ${full} 不存在，已拒绝汇总`);
    const actual = sha256(full);
    if (actual !== f.sha256)
      throw new UserError(
        `文件 ${full} 的 SHA-256 与发布清单不符（清单 ${f.sha256.slice(0, 12)}…，实际 ${actual.slice(0, 12)}…）：文件可能被改动或发布未完成，已拒绝汇总。请由该城市重新执行 govmon publish。`,
      );
    paths.push(full);
  }
  return paths;
}

/** A target that may be replaced: absent, or a province database built by an earlier rollup. */
async function checkTarget(dbPath: string): Promise<void> {
  if (!fs.existsSync(dbPath)) return;
  let ok = false;
  try {
    const s = await Store.open(dbPath, { readOnly: true });
    try {
      ok = (await s.value<number>(`SELECT count(*) FROM duckdb_tables() WHERE table_name = '${PROVINCE_MARKER}'`)) > 0;
    } finally {
      s.close();
    }
  } catch {
    ok = false;
  }
  if (!ok) throw new UserError(`${dbPath} 已存在且不是 govmon rollup 生成的省级汇总数据库，为免覆盖，请换一个 --db 文件`);
}

export async function rollup(o: RollupOptions): Promise<RollupResult> {
  if (o.dirs.length === 0) throw new UserError('请给出至少一个发布文件夹（govmon publish --out 的文件夹）');
  const manifests: (Manifest & { source: string; manifestFile: string })[] = [];
  const filesOf = new Map<string, string[]>();
  for (const d of o.dirs) {
    const root = path.resolve(d);
    if (!fs.existsSync(root)) throw new UserError(`找不到发布文件夹：${d}`);
    const found = findManifests(root);
    if (found.length === 0)
      throw new UserError(`${d} 中没有 govmon publish 发布的结果（缺少 ${MANIFEST_DIR}/city=…/month=…/manifest.json）`);
    for (const f of found) {
      const m = readManifest(f);
      const dup = manifests.find((x) => x.city === m.city && x.month === m.month);
      if (dup)
        throw new UserError(`城市 ${m.city} ${m.month} 的结果出现在两个发布文件夹中（${dup.source} 与 ${root}），无法确定以哪个为准`);
      for (const p of verify(root, f, m)) {
        const t = p.split(path.sep).at(-4)!;
        filesOf.set(t, [...(filesOf.get(t) ?? []), p]);
      }
      manifests.push({ ...m, source: root, manifestFile: f });
    }
  }
  const target = path.resolve(o.dbPath);
  await checkTarget(target);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const tmp = `${target}.tmp-${crypto.randomBytes(4).toString('hex')}`;
  const tables: Record<string, number> = {};
  const store = await Store.open(tmp);
  try {
    for (const [table, files] of [...filesOf].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const list = `[${files
        .sort()
        .map((f) => sqlString(f))
        .join(', ')}]`;
      await store.run(
        `CREATE TABLE ${ident(table)} AS SELECT * FROM read_parquet(${list}, hive_partitioning = true,
           hive_types = {'city': VARCHAR, 'month': VARCHAR}, union_by_name = true)`,
      );
      tables[table] = await store.value<number>(`SELECT count(*) FROM ${ident(table)}`);
    }
    await store.run(`CREATE TABLE manifests (city VARCHAR, month VARCHAR, run_id INTEGER, year INTEGER, year_run_id INTEGER,
      profile VARCHAR, profile_sha256 VARCHAR, govmon_version VARCHAR, published_at VARCHAR, source_dir VARCHAR, files JSON)`);
    for (const m of manifests)
      await store.run('INSERT INTO manifests VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::JSON)', [
        m.city,
        m.month,
        m.run_id,
        m.year,
        m.year_run_id,
        m.profile,
        m.profile_sha256,
        m.govmon_version,
        m.published_at,
        m.source,
        JSON.stringify(m.files),
      ]);
    await store.run(`CREATE TABLE province_overview AS ${PROVINCE_OVERVIEW_SQL}`);
    await store.run(`CREATE TABLE ${PROVINCE_MARKER} (built_at TIMESTAMPTZ, dirs VARCHAR[], manifests INTEGER)`);
    await store.run(`INSERT INTO ${PROVINCE_MARKER} VALUES ($1::TIMESTAMPTZ, $2::VARCHAR[], $3)`, [
      o.now.toISOString(),
      JSON.stringify(o.dirs.map((d) => path.resolve(d))),
      manifests.length,
    ]);
    await store.run('CHECKPOINT');
  } catch (e) {
    store.close();
    fs.rmSync(tmp, { force: true });
    fs.rmSync(`${tmp}.wal`, { force: true });
    throw e;
  }
  store.close();
  fs.renameSync(tmp, target);
  fs.rmSync(`${tmp}.tmp`, { recursive: true, force: true });
  const cities = [...new Set(manifests.map((m) => m.city))].sort();
  const months = [...new Set(manifests.map((m) => m.month))].sort();
  o.log?.info(`省级汇总：${cities.length} 个城市、${months.length} 个月份、${manifests.length} 份发布清单 → ${target}`);
  return { dbPath: target, manifests: manifests.map(({ manifestFile: _, ...m }) => m), tables, cities, months };
}
