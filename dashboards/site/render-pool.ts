// System pages are most of a site's build (twelve Plot charts each), so on a machine with cores to
// spare they are rendered in parallel: the main thread takes one share and worker threads the others. A worker gets the loaded
// data (structured clone), builds the same context and writes its pages into the same temporary
// folder. Workers run the compiled build (dist/); from the sources (tests) they use it when it has
// been built. If a worker cannot start (no build, a restricted runtime), its share is rendered here.
// Each page goes through site-writer.ts (written, or linked from the previous site when unchanged);
// the main thread collects what each page became for the manifest.

import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import type { Profile } from '../../metrics/profiles/schema.ts';
import { rootPath } from '../../core/paths.ts';
import { buildContext, type SiteContext } from './context.ts';
import type { SiteData } from './data.ts';
import { renderPage, type SiteMeta } from './layout.ts';
import { isListed, systemDetailPage } from './pages/system.ts';
import { writeSiteFile, type FileWrite, type SiteWriteTarget } from './site-writer.ts';

/** The worker script: beside this module when it runs compiled, else the compiled copy in dist/. */
const WORKER = import.meta.url.endsWith('.js')
  ? path.join(path.dirname(fileURLToPath(import.meta.url)), 'render-worker.js')
  : rootPath('dist', 'dashboards', 'site', 'render-worker.js');

/** What a worker needs to rebuild the context. */
export interface RenderJob {
  data: SiteData;
  profile: Profile;
  note: string | null;
  meta: SiteMeta;
  downloads: Record<string, string>;
  target: SiteWriteTarget;
  ids: string[];
}

/** A page written (or kept) by a thread, and whether it carries the static charts. */
export interface SystemPageWrite extends FileWrite {
  charts: boolean;
}

/** Render the pages of the given systems into the target; `onPage` after each. */
export function renderSystemPages(
  ctx: SiteContext,
  ids: readonly string[],
  target: SiteWriteTarget,
  onPage: (w: SystemPageWrite) => void,
): void {
  for (const id of ids) {
    const s = ctx.systems.get(id);
    if (!s) continue;
    const charts = isListed(ctx, id);
    const spec = systemDetailPage(ctx, s, { staticCharts: charts });
    onPage({ ...writeSiteFile(target, spec.file, renderPage(ctx.meta, spec)), charts });
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
}

/**
 * Render every system page: shares for `threads − 1` workers, the first share here. A share whose
 * worker fails is rendered here afterwards (pages are files; writing one twice is harmless).
 */
export async function renderAllSystemPages(
  ctx: SiteContext,
  job: Omit<RenderJob, 'ids'>,
  ids: readonly string[],
  onPage: (w: SystemPageWrite) => void,
  beforeOwnShare?: () => void,
): Promise<PoolReport> {
  const threads = threadCount(ids.length);
  const shares: string[][] = Array.from({ length: threads }, () => []);
  for (const [i, id] of ids.entries()) shares[i % threads].push(id);
  const failed: string[][] = [];
  const workers = shares.slice(1).map((share) => {
    const r = runWorker({ ...job, ids: share }, onPage);
    return { ...r, done: r.done.catch(() => void failed.push(share)) };
  });
  try {
    beforeOwnShare?.();
    renderSystemPages(ctx, shares[0], job.target, onPage);
  } catch (e) {
    // stop the workers before the caller removes the folder they write into
    await Promise.all(workers.map((w) => w.stop()));
    throw e;
  }
  await Promise.all(workers.map((w) => w.done));
  // a failed share may have written some of its pages: written again (a page is one file), reported again
  for (const share of failed) renderSystemPages(ctx, share, job.target, onPage);
  return { threads, workerFailures: failed.length };
}
