// Prometheus connector (docs/inputs.md §2.5): daily telemetry pulled from a Prometheus server through
// `query_range`, one point per day, and ingested through the same validated path as a file — the
// rows are written to a telemetry CSV in a work folder and handed to ingestFile, so they are
// archived, hashed, validated in DuckDB and rejected with row, column and reason like any export.
//
// Day convention (Asia/Shanghai, fixed UTC+8, no daylight saving): the value of day D is the
// expression evaluated at the end of D, 24:00 Beijing time = D 16:00 UTC. Expressions summarise
// their day with `[1d]` windows (`avg_over_time(x[1d])`, `max_over_time(expr[1d:1m])`,
// `last_over_time(x[1d])`), so the point at the end of D covers D. Today is not over: its point is
// evaluated at the moment of the pull ("now") and is replaced by a later pull. Days after today
// are not asked for.

import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { z } from 'zod';
import { UserError } from '../../core/errors.ts';
import { addDays, shanghaiDate } from '../../core/clock.ts';
import type { Log } from '../../core/log.ts';
import type { Store } from '../store/database.ts';
import { ident, sqlString } from '../../core/sql.ts';
import { CONTRACT, type ColumnType } from '../../metrics/contract.ts';
import { formatOutcome, ingestFile, type FileOutcome } from '../ingest/ingest.ts';
import { readJsonConfig } from './config.ts';
import { PrometheusClient } from './prometheus-api.ts';

// ---------------------------------------------------------------- the mapping file

/** The telemetry columns a PromQL expression can fill (all but the key). */
export const METRIC_COLUMNS = [
  'cpu_avg_pct',
  'cpu_max_pct',
  'mem_avg_pct',
  'storage_used_gb',
  'active_users',
  'requests',
  'availability_pct',
  'open_high_vulns',
] as const;
export type MetricColumn = (typeof METRIC_COLUMNS)[number];

const TELEMETRY = CONTRACT.telemetry.columns;
const typeOf = (c: MetricColumn): ColumnType => TELEMETRY.find((x) => x.name === c)!.type;

export type Combine = 'avg' | 'max' | 'min' | 'sum';
export const COMBINE_ZH: Record<Combine, string> = { avg: '平均', max: '最大值', min: '最小值', sum: '求和' };

/**
 * How several series that map to one system on one day (a system on several hosts) become one
 * value, unless the mapping says otherwise: amounts add up, a peak is the largest peak, a rate or
 * share is averaged.
 */
export const DEFAULT_COMBINE: Record<MetricColumn, Combine> = {
  cpu_avg_pct: 'avg',
  cpu_max_pct: 'max',
  mem_avg_pct: 'avg',
  storage_used_gb: 'sum',
  active_users: 'sum',
  requests: 'sum',
  availability_pct: 'avg',
  open_high_vulns: 'sum',
};

const Expr = z.string({ error: '应为 PromQL 表达式（字符串）' }).trim().min(1, 'PromQL 表达式不能为空');
/** A column's source: the expression itself, or { expr, combine, note }. */
const Source = z.preprocess(
  (v) => (typeof v === 'string' ? { expr: v } : v),
  z.strictObject(
    {
      expr: Expr,
      combine: z.enum(['avg', 'max', 'min', 'sum'], { error: '应为 avg、max、min、sum 之一' }).optional(),
      note: z.string().optional(),
    },
    { error: '应为 PromQL 表达式，或 { "expr": 表达式, "combine": "avg|max|min|sum" }' },
  ),
);

export const PrometheusMapping = z.strictObject({
  /** free text for the people who maintain the file */
  description: z.string().optional(),
  /** the label whose value names the system (e.g. instance, or a `system` label set in scrape configs) */
  system_label: z
    .string({ error: '应为标签名（字符串），如 instance 或 system' })
    .regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, '应为 Prometheus 标签名，如 instance 或 system'),
  /** label value → system_id; without it the label value is the system_id */
  systems: z.record(z.string(), z.string().trim().min(1, '系统编号不能为空')).optional(),
  columns: z
    .strictObject(
      Object.fromEntries(METRIC_COLUMNS.map((c) => [c, Source.optional()])) as Record<MetricColumn, z.ZodOptional<typeof Source>>,
    )
    .refine((cols) => Object.values(cols).some((v) => v !== undefined), '至少要为一列监测数据给出 PromQL 表达式'),
});
export type PrometheusMapping = z.infer<typeof PrometheusMapping>;

