// The daemon a bureau runs for years (docs/operations.md §8): its folders, an empty database that
// waits for data, one daemon per database, a job interrupted by a signal or a crash closed in the
// run log as 已中止 (at the next start if need be), every failure in the run log, messages that
// never echo a file's raw bytes, its own metrics scraped by a real Prometheus, its JSON-lines log,
// and the systemd unit of docs/ checked by systemd-analyze.

import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Store } from '../pipelines/store/database.ts';
import { migrate } from '../pipelines/store/migrate.ts';
import { ingestPaths } from '../pipelines/ingest/ingest.ts';
import { loadConfig, type ResolvedConfig } from '../apps/jobs/config.ts';
import { Scheduler, previousFire } from '../apps/daemon/scheduler.ts';
import { FakeClockDriver } from '../apps/daemon/fake-driver.ts';
import { generateBenchCity } from '../apps/bench/city.ts';
import { memoryLog } from '../core/log.ts';
import { lastFullMonth, monthEnd, addDays } from '../core/clock.ts';
import { tempDir, writeFile } from './helpers.ts';
import { REPO, startCli, startScript, modulePath, sleep } from './fixtures/reliability.ts';
import { HAVE_PROMETHEUS, freePort, instant, startPrometheus, stopPrometheus, waitForValues, type Server } from './fixtures/prometheus.ts';

const MONTHLY = '0 2 3 * *';
const ANNUAL = '0 2 1 9 *';

function writeConfig(dir: string, c: Record<string, unknown>): ResolvedConfig {
  fs.writeFileSync(path.join(dir, 'govmon.config.json'), JSON.stringify({ stable_seconds: 0, ...c }));
  return loadConfig(dir);
}

async function emptyDb(dir: string): Promise<string> {
  const db = path.join(dir, 'govmon.duckdb');
  const store = await Store.open(db);
  await migrate(store);
  store.close();
  return db;
}

async function query<T>(db: string, sql: string, params?: (string | number)[]): Promise<T[]> {
  const s = await Store.open(db);
  try {
    return await s.all<T>(sql, params);
  } finally {
    s.close();
  }
}

/** Wait until `out()` matches, or fail after `ms`. */
async function until(what: string, cond: () => boolean, ms = 120_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`等待超时：${what}`);
    await sleep(200);
  }
}

/** A daemon process (node bin/govmon.js … schedule) with its output collected as it comes. */
function daemon(db: string, extra: string[] = []) {
  const d = startCli(['--db', db, 'schedule', ...extra]);
  let out = '';
  d.child.stdout!.on('data', (b) => (out += String(b)));
  d.child.stderr!.on('data', (b) => (out += String(b)));
  return { ...d, out: () => out };
}

