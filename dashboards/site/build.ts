// `buildDashboard`: the static site of one month (docs/outputs.md §7.3). Reads the month's current run and
// the latest annual evaluation, writes every page, the data files, the XLSX downloads, the
// vendor scripts and styles into a temporary folder beside the target, and renames it into place
// — a failed build leaves the previous site as it was. A file whose content is unchanged since the
// previous build is linked from it rather than written (site-writer.ts: a content hash per file in
// the site's manifest), so a rebuild rewrites only the pages whose data changed. It only reads:
// apps/jobs/site.ts records the build in the run log.

import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { rootPath } from '../../core/paths.ts';
import { UserError } from '../../core/errors.ts';
import type { Log } from '../../core/log.ts';
import { systemClock, type Clock } from '../../core/clock.ts';
import { loadProfile, type LoadedProfile, type Results } from '../../pipelines/read.ts';
import { MONTHLY_METRICS } from '../../metrics/definitions.ts';
import { writeExport } from '../exports/write.ts';
import { loadSiteData, type SiteData } from './data.ts';
import { buildContext } from './context.ts';
import { renderPage, type PageSpec, type SiteMeta } from './layout.ts';
import { copyVendor } from './vendor.ts';
import { arrowScript, toArrowIpc, type ArrowColumn } from './arrow.ts';
import { SCATTER_METRICS } from './vega.ts';
import { systemPage } from './paths.ts';
import { CONDITION_CODES } from '../../metrics/labels.ts';
import { bytes as fmtBytes } from './format.ts';
import { FIXED_PAGES, departmentDetailPage, fixedPages } from './site-pages.ts';
import type { PageKey } from './paths.ts';
import { renderAllSystemPages, type SystemPageWrite } from './render-pool.ts';
import { MANIFEST, readManifest, writeManifest, writeSiteFile, type FileWrite, type SiteWriteTarget } from './site-writer.ts';
import { SHARDED_FROM, ShardSet, shardLength, writeShards } from './system-shards.ts';
import { isListed } from './pages/system.ts';
import { formatLocal } from '../../core/clock.ts';

export const ASSETS_DIR = rootPath('dashboards', 'assets');

/** The file that marks a folder as a govmon site (only such a folder is ever replaced). */
export const SITE_MARKER = '.govmon-site';

export interface BuildProgress {
  phase: 'load' | 'exports' | 'pages' | 'write';
  /** Chinese, for a person */
  label: string;
  done: number;
  total: number;
}

export interface BuildOptions {
  month: string;
  outDir: string;
  /** the profile in force; default: the one the month was run with (by its recorded name) */
  profile?: LoadedProfile;
  /** the "today" of the build, recorded with its run; the pages state their month's results only */
  now: Date;
  /** the wall clock: the build time the footer shows; defaults to the system clock */
  clock?: Clock;
  log?: Log;
  onProgress?: (p: BuildProgress) => void;
  /** the city named in the titles of the XLSX downloads */
  city?: string;
  /** from this many systems on, the pages of systems on no list are one template and shards (system-shards.ts); default SHARDED_FROM */
  shardFrom?: number;
}

export interface BuildResult {
  dir: string;
  pages: number;
  /** pages written by this build (the others were unchanged and kept from the previous site) */
  pagesWritten: number;
  /** the relative paths of the pages written, sorted */
  writtenPages: string[];
  /** system pages with the twelve static charts (systems on a list), the rest without */
  chartPages: number;
  /** system pages held in shards (data/systems/), their addresses one template page; 0 in a site below `shardFrom` systems */
  shardedPages: number;
  bytes: number;
  ms: number;
  /** the profile shown */
  profile: LoadedProfile;
  /** what needs a person's attention (a different profile, systems classified since the run) */
  warnings: string[];
  /** for the run log */
  counts: Record<string, unknown>;
  inputs: Record<string, unknown>;
}

/** The profile to show: the one given, else the month's own; says so when they differ. */
function resolveProfile(data: SiteData, given: LoadedProfile | undefined, log?: Log): { profile: LoadedProfile; note: string | null } {
  const name = data.run.profile ?? 'default';
  let profile = given;
  if (!profile) {
    try {
      profile = loadProfile(name);
    } catch {
      profile = loadProfile('default');
    }
  }
  let note: string | null = null;
  if (data.run.profileSha256 && profile.sha256 !== data.run.profileSha256) {
    note = `注意：${data.month} 月度运行所用的政策配置为“${name}”（内容哈希 ${data.run.profileSha256.slice(0, 12)}），与本站点展示的配置“${profile.profile.name}”（${profile.sha256.slice(0, 12)}）不同；清单以运行结果为准，图中阈值按本站点展示的配置绘制。`;
    log?.warn(note);
  }
  return { profile, note };
}

