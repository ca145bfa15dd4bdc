// The Prometheus connector against a real Prometheus scraping a real node_exporter (Debian
// packages `prometheus` and `prometheus-node-exporter`), both started on free loopback ports with a
// temporary configuration and storage, scraping every second, and stopped afterwards — as the test
// run begins (tests/global-setup.ts), or here when that one started on another day.
// Expected values come from Prometheus itself through another path — the raw samples, or the
// instant-query endpoint — never from govmon.

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ingestFile } from '../pipelines/ingest/ingest.ts';
import { memoryLog } from '../core/log.ts';
import { UserError } from '../core/errors.ts';
import { addDays, shanghaiDate } from '../core/clock.ts';
import type { Store } from '../pipelines/store/database.ts';
import { validateConfig } from '../pipelines/connectors/config.ts';
import {
  PrometheusMapping,
  dayGrid,
  planQueries,
  endOfDayShanghai,
  loadPrometheusMapping,
  pullPrometheus,
  type PullPrometheusOptions,
} from '../pipelines/connectors/prometheus.ts';
import { pullRange } from '../apps/cli/commands/pull.ts';
import { NOW, withStore, writeFile } from './helpers.ts';
import {
  HAVE_PROMETHEUS as HAVE,
  INSTALL,
  freePort,
  instant,
  perStepDayExpr,
  sleep,
  startPrometheus,
  stopPrometheus,
  waitForValues,
  type Server,
} from './fixtures/prometheus.ts';

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

describe('planQueries(mapping)', () => {
  it('summarises a per-step column over the day with its step, substitutes $window (twice the step by default), and counts its steps', () => {
    const m = loadPrometheusMapping(TEMPLATE);
    const cpu = planQueries(m).queries.find((q) => q.column === 'cpu_max_pct')!;
    const perStep = (m.columns.cpu_max_pct as { per_step: string }).per_step;
    expect(cpu.expr).toBe(`max_over_time((${perStep.replaceAll('$window', '120s')})[1d:1m])`);
    expect(cpu.coverageExpr).toBe(`count_over_time((${perStep.replaceAll('$window', '120s')})[1d:1m])`);
    // busy = 1 − idle ÷ all modes: both rates over the same samples, so a young series or a gap cancels out
    expect(perStep).toMatch(
      /rate\(node_cpu_seconds_total\{mode="idle"\}\[\$window\]\).*\/ sum by \(instance\) \(rate\(node_cpu_seconds_total\[\$window\]\)\)/,
    );
    const five = planQueries({ ...m, step: '5m', window: '15m' }).queries.find((q) => q.column === 'cpu_avg_pct')!;
    expect(five.expr).toBe(`avg_over_time((${perStep.replaceAll('$window', '15m')})[1d:5m])`);
    // an expr column is asked as written
    expect(planQueries(m).queries.find((q) => q.column === 'mem_avg_pct')!.coverageExpr).toBeUndefined();
  });

  it('refuses a per-step column without its day summary, or one with both forms', () => {
    const { issues } = validateConfig(PrometheusMapping, {
      system_label: 'instance',
      step: '90x',
      columns: { cpu_avg_pct: { per_step: 'up' }, cpu_max_pct: { expr: 'up', per_step: 'up', day: 'max' } },
    });
    const byPath = Object.fromEntries(issues.map((i) => [i.path, i.message]));
    expect(byPath.step).toBe('step 应为整数加单位 s、m 或 h，如 1m、30s');
    expect(byPath['columns.cpu_avg_pct.day']).toBe('给出 per_step 时须用 day 指定一天内如何汇总（avg、max、min、last）');
    expect(byPath['columns.cpu_max_pct']).toBe('expr 与 per_step 应给出且只给出一个');
  });
});

// ---------------------------------------------------------------- with a real server

describe('the Prometheus binaries', () => {
  it.runIf(Boolean(process.env.CI))('are installed in CI', () => {
    expect(HAVE, `CI 环境缺少 prometheus 或 prometheus-node-exporter：请在 .ci/run 中 ${INSTALL}`).toBe(true);
  });
  if (!HAVE && !process.env.CI) console.warn(`注意：未找到 prometheus / prometheus-node-exporter，跳过 Prometheus 集成测试（${INSTALL}）`);
});

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const close = (a: number | null, b: number, rel = 1e-9) => {
  expect(a).not.toBeNull();
  expect(Math.abs(a! - b)).toBeLessThanOrEqual(rel * Math.max(1, Math.abs(b)));
};

