// The Prometheus connector against a real Prometheus scraping a real node_exporter (Debian
// packages `prometheus` and `prometheus-node-exporter`), both started here on free loopback ports
// with a temporary configuration and storage, scraping every second, and stopped afterwards.
// Expected values come from Prometheus itself through another path — the raw samples, or the
// instant-query endpoint — never from govmon.

import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestFile } from '../pipelines/ingest/ingest.ts';
import { memoryLog } from '../core/log.ts';
import { UserError } from '../core/errors.ts';
import { addDays, shanghaiDate } from '../core/clock.ts';
import type { Store } from '../pipelines/store/database.ts';
import { validateConfig } from '../pipelines/connectors/config.ts';
import {
  PrometheusMapping,
  dayGrid,
  endOfDayShanghai,
  loadPrometheusMapping,
  pullPrometheus,
  type PullPrometheusOptions,
} from '../pipelines/connectors/prometheus.ts';
import { pullRange } from '../apps/cli/commands/pull.ts';
import { NOW, tempDir, withStore, writeFile } from './helpers.ts';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const TEMPLATE = path.join(REPO, 'data/templates/prometheus-node-exporter.json');

// ---------------------------------------------------------------- without a server

describe('dayGrid(from, to, now)', () => {
  it('evaluates a finished day at 24:00 Beijing time (16:00 UTC), today at now, and skips the future', () => {
    // NOW is 2026-11-22 10:00 in Asia/Shanghai
    const g = dayGrid('2026-11-20', '2026-11-24', NOW);
    expect(g.complete).toEqual([
      { date: '2026-11-20', at: Date.parse('2026-11-20T16:00:00Z') / 1000 },
      { date: '2026-11-21', at: Date.parse('2026-11-21T16:00:00Z') / 1000 },
    ]);
    expect(g.today).toEqual({ date: '2026-11-22', at: NOW.getTime() / 1000 });
    expect(g.future).toBe(2);
  });

  it('has one step of 86,400 s between finished days, across a month end', () => {
    expect(endOfDayShanghai('2026-03-01') - endOfDayShanghai('2026-02-28')).toBe(86_400);
    expect(new Date(endOfDayShanghai('2026-12-31') * 1000).toISOString()).toBe('2026-12-31T16:00:00.000Z');
  });
});

describe('pullRange(--month, --from, --to)', () => {
  it('takes the month, narrows it with --from/--to, and refuses days outside it', () => {
    expect(pullRange({ month: '2026-02' })).toEqual({ from: '2026-02-01', to: '2026-02-28' });
    expect(pullRange({ month: '2026-02', from: '2026-02-10' })).toEqual({ from: '2026-02-10', to: '2026-02-28' });
    expect(pullRange({ from: '2026-01-30', to: '2026-02-02' })).toEqual({ from: '2026-01-30', to: '2026-02-02' });
    expect(() => pullRange({ month: '2026-02', to: '2026-03-01' })).toThrow('--from 和 --to 应在 --month 2026-02 之内');
    expect(() => pullRange({ from: '2026-02-30', to: '2026-03-01' })).toThrow('--from 不是有效的日期');
    expect(() => pullRange({ from: '2026-02-01' })).toThrow('请用 --month 指定月份，或同时给出 --from 和 --to');
  });
});

describe('PrometheusMapping', () => {
  it('accepts the shipped node_exporter example', () => {
    const m = loadPrometheusMapping(TEMPLATE);
    expect(m.system_label).toBe('instance');
    expect(Object.keys(m.columns).sort()).toEqual(['availability_pct', 'cpu_avg_pct', 'cpu_max_pct', 'mem_avg_pct', 'storage_used_gb']);
  });

  it('names every error by its dotted path, in Chinese', () => {
    const { issues } = validateConfig(PrometheusMapping, {
      system_label: 'in stance',
      columns: { cpu_avg_pct: '', mem_avg_pct: { expr: 'up', combine: 'median' }, cpu: 'x' },
    });
    const byPath = Object.fromEntries(issues.map((i) => [i.path, i.message]));
    expect(byPath).toEqual({
      system_label: '应为 Prometheus 标签名，如 instance 或 system',
      'columns.cpu_avg_pct.expr': 'PromQL 表达式不能为空',
      'columns.mem_avg_pct.combine': '应为 avg、max、min、sum 之一',
      columns: '未知的字段：cpu',
    });
    expect(validateConfig(PrometheusMapping, { system_label: 'x', columns: {} }).issues).toEqual([
      { path: 'columns', message: '至少要为一列监测数据给出 PromQL 表达式' },
    ]);
  });
});

// ---------------------------------------------------------------- with a real server