/**
 * What the overview's charts read: who, which month, the conditions (the trend) and the two
 * metrics of the scatter. The other metrics and the streaks are in the pages and the downloads; at
 * 20,000 systems they had been four fifths of this file (docs/performance.md).
 */
const METRIC_COLUMNS: ArrowColumn[] = [
  { name: 'system_id', type: 'text' },
  { name: 'system_name', type: 'text' },
  { name: 'department', type: 'text' },
  { name: 'href', type: 'text' },
  { name: 'month', type: 'text' },
  ...MONTHLY_METRICS.filter((m) => Object.values(SCATTER_METRICS).includes(m.name as never)).map(
    (m): ArrowColumn => ({ name: m.name, type: m.digits === 0 ? 'int' : 'float' }),
  ),
  ...CONDITION_CODES.map((c): ArrowColumn => ({ name: c, type: 'bool' })),
];

/** data/metrics.js: what the overview's charts read, as an Arrow table (the portal serves it too, cut to the user's scope). */
export function metricsScript(data: SiteData): string {
  // a system's name, department and page, once per system (not per row: 240,000 rows at 20,000 systems)
  const bySystem = new Map<string, Record<string, unknown>>();
  for (const s of data.systems)
    bySystem.set(s.system_id, { system_name: s.system_name ?? s.system_id, department: s.department ?? '', href: systemPage(s.system_id) });
  const systemOf = (id: string) => {
    let v = bySystem.get(id);
    if (!v) bySystem.set(id, (v = { system_name: id, department: '', href: systemPage(id) }));
    return v;
  };
  const ipc = toArrowIpc(data.metrics, METRIC_COLUMNS, (r, name) =>
    name === 'system_name' || name === 'department' || name === 'href' ? systemOf(r.system_id)[name] : r[name as keyof typeof r],
  );
  return arrowScript('metrics', ipc);
}

/** Files and bytes under `dir`, a file with several names (system-shards.ts) counted once, as on disk. */
function walkBytes(dir: string, seen = new Set<string>()): { files: number; bytes: number } {
  let files = 0;
  let bytes = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      const r = walkBytes(p, seen);
      files += r.files;
      bytes += r.bytes;
    } else {
      files++;
      const st = fs.statSync(p);
      const key = `${st.dev}:${st.ino}`;
      if (seen.has(key)) continue;
      seen.add(key);
      bytes += st.size;
    }
  }
  return { files, bytes };
}

/** A target that may be replaced: absent, an empty folder, or a site built here (it has the marker). */
function checkTarget(target: string): void {
  if (!fs.existsSync(target)) return;
  if (!fs.statSync(target).isDirectory()) throw new UserError(`输出路径 ${target} 已存在且不是文件夹`);
  const entries = fs.readdirSync(target);
  if (entries.length && !entries.includes(SITE_MARKER))
    throw new UserError(`输出文件夹 ${target} 已存在且不是 govmon 生成的站点，为免误删其中文件，请换一个文件夹或先将其清空`);
}

/** Replace `target` by `tmp` with two renames; refuse to replace a folder that is not a site. */
function swapIntoPlace(tmp: string, target: string): void {
  checkTarget(target);
  if (fs.existsSync(target)) {
    const old = path.join(path.dirname(target), `.${path.basename(target)}.old-${crypto.randomBytes(4).toString('hex')}`);
    fs.renameSync(target, old);
    try {
      fs.renameSync(tmp, target);
    } catch (e) {
      fs.renameSync(old, target);
      throw e;
    }
    fs.rmSync(old, { recursive: true, force: true });
  } else {
    fs.renameSync(tmp, target);
  }
}

