// The scheduler (docs/operations.md §8): fires the jobs on their cron expressions in Asia/Shanghai time, one job
// at a time (a serial queue: they share one database), never the same job twice at once (a trigger
// while it is queued or running is skipped and logged), catches up at start on runs missed while
// the machine was down, and stops cleanly: the current job is interrupted and rolls back.
// Time and triggers come from a driver: node-cron in production, a fake clock in tests.

import cron, { type ScheduledTask } from 'node-cron';
import type { Log } from '../../core/log.ts';
import { AbortedError, Store } from '../../pipelines/store/database.ts';
import { ensureSchema } from '../../pipelines/store/migrate.ts';
import { startRun, finishRun, type RunTrigger } from '../../pipelines/run/record.ts';
import { lastFullMonth } from '../../core/clock.ts';
import type { ResolvedConfig } from '../jobs/config.ts';
import { JOBS, JOB_LABEL, type JobContext, type JobName } from './jobs.ts';

export const TIMEZONE = 'Asia/Shanghai';

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

/** The most recent time at or before `now` that `expr` matches (node-cron's own matching), within `days`. */
export function previousFire(expr: string, now: Date, days = 400): Date | null {
  const task = cron.createTask(expr, () => undefined, { timezone: TIMEZONE });
  try {
    const fields = cron.parse(expr);
    const minutes = [...fields.minute].sort((a, b) => b - a);
    const hours = [...fields.hour].sort((a, b) => b - a);
    const second = fields.second[0] ?? 0;
    // Asia/Shanghai is UTC+8 all year (no daylight saving): local midnight = 16:00 UTC the day before.
    const localNow = new Date(now.getTime() + 8 * 3600_000);
    for (let d = 0; d <= days; d++) {
      const day = new Date(Date.UTC(localNow.getUTCFullYear(), localNow.getUTCMonth(), localNow.getUTCDate() - d));
      for (const h of hours)
        for (const m of minutes) {
          const t = new Date(day.getTime() + (h * 60 + m) * 60_000 + second * 1000 - 8 * 3600_000);
          if (t.getTime() > now.getTime()) continue;
          if (task.match(t)) return t;
        }
    }
    return null;
  } finally {
    void task.destroy();
  }
}

export function nextFire(expr: string, after: Date): Date | null {
  const task = cron.createTask(expr, () => undefined, { timezone: TIMEZONE });
  try {
    // node-cron computes the next run from the current time; step minutes from `after` instead so
    // a fake clock works too (bounded: a year of minutes).
    const start = Math.floor(after.getTime() / 60_000) * 60_000 + 60_000;
    for (let t = start, n = 0; n < 366 * 1440; t += 60_000, n++) if (task.match(new Date(t))) return new Date(t);
    return null;
  } finally {
    void task.destroy();
  }
}

export interface SchedulerOptions {
  config: ResolvedConfig;
  dbPath: string;
  profile: string;
  log: Log;
  driver: Driver;
  /** "now" — the fake clock in tests */
  clock?: () => Date;
}

export interface JobEvent {
  job: JobName;
  at: Date;
  trigger: RunTrigger;
  outcome: 'ok' | 'failed' | 'skipped' | 'aborted';
  summary: string;
}

export class Scheduler {
  readonly events: JobEvent[] = [];
  private queue: Promise<void> = Promise.resolve();
  private pending = new Set<JobName>();
  private current: Store | null = null;
  private stopping = false;
  private readonly clock: () => Date;

  constructor(private readonly opts: SchedulerOptions) {
    this.clock = opts.clock ?? (() => new Date());
  }

  /** Catch up on missed runs, then register the jobs with the driver. */
  async start(): Promise<void> {
    const s = this.opts.config.schedule;
    const missed = await this.missedJobs();
    for (const job of missed) this.trigger(job, this.clock(), 'catch-up');
    if (s.inbox) this.trigger('inbox', this.clock(), 'schedule');
    for (const job of ['inbox', 'monthly', 'annual'] as const) {
      const expr = s[job];
      if (expr) this.opts.driver.add(job, expr, (at) => this.trigger(job, at, 'schedule'));
    }
  }

