// Prometheus connector (docs/connectors.md §1): daily telemetry pulled from a Prometheus server
// through `query_range`, one point per day, and ingested through the same lifecycle as a file — the
// rows are written to a telemetry CSV in a work folder and handed to ingestFile, so they are
// archived, hashed, validated in DuckDB and rejected with row, column and reason like any export.
//
// Day convention (Asia/Shanghai, fixed UTC+8, no daylight saving): the value of day D is the
// expression evaluated at the end of D, 24:00 Beijing time = D 16:00 UTC. Expressions summarise
// their day with `[1d]` windows, or are given per step and summarised here (prometheus-mapping.ts),
// so the point at the end of D covers D. Today is not over: its point is evaluated at the moment of
// the pull ("now") and is replaced by a later pull. Days after today are not asked for.
//
// What a pull never does: guess a day from too few samples (a per-step column below min_coverage
// is marked and left empty), pass off a query that found no series as "no data" (the pull fails
// for that column, unless --allow-missing), or replace a stored value with NULL (a cell the pull
// cannot fill keeps the value the database already holds for that system and day).

import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { UserError } from '../../core/errors.ts';
import { addDays, shanghaiDate } from '../../core/clock.ts';
import type { Log } from '../../core/log.ts';
import { cleanText } from '../../core/text.ts';
import { groupBy } from '../../core/collections.ts';
import type { Store } from '../store/database.ts';
import { ident, sqlString } from '../../core/sql.ts';
import { formatOutcome, ingestFile, type FileOutcome } from '../ingest/ingest.ts';
import { PrometheusClient } from './prometheus-api.ts';
import {
  COMBINE_ZH,
  METRIC_COLUMNS,
  planQueries,
  typeOf,
  type ColumnQuery,
  type MetricColumn,
  type PrometheusMapping,
} from './prometheus-mapping.ts';

export {
  COMBINE_ZH,
  DEFAULT_COMBINE,
  METRIC_COLUMNS,
  PrometheusMapping,
  loadPrometheusMapping,
  planQueries,
  type Combine,
  type MetricColumn,
} from './prometheus-mapping.ts';

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
  /** go on when a column's query returns no series at all (its cells keep the stored values) */
  allowMissing?: boolean;
  log: Log;
}

/** A system-day of a per-step column with too few samples: marked, its value not computed. */
export interface MarkedDay {
  column: MetricColumn;
  system_id: string;
  date: string;
  /** share of the day's steps that had a value, 0–1 */
  coverage: number;
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
  /** columns whose query returned no series (only with allowMissing) */
  missingColumns: MetricColumn[];
  /** system-days of per-step columns with too few samples */
  marked: MarkedDay[];
  /** cells the pull could not fill that kept the value already stored */
  keptCells: number;
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
  const plan = planQueries(o.mapping);
  const points = [...grid.complete, ...(grid.today ? [grid.today] : [])];
  const dateAt = new Map<number, string>(points.map((p) => [p.at, p.date]));
  // the steps a day can have: a whole day, or today up to now
  const stepsOf = new Map<string, number>(
    points.map((p) => [p.date, Math.max(1, Math.floor((p.at - (endOfDayShanghai(p.date) - DAY)) / plan.stepSeconds))]),
  );