function onPath(names: string[]): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter))
    for (const n of names) if (dir && fs.existsSync(path.join(dir, n))) return path.join(dir, n);
  return undefined;
}
const PROMETHEUS = onPath(['prometheus']);
const NODE_EXPORTER = onPath(['prometheus-node-exporter', 'node_exporter']);
const HAVE = Boolean(PROMETHEUS && NODE_EXPORTER);
const INSTALL = 'apt-get install -y prometheus prometheus-node-exporter';

describe('the Prometheus binaries', () => {
  it.runIf(Boolean(process.env.CI))('are installed in CI', () => {
    expect(HAVE, `CI 环境缺少 prometheus 或 prometheus-node-exporter：请在 .ci/run 中 ${INSTALL}`).toBe(true);
  });
  if (!HAVE && !process.env.CI) console.warn(`注意：未找到 prometheus / prometheus-node-exporter，跳过 Prometheus 集成测试（${INSTALL}）`);
});

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Server {
  dir: string;
  promUrl: string;
  instance: string;
  procs: ChildProcess[];
  logs: string[];
}

/** Our own instant query: GET /api/v1/query (govmon uses POST /api/v1/query_range). */
async function instant(
  s: Server,
  query: string,
  time: number,
): Promise<{ metric: Record<string, string>; value?: [number, string]; values?: [number, string][] }[]> {
  const res = await fetch(`${s.promUrl}/api/v1/query?${new URLSearchParams({ query, time: String(time) })}`);
  const body = (await res.json()) as { status: string; data: { result: never[] }; error?: string };
  if (body.status !== 'success') throw new Error(`${query}: ${body.error}`);
  return body.data.result;
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const close = (a: number | null, b: number, rel = 1e-9) => {
  expect(a).not.toBeNull();
  expect(Math.abs(a! - b)).toBeLessThanOrEqual(rel * Math.max(1, Math.abs(b)));
};

describe.skipIf(!HAVE)('pullPrometheus against a real Prometheus and node_exporter', () => {
  let s: Server;
  const template = JSON.parse(fs.readFileSync(TEMPLATE, 'utf8')) as { columns: Record<string, { expr: string }> };

  beforeAll(async () => {
    const dir = tempDir('govmon-prom-');
    const [promPort, nodePort] = [await freePort(), await freePort()];
    const instance = `127.0.0.1:${nodePort}`;
    // job "node", as the template's up{job="node"} expects
    fs.writeFileSync(
      path.join(dir, 'prometheus.yml'),
      `global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nscrape_configs:\n  - job_name: node\n    static_configs:\n      - targets: ['${instance}']\n`,
    );
    s = { dir, promUrl: `http://127.0.0.1:${promPort}`, instance, procs: [], logs: [] };
    const start = (cmd: string, args: string[]) => {
      const p = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
      p.stdout!.on('data', (d) => s.logs.push(String(d)));
      p.stderr!.on('data', (d) => s.logs.push(String(d)));
      s.procs.push(p);
    };
    start(NODE_EXPORTER!, [
      `--web.listen-address=${instance}`,
      '--collector.disable-defaults',
      '--collector.cpu',
      '--collector.meminfo',
      '--collector.filesystem',
    ]);
    start(PROMETHEUS!, [
      `--config.file=${path.join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${promPort}`,
    ]);
    // Ready, then every template expression has a value: the CPU subquery needs a whole minute
    // step with two samples in the 5 minutes before it, so this takes up to about a minute.
    const deadline = Date.now() + 150_000;
    for (;;) {
      if (Date.now() > deadline) throw new Error(`Prometheus 没有在限定时间内产生数据：\n${s.logs.join('').slice(-3000)}`);
      try {
        // ready 10 s ago means ready at the "now − 5 s" of the tests (a later instant only adds points)
        const now = Math.floor(Date.now() / 1000) - 10;
        const ready = await Promise.all(Object.values(template.columns).map(async (c) => (await instant(s, c.expr, now)).length > 0));
        if (ready.every(Boolean)) break;
      } catch {
        // not listening yet
      }
      await sleep(1000);
    }
  });

  afterAll(async () => {
    for (const p of s?.procs ?? []) {
      if (p.exitCode === null) {
        p.kill('SIGTERM');
        await new Promise((r) => p.once('exit', r));
      }
    }
    if (s) fs.rmSync(s.dir, { recursive: true, force: true });
  });

  const REGISTRY = 'system_id,system_name,department,stage\nSYS-NODE,节点主机系统,大数据中心,operation\n';

  async function register(store: Store, ctx: { dir: string; archiveDir: string }): Promise<void> {
    const o = await ingestFile(store, writeFile(ctx.dir, 'systems.csv', REGISTRY), { now: new Date(), archiveDir: ctx.archiveDir });
    expect(o.status).toBe('loaded');
  }

  const mappingFor = (ctx: { dir: string }, systems: Record<string, string>, columns?: Record<string, unknown>) => {
    const raw = JSON.parse(fs.readFileSync(TEMPLATE, 'utf8'));
    raw.systems = systems;
    if (columns) raw.columns = columns;
    return loadPrometheusMapping(writeFile(ctx.dir, `mapping-${Math.random().toString(36).slice(2)}.json`, JSON.stringify(raw)));
  };

  const options = (
    ctx: { dir: string; archiveDir: string },
    o: Partial<PullPrometheusOptions> & Pick<PullPrometheusOptions, 'mapping' | 'now' | 'from' | 'to'>,
  ): PullPrometheusOptions => ({
    url: s.promUrl,
    workDir: path.join(ctx.dir, 'pulls'),
    archiveDir: ctx.archiveDir,
    log: memoryLog(),
    ...o,
  });

  // A fresh server holds only the last minutes: "a month" here is the range that exists — today
  // (evaluated at now) — plus yesterday, before the server started, which must yield no row.
  it("ingests today's real samples as one telemetry row whose values match Prometheus's own answers (a fresh server has only today)", async () => {
    await withStore(async (store, ctx) => {
      await register(store, ctx);
      // 5 s in the past, so every scrape up to that instant is stored when both sides ask
      const now = new Date(Math.floor(Date.now() / 1000) * 1000 - 5000);
      const at = now.getTime() / 1000;
      const today = shanghaiDate(now);
      const log = memoryLog();
      const r = await pullPrometheus(
        store,
        options(ctx, { mapping: mappingFor(ctx, { [s.instance]: 'SYS-NODE' }), now, from: addDays(today, -1), to: today, log }),
      );
      expect(r.outcome).toMatchObject({ status: 'loaded', kind: 'telemetry', rowsLoaded: 1, rowsRejected: 0 });
      const rows = await store.all<Record<string, number | string | null>>('SELECT * FROM raw_telemetry ORDER BY date');
      expect(rows.map((x) => [x.system_id, x.date])).toEqual([['SYS-NODE', today]]);
      const row = rows[0] as Record<string, number | null>;

      const sel = `instance="${s.instance}"`;
      // availability: mean of the raw `up` samples of the day × 100
      const up = await instant(s, `up{job="node",${sel}}[1d]`, at);
      close(row.availability_pct, 100 * mean(up[0].values!.map(([, v]) => Number(v))));
      // memory: 1 − mean(MemAvailable) / mean(MemTotal), from the raw samples
      const avail = await instant(s, `node_memory_MemAvailable_bytes{${sel}}[1d]`, at);
      const total = await instant(s, `node_memory_MemTotal_bytes{${sel}}[1d]`, at);
      close(
        row.mem_avg_pct,
        100 * (1 - mean(avail[0].values!.map(([, v]) => Number(v))) / mean(total[0].values!.map(([, v]) => Number(v)))),
      );
      // storage: the latest size − free of each local filesystem, summed, in GB (1024³)
      const fs_ = 'fstype!~"tmpfs|ramfs|devtmpfs|overlay|squashfs|nsfs|autofs|fuse.*"';
      const size = await instant(s, `node_filesystem_size_bytes{${sel},${fs_}}[1d]`, at);
      const free = await instant(s, `node_filesystem_free_bytes{${sel},${fs_}}[1d]`, at);
      const key = (m: Record<string, string>) => JSON.stringify({ ...m, __name__: undefined });
      const last = (v: [number, string][]) => Number(v[v.length - 1][1]);
      const freeBy = new Map(free.map((x) => [key(x.metric), last(x.values!)]));
      expect(size.length).toBeGreaterThan(0);
      close(row.storage_used_gb, size.reduce((a, x) => a + last(x.values!) - freeBy.get(key(x.metric))!, 0) / 1024 ** 3);
      // CPU: the same expression asked through the instant-query endpoint at the same instant
      for (const c of ['cpu_avg_pct', 'cpu_max_pct'] as const) {
        const direct = await instant(s, template.columns[c].expr, at);
        close(row[c], Number(direct[0].value![1]));
      }
      expect(row.cpu_avg_pct!).toBeGreaterThanOrEqual(0);
      expect(row.cpu_max_pct!).toBeGreaterThanOrEqual(row.cpu_avg_pct!);
      expect(row.cpu_max_pct!).toBeLessThanOrEqual(100);
      // columns without a source stay empty
      expect([row.active_users, row.requests, row.open_high_vulns]).toEqual([null, null, null]);

      // the validated path: archived by hash, registered in `files`, the same bytes again a no-op
      const f = (await store.one<{ kind: string; archive_path: string }>('SELECT kind, archive_path FROM files WHERE file_id = $1', [
        r.outcome.fileId!,
      ]))!;
      expect(f.kind).toBe('telemetry');
      expect(fs.readFileSync(f.archive_path, 'utf8')).toBe(fs.readFileSync(r.csvPath, 'utf8'));
      const again = await pullPrometheus(
        store,
        options(ctx, { mapping: mappingFor(ctx, { [s.instance]: 'SYS-NODE' }), now, from: today, to: today }),
      );
      expect(again.outcome.status).toBe('duplicate');
      expect(log.lines.join('\n')).toMatch(/不是完整的一天/);
    });
  });

  it('rejects through ingest validation what the data contract forbids, with row, column and reason', async () => {
    await withStore(async (store, ctx) => {
      await register(store, ctx);
      const now = new Date(Date.now() - 5000);
      const today = shanghaiDate(now);
      // 200 % availability is not a percentage; an instance mapped to an unregistered system
      const mapping = mappingFor(
        ctx,
        { [s.instance]: 'SYS-NODE' },
        { availability_pct: `200 * avg by (instance) (avg_over_time(up{job="node"}[1d]))` },
      );
      const r = await pullPrometheus(store, options(ctx, { mapping, now, from: today, to: today }));
      expect(r.outcome).toMatchObject({ status: 'rejected', rowsLoaded: 0, rowsRejected: 1 });
      const rej = await store.all<{ row_no: number; column_name: string; value: string }>('SELECT row_no, column_name, value FROM rejects');
      expect(rej).toEqual([{ row_no: 2, column_name: 'availability_pct', value: '200.0' }]);

      const unknown = await pullPrometheus(
        store,
        options(ctx, { mapping: mappingFor(ctx, { [s.instance]: 'SYS-UNREGISTERED' }), now, from: today, to: today }),
      );
      expect(unknown.outcome.status).toBe('rejected');
      expect(await store.value(`SELECT count(*) FROM rejects WHERE column_name = 'system_id' AND value = 'SYS-UNREGISTERED'`)).toBe(1);
    });
  });

  it('warns about label values the systems map does not name, and fails in Chinese when nothing is left', async () => {
    await withStore(async (store, ctx) => {
      await register(store, ctx);
      const log = memoryLog();
      const now = new Date(Date.now() - 5000);
      const today = shanghaiDate(now);
      const p = pullPrometheus(
        store,
        options(ctx, { mapping: mappingFor(ctx, { '10.0.0.1:9100': 'SYS-NODE' }), now, from: today, to: today, log }),
      );
      await expect(p).rejects.toThrow(UserError);
      await expect(p).rejects.toThrow(/没有返回可用的数据（返回的序列都不在 systems 映射中）/);
      expect(log.lines.join('\n')).toContain(`警告：标签 instance 的 1 个值不在映射文件的 systems 中，其数据未导入：${s.instance}`);
    });
  });

  it('turns a PromQL error, a wrong URL and an unreachable server into one Chinese line each', async () => {
    await withStore(async (store, ctx) => {
      const now = new Date(Date.now() - 5000);
      const today = shanghaiDate(now);
      const good = mappingFor(ctx, { [s.instance]: 'SYS-NODE' });
      const bad = mappingFor(ctx, {}, { cpu_avg_pct: 'rate(node_cpu_seconds_total[5m]' });
      const fail = async (o: Partial<PullPrometheusOptions>) => {
        const e = await pullPrometheus(store, options(ctx, { mapping: good, now, from: today, to: today, ...o })).catch((x: unknown) => x);
        expect(e).toBeInstanceOf(UserError);
        expect((e as Error).message).not.toMatch(/\n\s+at /);
        return (e as Error).message;
      };
      expect(await fail({ mapping: bad })).toMatch(
        /^Prometheus 拒绝了列 cpu_avg_pct 的查询 rate\(node_cpu_seconds_total\[5m\] （bad_data）：.*parse error/,
      );
      expect(await fail({ url: `${s.promUrl}/not-prometheus` })).toMatch(/上没有 Prometheus API（HTTP 404）/);
      const closed = await freePort();
      expect(await fail({ url: `http://127.0.0.1:${closed}` })).toMatch(
        /^无法连接 Prometheus http:\/\/127\.0\.0\.1:\d+\/：连接被拒绝.*（ECONNREFUSED）/,
      );
      expect(await fail({ url: 'ftp://127.0.0.1' })).toBe('Prometheus 地址应以 http:// 或 https:// 开头：ftp://127.0.0.1');
    });
  });
});