describe.skipIf(!HAVE)('pullPrometheus against a real Prometheus and node_exporter', () => {
  let s: Server;
  const template = JSON.parse(fs.readFileSync(TEMPLATE, 'utf8')) as {
    columns: Record<string, { expr?: string; per_step?: string; day?: 'avg' | 'max' }>;
  };
  /** each column's day expression as the template means it (a per-step column summarised over the day) */
  const dayExpr = (c: string): string => {
    const col = template.columns[c];
    return col.expr ?? perStepDayExpr(col.per_step!, col.day!);
  };

  let own: Server | undefined;

  beforeAll(async () => {
    // The run's Prometheus (tests/global-setup.ts), started as the run began; a Prometheus of our own
    // where there is none, or where it started on another day (Asia/Shanghai): the tests below count
    // on a server that holds samples of today only.
    const shared = inject('prometheus');
    if (shared && shared.day === shanghaiDate(new Date()))
      s = { dir: '', promUrl: shared.promUrl, instance: shared.instance, procs: [], logs: [] };
    else s = own = await startPrometheus();
    // Ready, then every template expression has a value: the CPU subquery needs a whole minute
    // step with two samples in the window before it, so this takes up to about a minute after the
    // server's start.
    await waitForValues(s, Object.keys(template.columns).map(dayExpr));
  }, 180_000);

  afterAll(async () => {
    await stopPrometheus(own);
  });

  const REGISTRY = 'system_id,system_name,department,stage\nSYS-NODE,节点主机系统,大数据中心,operation\n';

  async function register(store: Store, ctx: { dir: string; archiveDir: string }): Promise<void> {
    const o = await ingestFile(store, writeFile(ctx.dir, 'systems.csv', REGISTRY), { now: new Date(), archiveDir: ctx.archiveDir });
    expect(o.status).toBe('loaded');
  }

  // A fresh server has only the last minutes of today: every per-step day is "too few samples" for
  // the template's min_coverage, so these tests, which compare values, accept any coverage.
  const mappingFor = (ctx: { dir: string }, systems: Record<string, string>, columns?: Record<string, unknown>, minCoverage = 0) => {
    const raw = JSON.parse(fs.readFileSync(TEMPLATE, 'utf8'));
    raw.systems = systems;
    raw.min_coverage = minCoverage;
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
        const direct = await instant(s, dayExpr(c), at);
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

  it('fails the pull for a column whose query returns no series (a misspelled metric), naming the expression, and keeps the stored value', async () => {
    await withStore(async (store, ctx) => {
      await register(store, ctx);
      const now = new Date(Math.floor(Date.now() / 1000) * 1000 - 5000);
      const today = shanghaiDate(now);
      const good = await pullPrometheus(
        store,
        options(ctx, { mapping: mappingFor(ctx, { [s.instance]: 'SYS-NODE' }), now, from: today, to: today }),
      );
      expect(good.outcome.status).toBe('loaded');
      const stored = () =>
        store.one<{ mem_avg_pct: number | null; cpu_avg_pct: number | null; file_id: number }>(
          `SELECT mem_avg_pct, cpu_avg_pct, file_id FROM telemetry_current WHERE system_id = 'SYS-NODE'`,
        );
      const before = (await stored())!;
      expect(before.mem_avg_pct).not.toBeNull();
      const template = JSON.parse(fs.readFileSync(TEMPLATE, 'utf8'));
      const misspelled = template.columns.mem_avg_pct.expr.replaceAll('MemAvailable', 'MemAvailible');
      const columns = { ...template.columns, mem_avg_pct: misspelled };
      // Another instant, with a scrape of the exporter after the first: not the same bytes as before
      // (the day's figures move with each sample). A second later is not always enough: under load
      // a scrape comes late, and two pulls of the same samples are byte-identical — the third pull
      // below was then a duplicate of the first (seen on main, load average 3–6).
      const newest = async () =>
        Number((await instant(s, `max(timestamp(up{job="node",instance="${s.instance}"}))`, Date.now() / 1000))[0]?.value?.[1] ?? 0);
      while ((await newest()) * 1000 <= now.getTime()) await sleep(200);
      const later = new Date(Math.max(now.getTime() + 1000, Math.ceil((await newest()) * 1000)));
      const e = await pullPrometheus(
        store,
        options(ctx, { mapping: mappingFor(ctx, { [s.instance]: 'SYS-NODE' }, columns), now: later, from: today, to: today }),
      ).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(UserError);
      expect((e as Error).message).toContain(`列 mem_avg_pct：${misspelled}`);
      expect((e as Error).message).toContain('没有返回任何序列');
      expect((e as Error).message).toContain('--allow-missing');
      // nothing was ingested: the day's row is the earlier good one
      expect(await stored()).toEqual(before);
      expect(await store.value('SELECT count(*) FROM files')).toBe(2);

      // accepted knowingly: the pull goes on, and the stored memory figure is kept, never NULL
      const log = memoryLog();
      const r = await pullPrometheus(
        store,
        options(ctx, {
          mapping: mappingFor(ctx, { [s.instance]: 'SYS-NODE' }, columns),
          now: later,
          from: today,
          to: today,
          log,
          allowMissing: true,
        }),
      );
      expect(r.missingColumns).toEqual(['mem_avg_pct']);
      expect(r.outcome.status).toBe('loaded');
      const after = (await stored())!;
      expect(after.file_id).toBe(r.outcome.fileId);
      expect(after.mem_avg_pct).toBe(before.mem_avg_pct);
      expect(r.keptCells).toBe(1);
      expect(log.lines.join('\n')).toContain('列 mem_avg_pct 的查询没有返回任何序列，按 --allow-missing 跳过（保留数据库中已有的值）');
    });
  });

  it('marks a day whose per-step CPU has too few samples and leaves it empty instead of guessing', async () => {
    await withStore(async (store, ctx) => {
      await register(store, ctx);
      const now = new Date(Math.floor(Date.now() / 1000) * 1000 - 5000);
      const at = now.getTime() / 1000;
      const today = shanghaiDate(now);
      const log = memoryLog();
      // the share of today's minutes (up to now) in which the CPU curve has a value, asked directly
      const perStep = (template.columns.cpu_avg_pct.per_step as string).replaceAll('$window', '120s');
      const counted = Number((await instant(s, `count_over_time((${perStep})[1d:1m])`, at))[0].value![1]);
      const minutesToday = Math.floor((at - Date.parse(`${today}T00:00:00+08:00`) / 1000) / 60);
      const coverage = Math.min(1, counted / minutesToday);
      const minCoverage = 0.99;
      const r = await pullPrometheus(
        store,
        options(ctx, { mapping: mappingFor(ctx, { [s.instance]: 'SYS-NODE' }, undefined, minCoverage), now, from: today, to: today, log }),
      );
      const row = (await store.one<{ cpu_avg_pct: number | null; cpu_max_pct: number | null; mem_avg_pct: number | null }>(
        `SELECT cpu_avg_pct, cpu_max_pct, mem_avg_pct FROM telemetry_current WHERE system_id = 'SYS-NODE'`,
      ))!;
      expect(row.mem_avg_pct).not.toBeNull();
      if (coverage < minCoverage) {
        // a fresh server holds minutes of a day that began hours ago
        expect(r.marked.map((m) => [m.column, m.system_id, m.date])).toEqual([
          ['cpu_avg_pct', 'SYS-NODE', today],
          ['cpu_max_pct', 'SYS-NODE', today],
        ]);
        expect(Math.abs(r.marked[0].coverage - coverage)).toBeLessThan(0.01);
        expect([row.cpu_avg_pct, row.cpu_max_pct]).toEqual([null, null]);
        expect(log.lines.join('\n')).toMatch(/警告：1 个“系统×日”的采样不足当天的 99%（min_coverage）.*SYS-NODE/);
      } else {
        expect(r.marked).toEqual([]);
        expect(row.cpu_avg_pct).not.toBeNull();
      }
    });
  });
});
