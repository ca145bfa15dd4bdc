// System pages are most of a site's build (twelve Plot charts each), so on a machine with cores to
// spare they are rendered in parallel: the main thread takes one share and worker threads the others. A worker gets the loaded
// data (structured clone), builds the same context and writes its pages into the same temporary
// folder. Workers run the compiled build (dist/); from the sources (tests) they use it when it has
// been built. If a worker cannot start (no build, a restricted runtime), its share is rendered here.
// Each page goes through site-writer.ts (written, or linked from the previous site when unchanged);
// the main thread collects what each page became for the manifest.

import os from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Profile } from '../../metrics/profiles/schema.ts';
import { workerScript } from '../../core/paths.ts';
import { buildContext, type SiteContext } from './context.ts';
import { siteDataOf, type SiteData } from './data.ts';
import { renderPage, type SiteMeta } from './layout.ts';
import { isListed, systemDetailPage } from './pages/system.ts';
import { writeSiteFile, type FileWrite, type SiteWriteTarget } from './site-writer.ts';
import { shardedPage, type ShardedPage } from './system-shards.ts';

const WORKER = workerScript(import.meta.url, 'dashboards/site/render-worker.js');

/** What a worker needs to rebuild the context. */
export interface RenderJob {
  data: SiteData;
  profile: Profile;
  note: string | null;
  meta: SiteMeta;
  downloads: Record<string, string>;
  target: SiteWriteTarget;
  /** the pages of systems on no list go into shards (system-shards.ts) instead of files */
  sharded: boolean;
  ids: string[];
}

/**
 * A system page written (or kept) by a thread, and whether it carries the static charts; or, in
 * a sharded site, the page of a system on no list, for its shard.
 */
export type SystemPageWrite = (FileWrite & { charts: boolean; sharded?: undefined }) | { rel: string; charts: false; sharded: ShardedPage };

/** Render the pages of the given systems into the target; `onPage` after each. */
export function renderSystemPages(
  ctx: SiteContext,
  ids: readonly string[],
  target: SiteWriteTarget,
  sharded: boolean,
  onPage: (w: SystemPageWrite) => void,
): void {
  for (const id of ids) {
    const s = ctx.systems.get(id);
    if (!s) continue;
    const charts = isListed(ctx, id);
    const spec = systemDetailPage(ctx, s, { staticCharts: charts });
    if (sharded && !charts) onPage({ rel: spec.file, charts: false, sharded: shardedPage(ctx.meta, spec, target.volatile) });
    else onPage({ ...writeSiteFile(target, spec.file, renderPage(ctx.meta, spec)), charts });
  }
}

export function contextOf(job: RenderJob): SiteContext {
  return buildContext(job.data, job.profile, job.note, job.meta, job.downloads);
}

interface Running {
  done: Promise<void>;
  stop: () => Promise<unknown>;
}

function runWorker(job: RenderJob, onPage: (w: SystemPageWrite) => void): Running {
  const w = new Worker(WORKER, { workerData: job, execArgv: [] });
  const done = new Promise<void>((resolve, reject) => {
    w.on('message', (m: { page?: SystemPageWrite }) => {
      if (m.page) onPage(m.page);
    });
    w.once('error', reject);
    w.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`render worker exited with code ${code}`))));
  });
  return { done, stop: () => w.terminate() };
}

/**
 * How many threads to use. On 2 cores one thread is faster for a city-sized site: measured on the
 * sample city (437 pages), one thread took 7.5–9.7 s and two 11–15 s — the second thread's
 * start-up (loading the TypeScript through tsx) and both threads' garbage collection compete for
 * the same two cores. With thousands of pages the start-up is paid back: 2,107 pages took 32.2 s on
 * one thread and 23.1 s on two. So 2–3 cores use two threads from 1,000 pages on; 4 cores and more
 * use cores − 1 threads, at most 4, no more than one per 40 pages.
 * GOVMON_DASHBOARD_THREADS=N sets it outright.
 */
