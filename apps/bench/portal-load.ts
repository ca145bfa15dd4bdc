// `npm run bench:portal -- [--db FILE] [--connections 50] [--duration 60]`: a load test of the
// portal (docs/performance.md, "the portal") on loopback with autocannon. Without --db it makes the
// sample city (govmon sample → ingest → run → evaluate) in a temporary folder. It adds accounts
// (five bureau accounts, five departments') with `govmon user add`, starts `govmon serve` in a process of its
// own, logs in as many sessions as connections (half bureau, half departments), and has each
// connection ask, in turn, for the list pages and the system pages its session may open. Prints
// p50/p95/p99 latency, requests per second, errors, timeouts and non-2xx answers, and writes them
// as JSON. This is a measurement, not a unit test: run it on a machine that is otherwise quiet.

import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { Command } from 'commander';
import { ROOT } from '../../core/paths.ts';
import { lastFullMonth } from '../../core/clock.ts';
import { Store } from '../../pipelines/store/database.ts';

const CLI = path.join(ROOT, 'bin', 'govmon.js');
const PASSWORD = 'load-test-password';

function govmon(db: string, args: string[], input?: string): string {
  return execFileSync(process.execPath, [CLI, '--db', db, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    input,
    stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    env: { ...process.env, CI: 'true' },
    maxBuffer: 64 << 20,
  });
}

/** The sample city in a fresh database: its last full month run, its year evaluated. */
function sampleDb(work: string): string {
  const db = path.join(work, 'govmon.duckdb');
  const month = lastFullMonth(new Date());
  const sample = path.join(work, 'sample');
  govmon(db, ['sample', '--out', sample, '--end-month', month]);
  try {
    govmon(db, ['-q', 'ingest', sample]);
  } catch {
    // the sample city holds 21 invalid rows on purpose: exit code 2
  }
  govmon(db, ['-q', 'run', '--month', month, '--no-exports', '--no-dashboard']);
  const planted = JSON.parse(fs.readFileSync(path.join(sample, '.planted.json'), 'utf8')) as { evalYear: number };
  govmon(db, ['-q', 'evaluate', '--year', String(planted.evalYear)]);
  return db;
}

/** The five departments with the most systems (read before the portal takes the database). */
async function largestDepartments(db: string): Promise<string[]> {
  const store = await Store.open(db, { readOnly: true });
  try {
    const rows = await store.all<{ department: string }>(
      `SELECT department FROM systems_current WHERE NOT coalesce(classified, false) GROUP BY ALL ORDER BY count(*) DESC, department LIMIT 5`,
    );
    return rows.map((r) => r.department);
  } finally {
    store.close();
  }
}

function startServe(db: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [CLI, '--db', db, 'serve', '--port', '0'], { cwd: ROOT, env: { ...process.env, CI: 'true' } });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      const m = /正在提供：(http:\/\/\S+?\/)/.exec(out);
      if (m) resolve({ child, url: m[1] });
    });
    child.stderr!.setEncoding('utf8').on('data', (d: string) => process.stderr.write(d));
    child.on('exit', (code) => reject(new Error(`govmon serve ended (${code})`)));
  });
}