export function loadPrometheusMapping(file: string): PrometheusMapping {
  return readJsonConfig(file, PrometheusMapping, 'Prometheus 映射文件');
}

interface ColumnQuery {
  column: MetricColumn;
  expr: string;
  combine: Combine;
}

function columnQueries(m: PrometheusMapping): ColumnQuery[] {
  return METRIC_COLUMNS.flatMap((column) => {
    const src = m.columns[column];
    return src ? [{ column, expr: src.expr, combine: src.combine ?? DEFAULT_COMBINE[column] }] : [];
  });
}

// ---------------------------------------------------------------- the day grid

const DAY = 86_400;
const SHANGHAI_OFFSET = 8 * 3600;

/** Unix seconds of 24:00 Beijing time at the end of `date` (YYYY-MM-DD). */
export function endOfDayShanghai(date: string): number {
  const [y, m, d] = date.split('-').map(Number);
  return Date.UTC(y, m - 1, d + 1) / 1000 - SHANGHAI_OFFSET;
}

export interface DayPoint {
  date: string;
  /** unix seconds at which the day is evaluated */
  at: number;
}

export interface DayGrid {
  /** finished days, evaluated at their end, one step (1 d) apart */
  complete: DayPoint[];
  /** today, if in range: evaluated at `now` */
  today?: DayPoint;
  /** days of the range after today, not asked for */
  future: number;
}

export function dayGrid(from: string, to: string, now: Date): DayGrid {
  const today = shanghaiDate(now);
  const grid: DayGrid = { complete: [], future: 0 };
  for (let d = from; d <= to; d = addDays(d, 1)) {
    if (d < today) grid.complete.push({ date: d, at: endOfDayShanghai(d) });
    else if (d === today) grid.today = { date: d, at: Math.floor(now.getTime() / 1000) };
    else grid.future++;
  }
  return grid;
}

// ---------------------------------------------------------------- the pull

export interface PullPrometheusOptions {
  url: string;
  mapping: PrometheusMapping;
  /** first and last day, YYYY-MM-DD (Asia/Shanghai) */
  from: string;
  to: string;
  now: Date;
  /** where the samples and the telemetry CSV of this pull are written (kept as a record) */
  workDir: string;
  archiveDir?: string;
  timeoutMs?: number;
  log: Log;
}

export interface PullPrometheusResult {
  outcome: FileOutcome;
  /** the telemetry file that was ingested, and the raw samples it was built from */
  csvPath: string;
  samplesPath: string;
  samples: number;
  rows: number;
  /** label values that the `systems` map does not name (their series were left out) */
  unmappedValues: string[];
}

const CLOCK = new Intl.DateTimeFormat('zh-CN', {
  timeZone: 'Asia/Shanghai',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hour12: false,
});
const clockTime = (unixSeconds: number): string => CLOCK.format(new Date(unixSeconds * 1000));