export function threadCount(pages: number): number {
  const env = Number(process.env.GOVMON_DASHBOARD_THREADS);
  if (Number.isInteger(env) && env > 0) return Math.max(1, Math.min(env, pages));
  const cores = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  if (cores < 2) return 1;
  if (cores < 4) return pages >= 1000 ? 2 : 1;
  return Math.max(1, Math.min(cores - 1, 4, Math.ceil(pages / 40)));
}

export interface PoolReport {
  threads: number;
  /** workers that could not do their share (rendered on the main thread instead) */
  workerFailures: number;
  /** milliseconds from the start: `beforeOwnShare` done, this thread's share done, the last worker done */
  ms: { others: number; own: number; workers: number };
}

/** Rendering a page with the static charts costs about ten pages without (measured at 20,000 systems; docs/performance.md). */
const CHART_WEIGHT = 10;

/**
 * Who renders what. The pages with the static charts (systems on a list: most of the work per
 * page) go to the worker threads, each with the data of its own systems only; the main thread
 * keeps the cheap pages, which it renders after the site's other files. If the chart pages
 * outweigh the rest, the main thread takes some of them too.
 */
export function shareOut(ctx: SiteContext, ids: readonly string[], threads: number): { own: string[]; workers: string[][] } {
  if (threads < 2) return { own: [...ids], workers: [] };
  const listed = new Set(ids.filter((id) => isListed(ctx, id)));
  const charted = ids.filter((id) => listed.has(id));
  const plain = ids.filter((id) => !listed.has(id));
  const perThread = (charted.length * CHART_WEIGHT + plain.length) / threads;
  const ownCharted = Math.max(0, Math.min(charted.length, Math.floor((perThread - plain.length) / CHART_WEIGHT)));
  const workers: string[][] = Array.from({ length: threads - 1 }, () => []);
  charted.slice(ownCharted).forEach((id, i) => {
    workers[i % workers.length].push(id);
  });
  return { own: [...plain, ...charted.slice(0, ownCharted)], workers: workers.filter((w) => w.length) };
}

/**
 * Render every system page: the workers' shares (shareOut) start at once, then `beforeOwnShare`
 * runs here (the site's other files, while the workers render), then this thread's share. A share
 * whose worker fails is rendered here afterwards (pages are files; writing one twice is harmless).
 */
export async function renderAllSystemPages(
  ctx: SiteContext,
  job: Omit<RenderJob, 'ids'>,
  ids: readonly string[],
  onPage: (w: SystemPageWrite) => void,
  beforeOwnShare?: () => Promise<void>,
): Promise<PoolReport> {
  const threads = threadCount(ids.length);
  const { own, workers: shares } = shareOut(ctx, ids, threads);
  const failed: string[][] = [];
  const workers = shares.map((share) => {
    const r = runWorker({ ...job, data: siteDataOf(job.data, new Set(share)), ids: share }, onPage);
    return { ...r, done: r.done.catch(() => void failed.push(share)) };
  });
  const t0 = performance.now();
  const ms = { others: 0, own: 0, workers: 0 };
  const since = () => Math.round(performance.now() - t0);
  const finished = workers.map((w) => w.done.then(() => void (ms.workers = Math.max(ms.workers, since()))));
  try {
    await beforeOwnShare?.();
    ms.others = since();
    renderSystemPages(ctx, own, job.target, job.sharded, onPage);
    ms.own = since();
  } catch (e) {
    // stop the workers before the caller removes the folder they write into
    await Promise.all(workers.map((w) => w.stop()));
    throw e;
  }
  await Promise.all(finished);
  // a failed share may have written some of its pages: written again (a page is one file), reported again
  for (const share of failed) renderSystemPages(ctx, share, job.target, job.sharded, onPage);
  return { threads: 1 + workers.length, workerFailures: failed.length, ms };
}