  const dir = path.join(
    o.workDir,
    `prometheus-${o.now.toISOString().replace(/[-:]/g, '').slice(0, 15)}-${crypto.randomBytes(3).toString('hex')}`,
  );
  fs.mkdirSync(dir, { recursive: true });
  try {
    return await pullInto(store, o, dir, { grid, client, queries: plan.queries, minCoverage: plan.minCoverage, dateAt, stepsOf });
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
  minCoverage: number;
  /** unix seconds of each point → its date */
  dateAt: Map<number, string>;
  /** date → the steps of that day that could have a value */
  stepsOf: Map<string, number>;
}

/** One range query over the day grid: the finished days in one call, today (if asked) in another. */
async function askDays(client: PrometheusClient, grid: DayGrid, expr: string, what: string) {
  const answers = [];
  if (grid.complete.length)
    answers.push(await client.queryRange(expr, grid.complete[0].at, grid.complete[grid.complete.length - 1].at, DAY, what));
  if (grid.today) answers.push(await client.queryRange(expr, grid.today.at, grid.today.at, DAY, what));
  return answers;
}

async function pullInto(store: Store, o: PullPrometheusOptions, dir: string, plan: PullPlan): Promise<PullPrometheusResult> {
  const { grid, client, queries, dateAt } = plan;
  const { log } = o;
  const label = o.mapping.system_label;
  const systems = o.mapping.systems;
  const samplesPath = path.join(dir, 'samples.ndjson');
  const out = fs.openSync(samplesPath, 'w');
  let samples = 0;
  const unmapped = new Set<string>();
  const noLabel = new Map<MetricColumn, number>();
  const notFinite = new Map<MetricColumn, number>();
  const seriesCount = new Map<MetricColumn, number>();
  try {
    // each column's day values, then (per-step columns) how many steps of each day had a value
    const asks = queries.flatMap((q) => [
      { q, kind: 'value' as const, expr: q.expr },
      ...(q.coverageExpr ? [{ q, kind: 'coverage' as const, expr: q.coverageExpr }] : []),
    ]);
    for (const { q, kind, expr } of asks) {
      const what = `列 ${q.column} 的查询 ${q.source} `;
      for (const a of await askDays(client, grid, expr, what)) {
        for (const w of a.warnings) log.warn(`Prometheus 对列 ${q.column} 的查询给出警告：${cleanText(w, 300)}`);
        if (kind === 'value') seriesCount.set(q.column, (seriesCount.get(q.column) ?? 0) + a.series.length);
        for (const s of a.series) {
          const value = s.metric[label];
          if (value === undefined) {
            if (kind === 'value') noLabel.set(q.column, (noLabel.get(q.column) ?? 0) + 1);
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
              if (kind === 'value') notFinite.set(q.column, (notFinite.get(q.column) ?? 0) + 1);
              continue;
            }
            chunk += `${JSON.stringify({ kind, column: q.column, system_id: systemId, date, value: x, steps: plan.stepsOf.get(date) })}\n`;
            if (kind === 'value') samples++;
          }
          fs.writeSync(out, chunk);
        }
      }
    }
  } finally {
    fs.closeSync(out);
  }
  const missing = queries.filter((q) => !seriesCount.get(q.column));
  if (missing.length && !o.allowMissing)
    throw new UserError(
      `Prometheus ${client.where} 对以下列的查询在 ${o.from} 至 ${o.to} 没有返回任何序列（指标名或标签可能写错，或这段时间没有该指标）：\n` +
        missing.map((q) => `  列 ${q.column}：${cleanText(q.source, 300)}`).join('\n') +
        `\n本次拉取没有导入任何数据，数据库中已有的值不变。请改正映射文件；确认缺少这些列也要导入时加 --allow-missing（这些列保留数据库中已有的值）。`,
    );
  for (const q of missing)
    log.warn(`列 ${q.column} 的查询没有返回任何序列，按 --allow-missing 跳过（保留数据库中已有的值）：${cleanText(q.source, 300)}`);
  for (const [c, n] of noLabel)
    log.warn(`列 ${c}：${n} 条序列没有标签 ${label}，已跳过（请在表达式中保留该标签，如 avg by (${label}) (...)）`);
  for (const [c, n] of notFinite) log.warn(`列 ${c}：${n} 个值不是有限数（NaN 或 ±Inf），按缺失处理`);
  if (unmapped.size) {
    const list = [...unmapped].sort().map((v) => cleanText(v, 60));
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
  const present = queries.filter((q) => !missing.includes(q));
  const built = await assembleTelemetry(store, samplesPath, csvPath, present, plan.minCoverage, log);
  log.info(
    `从 Prometheus ${client.where} 拉取 ${first} 至 ${last}${grid.today ? `（今天 ${grid.today.date} 截至北京时间 ${clockTime(grid.today.at)}，不是完整的一天）` : ''}：` +
      `${present.length} 列，${samples} 个数据点，合成 ${built.rows} 行（系统×日）`,
  );
  reportMarked(log, built.marked, plan.minCoverage);
  if (built.keptCells)
    log.info(`${built.keptCells} 个单元格本次拉取没有取值，沿用数据库中该系统该日已有的值（拉取结果从不把已有的值替换为空）`);

  const outcome = await ingestFile(store, csvPath, { kind: 'telemetry', now: o.now, archiveDir: o.archiveDir, log });
  log.info(formatOutcome(outcome));
  return {
    outcome,
    csvPath,
    samplesPath,
    samples,
    rows: built.rows,
    unmappedValues: [...unmapped].sort(),
    missingColumns: missing.map((q) => q.column),
    marked: built.marked,
    keptCells: built.keptCells,
  };
}

function reportMarked(log: Log, marked: MarkedDay[], minCoverage: number): void {
  if (!marked.length) return;
  const byDay = groupBy(marked, (m) => `${m.system_id} ${m.date}`);
  const lines = [...byDay]
    .slice(0, 20)
    .map(([k, ms]) => `${cleanText(k, 60)}（${ms.map((m) => `${m.column} 覆盖 ${(100 * m.coverage).toFixed(0)}%`).join('，')}）`);
  log.warn(
    `${byDay.size} 个“系统×日”的采样不足当天的 ${Math.round(minCoverage * 100)}%（min_coverage），这些列未计算当天的值（不猜测），保留数据库中已有的值或留空：${lines.join('；')}${byDay.size > 20 ? ' 等' : ''}`,
  );
}

/**
 * Samples (one per column, system, day and series) → one telemetry row per system and day, in
 * DuckDB: series of one system are combined per column, integer columns rounded (increase()
 * extrapolates to fractions), percentages within 1 point outside 0–100 (rate() extrapolation)
 * brought to the bound (anything further out is left for validation to reject); a per-step
 * column's value is dropped where too few of the day's steps had one; and a cell left empty takes
 * the value already stored for that system and day, so a pull never blanks what is there.
 */
async function assembleTelemetry(
  store: Store,
  samplesPath: string,
  csvPath: string,
  queries: ColumnQuery[],
  minCoverage: number,
  log: Log,
): Promise<{ rows: number; marked: MarkedDay[]; keptCells: number }> {
  const combineCase = `CASE "column" ${queries.map((q) => `WHEN ${sqlString(q.column)} THEN ${q.combine}(value)`).join(' ')} END`;
  const bounded = (v: string, c: MetricColumn): string => {
    const t = typeOf(c);
    if (t === 'int') return `TRY_CAST(round(${v}) AS BIGINT)`;
    if (t === 'pct') return `CASE WHEN ${v} BETWEEN -1 AND 0 THEN 0 WHEN ${v} BETWEEN 100 AND 101 THEN 100 ELSE ${v} END`;
    return v;
  };
  const pctCols = queries.filter((q) => typeOf(q.column) === 'pct').map((q) => sqlString(q.column));
  const temps = ['gm_prom_samples', 'gm_prom_combined', 'gm_prom_rows'];
  try {
    await store.run(`CREATE OR REPLACE TEMP TABLE gm_prom_samples AS SELECT * FROM read_json(${sqlString(samplesPath)}, format = 'newline_delimited',
        columns = {'kind': 'VARCHAR', 'column': 'VARCHAR', 'system_id': 'VARCHAR', 'date': 'DATE', 'value': 'DOUBLE', 'steps': 'INTEGER'})`);
    // a system on several hosts is as well covered as its least covered host
    await store.run(`CREATE OR REPLACE TEMP TABLE gm_prom_combined AS
      WITH v AS (
        SELECT "column", system_id, date, ${combineCase || 'NULL'} AS value, count(*) AS series
        FROM gm_prom_samples WHERE kind = 'value' GROUP BY "column", system_id, date
      ), c AS (
        SELECT "column", system_id, date, least(1.0, min(value / steps)) AS coverage
        FROM gm_prom_samples WHERE kind = 'coverage' GROUP BY ALL
      )
      SELECT v.*, c.coverage, c.coverage IS NOT NULL AND c.coverage < ${Number(minCoverage)} AS marked
      FROM v LEFT JOIN c USING ("column", system_id, date)`);
    // The stored current row of each pulled system-day (the latest file wins, as telemetry_current),
    // read only for the keys of this pull.
    const pulledCols = queries.map((q) => q.column);
    await store.run(`CREATE OR REPLACE TEMP TABLE gm_prom_rows AS
      WITH pulled AS (
        SELECT system_id, date,
          ${pulledCols.map((c) => `${bounded(`any_value(value) FILTER (WHERE "column" = ${sqlString(c)} AND NOT marked)`, c)} AS ${ident(`p_${c}`)}`).join(',\n          ') || 'NULL AS gm_none'}
        FROM gm_prom_combined GROUP BY system_id, date
      ), stored AS (
        SELECT * EXCLUDE (rn) FROM (
          SELECT t.*, row_number() OVER (PARTITION BY t.system_id, t.date ORDER BY t.file_id DESC, t.rowid DESC) AS rn
          FROM raw_telemetry t SEMI JOIN pulled k ON k.system_id = t.system_id AND k.date = t.date
        ) WHERE rn = 1
      )
      SELECT p.system_id, p.date,
        ${METRIC_COLUMNS.map((c) => (pulledCols.includes(c) ? `p.${ident(`p_${c}`)} AS ${ident(`p_${c}`)}, s.${ident(c)} AS ${ident(`s_${c}`)}` : `NULL AS ${ident(`p_${c}`)}, s.${ident(c)} AS ${ident(`s_${c}`)}`)).join(',\n        ')}
      FROM pulled p LEFT JOIN stored s USING (system_id, date)`);
    const n = await store.run(
      `COPY (SELECT system_id, strftime(date, '%Y-%m-%d') AS date,
          ${METRIC_COLUMNS.map((c) => `coalesce(${ident(`p_${c}`)}, ${ident(`s_${c}`)}) AS ${ident(c)}`).join(', ')}
        FROM gm_prom_rows ORDER BY system_id, date)
       TO ${sqlString(csvPath)} (FORMAT csv, HEADER true)`,
    );
    const keptCells = await store.value<number>(
      `SELECT ${METRIC_COLUMNS.map((c) => `count(*) FILTER (WHERE ${ident(`p_${c}`)} IS NULL AND ${ident(`s_${c}`)} IS NOT NULL)`).join(' + ')} FROM gm_prom_rows`,
    );
    const marked = await store.all<MarkedDay>(
      `SELECT "column", system_id, strftime(date, '%Y-%m-%d') AS date, coverage FROM gm_prom_combined WHERE marked ORDER BY system_id, date, "column"`,
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
    return { rows: n, marked, keptCells };
  } finally {
    for (const t of temps) await store.run(`DROP TABLE IF EXISTS temp.main.${t}`);
  }
}