describe('the daemon on an empty database (fake clock)', () => {
  it('makes its folders, waits for data instead of running, and runs the missed month once an inbox scan brings its data', async () => {
    const dir = tempDir();
    const db = await emptyDb(dir);
    const cfg = writeConfig(dir, { schedule: { inbox: '*/15 * * * *', monthly: MONTHLY, annual: ANNUAL } });
    // the fake clock runs after the files' real modification times (the inbox waits for stable files)
    const start = new Date(Math.ceil((Date.now() + 60_000) / 900_000) * 900_000);
    const fired = previousFire(MONTHLY, start)!;
    const month = lastFullMonth(fired);
    const driver = new FakeClockDriver(start);
    const log = memoryLog();
    const sched = new Scheduler({ config: cfg, dbPath: db, profile: 'default', log, driver, clock: driver.clock });
    for (const d of ['inbox', 'inbox/processed', 'inbox/failed', 'exports', 'site']) expect(fs.existsSync(path.join(dir, d))).toBe(false);
    await sched.start();
    await sched.idle();
    for (const d of ['inbox', 'inbox/processed', 'inbox/failed', 'exports', 'site']) expect(fs.existsSync(path.join(dir, d)), d).toBe(true);
    // no "missed" monthly run or evaluation on nothing
    expect(await sched.missedJobs()).toEqual([]);
    expect(await query(db, `SELECT * FROM runs WHERE job IN ('month', 'year')`)).toEqual([]);
    expect(log.lines).toContain('数据库中还没有监测数据：月度运行和年度评价等数据导入后再运行（收件箱照常扫描）');

    // the scheduled monthly time on an empty database: recorded as skipped, waiting for data
    await sched.trigger('monthly', fired, 'schedule');
    const skipped = await query<{ period: string; status: string; message: string }>(
      db,
      `SELECT period, status, message FROM runs WHERE job = 'month'`,
    );
    expect(skipped).toEqual([{ period: month, status: 'skipped', message: `${month} 没有监测数据，未运行（等待数据导入后再运行）` }]);

    // the data arrives in the inbox (with an unreadable file beside it): the month's run follows the scan
    const days = Array.from({ length: 20 }, (_, i) => addDays(`${month}-01`, i));
    writeFile(
      cfg.inboxPath,
      'a_systems.csv',
      'system_id,system_name,department,stage,go_live_date\nA,甲系统,部门一,operation,2025-01-01\n',
    );
    writeFile(
      cfg.inboxPath,
      'b_telemetry.csv',
      `system_id,date,cpu_avg_pct,cpu_max_pct,active_users,requests,availability_pct\n${days.map((d) => `A,${d},20,40,5,900,99.9`).join('\n')}\n`,
    );
    const junk = Buffer.alloc(300);
    for (let i = 0; i < junk.length; i++) junk[i] = (i * 37 + 11) % 256;
    junk.write('\x1b[31m', 5, 'latin1'); // an ESC sequence that would recolour a terminal
    writeFile(cfg.inboxPath, 'c_unreadable.csv', junk);
    await sched.trigger('inbox', start, 'schedule');
    await sched.idle();
    const runs = await query<{ job: string; period: string; trigger: string; status: string }>(
      db,
      `SELECT job, period, trigger, status FROM runs WHERE job IN ('month', 'year') ORDER BY run_id`,
    );
    expect(runs.slice(0, 2)).toEqual([
      { job: 'month', period: month, trigger: 'schedule', status: 'skipped' },
      { job: 'month', period: month, trigger: 'catch-up', status: 'ok' },
    ]);
    expect(log.lines.join('\n')).toContain(`[月度运行] ${month} 的数据已到，补跑错过的任务`);

    // the unreadable file's report names its header's size, never its bytes
    const failed = fs.readdirSync(path.join(cfg.inboxPath, 'failed'));
    const report = fs.readFileSync(
      path.join(cfg.inboxPath, 'failed', failed.find((f) => f.endsWith('c_unreadable.csv.report.txt'))!),
      'utf8',
    );
    expect(report).toMatch(/「无法解码的表头（\d+ 字节）」/);
    expect(report).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\ufffd]/);
    expect(report.length).toBeLessThan(400);
    await sched.stop();
  }, 120_000);

  it('puts in the run log the failure of a job that could not open the database, once the database is free again', async () => {
    const dir = tempDir();
    const db = await emptyDb(dir);
    const cfg = writeConfig(dir, { schedule: { inbox: null, monthly: MONTHLY, annual: null } });
    const driver = new FakeClockDriver(new Date());
    const log = memoryLog();
    const sched = new Scheduler({ config: cfg, dbPath: db, profile: 'default', log, driver, clock: driver.clock });
    // another process holds the database (as a long `govmon run` would)
    const holder = startScript(
      dir,
      `import { Store } from ${modulePath('pipelines/store/database.ts')};
       const s = await Store.open(${JSON.stringify(db)}); console.log('held'); setTimeout(() => { s.close(); }, 600000);`,
    );
    let held = '';
    holder.child.stdout!.on('data', (b) => (held += String(b)));
    await until('the holder opened the database', () => held.includes('held'), 60_000);
    const at = new Date();
    await sched.trigger('monthly', at, 'schedule');
    expect(sched.events.map((e) => e.outcome)).toEqual(['failed']);
    expect(log.lines.join('\n')).toMatch(/\[月度运行\] 失败：数据库 .* 正被另一个 govmon 进程（PID \d+）使用/);
    holder.child.kill('SIGKILL');
    await holder.done;
    // the next job that opens the database writes the failure it could not write then
    await sched.trigger('inbox', new Date(), 'schedule');
    const runs = await query<{ job: string; trigger: string; status: string; message: string; started_at: string }>(
      db,
      `SELECT job, trigger, status, message, started_at FROM runs ORDER BY run_id`,
    );
    expect(runs).toEqual([
      {
        job: 'month',
        trigger: 'schedule',
        status: 'failed',
        message: expect.stringMatching(/正被另一个 govmon 进程（PID \d+）使用/),
        started_at: at.toISOString(),
      },
    ]);
    await sched.stop();
  }, 120_000);
});