  /**
   * Jobs whose last scheduled time passed without a successful run for its period: the monthly run
   * of the month before that time, the evaluation of that time's year.
   */
  async missedJobs(): Promise<JobName[]> {
    // a run counts by the time it was judged as of (the scheduler's clock), not the wall clock
    const now = this.clock();
    const s = this.opts.config.schedule;
    const out: JobName[] = [];
    const store = await this.openStore();
    try {
      await ensureSchema(store);
      if (s.monthly) {
        const t = previousFire(s.monthly, now);
        if (t) {
          const month = lastFullMonth(t);
          const done = await store.value<number>(
            `SELECT count(*) FROM runs WHERE job = 'month' AND period = $1 AND status IN ('ok', 'warnings') AND coalesce(as_of, started_at) >= $2::TIMESTAMPTZ`,
            [month, t.toISOString()],
          );
          if (!done) out.push('monthly');
        }
      }
      if (s.annual) {
        const t = previousFire(s.annual, now);
        if (t) {
          const year = lastFullMonth(t).slice(0, 4);
          const done = await store.value<number>(
            `SELECT count(*) FROM runs WHERE job = 'year' AND period = $1 AND status IN ('ok', 'warnings') AND coalesce(as_of, started_at) >= $2::TIMESTAMPTZ`,
            [year, t.toISOString()],
          );
          if (!done) out.push('annual');
        }
      }
    } finally {
      store.close();
    }
    return out;
  }

  private async openStore(): Promise<Store> {
    const store = await Store.open(this.opts.dbPath);
    this.current = store;
    if (this.stopping) store.abort('守护进程正在停止');
    return store;
  }

  /** Queue a job; skipped (and logged) if the same job is already queued or running. */
  trigger(job: JobName, at: Date, trigger: RunTrigger): Promise<void> {
    if (this.stopping) return Promise.resolve();
    if (this.pending.has(job)) {
      this.queue = this.queue.then(() => this.logSkip(job, at, trigger));
      return this.queue;
    }
    this.pending.add(job);
    this.queue = this.queue.then(() => this.runJob(job, at, trigger)).finally(() => this.pending.delete(job));
    return this.queue;
  }

  /** Wait until every queued job is done. */
  idle(): Promise<void> {
    return this.queue;
  }

  private async runJob(job: JobName, at: Date, trigger: RunTrigger): Promise<void> {
    if (this.stopping) return;
    const ctx: JobContext = {
      config: this.opts.config,
      profile: this.opts.config.profile ?? this.opts.profile,
      // the job's "now" is the time it was triggered for: its period does not drift if it waited
      now: at,
      log: this.opts.log,
      trigger,
      openStore: () => this.openStore(),
    };
    if (job !== 'inbox') this.opts.log.info(`[${JOB_LABEL[job]}] 开始（${trigger === 'catch-up' ? '补跑错过的任务' : '定时触发'}）`);
    try {
      const r = await JOBS[job](ctx);
      this.events.push({ job, at, trigger, outcome: 'ok', summary: r.summary });
      if (job !== 'inbox' || r.counts) this.opts.log.info(`[${JOB_LABEL[job]}] ${r.summary}`);
    } catch (e) {
      const aborted = e instanceof AbortedError || this.stopping;
      const msg = (e as Error)?.message?.split('\n')[0] ?? String(e);
      this.events.push({ job, at, trigger, outcome: aborted ? 'aborted' : 'failed', summary: msg });
      if (aborted) this.opts.log.warn(`[${JOB_LABEL[job]}] 已中止并回滚：${msg}`);
      else this.opts.log.warn(`[${JOB_LABEL[job]}] 失败：${msg}`);
    } finally {
      this.current = null;
    }
  }

  /** The overlapping trigger is recorded in the run log with status 'skipped'. */
  private async logSkip(job: JobName, at: Date, trigger: RunTrigger): Promise<void> {
    const summary = `上一次${JOB_LABEL[job]}仍在排队或运行，本次触发已跳过`;
    this.events.push({ job, at, trigger, outcome: 'skipped', summary });
    this.opts.log.warn(`[${JOB_LABEL[job]}] ${summary}`);
    if (this.stopping) return;
    try {
      const store = await this.openStore();
      try {
        await ensureSchema(store);
        await store.tx(async () => {
          const id = await startRun(store, { job: job === 'monthly' ? 'month' : job === 'annual' ? 'year' : 'inbox', now: at, trigger });
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
   * its transaction rolls back, so the database is as before it.
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