export async function buildDashboard(store: Results, opts: BuildOptions): Promise<BuildResult> {
  const t0 = performance.now();
  const target = path.resolve(opts.outDir);
  const progress = opts.onProgress ?? (() => undefined);
  let tmp: string | undefined;
  try {
    progress({ phase: 'load', label: '读取运行结果', done: 0, total: 1 });
    checkTarget(target);
    const data = await loadSiteData(store, opts.month);
    // what DuckDB kept from reading a month of results is not needed while the pages are written
    await store.releaseMemory?.();
    const loadMs = Math.round(performance.now() - t0);
    const { profile, note } = resolveProfile(data, opts.profile, opts.log);
    progress({ phase: 'load', label: '读取运行结果', done: 1, total: 1 });

    fs.mkdirSync(path.dirname(target), { recursive: true });
    tmp = fs.mkdtempSync(path.join(path.dirname(target), `.${path.basename(target)}.tmp-`));
    for (const d of ['assets', 'data', 'downloads', 'systems', 'departments', 'vendor'])
      fs.mkdirSync(path.join(tmp, d), { recursive: true });

    const meta: SiteMeta = {
      month: data.month,
      runId: data.run.runId,
      profileName: profile.profile.name,
      profileSha256: profile.sha256,
      builtAt: (opts.clock ?? systemClock)().toISOString(),
      ...(data.run.asOf ? { asOf: data.run.asOf } : {}),
    };
    // What is written and what is kept: the previous site (checked above to be a govmon site) and
    // its manifest; the footer's time and the run number are not content (site-writer.ts).
    const previous = fs.existsSync(path.join(target, SITE_MARKER)) ? target : null;
    const writeTarget: SiteWriteTarget = {
      dir: tmp,
      previous,
      previousHashes: previous ? readManifest(previous) : {},
      volatile: [`生成于 ${formatLocal(meta.builtAt)}`, `运行编号 ${meta.runId}`],
    };
    const files = new Map<string, string>();
    const pageWrites = new Map<string, boolean>();
    const put = (rel: string, content: string | Uint8Array, page = false): FileWrite => {
      const w = writeSiteFile(writeTarget, rel, content);
      files.set(rel, w.hash);
      if (page) pageWrites.set(rel, w.written);
      return w;
    };
    for (const f of fs.readdirSync(ASSETS_DIR)) put(`assets/${f}`, fs.readFileSync(path.join(ASSETS_DIR, f)));
    copyVendor((rel, content) => put(rel, content));

    // The XLSX downloads are the exports themselves (same columns, formula-safe text). The exports
    // hold what the run computed; if a system has been marked classified since, they would name
    // it — then no XLSX ships until the month is run again (the pages already leave it out).
    const downloads: Record<string, string> = {};
    const safe = data.classifiedSinceRun === 0;
    const warnings = note ? [note] : [];
    if (!safe) {
      warnings.push(
        `${data.month} 的运行结果中有 ${data.classifiedSinceRun} 个系统现已标记为涉密：站点不含这些系统，也不提供 XLSX 下载；请重新运行 ${data.month} 后再生成站点`,
      );
      opts.log?.warn(warnings[warnings.length - 1]);
    }
    const monthly = safe ? ['rectification', 'elimination', 'rightsizing', 'sharing', 'calendar', 'metrics', 'costshare'] : [];
    const annual = safe && data.year ? ['scores', 'budget'] : [];
    const exportsToWrite = [
      ...monthly.map((kind) => ({ kind, rel: `downloads/${kind}-${data.month}.xlsx`, period: { month: data.month } })),
      ...annual.map((kind) => ({ kind, rel: `downloads/${kind}-${data.year!.year}.xlsx`, period: { year: data.year!.year } })),
    ];
    for (const x of exportsToWrite) downloads[x.kind] = x.rel;
    const writeDownloads = async () => {
      let done = 0;
      for (const x of exportsToWrite) {
        await writeExport(store, x.kind, x.period, path.join(tmp!, x.rel), { city: opts.city });
        progress({ phase: 'exports', label: '导出 XLSX', done: ++done, total: exportsToWrite.length });
      }
      await store.releaseMemory?.();
    };

    const ctx = buildContext(data, profile.profile, note, meta, downloads);
    const fixed: (() => PageSpec)[] = (Object.keys(FIXED_PAGES) as PageKey[]).flatMap((k) => fixedPages(k, ctx).map((p) => () => p));
    const jobs: (() => PageSpec)[] = [...fixed, ...ctx.departments.map((d) => () => departmentDetailPage(ctx, d))];
    const pages = jobs.length + data.systems.length;
    let written = 0;
    let chartPages = 0;
    const sharded = data.systems.length >= (opts.shardFrom ?? SHARDED_FROM);
    // in a sharded site the pages go in the order of their file names, so that the shards fill,
    // and are compressed, one after the other (system-shards.ts)
    const pageOf = new Map(data.systems.map((s) => [s.system_id, systemPage(s.system_id)]));
    const ids = [...pageOf.keys()];
    if (sharded) ids.sort((a, b) => (pageOf.get(a)! < pageOf.get(b)! ? -1 : 1));
    const shardSet = new ShardSet(
      shardLength(data.systems.length),
      sharded ? ids.filter((id) => ctx.systems.has(id) && !isListed(ctx, id)).map((id) => pageOf.get(id)!) : [],
    );
    const every = Math.max(1, Math.floor(pages / 50));
    const onPage = () => {
      written = Math.min(written + 1, pages);
      if (written % every === 0 || written === pages) progress({ phase: 'pages', label: '生成页面', done: written, total: pages });
    };
    const onSystemPage = (w: SystemPageWrite) => {
      if (w.sharded) shardSet.add(w.sharded);
      else {
        if (!pageWrites.has(w.rel) && w.charts) chartPages++;
        files.set(w.rel, w.hash);
        pageWrites.set(w.rel, w.written || (pageWrites.get(w.rel) ?? false));
      }
      onPage();
    };
    // The pages with charts (most of the work) go to the pool's worker threads, which start first;
    // meanwhile this thread writes the XLSX downloads, the data file and the other pages, then
    // renders its own share of the system pages.
    const writeOthers = async () => {
      await writeDownloads();
      put('data/metrics.js', metricsScript(data));
      for (const job of jobs) {
        const spec = job();
        put(spec.file, renderPage(meta, spec), true);
        onPage();
      }
    };
    const pool = await renderAllSystemPages(
      ctx,
      { data, profile: profile.profile, note, meta, downloads, target: writeTarget, sharded },
      ids,
      onSystemPage,
      writeOthers,
    );
    const shards = writeShards(writeTarget, meta, shardSet);
    for (const w of [...shards.shards, ...shards.addresses]) {
      files.set(w.rel, w.hash);
      pageWrites.set(w.rel, w.written);
    }
    writeManifest(tmp, files);
    const writtenPages = [...pageWrites.entries()]
      .filter(([, w]) => w)
      .map(([rel]) => rel)
      .sort();

    fs.writeFileSync(
      path.join(tmp, SITE_MARKER),
      JSON.stringify(
        {
          generator: 'govmon',
          month: data.month,
          run_id: data.run.runId,
          profile: profile.profile.name,
          profile_sha256: profile.sha256,
          built_at: meta.builtAt,
          pages,
          pages_written: writtenPages.length,
          manifest: MANIFEST,
        },
        null,
        2,
      ) + '\n',
    );
    const size = walkBytes(tmp);
    progress({ phase: 'write', label: '替换站点', done: 0, total: 1 });
    swapIntoPlace(tmp, target);
    tmp = undefined;
    progress({ phase: 'write', label: '替换站点', done: 1, total: 1 });
    const ms = Math.round(performance.now() - t0);
    const result: BuildResult = {
      dir: target,
      pages,
      pagesWritten: writtenPages.length,
      writtenPages,
      chartPages,
      shardedPages: shardSet.size,
      bytes: size.bytes,
      ms,
      profile,
      warnings,
      counts: {
        pages,
        pages_written: writtenPages.length,
        chart_pages: chartPages,
        sharded_pages: shardSet.size,
        shards: shards.shards.length,
        files: size.files,
        bytes: size.bytes,
        month_run_id: data.run.runId,
        year: data.year?.year ?? null,
        threads: pool.threads,
        // where the time went (ms): reading the data, then from the start of the pages the site's
        // other files (downloads, data, fixed pages), this thread's system pages, the workers'
        timings: { load: loadMs, others: pool.ms.others, own_share: pool.ms.own, workers: pool.ms.workers },
        worker_failures: pool.workerFailures,
      },
      inputs: { month_run_id: data.run.runId, year_run_id: data.year?.run.runId ?? null },
    };
    if (pool.workerFailures) opts.log?.info(`注意：${pool.workerFailures} 个页面生成线程未能完成，相应页面已在主线程生成`);
    opts.log?.info(
      `站点已生成：${target}（${result.pages} 个页面，其中 ${result.pagesWritten} 个有变化而重写，${size.files} 个文件，${fmtBytes(result.bytes)}，${(ms / 1000).toFixed(1)} 秒）`,
    );
    return result;
  } catch (e) {
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
}