/** A registry ingested into `db` and a bench city's telemetry (systems × days) waiting in the inbox. */
async function telemetryInInbox(dir: string, db: string, cfg: ResolvedConfig, systems: number, days: number): Promise<string> {
  const city = await generateBenchCity({
    dir: path.join(dir, 'src'),
    systems,
    days,
    lastDate: monthEnd(lastFullMonth(new Date())),
    parquet: false,
  });
  const store = await Store.open(db);
  await ingestPaths(store, [city.systemsCsv], { now: new Date(), archiveDir: path.join(dir, 'archive') });
  store.close();
  fs.mkdirSync(cfg.inboxPath, { recursive: true });
  const inFile = path.join(cfg.inboxPath, 'telemetry.csv');
  fs.copyFileSync(city.telemetryCsv, inFile);
  return inFile;
}

describe('stopping the daemon during an inbox scan (fake clock)', () => {
  it('closes the interrupted scan in the run log as 已中止, rolls its file back, and leaves the file in the inbox', async () => {
    const dir = tempDir();
    const db = await emptyDb(dir);
    const cfg = writeConfig(dir, { schedule: { inbox: null, monthly: null, annual: null } });
    const inFile = await telemetryInInbox(dir, db, cfg, 4000, 200);
    const start = new Date(Date.now() + 60_000);
    const driver = new FakeClockDriver(start);
    const log = memoryLog();
    const sched = new Scheduler({ config: cfg, dbPath: db, profile: 'default', log, driver, clock: driver.clock });
    const job = sched.trigger('inbox', start, 'schedule');
    await until('the scan began', () => log.lines.some((l) => l.startsWith('[收件箱扫描] 开始：1 个文件')));
    await sleep(200);
    await sched.stop(0);
    await job;
    expect(sched.events.map((e) => e.outcome)).toEqual(['aborted']);
    const runs = await query<{ status: string; message: string }>(db, `SELECT status, message FROM runs WHERE job = 'inbox'`);
    expect(runs).toEqual([{ status: 'aborted', message: expect.stringContaining('收到停止信号，任务已中止并回滚') }]);
    expect((await query<{ n: number }>(db, 'SELECT count(*) AS n FROM raw_telemetry'))[0].n).toBe(0);
    expect(fs.existsSync(inFile)).toBe(true);
  }, 180_000);
});

