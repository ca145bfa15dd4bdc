// The scheduler with a fake clock (node-cron's own matcher decides when a job fires), the inbox,
// catch-up of missed runs, overlap, and a clean stop that rolls the current job back.

import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Store } from '../pipelines/store/database.ts';
import { migrate } from '../pipelines/store/migrate.ts';
import { ingestPaths } from '../pipelines/ingest/ingest.ts';
import { runMonth } from '../pipelines/run/month.ts';
import { loadProfile } from '../pipelines/profiles.ts';
import { loadConfig, type ResolvedConfig } from '../apps/jobs/config.ts';
import { Scheduler, previousFire, nextFire } from '../apps/daemon/scheduler.ts';
import { FakeClockDriver } from '../apps/daemon/fake-driver.ts';
import { memoryLog } from '../core/log.ts';
import { generateBenchCity } from '../apps/bench/city.ts';
import { lastFullMonth, monthEnd } from '../core/clock.ts';
import { tempDir, writeFile } from './helpers.ts';

/** Asia/Shanghai wall-clock time as a Date. */
const sh = (s: string) => new Date(`${s}+08:00`);

function smallCity(dir: string): string[] {
  const sys = [
    'system_id,system_name,department,stage,go_live_date,vcpu',
    'A,甲系统,部门一,operation,2025-01-01,4',
    'B,乙系统,部门二,operation,2025-01-01,8',
  ];
  const tel = ['system_id,date,cpu_avg_pct,cpu_max_pct,active_users,requests,availability_pct,open_high_vulns'];
  for (const m of ['09', '10'])
    for (let d = 1; d <= 28; d++) {
      tel.push(`A,2026-${m}-${String(d).padStart(2, '0')},20,60,30,1000,99.9,0`);
      tel.push(`B,2026-${m}-${String(d).padStart(2, '0')},1,2,0,0,99.9,0`);
    }
  return [writeFile(dir, 'src/01_systems.csv', sys.join('\n')), writeFile(dir, 'src/02_telemetry.csv', tel.join('\n'))];
}

async function prepare(dir: string, extra?: (store: Store) => Promise<void>): Promise<string> {
  const db = path.join(dir, 'govmon.duckdb');
  const store = await Store.open(db);
  try {
    await migrate(store);
    await ingestPaths(store, smallCity(dir), { now: sh('2026-11-01T09:00:00'), archiveDir: path.join(dir, 'archive') });
    if (extra) await extra(store);
  } finally {
    store.close();
  }
  return db;
}

function config(dir: string, schedule: Partial<ResolvedConfig['schedule']>): ResolvedConfig {
  fs.writeFileSync(
    path.join(dir, 'govmon.config.json'),
    JSON.stringify({ schedule: { inbox: null, monthly: null, annual: null, ...schedule }, stable_seconds: 0 }),
  );
  return loadConfig(dir);
}

async function query<T>(db: string, sql: string): Promise<T[]> {
  const s = await Store.open(db);
  try {
    return await s.all<T>(sql);
  } finally {
    s.close();
  }
}

describe('previousFire(expr, now) / nextFire(expr, after)', () => {
  it('finds 02:00 on the 3rd in Asia/Shanghai time', () => {
    expect(previousFire('0 2 3 * *', sh('2026-11-10T12:00:00'))?.toISOString()).toBe(sh('2026-11-03T02:00:00').toISOString());
    expect(previousFire('0 2 3 * *', sh('2026-11-03T01:59:00'))?.toISOString()).toBe(sh('2026-10-03T02:00:00').toISOString());
    expect(nextFire('0 2 3 * *', sh('2026-11-03T02:00:00'))?.toISOString()).toBe(sh('2026-12-03T02:00:00').toISOString());
    expect(nextFire('0 2 1 9 *', sh('2026-11-22T10:00:00'))?.toISOString()).toBe(sh('2027-09-01T02:00:00').toISOString());
  });
  it('walks only the named hours and minutes: a quarter-hour schedule, a weekday schedule and a 29 February', () => {
    expect(nextFire('*/15 * * * *', sh('2026-11-03T02:00:30'))?.toISOString()).toBe(sh('2026-11-03T02:15:00').toISOString());
    // 2026-11-06 is a Friday: the next weekday 08:30 is Monday the 9th
    expect(nextFire('30 8 * * 1-5', sh('2026-11-06T09:00:00'))?.toISOString()).toBe(sh('2026-11-09T08:30:00').toISOString());
    // more than a year ahead: the next 29 February after March 2026 is in 2028
    expect(nextFire('0 0 29 2 *', sh('2026-03-01T00:00:00'))?.toISOString()).toBe(sh('2028-02-29T00:00:00').toISOString());
    expect(previousFire('0 0 29 2 *', sh('2026-03-01T00:00:00'), 800)?.toISOString()).toBe(sh('2024-02-29T00:00:00').toISOString());
  });
});

