// The profile's thresholds on each monthly metric, derived from the condition definitions: a
// condition's i-th parameter bounds its i-th evidence metric (inactive: dau_max ↔ dau_max,
// requests_max ↔ requests_total; low_util: cpu_avg_max ↔ cpu_avg_pct, …). The charts draw them
// and the 指标口径 page lists them, so both say what the SQL compares against.

import { CONDITIONS, metricDef, type ConditionDef } from '../../metrics/definitions.ts';
import type { ConditionName, Profile } from '../../metrics/profiles/schema.ts';
import { conditionZh } from '../../metrics/labels.ts';

export interface Threshold {
  metric: string;
  condition: ConditionName | 'rightsizing';
  /** what the line means on a chart, Chinese: the condition and the comparison */
  label: string;
  /** the comparison alone (≤ 300, < 90, ×0.5): the tag a small chart writes beside its line, outside the data */
  tag: string;
  /** the rule as a sentence about the metric, Chinese: 最高日活跃用户 ≤ 0 */
  rule: string;
  /** a fixed value, or per month (days_reported: ratio × days in the month) */
  value: number | ((daysInMonth: number) => number);
  /** how the condition compares: the metric holds below, at most, or above the value */
  op: '<' | '<=' | '>';
}

function paramOf(profile: Profile, c: ConditionDef, i: number): number {
  const rule = profile.monitoring[c.name] as unknown as Record<string, number>;
  return rule[c.params[i]];
}

/** The comparison a condition makes against its i-th parameter, read from its SQL. */
function opOf(c: ConditionDef, metric: string): Threshold['op'] {
  const m = new RegExp(`m\\.${metric}\\s*(<=|<|>=|>)`).exec(c.sql);
  return (m?.[1] === '<=' ? '<=' : m?.[1] === '>' || m?.[1] === '>=' ? '>' : '<') as Threshold['op'];
}

export function thresholdsOf(profile: Profile): Threshold[] {
  const out: Threshold[] = [];
  for (const c of CONDITIONS) {
    if (c.name === 'no_data') {
      const ratio = profile.monitoring.no_data.min_days_ratio;
      out.push({
        metric: 'days_reported',
        condition: 'no_data',
        label: `${conditionZh('no_data')}：少于当月天数×${ratio}`,
        tag: `×${ratio}`,
        rule: `${metricDef('days_reported').zh} < 当月天数 × ${ratio}`,
        value: (d) => ratio * d,
        op: '<',
      });
    } else if (c.name === 'security') {
      out.push({
        metric: 'open_high_vulns',
        condition: 'security',
        label: `${conditionZh('security')}：大于 0`,
        tag: '> 0',
        rule: `${metricDef('open_high_vulns').zh} > 0`,
        value: 0,
        op: '>',
      });
    } else {
      c.params.forEach((_, i) => {
        const metric = c.evidence[i];
        const value = paramOf(profile, c, i);
        const op = opOf(c, metric);
        const sign = op === '<=' ? '≤' : op === '<' ? '<' : '>';
        out.push({
          metric,
          condition: c.name,
          label: `${conditionZh(c.name)}：${sign} ${value}`,
          tag: `${sign} ${value}`,
          rule: `${metricDef(metric).zh} ${sign} ${value}`,
          value,
          op,
        });
      });
    }
  }
  const rs = profile.rightsizing;
  out.push({
    metric: 'cpu_p95_pct',
    condition: 'rightsizing',
    label: `减配：连续 ${rs.months} 个月 < ${rs.p95_max}`,
    tag: `< ${rs.p95_max}`,
    rule: `${metricDef('cpu_p95_pct').zh} 连续 ${rs.months} 个月 < ${rs.p95_max}`,
    value: rs.p95_max,
    op: '<',
  });
  return out;
}

export function thresholdValue(t: Threshold, daysInMonth: number): number {
  return typeof t.value === 'function' ? t.value(daysInMonth) : t.value;
}

/** Metric → the conditions whose evidence it is (a flagged month is drawn in red on its chart). */
export const CONDITIONS_OF_METRIC: Readonly<Record<string, ConditionName[]>> = CONDITIONS.reduce(
  (acc, c) => {
    for (const e of c.evidence) (acc[e] ??= []).push(c.name);
    return acc;
  },
  {} as Record<string, ConditionName[]>,
);