describe('daemon processes', () => {
  it('refuses a second daemon on the same database: it exits non-zero naming the first (PID, host, start time)', async () => {
    const dir = tempDir();
    const db = await emptyDb(dir);
    writeConfig(dir, { schedule: { inbox: null, monthly: null, annual: null } });
    const first = daemon(db);
    await until('the first daemon started', () => first.out().includes('govmon 定时任务已启动'));
    const second = await startCli(['--db', db, 'schedule']).done;
    expect(second.code).toBe(1);
    expect(second.stdout).not.toContain('govmon 定时任务已启动');
    expect(second.stderr).toMatch(
      new RegExp(
        `^错误：数据库 .*govmon\\.duckdb 已有一个定时任务守护进程在运行（PID ${first.child.pid}，主机 [^，]+，启动于 \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d）：同一个数据库只能运行一个守护进程，本进程退出。`,
      ),
    );
    first.child.kill('SIGTERM');
    expect((await first.done).code).toBe(0);
    // the lock went with the first: a new daemon starts
    const third = daemon(db);
    await until('a new daemon started', () => third.out().includes('govmon 定时任务已启动'));
    third.child.kill('SIGTERM');
    expect((await third.done).code).toBe(0);
  }, 120_000);

  it('after SIGKILL in the middle of an inbox scan, the restarted daemon closes the scan as 已中止 and ingests the file once', async () => {
    const dir = tempDir();
    const db = await emptyDb(dir);
    const cfg = writeConfig(dir, { schedule: { inbox: '* * * * *', monthly: null, annual: null } });
    // a telemetry file big enough that its scan takes a few seconds: 6,000 systems × 250 days
    const inFile = await telemetryInInbox(dir, db, cfg, 6000, 250);
    const rows = fs.readFileSync(inFile, 'utf8').trimEnd().split('\n').length - 1;

    const first = daemon(db);
    await until('the scan began', () => first.out().includes('[收件箱扫描] 开始：1 个文件'));
    await sleep(300);
    first.child.kill('SIGKILL');
    expect((await first.done).signal).toBe('SIGKILL');
    const open = await query<{ run_id: number; status: string }>(db, `SELECT run_id, status FROM runs WHERE job = 'inbox'`);
    expect(open).toEqual([{ run_id: expect.any(Number), status: 'running' }]);
    expect(fs.existsSync(inFile)).toBe(true); // not moved: the scan did not finish

    const second = daemon(db);
    await until(
      'the file was ingested and moved',
      () =>
        fs.existsSync(path.join(cfg.inboxPath, 'processed')) &&
        fs.readdirSync(path.join(cfg.inboxPath, 'processed')).some((f) => f.endsWith('telemetry.csv')),
      240_000,
    );
    await until('the scan was logged', () => second.out().includes('[收件箱扫描] 收件箱：1 个文件'));
    second.child.kill('SIGTERM');
    expect((await second.done).code).toBe(0);
    expect(second.out()).toMatch(/上一个守护进程（PID \d+，启动于 .*）没有正常退出，已接管其锁/);
    expect(second.out()).toContain(`[收件箱扫描] 运行编号 ${open[0].run_id} 在上一个守护进程退出时仍在进行，已在运行日志中记为已中止`);
    const runs = await query<{ run_id: number; status: string; message: string | null }>(
      db,
      `SELECT run_id, status, message FROM runs WHERE job = 'inbox' ORDER BY run_id`,
    );
    expect(runs[0]).toEqual({
      run_id: open[0].run_id,
      status: 'aborted',
      message: expect.stringContaining('守护进程再次启动时关闭此记录'),
    });
    expect(runs.slice(1).map((r) => r.status)).toContain('ok');
    // ingested once: one loaded record of those bytes, and each of its rows stored once
    const files = await query<{ n: number }>(db, `SELECT count(*) AS n FROM files WHERE kind = 'telemetry' AND status = 'loaded'`);
    expect(files[0].n).toBe(1);
    const stored = await query<{ n: number }>(db, 'SELECT count(*) AS n FROM raw_telemetry');
    expect(stored[0].n).toBe(rows);
  }, 420_000);
});

/** A daemon serving its metrics, after its first inbox scan, and a Prometheus that has scraped it for a while. */
interface Scraped {
  prom: Server;
  port: number;
  dir: string;
  d: ReturnType<typeof daemon>;
}
let scraped: Promise<Scraped> | undefined;
let scrapedParts: Partial<Scraped> = {};

async function startScraped(): Promise<Scraped> {
  const dir = tempDir();
  const port = await freePort();
  scrapedParts = { dir, port };
  const db = await emptyDb(dir);
  // the scan at start only (a later, empty scan would be the last inbox run)
  const cfg = writeConfig(dir, { schedule: { inbox: '0 0 1 1 *', monthly: null, annual: null } });
  writeFile(cfg.inboxPath, 'systems.csv', 'system_id,system_name,department,stage\nA,甲系统,部门一,operation\n');
  writeFile(cfg.inboxPath, 'bad.csv', 'foo,bar\n1,2\n');
  const d = daemon(db, ['--metrics-port', String(port), '--log-json', path.join(dir, 'logs', 'daemon.jsonl')]);
  scrapedParts.d = d;
  await until('the first scan ended', () => d.out().includes('[收件箱扫描] 收件箱：2 个文件'));
  const prom = await startPrometheus([{ job: 'govmon', address: `127.0.0.1:${port}` }]);
  scrapedParts.prom = prom;
  await waitForValues(prom, ['govmon_job_last_status{task="inbox"}', 'govmon_inbox_files']);
  return { prom, port, dir, d };
}

