// The scheduled jobs (docs/operations.md §8): scan the inbox, run the previous month, evaluate the year. Each
// opens the database for its own duration only, so between jobs other govmon commands can use it,
// and during a job they get the "database in use" message.

import fs from 'node:fs';
import path from 'node:path';
import { lastFullMonth } from '../../core/clock.ts';
import type { Log } from '../../core/log.ts';
import type { Store } from '../../pipelines/store/database.ts';
import { ensureSchema } from '../../pipelines/store/migrate.ts';
import { formatOutcome, ingestFile, type FileOutcome } from '../../pipelines/ingest/ingest.ts';
import { loadProfile } from '../../pipelines/profiles.ts';
import { monthJob } from '../jobs/month.ts';
import { yearJob } from '../jobs/year.ts';
import { finishRun, startRun, type RunTrigger } from '../../pipelines/run/record.ts';
import type { ResolvedConfig } from '../jobs/config.ts';

import { JOB_LABEL, readyInboxFiles, type JobName } from './inbox.ts';

export { JOB_LABEL, readyInboxFiles, type JobName };

export interface JobContext {
  config: ResolvedConfig;
  profile: string;
  now: Date;
  log: Log;
  trigger: RunTrigger;
  /** open the database (the scheduler passes its own, to abort it on SIGTERM) */
  openStore: () => Promise<Store>;
  /** the period to run (a catch-up names the one it missed); defaults to the one before `now` */
  period?: string;
  /** the job committed its run-log row as 'running' (the scheduler closes it if the job is interrupted) */
  onRun?: (runId: number) => void;
}

export interface JobResult {
  summary: string;
  counts?: Record<string, unknown>;
  /** nothing to do: no data for the job's period (the daemon waits for data) */
  skipped?: boolean;
  /** rows were loaded (the scheduler looks again for runs that were waiting for data) */
  loaded?: boolean;
  /** the run log's status of the job's run */
  status?: 'ok' | 'warnings' | 'skipped';
}

/** Is there telemetry of this month ('YYYY-MM') or year ('YYYY') in the database (loaded files only)? */
export async function hasTelemetry(store: Store, period: string): Promise<boolean> {
  const [from, to] = period.length === 4 ? [`${period}-01-01`, `${period}-12-01`] : [`${period}-01`, `${period}-01`];
  const n = await store.value<number>(
    `SELECT count(*) FROM file_months m JOIN files f USING (file_id)
     WHERE f.status IN ('loaded', 'partial') AND m.month BETWEEN $1::DATE AND $2::DATE`,
    [from, to],
  );
  return n > 0;
}

/** A job with nothing to run on: recorded as skipped, saying it waits for data. */
async function skipForNoData(store: Store, ctx: JobContext, job: 'month' | 'year', period: string): Promise<JobResult> {
  const summary = `${period} 没有监测数据，未运行（等待数据导入后再运行）`;
  await store.tx(async () => {
    const id = await startRun(store, { job, period, now: ctx.now, trigger: ctx.trigger });
    await finishRun(store, id, { status: 'skipped', durationMs: 0, message: summary });
  });
  return { summary, skipped: true, status: 'skipped' };
}

async function withJobStore<T>(ctx: JobContext, fn: (store: Store) => Promise<T>): Promise<T> {
  const store = await ctx.openStore();
  try {
    await ensureSchema(store);
    return await fn(store);
  } finally {
    store.close();
  }
}

function stamp(now: Date): string {
  return now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
}

/** Files in the inbox that have not changed for `stable_seconds` (a file still being copied waits). */
/**
 * Ingest each ready file of the inbox, then move it to processed/ (loaded, partly loaded or the
 * same bytes again) or failed/ (unusable, or every row refused), its report written beside it
 * first. A crash between the ingest and the move leaves the file in the inbox; the next scan
 * finds the same bytes and records the no-op, so no file is lost or counted twice.
 */
