// The scheduler (docs/operations.md §8): fires the jobs on their cron expressions in Asia/Shanghai time, one job
// at a time (a serial queue: they share one database), never the same job twice at once (a trigger
// while it is queued or running is skipped and logged), catches up at start on runs missed while
// the machine was down, and stops cleanly: the current job is interrupted and rolls back.
// Time and triggers come from a driver: node-cron in production, a fake clock in tests.

import fs from 'node:fs';
import path from 'node:path';
import cron, { type ScheduledTask } from 'node-cron';
import type { Log } from '../../core/log.ts';
import { AbortedError, Store } from '../../pipelines/store/database.ts';
import { ensureSchema } from '../../pipelines/store/migrate.ts';
import { startRun, finishRun, type RunTrigger } from '../../pipelines/run/record.ts';
import { lastFullMonth } from '../../core/clock.ts';
import type { ResolvedConfig } from '../jobs/config.ts';
import { cleanText } from '../../core/text.ts';
import { JOB_ZH } from '../../pipelines/status.ts';
import { JOBS, JOB_LABEL, hasTelemetry, type JobContext, type JobName } from './jobs.ts';
import type { DaemonMetrics, JobOutcome } from './metrics.ts';

import { TIMEZONE, previousFire } from './cron.ts';

// when a schedule fires (the status command reads them without loading the jobs)
export { TIMEZONE, nextFire, previousFire } from './cron.ts';

export interface Driver {
  /** call `fire(date)` whenever `expr` matches */
  add(name: JobName, expr: string, fire: (at: Date) => void): void;
  stop(): Promise<void>;
}

/** Production driver: node-cron, in Asia/Shanghai time. */
export function nodeCronDriver(): Driver {
  const tasks: ScheduledTask[] = [];
  return {
    add(name, expr, fire) {
      tasks.push(cron.schedule(expr, (c) => fire(c.date ?? new Date()), { timezone: TIMEZONE, name }));
    },
    async stop() {
      for (const t of tasks) await t.stop();
      for (const t of tasks) await t.destroy();
    },
  };
}

export interface SchedulerOptions {
  config: ResolvedConfig;
  dbPath: string;
  profile: string;
  log: Log;
  driver: Driver;
  /** "now" — the fake clock in tests */
  clock?: () => Date;
  /** the daemon's metrics endpoint, told of every job that ends */
  metrics?: DaemonMetrics;
  /** every job that ends, as a structured event (the JSON-lines log) */
  onEvent?: (e: JobEvent) => void;
  /**
   * Where a job gets its database: by default it opens `dbPath` for the job's length; a process
   * that holds the database already (the portal, `govmon serve --schedule`) lends a connection of
   * its own open database instead (docs/operations.md, "the portal").
   */
  openStore?: () => Promise<Store>;
}

export interface JobEvent {
  job: JobName;
  at: Date;
  trigger: RunTrigger;
  outcome: JobOutcome;
  summary: string;
  durationMs?: number;
}

/** A scheduled job's period: the month or year it runs for (undefined for the inbox). */
interface Missed {
  job: JobName;
  period: string;
}

const RUN_JOB: Record<JobName, string> = { inbox: 'inbox', monthly: 'month', annual: 'year' };

/** A failure that could not be written to the run log yet (the database was in use): written at the next chance. */
interface Unlogged {
  job: JobName;
  at: Date;
  trigger: RunTrigger;
  period: string | null;
  status: 'failed' | 'aborted';
  message: string;
  durationMs: number;
}

export class Scheduler {
  readonly events: JobEvent[] = [];
  private queue: Promise<void> = Promise.resolve();
  private pending = new Set<JobName>();
  private current: Store | null = null;
  private stopping = false;
  private readonly clock: () => Date;
  private unlogged: Unlogged[] = [];

  constructor(private readonly opts: SchedulerOptions) {
    this.clock = opts.clock ?? (() => new Date());
  }

  /**
   * Make the folders, close in the run log a job the last daemon left running (it died or was
   * killed), catch up on missed runs of periods that have data, then register the jobs.
   */
  async start(): Promise<void> {
    const s = this.opts.config.schedule;
    ensureFolders(this.opts.config);
    const missed = await this.prepare();
    for (const m of missed) this.trigger(m.job, this.clock(), 'catch-up', m.period);
    if (s.inbox) this.trigger('inbox', this.clock(), 'schedule');
    for (const job of ['inbox', 'monthly', 'annual'] as const) {
      const expr = s[job];
      if (expr) this.opts.driver.add(job, expr, (at) => this.trigger(job, at, 'schedule'));
    }
  }