// Started with the file, awaited by the describe below: Prometheus answers for "now − 10 s" only after
// some seconds of scrapes, and those pass while the tests above run instead of in a wait of their own.
beforeAll(() => {
  if (!HAVE_PROMETHEUS) return;
  scraped = startScraped();
  // a failure is reported by the describe that awaits it
  scraped.catch(() => {});
});

afterAll(async () => {
  const { d, prom } = scrapedParts;
  d?.child.kill('SIGTERM');
  await d?.done;
  await stopPrometheus(prom);
});

describe.skipIf(!HAVE_PROMETHEUS)('the daemon metrics endpoint, scraped by a real Prometheus, and its JSON-lines log', () => {
  let prom: Server;
  let dir: string;

  beforeAll(async () => {
    ({ prom, dir } = await scraped!);
  }, 180_000);

  it('serves the last run of each job, its duration and status, and the inbox files, as Prometheus reads them', async () => {
    const ask = async (q: string) => instant(prom, q, Math.floor(Date.now() / 1000));
    const status = await ask('govmon_job_last_status{task="inbox"}');
    // one of the two files failed: the scan ended with warnings
    const byStatus = Object.fromEntries(status.map((x) => [x.metric.status, Number(x.value![1])]));
    expect(byStatus).toEqual({ ok: 0, warnings: 1, failed: 0, skipped: 0, aborted: 0 });
    expect((await ask('up{job="govmon"}'))[0].value![1]).toBe('1');
    const last = Number((await ask('govmon_job_last_run_timestamp_seconds{task="inbox"}'))[0].value![1]);
    expect(Math.abs(last * 1000 - Date.now())).toBeLessThan(10 * 60_000);
    expect(Number((await ask('govmon_job_last_duration_seconds{task="inbox"}'))[0].value![1])).toBeGreaterThanOrEqual(0);
    const inbox = Object.fromEntries((await ask('govmon_inbox_files')).map((x) => [x.metric.state, Number(x.value![1])]));
    expect(inbox).toEqual({ waiting: 0, processed: 1, failed: 1 });
  }, 120_000);

  it('writes every log line as JSON beside the Chinese text, and each job as a structured event', () => {
    const lines = fs
      .readFileSync(path.join(dir, 'logs', 'daemon.jsonl'), 'utf8')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines[0]).toMatchObject({ level: 'info', msg: expect.stringContaining('govmon 定时任务已启动') });
    for (const l of lines) expect(String(l.time)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    const ev = lines.find((l) => l.event === 'job' && l.job === 'inbox');
    expect(ev).toMatchObject({ outcome: 'warnings', trigger: 'schedule', summary: expect.stringContaining('收件箱：2 个文件') });
    expect(typeof ev!.duration_ms).toBe('number');
    expect(lines.some((l) => l.level === 'info' && String(l.msg).startsWith('【无法使用】bad.csv'))).toBe(true);
  });
});

const ANALYZE = spawnSync('systemd-analyze', ['--version']).status === 0;

describe.skipIf(!ANALYZE && !process.env.CI)('docs/govmon.service', () => {
  it('passes systemd-analyze verify without a warning, and restarts the daemon on failure', () => {
    expect(ANALYZE, 'CI 环境缺少 systemd-analyze：请在 .ci/run 中 apt-get install systemd').toBe(true);
    const unit = fs.readFileSync(path.join(REPO, 'docs', 'govmon.service'), 'utf8');
    expect(unit).toMatch(/^Restart=on-failure$/m);
    expect(unit).toMatch(/^ExecStart=\/usr\/bin\/node \/opt\/govmon\/bin\/govmon\.js .* schedule/m);
    // verified as installed, with this machine's node (systemd checks that ExecStart's program exists)
    const dir = tempDir();
    const file = path.join(dir, 'govmon.service');
    fs.writeFileSync(file, unit.replace('ExecStart=/usr/bin/node', `ExecStart=${process.execPath}`));
    const r = spawnSync('systemd-analyze', ['verify', file], { encoding: 'utf8' });
    expect(r.stderr + r.stdout).toBe('');
    expect(r.status).toBe(0);
    execFileSync('systemd-analyze', ['verify', file]);
  });
});