describe('Scheduler with a fake clock', () => {
  it('fires the monthly run once, for the previous month', async () => {
    const dir = tempDir();
    // month 2026-09 was already run after the last scheduled time, so nothing is to catch up
    const db = await prepare(dir, async (store) => {
      await runMonth(store, { month: '2026-09', profile: loadProfile('default'), now: sh('2026-11-01T10:00:00') });
    });
    const driver = new FakeClockDriver(sh('2026-11-02T12:00:00'));
    const log = memoryLog();
    const sched = new Scheduler({
      config: config(dir, { monthly: '0 2 3 * *' }),
      dbPath: db,
      profile: 'default',
      log,
      driver,
      clock: driver.clock,
    });
    await sched.start();
    await sched.idle();
    expect(sched.events).toEqual([]);
    driver.advanceTo(sh('2026-11-20T00:00:00'));
    await sched.idle();
    expect(sched.events.map((e) => [e.job, e.trigger, e.outcome, e.at.toISOString()])).toEqual([
      ['monthly', 'schedule', 'ok', sh('2026-11-03T02:00:00').toISOString()],
    ]);
    const runs = await query<{ period: string; trigger: string; status: string }>(
      db,
      `SELECT period, trigger, status FROM runs WHERE job = 'month' ORDER BY run_id`,
    );
    expect(runs).toEqual([
      { period: '2026-09', trigger: 'cli', status: 'ok' },
      { period: '2026-10', trigger: 'schedule', status: 'ok' },
    ]);
    // the scheduled run also left the month's lists on disk
    expect(fs.existsSync(path.join(dir, 'exports', '2026-10', 'elimination.xlsx'))).toBe(true);
    await sched.stop();
  });

  it('catches up a monthly run and an evaluation missed while the machine was down', async () => {
    const dir = tempDir();
    const db = await prepare(dir);
    const driver = new FakeClockDriver(sh('2026-11-10T08:00:00'));
    const sched = new Scheduler({
      config: config(dir, { monthly: '0 2 3 * *', annual: '0 2 1 9 *' }),
      dbPath: db,
      profile: 'default',
      log: memoryLog(),
      driver,
      clock: driver.clock,
    });
    expect(await sched.missedJobs()).toEqual(['monthly', 'annual']);
    await sched.start();
    await sched.idle();
    const runs = await query<{ job: string; period: string; trigger: string; status: string }>(
      db,
      `SELECT job, period, trigger, status FROM runs WHERE job IN ('month', 'year') ORDER BY run_id`,
    );
    // the last monthly time was 2026-11-03 02:00 → month 2026-10; the last annual time was
    // 2026-09-01 02:00 → year 2026 (evaluated up to its last full month then)
    expect(runs).toEqual([
      { job: 'month', period: '2026-10', trigger: 'catch-up', status: 'ok' },
      { job: 'year', period: '2026', trigger: 'catch-up', status: 'warnings' },
    ]);
    // started again later, nothing is missed any more
    expect(await sched.missedJobs()).toEqual([]);
    await sched.stop();
  });

  it('skips and logs a trigger that overlaps the same job', async () => {
    const dir = tempDir();
    const db = await prepare(dir);
    const driver = new FakeClockDriver(sh('2026-11-10T08:00:00'));
    const log = memoryLog();
    const sched = new Scheduler({ config: config(dir, {}), dbPath: db, profile: 'default', log, driver, clock: driver.clock });
    const at = sh('2026-11-10T08:00:00');
    void sched.trigger('monthly', at, 'schedule');
    void sched.trigger('monthly', at, 'schedule');
    await sched.idle();
    expect(sched.events.map((e) => e.outcome)).toEqual(['ok', 'skipped']);
    const runs = await query<{ status: string; message: string | null }>(
      db,
      `SELECT status, message FROM runs WHERE job = 'month' ORDER BY run_id`,
    );
    expect(runs.map((r) => r.status)).toEqual(['ok', 'skipped']);
    expect(runs[1].message).toContain('跳过');
    expect(log.lines.some((l) => l.includes('跳过'))).toBe(true);
  });

  it('ingests the inbox and moves each file to processed/ or failed/ with its report', async () => {
    const dir = tempDir();
    const db = await prepare(dir);
    const cfg = config(dir, { inbox: '*/15 * * * *' });
    writeFile(cfg.inboxPath, 'a_good.csv', 'system_id,date,cpu_avg_pct,cpu_max_pct\nA,2026-10-29,10,20\n');
    writeFile(cfg.inboxPath, 'b_partial.csv', 'system_id,date,cpu_avg_pct,cpu_max_pct\nA,2026-10-30,10,20\nZ,2026-10-30,10,20\n');
    writeFile(cfg.inboxPath, 'c_unusable.csv', 'foo,bar\n1,2\n');
    // the clock must be after the files' real modification times (the inbox waits for stable files)
    const start = new Date(Math.ceil((Date.now() + 60_000) / 900_000) * 900_000);
    const driver = new FakeClockDriver(start);
    const sched = new Scheduler({ config: cfg, dbPath: db, profile: 'default', log: memoryLog(), driver, clock: driver.clock });
    await sched.start(); // the inbox is scanned at start
    await sched.idle();
    // the same bytes again later: a no-op, moved to processed/
    writeFile(cfg.inboxPath, 'd_again.csv', 'system_id,date,cpu_avg_pct,cpu_max_pct\nA,2026-10-29,10,20\n');
    driver.advanceTo(new Date(start.getTime() + 15 * 60_000));
    await sched.idle();
    const processed = fs.readdirSync(path.join(cfg.inboxPath, 'processed')).sort();
    const failed = fs.readdirSync(path.join(cfg.inboxPath, 'failed')).sort();
    expect(processed.filter((f) => !f.endsWith('.report.txt')).map((f) => f.replace(/^\d{8}-\d{6}_/, ''))).toEqual([
      'a_good.csv',
      'b_partial.csv',
      'd_again.csv',
    ]);
    expect(failed.filter((f) => !f.endsWith('.report.txt')).map((f) => f.replace(/^\d{8}-\d{6}_/, ''))).toEqual(['c_unusable.csv']);
    expect(processed.filter((f) => f.endsWith('.report.txt'))).toHaveLength(3);
    const partialReport = fs.readFileSync(
      path.join(cfg.inboxPath, 'processed', processed.find((f) => f.includes('b_partial.csv.report'))!),
      'utf8',
    );
    expect(partialReport).toContain('第 3 行');
    expect(partialReport).toContain('系统编号不在系统目录中');
    expect(fs.readdirSync(cfg.inboxPath).filter((f) => f.endsWith('.csv'))).toEqual([]);
    const rows = await query<{ n: number }>(db, `SELECT count(*) AS n FROM raw_telemetry WHERE date >= '2026-10-29'`);
    expect(rows[0].n).toBe(2); // a_good's row and b_partial's valid row; d_again added nothing
    const inboxRuns = await query<{ status: string }>(db, `SELECT status FROM runs WHERE job = 'inbox' ORDER BY run_id`);
    expect(inboxRuns.map((r) => r.status)).toEqual(['warnings', 'ok']);
    await sched.stop();
  });

  it('leaves a file that is still being written for the next scan', async () => {
    const dir = tempDir();
    const db = await prepare(dir);
    fs.writeFileSync(
      path.join(dir, 'govmon.config.json'),
      JSON.stringify({ schedule: { inbox: null, monthly: null, annual: null }, stable_seconds: 60 }),
    );
    const cfg = loadConfig(dir);
    const f = writeFile(cfg.inboxPath, 'fresh.csv', 'system_id,date,cpu_avg_pct\nA,2026-10-29,10\n');
    const now = new Date(fs.statSync(f).mtimeMs + 10_000); // 10 s after the last write
    const driver = new FakeClockDriver(now);
    const sched = new Scheduler({ config: cfg, dbPath: db, profile: 'default', log: memoryLog(), driver, clock: driver.clock });
    await sched.trigger('inbox', now, 'schedule');
    expect(fs.existsSync(f)).toBe(true);
    await sched.trigger('inbox', new Date(now.getTime() + 60_000), 'schedule');
    expect(fs.existsSync(f)).toBe(false);
  });
});