  /** At start: interrupted jobs closed as 已中止, the metrics told the last runs, and what to catch up. */
  private async prepare(): Promise<Missed[]> {
    const store = await this.openStore();
    try {
      await ensureSchema(store);
      const closed = await closeInterruptedRuns(store, this.clock());
      for (const r of closed)
        this.opts.log.warn(
          `[${JOB_ZH[r.job] ?? r.job}] 运行编号 ${r.run_id} 在上一个守护进程退出时仍在进行，已在运行日志中记为已中止（其事务已回滚）`,
        );
      if (this.opts.metrics)
        for (const job of ['inbox', 'monthly', 'annual'] as const) {
          const last = await store.one<{ status: string; started_at: string; duration_ms: number | null }>(
            `SELECT status, started_at, duration_ms FROM runs WHERE job = $1 AND trigger IN ('schedule', 'catch-up') ORDER BY run_id DESC LIMIT 1`,
            [RUN_JOB[job]],
          );
          if (last) this.opts.metrics.record(job, new Date(last.started_at), last.duration_ms ?? 0, runOutcome(last.status), false);
        }
      if (!(await store.value<number>(`SELECT count(*) FROM files WHERE kind = 'telemetry' AND status IN ('loaded', 'partial')`)))
        this.opts.log.info('数据库中还没有监测数据：月度运行和年度评价等数据导入后再运行（收件箱照常扫描）');
      return await this.missedIn(store);
    } finally {
      store.close();
      this.current = null;
    }
  }

  /**
   * Jobs whose last scheduled time passed without a successful run for its period: the monthly run
   * of the month before that time, the evaluation of that time's year — only where that period has
   * telemetry (an empty database waits for data instead of running on nothing).
   */
  async missedJobs(): Promise<JobName[]> {
    const store = await this.openStore();
    try {
      await ensureSchema(store);
      return (await this.missedIn(store)).map((m) => m.job);
    } finally {
      store.close();
      this.current = null;
    }
  }

  private async missedIn(store: Store): Promise<Missed[]> {
    const now = this.clock();
    const s = this.opts.config.schedule;
    const out: Missed[] = [];
    const check = async (job: 'monthly' | 'annual', expr: string | null, periodOf: (t: Date) => string) => {
      const t = expr ? previousFire(expr, now) : null;
      if (!t) return;
      const period = periodOf(t);
      const done = await store.value<number>(
        // a run counts by the time it was judged as of (the scheduler's clock), not the wall clock
        `SELECT count(*) FROM runs WHERE job = $1 AND period = $2 AND status IN ('ok', 'warnings') AND coalesce(as_of, started_at) >= $3::TIMESTAMPTZ`,
        [RUN_JOB[job], period, t.toISOString()],
      );
      if (!done && (await hasTelemetry(store, period))) out.push({ job, period });
    };
    await check('monthly', s.monthly, (t) => lastFullMonth(t));
    await check('annual', s.annual, (t) => lastFullMonth(t).slice(0, 4));
    return out;
  }

  /** A connection of its own (the portal lends one of its open database), not tracked for abort. */
  private async freshStore(): Promise<Store> {
    return this.opts.openStore ? this.opts.openStore() : Store.open(this.opts.dbPath);
  }

  private async openStore(): Promise<Store> {
    const store = await this.freshStore();
    this.current = store;
    if (this.stopping) store.abort('守护进程正在停止');
    else if (this.unlogged.length) await this.flushUnlogged(store);
    return store;
  }

  /** Queue a job; skipped (and logged) if the same job is already queued or running. */
  trigger(job: JobName, at: Date, trigger: RunTrigger, period?: string): Promise<void> {
    if (this.stopping) return Promise.resolve();
    if (this.pending.has(job)) {
      this.queue = this.queue.then(() => this.logSkip(job, at, trigger));
      return this.queue;
    }
    this.pending.add(job);
    this.queue = this.queue.then(() => this.runJob(job, at, trigger, period)).finally(() => this.pending.delete(job));
    return this.queue;
  }

  /** Wait until every queued job is done. */
  idle(): Promise<void> {
    return this.queue;
  }