/** Log in over HTTP: the session cookie. */
async function login(url: string, user: string): Promise<string> {
  const page = await fetch(`${url}login`);
  const cookie = page.headers.getSetCookie()[0].split(';')[0];
  const token = /name="_csrf" value="([^"]+)"/.exec(await page.text())![1];
  const r = await fetch(`${url}login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: token, login: user, password: PASSWORD }).toString(),
  });
  if (r.status !== 302) throw new Error(`login ${user}: ${r.status}`);
  return r.headers.getSetCookie()[0].split(';')[0];
}

/** The pages a session asks for: the list pages and the system pages linked from its systems list. */
async function pagesOf(url: string, cookie: string, month: string, lists: string[]): Promise<string[]> {
  const html = await (await fetch(`${url}site/${month}/systems.html`, { headers: { cookie } })).text();
  const systems = [...new Set([...html.matchAll(/href="(systems\/[0-9a-f]{16}\.html)"/g)].map((m) => m[1]))].slice(0, 40);
  return [...lists, ...systems].map((p) => `/site/${month}/${p}`);
}

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return Number.NaN;
  const i = (sorted.length - 1) * p;
  const lo = Math.floor(i);
  return sorted[lo] + (sorted[Math.min(lo + 1, sorted.length - 1)] - sorted[lo]) * (i - lo);
}

async function main(): Promise<void> {
  const o = new Command()
    .option('--db <file>', 'an existing database with a monthly run (default: the sample city, made now)')
    .option('--connections <n>', 'concurrent logged-in sessions', '50')
    .option('--duration <s>', 'seconds', '60')
    .option('--out <file>', 'JSON result', path.join(ROOT, 'docs', 'bench', 'portal-load.json'))
    .parse(process.argv)
    .opts<{ db?: string; connections: string; duration: string; out: string }>();
  const connections = Number(o.connections);
  const duration = Number(o.duration);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'govmon-portal-load-'));
  let serve: ChildProcess | undefined;
  try {
    let db = o.db;
    if (!db) {
      process.stdout.write('生成示例城市并运行（一次）……\n');
      db = sampleDb(work);
    }
    // five bureau and five department accounts: logins are limited per account and address (10 a minute)
    const known = govmon(db, ['user', 'list']);
    const departments = await largestDepartments(db);
    const bureau = Array.from({ length: 5 }, (_, i) => `load-bureau-${i}`);
    const depts = departments.map((_, i) => `load-dept-${i}`);
    for (const u of bureau) if (!known.includes(`${u}　`)) govmon(db, ['-q', 'user', 'add', u, '--role', 'bureau'], `${PASSWORD}\n`);
    for (const [i, d] of departments.entries())
      if (!known.includes(`${depts[i]}　`))
        govmon(db, ['-q', 'user', 'add', depts[i], '--role', 'department', '--department', d], `${PASSWORD}\n`);
    const started = await startServe(db);
    serve = started.child;
    const url = started.url;
    const month = (/\/site\/(\d{4}-\d{2})\//.exec(
      (await fetch(`${url}`, { redirect: 'manual', headers: { cookie: await login(url, bureau[0]) } })).headers.get('location') ?? '',
    ) ?? [])[1];
    if (!month) throw new Error('no monthly run to serve');
    const sessions: { user: string; cookie: string; paths: string[] }[] = [];
    for (let i = 0; i < connections; i++) {
      // half the sessions the bureau's, half spread over the departments
      const user = i % 2 === 0 ? bureau[(i >> 1) % bureau.length] : depts[(i >> 1) % depts.length];
      const cookie = await login(url, user);
      const lists = bureau.includes(user)
        ? ['index.html', 'rectification.html', 'elimination.html', 'systems.html', 'annual.html']
        : ['rectification.html', 'systems.html', 'annual.html', 'calendar.html'];
      sessions.push({ user, cookie, paths: await pagesOf(url, cookie, month, lists) });
    }
    const times: number[] = [];
    const codes: Record<string, number> = {};
    let next = 0;
    const load = os.loadavg();
    process.stdout.write(`负载测试：${connections} 个会话，${duration} 秒，${url}（开始时 1 分钟负载 ${load[0].toFixed(2)}）\n`);
    // without a callback autocannon returns its event emitter made thenable (lib/init.js)
    const instance = autocannon({
      url,
      connections,
      duration,
      timeout: 30,
      setupClient: (client: autocannon.Client) => {
        const s = sessions[next++ % sessions.length];
        client.setRequests(s.paths.map((p) => ({ method: 'GET', path: p, headers: { cookie: s.cookie } })));
      },
    }) as unknown as autocannon.Instance & PromiseLike<autocannon.Result>;
    instance.on('response', (_client: autocannon.Client, statusCode: number, _bytes: number, ms: number) => {
      times.push(ms);
      codes[statusCode] = (codes[statusCode] ?? 0) + 1;
    });
    const result = await instance;
    times.sort((a, b) => a - b);
    const summary = {
      at: new Date().toISOString(),
      connections,
      duration_s: duration,
      sessions: {
        bureau: sessions.filter((s) => bureau.includes(s.user)).length,
        department: sessions.filter((s) => !bureau.includes(s.user)).length,
      },
      pages_per_session: Math.round(sessions.reduce((a, s) => a + s.paths.length, 0) / sessions.length),
      requests: times.length,
      requests_per_s: result.requests.average,
      latency_ms: { p50: percentile(times, 0.5), p95: percentile(times, 0.95), p99: percentile(times, 0.99), max: times[times.length - 1] },
      status: codes,
      errors: result.errors,
      timeouts: result.timeouts,
      non2xx: result.non2xx,
      load_before: load.map((x) => Number(x.toFixed(2))),
      load_after: os.loadavg().map((x) => Number(x.toFixed(2))),
      cpus: os.cpus().length,
      node: process.version,
    };
    fs.mkdirSync(path.dirname(o.out), { recursive: true });
    fs.writeFileSync(o.out, `${JSON.stringify(summary, null, 2)}\n`);
    process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
    process.stdout.write(
      `p50 ${summary.latency_ms.p50.toFixed(1)} ms，p95 ${summary.latency_ms.p95.toFixed(1)} ms，错误 ${result.errors}，超时 ${result.timeouts}，非 2xx ${result.non2xx}\n`,
    );
    if (result.errors || result.timeouts || result.non2xx) process.exitCode = 1;
  } finally {
    serve?.kill('SIGTERM');
    fs.rmSync(work, { recursive: true, force: true });
  }
}

await main();
