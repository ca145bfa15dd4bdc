// 指标口径: the one definition of every monthly metric and condition (docs/metrics.md §4, §4.1). The SQL
// models are generated from these expressions, and the exports and the metric-definition page
// read the same records, so the documentation cannot drift from the numbers.

import type { ConditionName } from './profiles/schema.ts';

// Means are exact sums divided by the count — gm_mean_pct (a DECIMAL sum of a 0–100 column),
// gm_mean_int (an integer sum) — so the value does not depend on the order in which parallel
// threads add rows up, and re-running a month gives byte-identical results.
export interface MetricDef {
  name: string;
  zh: string;
  unit: string;
  /** Chinese description for the 指标口径 page */
  description: string;
  /** SQL over the telemetry rows `t` of one system in one month (an aggregate), or over the
   *  aggregated metrics and the registry row `s` for a derived metric */
  sql: string;
  stage: 'aggregate' | 'derived';
  /** how the number reads in a table: digits after the decimal point */
  digits: number;
}

export const MONTHLY_METRICS: readonly MetricDef[] = [
  {
    name: 'days_reported',
    zh: '报送天数',
    unit: '天',
    description: '当月有监测数据的不同日期数（按当月各日的位图计数，与 count(DISTINCT date) 相同而更快）。',
    // Exactly count(DISTINCT date) within one month: a bit per day of the month, OR-ed together.
    sql: 'bit_count(bit_or(CAST(1 AS BIGINT) << (day(t.date) - 1)))',
    stage: 'aggregate',
    digits: 0,
  },
  {
    name: 'cpu_avg_pct',
    zh: 'CPU平均使用率',
    unit: '%',
    description: '当月各日 CPU 平均使用率的算术平均（忽略空值）。',
    sql: 'gm_mean_pct(t.cpu_avg_pct)',
    stage: 'aggregate',
    digits: 1,
  },
  {
    name: 'cpu_p95_pct',
    zh: 'CPU峰值P95',
    unit: '%',
    description: '当月各日 CPU 峰值使用率的第 95 百分位数（连续分位、线性插值，即 DuckDB quantile_cont）。',
    sql: 'quantile_cont(t.cpu_max_pct, 0.95)',
    stage: 'aggregate',
    digits: 1,
  },
  {
    name: 'mem_avg_pct',
    zh: '内存平均使用率',
    unit: '%',
    description: '当月各日内存平均使用率的算术平均（忽略空值）。',
    sql: 'gm_mean_pct(t.mem_avg_pct)',
    stage: 'aggregate',
    digits: 1,
  },
  {
    name: 'storage_used_gb',
    zh: '存储使用量',
    unit: 'GB',
    description: '当月最后一个有数据日期的存储使用量。',
    sql: 'arg_max_null(t.storage_used_gb, t.date)',
    stage: 'aggregate',
    digits: 1,
  },
  {
    name: 'storage_util_pct',
    zh: '存储使用率',
    unit: '%',
    description: '100 × 存储使用量 ÷ 系统目录中分配的存储（GB）；分配存储为 0 或空时为空。',
    sql: '100 * m.storage_used_gb / nullif(s.storage_gb, 0)',
    stage: 'derived',
    digits: 1,
  },
  {
    name: 'dau_avg',
    zh: '日均活跃用户',
    unit: '人',
    description: '当月各日活跃用户数的平均值。',
    sql: 'gm_mean_int(t.active_users)',
    stage: 'aggregate',
    digits: 1,
  },
  {
    name: 'dau_max',
    zh: '最高日活跃用户',
    unit: '人',
    description: '当月各日活跃用户数的最大值。',
    sql: 'max(t.active_users)',
    stage: 'aggregate',
    digits: 0,
  },
  {
    name: 'requests_total',
    zh: '月访问量',
    unit: '次',
    description: '当月各日业务访问量之和（不含探活请求）。',
    sql: 'sum(t.requests)',
    stage: 'aggregate',
    digits: 0,
  },
  {
    name: 'availability_pct',
    zh: '可用率',
    unit: '%',
    description: '当月各日可用率的算术平均。',
    sql: 'gm_mean_pct(t.availability_pct)',
    stage: 'aggregate',
    digits: 2,
  },
  {
    name: 'open_high_vulns',
    zh: '未修复高危漏洞',
    unit: '个',
    description: '当月最后一个有数据日期结束时未修复的高危/严重漏洞数。',
    sql: 'arg_max_null(t.open_high_vulns, t.date)',
    stage: 'aggregate',
    digits: 0,
  },
];

export interface ConditionDef {
  name: ConditionName;
  zh: string;
  description: string;
  /** SQL predicate over the month's metrics `m` and the run parameters `p`; NULL counts as false */
  sql: string;
  /** the profile parameters it reads, as `p.<condition>_<param>` */
  params: readonly string[];
  /** metrics shown as evidence on the lists */
  evidence: readonly string[];
  /** does not hold outside a declared season, its streak paused there (docs/metrics.md §4.2) */
  seasonal?: boolean;
}