  private async runJob(job: JobName, at: Date, trigger: RunTrigger, period?: string): Promise<void> {
    if (this.stopping) return;
    if (this.unlogged.length) await this.tryFlush();
    let runId: number | undefined;
    const ctx: JobContext = {
      config: this.opts.config,
      profile: this.opts.config.profile ?? this.opts.profile,
      // the job's "now" is the time it was triggered for: its period does not drift if it waited
      now: at,
      period,
      log: this.opts.log,
      trigger,
      openStore: () => this.openStore(),
      onRun: (id) => {
        runId = id;
      },
    };
    if (job !== 'inbox') this.opts.log.info(`[${JOB_LABEL[job]}] 开始（${trigger === 'catch-up' ? '补跑错过的任务' : '定时触发'}）`);
    const t0 = performance.now();
    let loaded = false;
    try {
      const r = await JOBS[job](ctx);
      const outcome: JobOutcome = r.skipped ? 'skipped' : (r.status ?? 'ok');
      this.ended({ job, at, trigger, outcome, summary: r.summary, durationMs: performance.now() - t0 });
      if (job !== 'inbox' || r.counts) this.opts.log.info(`[${JOB_LABEL[job]}] ${r.summary}`);
      loaded = r.loaded ?? false;
    } catch (e) {
      const aborted = e instanceof AbortedError || this.stopping;
      const msg = cleanText((e as Error)?.message?.split('\n')[0] ?? String(e), 300);
      const durationMs = performance.now() - t0;
      this.ended({ job, at, trigger, outcome: aborted ? 'aborted' : 'failed', summary: msg, durationMs });
      if (aborted) this.opts.log.warn(`[${JOB_LABEL[job]}] 已中止并回滚：${msg}`);
      else this.opts.log.warn(`[${JOB_LABEL[job]}] 失败：${msg}`);
      await this.recordFailure(
        {
          job,
          at,
          trigger,
          period: job === 'inbox' ? null : job === 'monthly' ? (period ?? lastFullMonth(at)) : (period ?? lastFullMonth(at).slice(0, 4)),
          status: aborted ? 'aborted' : 'failed',
          message: aborted ? `收到停止信号，任务已中止并回滚：${msg}` : msg,
          durationMs,
        },
        runId,
      );
    } finally {
      this.current = null;
    }
    // new data may be what a skipped or missed run was waiting for
    if (loaded && !this.stopping) await this.catchUp();
  }

  private ended(e: JobEvent): void {
    this.events.push(e);
    this.opts.metrics?.record(e.job, e.at, e.durationMs ?? 0, e.outcome);
    this.opts.onEvent?.(e);
  }

  /** Trigger the catch-up runs whose period now has data. */
  private async catchUp(): Promise<void> {
    try {
      const store = await this.openStore();
      let missed: Missed[];
      try {
        missed = await this.missedIn(store);
      } finally {
        store.close();
        this.current = null;
      }
      for (const m of missed) {
        this.opts.log.info(`[${JOB_LABEL[m.job]}] ${m.period} 的数据已到，补跑错过的任务`);
        void this.trigger(m.job, this.clock(), 'catch-up', m.period);
      }
    } catch {
      // the database is in use: the next start or scan looks again
    }
  }

  /**
   * Every failure of a scheduled job is in the run log: the job's own running row closed (inbox),
   * or one row written here — unless the run already recorded its failure (a monthly run rolls back
   * and logs itself). A fresh connection: the job's was aborted or closed. When the database is in
   * use by another process, the row waits in memory and is written at the next open.
   */
  private async recordFailure(u: Unlogged, runId: number | undefined): Promise<void> {
    let store: Store | undefined;
    try {
      store = await this.freshStore();
      await writeFailure(store, u, runId);
    } catch {
      this.unlogged.push({ ...u, ...(runId !== undefined ? { message: `${u.message}（运行编号 ${runId}）` } : {}) });
    } finally {
      store?.close();
    }
  }

  /** Write the failures that wait for the run log, if the database can be opened now. */
  private async tryFlush(): Promise<void> {
    let store: Store | undefined;
    try {
      store = await this.freshStore();
      await this.flushUnlogged(store);
    } catch {
      // still in use: the next job tries again
    } finally {
      store?.close();
    }
  }