describe('stopping the scheduler during a run', () => {
  const LAST = lastFullMonth(new Date());
  let dir: string;
  let db: string;
  let before: string;

  // The results are as before the run; the run log gains one row saying the run was interrupted
  // (已中止), so the runs are compared apart from that row.
  const snapshot = async (p: string) =>
    JSON.stringify(
      await query(
        p,
        `SELECT (SELECT count(*) FROM runs WHERE status <> 'aborted') AS runs, (SELECT count(*) FROM res_metrics) AS metrics,
                (SELECT count(*) FROM res_notices) AS notices, (SELECT count(*) FROM res_sharing) AS sharing`,
      ),
    );
  const abortedRuns = (p: string) =>
    query<{ job: string; period: string; status: string; message: string }>(
      p,
      `SELECT job, period, status, message FROM runs WHERE status = 'aborted' ORDER BY run_id`,
    );

  beforeAll(async () => {
    // Big enough that the monthly run takes a few seconds: 8,000 systems × 300 days.
    dir = tempDir();
    // the daemon started below catches up the month before the real "now": it must have data
    const city = await generateBenchCity({
      dir: path.join(dir, 'src'),
      systems: 8000,
      days: 300,
      lastDate: monthEnd(LAST),
      parquet: false,
    });
    db = path.join(dir, 'govmon.duckdb');
    const store = await Store.open(db);
    await migrate(store);
    await ingestPaths(store, [city.systemsCsv, city.telemetryCsv], {
      now: new Date(),
      archiveDir: path.join(dir, 'archive'),
    });
    store.close();
    config(dir, { monthly: '0 2 3 * *' });
    before = await snapshot(db);
  }, 300_000);

  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('rolls the interrupted run back: the database is as before it', async () => {
    const driver = new FakeClockDriver(new Date());
    const log = memoryLog();
    const sched = new Scheduler({ config: loadConfig(dir), dbPath: db, profile: 'default', log, driver, clock: driver.clock });
    const job = sched.trigger('monthly', new Date(), 'schedule');
    await new Promise((r) => setTimeout(r, 400));
    await sched.stop(0);
    await job;
    expect(sched.events.map((e) => e.outcome)).toEqual(['aborted']);
    expect(await snapshot(db)).toBe(before);
    expect(await abortedRuns(db)).toEqual([
      { job: 'month', period: LAST, status: 'aborted', message: expect.stringContaining('收到停止信号，任务已中止并回滚') },
    ]);
  });

  it('on SIGTERM the daemon exits 0 and the database is as before the run', async () => {
    const child = spawn(process.execPath, ['bin/govmon.js', '--db', db, 'schedule'], {
      cwd: path.resolve(import.meta.dirname, '..'),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    const started = new Promise<void>((resolve) => {
      const on = (b: Buffer) => {
        out += b.toString();
        if (out.includes('[月度运行] 开始')) resolve();
      };
      child.stdout.on('data', on);
      child.stderr.on('data', on);
    });
    await started; // the catch-up run of the last full month has begun
    await new Promise((r) => setTimeout(r, 300));
    child.kill('SIGTERM');
    const code = await new Promise<number | null>((r) => child.on('exit', r));
    expect(out).toContain('已中止并回滚');
    expect(code).toBe(0);
    expect(await snapshot(db)).toBe(before);
    // the interrupted run is in the run log as 已中止 (this one and the in-process stop's above)
    expect((await abortedRuns(db)).map((r) => [r.job, r.period, r.status])).toEqual([
      ['month', LAST, 'aborted'],
      ['month', LAST, 'aborted'],
    ]);
  }, 120_000);
});