export async function inboxJob(ctx: JobContext): Promise<JobResult> {
  const files = readyInboxFiles(ctx.config, ctx.now);
  if (files.length === 0) return { summary: '收件箱中没有新文件' };
  return withJobStore(ctx, async (store) => {
    const runId = await store.tx(() => startRun(store, { job: 'inbox', now: ctx.now, trigger: ctx.trigger }));
    ctx.onRun?.(runId);
    ctx.log.info(`[${JOB_LABEL.inbox}] 开始：${files.length} 个文件（运行编号 ${runId}）`);
    const t0 = performance.now();
    const outcomes: FileOutcome[] = [];
    for (const f of files) {
      const o = await ingestFile(store, f, { now: ctx.now });
      outcomes.push(o);
      const failed = o.status === 'failed' || o.status === 'rejected';
      const destDir = path.join(ctx.config.inboxPath, failed ? 'failed' : 'processed');
      fs.mkdirSync(destDir, { recursive: true });
      const dest = path.join(destDir, `${stamp(ctx.now)}_${path.basename(f)}`);
      fs.writeFileSync(`${dest}.report.txt`, `${formatOutcome(o)}\n`);
      fs.renameSync(f, dest);
      ctx.log.info(formatOutcome(o));
    }
    const counts = {
      files: outcomes.length,
      loaded: outcomes.filter((o) => o.status === 'loaded').length,
      partial: outcomes.filter((o) => o.status === 'partial').length,
      duplicate: outcomes.filter((o) => o.status === 'duplicate').length,
      failed: outcomes.filter((o) => o.status === 'failed' || o.status === 'rejected').length,
      rows_loaded: outcomes.reduce((a, o) => a + o.rowsLoaded, 0),
      rows_rejected: outcomes.reduce((a, o) => a + o.rowsRejected, 0),
    };
    const status = counts.failed || counts.partial ? 'warnings' : 'ok';
    await store.tx(() =>
      finishRun(store, runId, {
        status,
        counts,
        inputs: outcomes.map((o) => ({ file_id: o.fileId ?? null, sha256: o.sha256 ?? null, name: o.name, status: o.status })),
        durationMs: performance.now() - t0,
      }),
    );
    return {
      summary: `收件箱：${counts.files} 个文件，导入 ${counts.rows_loaded} 行，拒收 ${counts.rows_rejected} 行，失败 ${counts.failed} 个`,
      counts,
      loaded: counts.rows_loaded > 0,
      status,
    };
  });
}

/** The monthly run of the previous month (relative to the job's time), its exports and dashboard. */
export async function monthlyJob(ctx: JobContext): Promise<JobResult> {
  const month = ctx.period ?? lastFullMonth(ctx.now);
  const profile = loadProfile(ctx.profile);
  return withJobStore(ctx, async (store) => {
    if (!(await hasTelemetry(store, month))) return skipForNoData(store, ctx, 'month', month);
    const { run: r } = await monthJob(store, {
      month,
      profile,
      now: ctx.now,
      log: ctx.log,
      trigger: ctx.trigger,
      exportsRoot: ctx.config.exportsPath,
      siteRoot: ctx.config.sitePath,
    });
    return {
      summary: `${month} 月度运行完成（运行编号 ${r.runId}）：整改 ${r.counts.rectification}、淘汰 ${r.counts.elimination}、减配 ${r.counts.rightsizing}`,
      counts: { month, run_id: r.runId },
    };
  });
}

/** The annual evaluation of the job's year (in budget season: up to its last full month). */
export async function annualJob(ctx: JobContext): Promise<JobResult> {
  const year = Number(ctx.period ?? lastFullMonth(ctx.now).slice(0, 4));
  const profile = loadProfile(ctx.profile);
  return withJobStore(ctx, async (store) => {
    if (!(await hasTelemetry(store, String(year)))) return skipForNoData(store, ctx, 'year', String(year));
    const { run: r } = await yearJob(store, {
      year,
      profile,
      now: ctx.now,
      log: ctx.log,
      trigger: ctx.trigger,
      exportsRoot: ctx.config.exportsPath,
    });
    return { summary: `${year} 年度评价完成（运行编号 ${r.runId}，截至 ${r.asOfMonth}）`, counts: { year, run_id: r.runId } };
  });
}

export const JOBS: Record<JobName, (ctx: JobContext) => Promise<JobResult>> = {
  inbox: inboxJob,
  monthly: monthlyJob,
  annual: annualJob,
};
