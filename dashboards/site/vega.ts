// Interactive charts: Vega-Lite specs (tooltips, legend selection, a metric picker) that the page
// renders with the locally shipped vega-embed. Specs are plain JSON built here and compared
// against snapshots; data either travels inside the spec (small) or is a named dataset the page
// fills from an Arrow IPC table (`arrow` below: the metrics of every system and month).

import { MONTHLY_METRICS } from '../../metrics/definitions.ts';
import { CONDITION_CODES, conditionZh } from '../../metrics/labels.ts';
import { CONDITION_COLORS } from './plot.ts';
import { thresholdValue, type Threshold } from './thresholds.ts';

export type VlSpec = Record<string, unknown>;

const FONT = '"Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", sans-serif';

/** Shared look: CJK fonts, no chart border, quiet axes. */
const CONFIG = {
  font: FONT,
  view: { stroke: null },
  axis: { labelFontSize: 11, titleFontSize: 11, grid: true, gridColor: '#e5e7eb' },
  legend: { labelFontSize: 11, titleFontSize: 11, orient: 'bottom' },
  title: { fontSize: 13, anchor: 'start' },
};

// No $schema URL: the page embeds with mode 'vega-lite' (assets/charts.js), and the site holds no
// address outside itself.
const base = (title: string, extra: VlSpec): VlSpec => ({
  title,
  width: 'container',
  height: 220,
  autosize: { type: 'fit-x', contains: 'padding' },
  config: CONFIG,
  ...extra,
});

const MONTH_AXIS = { field: 'month', type: 'ordinal', title: '月份', axis: { labelAngle: 0 } } as const;

/** A Vega expression mapping a code to its Chinese label. */
function labelExpr(field: string, labels: Record<string, string>): string {
  return Object.entries(labels).reduceRight((acc, [k, v]) => `${field} === ${JSON.stringify(k)} ? ${JSON.stringify(v)} : ${acc}`, field);
}

const CONDITION_LABELS = Object.fromEntries(CONDITION_CODES.map((c) => [c, conditionZh(c)]));
const CONDITION_SCALE = { domain: CONDITION_CODES.map(conditionZh), range: CONDITION_CODES.map((c) => CONDITION_COLORS[c]) };

/**
 * Overview: systems holding each condition, month by month, computed in the page from the Arrow
 * metrics table (a fold of the five condition columns). Click the legend to pick conditions.
 */
export function conditionTrendSpec(months: readonly string[]): VlSpec {
  return base('各类问题系统数（近 12 个月）', {
    data: { name: 'metrics' },
    transform: [
      { fold: [...CONDITION_CODES], as: ['code', 'holds'] },
      { calculate: 'datum.holds ? 1 : 0', as: 'n' },
      { aggregate: [{ op: 'sum', field: 'n', as: 'systems' }], groupby: ['month', 'code'] },
      { calculate: labelExpr('datum.code', CONDITION_LABELS), as: 'condition' },
    ],
    params: [{ name: 'pick', select: { type: 'point', fields: ['condition'] }, bind: 'legend' }],
    mark: { type: 'line', point: true, strokeWidth: 2 },
    encoding: {
      x: { ...MONTH_AXIS, scale: { domain: [...months] } },
      y: { field: 'systems', type: 'quantitative', title: '系统数', axis: { tickMinStep: 1 } },
      color: { field: 'condition', type: 'nominal', title: '问题', scale: CONDITION_SCALE },
      opacity: { condition: { param: 'pick', value: 1 }, value: 0.15 },
      tooltip: [
        { field: 'month', title: '月份' },
        { field: 'condition', title: '问题' },
        { field: 'systems', title: '系统数' },
      ],
    },
  });
}

export interface ListTrendPoint {
  month: string;
  rectification: number;
  elimination: number | null;
  exempted: number | null;
}

/** Overview: systems on each list per month (elimination from each month's own run). */
export function listTrendSpec(points: readonly ListTrendPoint[]): VlSpec {
  const values = points.flatMap((p) => [
    { month: p.month, list: '限期整改', systems: p.rectification },
    { month: p.month, list: '淘汰退出', systems: p.elimination },
    { month: p.month, list: '豁免', systems: p.exempted },
  ]);
  return base('清单系统数（近 12 个月）', {
    data: { values },
    params: [{ name: 'pick', select: { type: 'point', fields: ['list'] }, bind: 'legend' }],
    mark: { type: 'line', point: true, strokeWidth: 2 },
    encoding: {
      x: { ...MONTH_AXIS, scale: { domain: points.map((p) => p.month) } },
      y: { field: 'systems', type: 'quantitative', title: '系统数', axis: { tickMinStep: 1 } },
      color: {
        field: 'list',
        type: 'nominal',
        title: '清单',
        scale: { domain: ['限期整改', '淘汰退出', '豁免'], range: ['#e67e22', '#c0392b', '#7f8c8d'] },
      },
      opacity: { condition: { param: 'pick', value: 1 }, value: 0.15 },
      tooltip: [
        { field: 'month', title: '月份' },
        { field: 'list', title: '清单' },
        { field: 'systems', title: '系统数' },
      ],
    },
  });
}