  private async flushUnlogged(store: Store): Promise<void> {
    const waiting = this.unlogged;
    this.unlogged = [];
    for (const u of waiting) await writeFailure(store, u, undefined).catch(() => undefined);
  }

  /** The overlapping trigger is recorded in the run log with status 'skipped'. */
  private async logSkip(job: JobName, at: Date, trigger: RunTrigger): Promise<void> {
    const summary = `上一次${JOB_LABEL[job]}仍在排队或运行，本次触发已跳过`;
    this.ended({ job, at, trigger, outcome: 'skipped', summary, durationMs: 0 });
    this.opts.log.warn(`[${JOB_LABEL[job]}] ${summary}`);
    if (this.stopping) return;
    try {
      const store = await this.openStore();
      try {
        await ensureSchema(store);
        await store.tx(async () => {
          const id = await startRun(store, { job: RUN_JOB[job], now: at, trigger });
          await finishRun(store, id, { status: 'skipped', durationMs: 0, message: summary });
        });
      } finally {
        store.close();
        this.current = null;
      }
    } catch {
      // logging a skip must never stop the daemon
    }
  }

  /**
   * Stop: no new triggers; the job under way is given `graceSeconds` to finish, then interrupted —
   * its transaction rolls back, so the database is as before it, and the run log says 已中止.
   */
  async stop(graceSeconds = this.opts.config.stop_grace_seconds): Promise<void> {
    await this.opts.driver.stop();
    const done = this.queue.then(() => 'done' as const);
    const timeout = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), graceSeconds * 1000).unref());
    if ((await Promise.race([done, timeout])) === 'timeout') {
      this.stopping = true;
      this.current?.abort('守护进程正在停止');
      await this.queue;
    }
    this.stopping = true;
  }
}

/** The folders the daemon works in, made at start (a new deployment has none of them). */
export function ensureFolders(config: ResolvedConfig): void {
  for (const dir of [
    config.inboxPath,
    path.join(config.inboxPath, 'processed'),
    path.join(config.inboxPath, 'failed'),
    config.exportsPath,
    config.sitePath,
  ])
    fs.mkdirSync(dir, { recursive: true });
}

function runOutcome(status: string): JobOutcome {
  return (['ok', 'warnings', 'failed', 'skipped', 'aborted'] as const).find((o) => o === status) ?? 'failed';
}

/** Rows left 'running' by a daemon that is gone (only one daemon runs per database): closed as aborted. */
async function closeInterruptedRuns(store: Store, now: Date): Promise<{ run_id: number; job: string }[]> {
  const open = await store.all<{ run_id: number; job: string }>(`SELECT run_id, job FROM runs WHERE status = 'running' ORDER BY run_id`);
  if (open.length)
    await store.run(
      `UPDATE runs SET status = 'aborted', finished_at = $1::TIMESTAMPTZ,
         message = '任务在进行中时守护进程退出（被终止或崩溃），其事务已回滚；守护进程再次启动时关闭此记录'
       WHERE status = 'running'`,
      [now.toISOString()],
    );
  return open;
}

async function writeFailure(store: Store, u: Unlogged, runId: number | undefined): Promise<void> {
  await ensureSchema(store);
  await store.tx(async () => {
    if (runId !== undefined) {
      const n = await store.run(
        `UPDATE runs SET status = $2, message = $3, duration_ms = $4, finished_at = started_at + to_milliseconds($4) WHERE run_id = $1 AND status = 'running'`,
        [runId, u.status, u.message, Math.round(u.durationMs)],
      );
      if (n > 0) return;
    }
    if (u.status === 'failed') {
      // a run that failed inside its own transaction recorded itself (pipelines/run/record.ts)
      const already = await store.value<number>(
        `SELECT count(*) FROM runs WHERE job = $1 AND status = 'failed' AND trigger = $2 AND started_at = $3::TIMESTAMPTZ`,
        [RUN_JOB[u.job], u.trigger, u.at.toISOString()],
      );
      if (already) return;
    }
    // stamped with when the job ran (u.at), not when the row could be written: the check above and
    // a reader of the run log both look for the failure at the time it happened
    const id = await startRun(store, {
      job: RUN_JOB[u.job],
      period: u.period ?? undefined,
      now: u.at,
      clock: () => u.at,
      trigger: u.trigger,
    });
    await finishRun(store, id, { status: u.status, durationMs: u.durationMs, message: u.message });
  });
}