/** Pull the days from..to and ingest them as telemetry. */
export async function pullPrometheus(store: Store, o: PullPrometheusOptions): Promise<PullPrometheusResult> {
  const { log } = o;
  const grid = dayGrid(o.from, o.to, o.now);
  if (grid.future) log.info(`注意：${o.from} 至 ${o.to} 中有 ${grid.future} 天在今天之后，不拉取`);
  if (!grid.complete.length && !grid.today) throw new UserError(`${o.from} 至 ${o.to} 都在今天之后，没有可拉取的数据`);
  const client = new PrometheusClient(o.url, { timeoutMs: o.timeoutMs });
  const queries = columnQueries(o.mapping);
  const dateAt = new Map<number, string>([...grid.complete, ...(grid.today ? [grid.today] : [])].map((p) => [p.at, p.date]));

  const dir = path.join(
    o.workDir,
    `prometheus-${o.now.toISOString().replace(/[-:]/g, '').slice(0, 15)}-${crypto.randomBytes(3).toString('hex')}`,
  );
  fs.mkdirSync(dir, { recursive: true });
  try {
    return await pullInto(store, o, dir, { grid, client, queries, dateAt });
  } catch (e) {
    // nothing was handed to ingest: a folder of partial samples is no record worth keeping
    fs.rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}

interface PullPlan {
  grid: DayGrid;
  client: PrometheusClient;
  queries: ColumnQuery[];
  /** unix seconds of each point → its date */
  dateAt: Map<number, string>;
}

async function pullInto(
  store: Store,
  o: PullPrometheusOptions,
  dir: string,
  { grid, client, queries, dateAt }: PullPlan,
): Promise<PullPrometheusResult> {
  const { log } = o;
  const label = o.mapping.system_label;
  const systems = o.mapping.systems;
  const samplesPath = path.join(dir, 'samples.ndjson');
  const out = fs.openSync(samplesPath, 'w');
  let samples = 0;
  const unmapped = new Set<string>();
  const noLabel = new Map<MetricColumn, number>();
  const notFinite = new Map<MetricColumn, number>();
  try {
    for (const q of queries) {
      const what = `列 ${q.column} 的查询 ${q.expr} `;
      const answers = [];
      if (grid.complete.length)
        answers.push(await client.queryRange(q.expr, grid.complete[0].at, grid.complete[grid.complete.length - 1].at, DAY, what));
      if (grid.today) answers.push(await client.queryRange(q.expr, grid.today.at, grid.today.at, DAY, what));
      for (const a of answers) {
        for (const w of a.warnings) log.warn(`Prometheus 对列 ${q.column} 的查询给出警告：${w}`);
        for (const s of a.series) {
          const value = s.metric[label];
          if (value === undefined) {
            noLabel.set(q.column, (noLabel.get(q.column) ?? 0) + 1);
            continue;
          }
          const systemId = systems ? systems[value] : value;
          if (systemId === undefined) {
            unmapped.add(value);
            continue;
          }
          let chunk = '';
          for (const [ts, v] of s.values) {
            const date = dateAt.get(Math.round(ts));
            if (date === undefined) throw new Error(`Prometheus returned a point at ${ts}, not on the requested grid`);
            const x = Number(v);
            if (!Number.isFinite(x)) {
              notFinite.set(q.column, (notFinite.get(q.column) ?? 0) + 1);
              continue;
            }
            chunk += JSON.stringify({ column: q.column, system_id: systemId, date, value: x, label_value: value }) + '\n';
            samples++;
          }
          fs.writeSync(out, chunk);
        }
      }
    }
  } finally {
    fs.closeSync(out);
  }
  for (const [c, n] of noLabel)
    log.warn(`列 ${c}：${n} 条序列没有标签 ${label}，已跳过（请在表达式中保留该标签，如 avg by (${label}) (...)）`);
  for (const [c, n] of notFinite) log.warn(`列 ${c}：${n} 个值不是有限数（NaN 或 ±Inf），按缺失处理`);
  if (unmapped.size) {
    const list = [...unmapped].sort();
    log.warn(
      `标签 ${label} 的 ${list.length} 个值不在映射文件的 systems 中，其数据未导入：${list.slice(0, 20).join('、')}${list.length > 20 ? ' 等' : ''}`,
    );
  }
  if (samples === 0)
    throw new UserError(
      `Prometheus ${client.where} 在 ${o.from} 至 ${o.to} 没有返回可用的数据${unmapped.size ? '（返回的序列都不在 systems 映射中）' : ''}：请检查映射表达式、标签 ${label} 和日期范围`,
    );

  const host = client.base.host.replace(/[^a-zA-Z0-9.-]+/g, '-');
  const first = grid.complete[0]?.date ?? grid.today!.date;
  const last = grid.today?.date ?? grid.complete[grid.complete.length - 1].date;
  const csvPath = path.join(dir, `prometheus_${host}_${first}_${last}.csv`);
  const rows = await assembleTelemetry(store, samplesPath, csvPath, queries, log);
  log.info(
    `从 Prometheus ${client.where} 拉取 ${first} 至 ${last}${grid.today ? `（今天 ${grid.today.date} 截至北京时间 ${clockTime(grid.today.at)}，不是完整的一天）` : ''}：` +
      `${queries.length} 列，${samples} 个数据点，合成 ${rows} 行（系统×日）`,
  );

  const outcome = await ingestFile(store, csvPath, { kind: 'telemetry', now: o.now, archiveDir: o.archiveDir, log });
  log.info(formatOutcome(outcome));
  return { outcome, csvPath, samplesPath, samples, rows, unmappedValues: [...unmapped].sort() };
}

/**
 * Samples (one per column, system, day and series) → one telemetry row per system and day, in
 * DuckDB: series of one system are combined per column, integer columns rounded (increase()
 * extrapolates to fractions), percentages within 1 point outside 0–100 (rate() extrapolation)
 * brought to the bound; anything further out is left for validation to reject.
 */
async function assembleTelemetry(store: Store, samplesPath: string, csvPath: string, queries: ColumnQuery[], log: Log): Promise<number> {
  const combineCase = `CASE "column" ${queries.map((q) => `WHEN ${sqlString(q.column)} THEN ${q.combine}(value)`).join(' ')} END`;
  const bounded = (v: string, c: MetricColumn): string => {
    const t = typeOf(c);
    if (t === 'int') return `TRY_CAST(round(${v}) AS BIGINT)`;
    if (t === 'pct') return `CASE WHEN ${v} BETWEEN -1 AND 0 THEN 0 WHEN ${v} BETWEEN 100 AND 101 THEN 100 ELSE ${v} END`;
    return v;
  };
  const pctCols = queries.filter((q) => typeOf(q.column) === 'pct').map((q) => sqlString(q.column));
  try {
    await store.run(`CREATE OR REPLACE TEMP TABLE gm_prom_combined AS
      SELECT "column", system_id, date, ${combineCase} AS value, count(*) AS series
      FROM read_json(${sqlString(samplesPath)}, format = 'newline_delimited',
        columns = {'column': 'VARCHAR', 'system_id': 'VARCHAR', 'date': 'DATE', 'value': 'DOUBLE', 'label_value': 'VARCHAR'})
      GROUP BY "column", system_id, date`);
    const cols = queries.map(
      (q) => `${bounded(`any_value(value) FILTER (WHERE "column" = ${sqlString(q.column)})`, q.column)} AS ${ident(q.column)}`,
    );
    const n = await store.run(
      `COPY (SELECT system_id, strftime(date, '%Y-%m-%d') AS date, ${cols.join(', ')} FROM gm_prom_combined GROUP BY system_id, date ORDER BY system_id, date)
       TO ${sqlString(csvPath)} (FORMAT csv, HEADER true)`,
    );
    const notes = await store.all<{ column: MetricColumn; merged: number; clamped: number }>(
      `SELECT "column", count(*) FILTER (WHERE series > 1) AS merged,
         count(*) FILTER (WHERE "column" IN (${pctCols.join(', ') || 'NULL'})
           AND ((value >= -1 AND value < 0) OR (value > 100 AND value <= 101))) AS clamped
       FROM gm_prom_combined GROUP BY ALL ORDER BY 1`,
    );
    for (const r of notes) {
      const q = queries.find((x) => x.column === r.column)!;
      if (r.merged) log.info(`列 ${r.column}：${r.merged} 个“系统×日”有多条序列，已按${COMBINE_ZH[q.combine]}合并`);
      if (r.clamped) log.info(`列 ${r.column}：${r.clamped} 个值略超出 0–100（不超过 1 个百分点，多为 rate() 外推所致），已取边界值`);
    }
    return n;
  } finally {
    await store.run('DROP TABLE IF EXISTS temp.main.gm_prom_combined');
  }
}