export interface ReclaimPoint {
  month: string;
  reclaim_vcpu: number | null;
  reclaim_cost_annual: number | null;
  reclaimed_vcpu: number | null;
  reclaimed_cost_annual: number | null;
}

/**
 * Overview: reclaimable (可收回) and reclaimed (已收回, docs/decisions.md §5.7) vCPU per month, side by
 * side, the yearly cost in the tooltip; each month from its own run (a month not run stays empty).
 */
export function reclaimTrendSpec(points: readonly ReclaimPoint[]): VlSpec {
  const values = points.flatMap((p) => [
    { month: p.month, kind: '可收回', vcpu: p.reclaim_vcpu, cost: p.reclaim_cost_annual },
    { month: p.month, kind: '已收回', vcpu: p.reclaimed_vcpu, cost: p.reclaimed_cost_annual },
  ]);
  return base('可收回与已收回 vCPU（近 12 个月）', {
    data: { values },
    params: [{ name: 'pick', select: { type: 'point', fields: ['kind'] }, bind: 'legend' }],
    mark: { type: 'bar' },
    encoding: {
      x: { ...MONTH_AXIS, scale: { domain: points.map((p) => p.month) } },
      xOffset: { field: 'kind', type: 'nominal', sort: ['可收回', '已收回'] },
      y: { field: 'vcpu', type: 'quantitative', title: 'vCPU', axis: { tickMinStep: 1 } },
      color: { field: 'kind', type: 'nominal', title: '', scale: { domain: ['可收回', '已收回'], range: ['#1f4e79', '#27ae60'] } },
      opacity: { condition: { param: 'pick', value: 1 }, value: 0.15 },
      tooltip: [
        { field: 'month', title: '月份' },
        { field: 'kind', title: '' },
        { field: 'vcpu', title: 'vCPU', format: ',d' },
        { field: 'cost', title: '年云资源费用（元）', format: ',.0f' },
      ],
    },
  });
}

/**
 * Overview: every monitored system of the month by CPU P95 and availability, coloured by its
 * worst state; tooltips name the system, a click opens its page (href from the Arrow table).
 */
/** The two metrics the scatter plots: with the conditions, the only metrics data/metrics.js carries (build.ts). */
export const SCATTER_METRICS = { x: 'cpu_p95_pct', y: 'availability_pct' } as const;

export function systemsScatterSpec(month: string): VlSpec {
  return base(`${month} 各系统 CPU 峰值 P95 与可用率`, {
    height: 260,
    data: { name: 'metrics' },
    transform: [
      { filter: `datum.month === ${JSON.stringify(month)}` },
      {
        calculate: `datum.no_data ? '监测数据缺失' : (datum.inactive || datum.low_util || datum.unusable || datum.security) ? '有问题' : '正常'`,
        as: 'state',
      },
    ],
    params: [{ name: 'pick', select: { type: 'point', fields: ['state'] }, bind: 'legend' }],
    mark: { type: 'point', filled: true, size: 60, cursor: 'pointer' },
    encoding: {
      x: { field: SCATTER_METRICS.x, type: 'quantitative', title: 'CPU 峰值 P95（%）', scale: { domain: [0, 100] } },
      y: { field: SCATTER_METRICS.y, type: 'quantitative', title: '可用率（%）', scale: { zero: false } },
      color: {
        field: 'state',
        type: 'nominal',
        title: '状态',
        scale: { domain: ['正常', '有问题', '监测数据缺失'], range: ['#1f4e79', '#c0392b', '#7f8c8d'] },
      },
      opacity: { condition: { param: 'pick', value: 0.85 }, value: 0.08 },
      href: { field: 'href' },
      tooltip: [
        { field: 'system_name', title: '系统' },
        { field: 'department', title: '建设单位' },
        { field: SCATTER_METRICS.x, title: 'CPU 峰值 P95（%）', format: '.1f' },
        { field: SCATTER_METRICS.y, title: '可用率（%）', format: '.2f' },
        { field: 'state', title: '状态' },
      ],
    },
  });
}

