// The mapping file of `govmon pull prometheus` (docs/connectors.md §1.2): which PromQL expression
// fills which telemetry column, which label names the system, and how a day is summarised. Raw
// JSON in, typed value out (zod, Chinese messages with dotted paths), then turned into the queries
// the pull asks — each column's day value and, for a column given per step, how much of the day
// had samples (a day with too few is marked and left empty rather than guessed, §1.3).

import { z } from 'zod';
import { CONTRACT, type ColumnType } from '../../metrics/contract.ts';
import { readJsonConfig } from './config.ts';

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
export const typeOf = (c: MetricColumn): ColumnType => TELEMETRY.find((x) => x.name === c)!.type;

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

export type DaySummary = 'avg' | 'max' | 'min' | 'last';
const DAY_FUNCTION: Record<DaySummary, string> = {
  avg: 'avg_over_time',
  max: 'max_over_time',
  min: 'min_over_time',
  last: 'last_over_time',
};

/** A PromQL duration of whole seconds, minutes or hours ('30s', '1m', '2h') in seconds, or undefined. */
export function durationSeconds(s: string): number | undefined {
  const m = /^([1-9][0-9]*)(s|m|h)$/.exec(s);
  return m ? Number(m[1]) * { s: 1, m: 60, h: 3600 }[m[2] as 's' | 'm' | 'h'] : undefined;
}

const Duration = (what: string, min: number, max: number) =>
  z.string({ error: `${what}应为时长，如 1m、30s` }).superRefine((s, ctx) => {
    const n = durationSeconds(s);
    if (n === undefined) ctx.addIssue({ code: 'custom', message: `${what}应为整数加单位 s、m 或 h，如 1m、30s` });
    else if (n < min || n > max) ctx.addIssue({ code: 'custom', message: `${what}应在 ${min} 秒到 ${max} 秒之间` });
  });

const Expr = z.string({ error: '应为 PromQL 表达式（字符串）' }).trim().min(1, 'PromQL 表达式不能为空');
const CombineEnum = z.enum(['avg', 'max', 'min', 'sum'], { error: '应为 avg、max、min、sum 之一' });
/** A column's source: the expression itself; { expr, combine, note }; or { per_step, day, combine, note }. */
const Source = z.preprocess(
  (v) => (typeof v === 'string' ? { expr: v } : v),
  z
    .strictObject(
      {
        /** a PromQL expression whose value at the end of the day is the day's value ([1d] windows) */
        expr: Expr.optional(),
        /** a PromQL expression evaluated every `step` through the day, summarised by `day` */
        per_step: Expr.optional(),
        day: z.enum(['avg', 'max', 'min', 'last'], { error: '应为 avg、max、min、last 之一' }).optional(),
        combine: CombineEnum.optional(),
        note: z.string().optional(),
      },
      { error: '应为 PromQL 表达式，或 { "expr": 表达式 }，或 { "per_step": 表达式, "day": "avg|max|min|last" }' },
    )
    .superRefine((s, ctx) => {
      if ((s.expr === undefined) === (s.per_step === undefined))
        ctx.addIssue({ code: 'custom', path: [], message: 'expr 与 per_step 应给出且只给出一个' });
      if (s.per_step !== undefined && s.day === undefined)
        ctx.addIssue({ code: 'custom', path: ['day'], message: '给出 per_step 时须用 day 指定一天内如何汇总（avg、max、min、last）' });
      if (s.expr !== undefined && s.day !== undefined)
        ctx.addIssue({ code: 'custom', path: ['day'], message: 'day 只用于 per_step（expr 自己用 [1d] 窗口汇总当天）' });
    }),
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
  /** resolution of a per_step column through the day; defaults to 1m */
  step: Duration('step ', 10, 3600).optional(),
  /** the rate window `$window` in expressions; defaults to twice the step (two scrapes at least) */
  window: Duration('window ', 10, 86_400).optional(),
  /** a per_step column's day is marked and left empty below this share of the day's steps with a value; defaults to 0.5 */
  min_coverage: z.number({ error: 'min_coverage 应为 0 到 1 之间的数' }).min(0).max(1).optional(),
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

export const DEFAULT_STEP = '1m';
export const DEFAULT_MIN_COVERAGE = 0.5;

/** One column's query: the expression asked at the end of each day, and how its series combine. */
export interface ColumnQuery {
  column: MetricColumn;
  /** as written in the mapping (for messages) */
  source: string;
  /** as asked ($step and $window substituted; a per_step expression wrapped in its day summary) */
  expr: string;
  combine: Combine;
  /** for a per_step column: the query counting the day's steps that have a value */
  coverageExpr?: string;
}

export interface QueryPlan {
  queries: ColumnQuery[];
  stepSeconds: number;
  minCoverage: number;
}

/** The queries of a mapping: `$step` and `$window` substituted, per_step columns summarised over the day. */
export function planQueries(m: PrometheusMapping): QueryPlan {
  const step = m.step ?? DEFAULT_STEP;
  const stepSeconds = durationSeconds(step)!;
  const window = m.window ?? `${2 * stepSeconds}s`;
  const fill = (e: string) => e.replaceAll('$window', window).replaceAll('$step', step);
  const queries = METRIC_COLUMNS.flatMap((column): ColumnQuery[] => {
    const src = m.columns[column];
    if (!src) return [];
    const combine = src.combine ?? DEFAULT_COMBINE[column];
    if (src.expr !== undefined) return [{ column, source: src.expr, expr: fill(src.expr), combine }];
    const inner = fill(src.per_step!);
    return [
      {
        column,
        source: src.per_step!,
        expr: `${DAY_FUNCTION[src.day!]}((${inner})[1d:${step}])`,
        combine,
        coverageExpr: `count_over_time((${inner})[1d:${step}])`,
      },
    ];
  });
  return { queries, stepSeconds, minCoverage: m.min_coverage ?? DEFAULT_MIN_COVERAGE };
}