// A comparison with a NULL metric does not hold (docs/metrics.md §4.1): every predicate is wrapped in
// coalesce(…, false) by the model that evaluates it.
export const CONDITIONS: readonly ConditionDef[] = [
  {
    name: 'no_data',
    zh: '监测数据缺失',
    description: '当月报送天数少于“当月天数 × 最低报送比例”；本月尚未结束时按截至运行当天已过的天数计算，尚未到来的日子不算缺失。',
    // Days still to come do not count as missing: the month's days up to run_params.as_of_date
    // (its last day, or today while it has not ended); a past month is counted whole as before.
    sql: 'm.days_reported < p.no_data_min_days_ratio * day(least(m.month_end, coalesce(p.as_of_date, m.month_end)))',
    params: ['min_days_ratio'],
    evidence: ['days_reported'],
  },
  {
    name: 'inactive',
    zh: '无业务访问（闲置）',
    description: '数据不缺失，且最高日活跃用户不超过阈值、月访问量不超过阈值。',
    sql: 'NOT m.no_data AND m.dau_max <= p.inactive_dau_max AND m.requests_total <= p.inactive_requests_max',
    params: ['dau_max', 'requests_max'],
    evidence: ['dau_max', 'requests_total'],
    seasonal: true,
  },
  {
    name: 'low_util',
    zh: '云资源使用率低',
    description: '数据不缺失，且 CPU 平均使用率与 CPU 峰值 P95 均低于阈值。',
    sql: 'NOT m.no_data AND m.cpu_avg_pct < p.low_util_cpu_avg_max AND m.cpu_p95_pct < p.low_util_cpu_p95_max',
    params: ['cpu_avg_max', 'cpu_p95_max'],
    evidence: ['cpu_avg_pct', 'cpu_p95_pct'],
    seasonal: true,
  },
  {
    name: 'unusable',
    zh: '无法正常使用',
    description: '数据不缺失，且月均可用率低于阈值。',
    sql: 'NOT m.no_data AND m.availability_pct < p.unusable_availability_max',
    params: ['availability_max'],
    evidence: ['availability_pct'],
  },
  {
    name: 'security',
    zh: '严重安全隐患',
    description: '当月最后一个有数据日期的未修复高危漏洞数大于 0（数据缺失的月份同样判定）。',
    sql: 'm.open_high_vulns > 0',
    params: [],
    evidence: ['open_high_vulns'],
  },
];

export const CONDITION_ZH: Readonly<Record<ConditionName, string>> = Object.fromEntries(CONDITIONS.map((c) => [c.name, c.zh])) as Record<
  ConditionName,
  string
>;

export function metricDef(name: string): MetricDef {
  const m = MONTHLY_METRICS.find((x) => x.name === name);
  if (!m) throw new Error(`unknown metric ${name}`);
  return m;
}

/** The conditions a declared season switches off outside its months (docs/metrics.md §4.2). */
export const SEASONAL_CONDITIONS: readonly ConditionName[] = CONDITIONS.filter((c) => c.seasonal).map((c) => c.name);

/**
 * 季节性系统 (docs/metrics.md §4.2), the rule as the 指标口径 page, the profiles and `profile show`
 * state it; the SQL is in metrics/models/05, 06, 07, 11 (declared seasons) and 15 (suggestions).
 */
export const SEASON_RULE = {
  declared:
    '系统目录填写了“使用月份”的系统，在使用月份以外的月份（非使用季）不判定“无业务访问（闲置）”和“云资源使用率低”，这两项的连续月数在非使用季既不增加也不归零（保持上一个使用月的数值，相应的整改或淘汰状态也保持），下一个使用月接着计数；整改期限按使用月份顺延计算。其他问题（监测数据缺失、无法正常使用、严重安全隐患）全年判定。',
  suggested:
    '未填写“使用月份”的系统，若近两年（截至当月的 24 个月）中有监测数据的月份不少于 {min_months} 个，且近 12 个月与之前 12 个月的访问量各有不少于 {min_share_pct}% 集中在同样的不超过 {max_months} 个自然月，则在系统页面和整改通知中提示“建议登记使用月份”；该建议不会自动生效，须由数据局在系统目录中登记。',
};

/** Months 1–12 as a person writes them: runs of three or more as ranges (wrapping over the year end). */
export function formatMonths(months: readonly number[]): string {
  const set = [...new Set(months)].filter((m) => m >= 1 && m <= 12).sort((a, b) => a - b);
  if (set.length === 0) return '';
  if (set.length === 12) return '1-12';
  // start a run at a month whose predecessor (cyclically) is not in the set
  const has = (m: number) => set.includes(((m + 11) % 12) + 1);
  const prev = (m: number) => ((m + 10) % 12) + 1;
  const starts = set.filter((m) => !has(prev(m)));
  const runs = starts.map((s) => {
    let e = s;
    while (set.includes((e % 12) + 1) && (e % 12) + 1 !== s) e = (e % 12) + 1;
    const len = ((e - s + 12) % 12) + 1;
    if (len >= 3) return `${s}-${e}`;
    return len === 2 ? `${s},${e}` : `${s}`;
  });
  return runs.join(',');
}