export interface SystemMetricPoint {
  month: string;
  days_in_month: number;
  [metric: string]: number | string | boolean | null;
}

/**
 * A system page: the twelve months of every metric, one at a time — the picker below the chart
 * chooses the metric; the profile's threshold of that metric is drawn as a dashed rule.
 */
export function systemMetricsSpec(months: readonly string[], rows: readonly SystemMetricPoint[], thresholds: readonly Threshold[]): VlSpec {
  const byMonth = new Map(rows.map((r) => [r.month, r]));
  // one row per month with every metric (folded in the page): a twelfth of the long form's size;
  // values to the two decimals the tooltip shows (its ',.2f' reads the same; the line moves less
  // than a pixel), which keeps a 20,000-system site's pages small (docs/performance.md)
  const shown = (v: unknown) => (typeof v === 'number' ? (Number.isInteger(v) ? v : Number(v.toFixed(2))) : null);
  const values = months.map((m) => {
    const r = byMonth.get(m);
    return { month: m, ...Object.fromEntries(MONTHLY_METRICS.map((d) => [d.name, r ? shown(r[d.name]) : null])) };
  });
  const rules = thresholds
    .filter((t) => typeof t.value === 'number')
    .map((t) => ({ metric: t.metric, threshold: thresholdValue(t, 30), label: t.label }));
  const first = MONTHLY_METRICS.find((d) => d.name === 'cpu_p95_pct') ?? MONTHLY_METRICS[0];
  return base('近 12 个月运行指标（可选择指标）', {
    params: [
      {
        name: 'metric',
        value: first.name,
        bind: {
          input: 'select',
          name: '指标：',
          options: MONTHLY_METRICS.map((d) => d.name),
          labels: MONTHLY_METRICS.map((d) => `${d.zh}（${d.unit}）`),
        },
      },
    ],
    layer: [
      {
        data: { values },
        transform: [{ fold: MONTHLY_METRICS.map((d) => d.name), as: ['metric', 'value'] }, { filter: 'datum.metric === metric' }],
        mark: { type: 'line', point: { filled: true, size: 50 }, strokeWidth: 2, color: '#1f4e79' },
        encoding: {
          x: { ...MONTH_AXIS, scale: { domain: [...months] } },
          y: { field: 'value', type: 'quantitative', title: '数值', scale: { zero: true } },
          tooltip: [
            { field: 'month', title: '月份' },
            { field: 'value', title: '数值', format: ',.2f' },
          ],
        },
      },
      {
        data: { values: rules },
        transform: [{ filter: 'datum.metric === metric' }],
        mark: { type: 'rule', color: '#c0392b', strokeDash: [4, 3] },
        encoding: {
          y: { field: 'threshold', type: 'quantitative' },
          tooltip: [
            { field: 'label', title: '阈值' },
            { field: 'threshold', title: '数值' },
          ],
        },
      },
    ],
  });
}

export interface SharingTrendPoint {
  month: string;
  completeness_pct: number | null;
  failures: number;
}

/** Data sharing: the city's completeness per month, failures in the tooltip, pass mark drawn. */
export function sharingTrendSpec(points: readonly SharingTrendPoint[], minPct: number): VlSpec {
  return base('全市数据归集完整率（近 12 个月）', {
    layer: [
      {
        data: { values: points.map((p) => ({ ...p })) },
        mark: { type: 'line', point: { filled: true, size: 50 }, strokeWidth: 2, color: '#1f4e79' },
        encoding: {
          x: { ...MONTH_AXIS, scale: { domain: points.map((p) => p.month) } },
          y: { field: 'completeness_pct', type: 'quantitative', title: '归集完整率（%）', scale: { domain: [0, 100] } },
          tooltip: [
            { field: 'month', title: '月份' },
            { field: 'completeness_pct', title: '归集完整率（%）', format: '.1f' },
            { field: 'failures', title: '共享不达标系统数' },
          ],
        },
      },
      {
        data: { values: [{ threshold: minPct, label: `达标线 ${minPct}%` }] },
        mark: { type: 'rule', color: '#c0392b', strokeDash: [4, 3] },
        encoding: { y: { field: 'threshold', type: 'quantitative' }, tooltip: [{ field: 'label', title: '阈值' }] },
      },
    ],
  });
}
