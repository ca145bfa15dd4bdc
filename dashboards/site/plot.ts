// Static charts, rendered to SVG on the server with Observable Plot and linkedom's DOM: they print,
// need no script in the page, and are compared against snapshots (tests/output/*.svg). They carry
// no text from input — names are in the HTML around them — and their numbers are written with at
// most two decimals, which keeps the pages small and the snapshots stable.

import * as Plot from '@observablehq/plot';
import { parseHTML } from 'linkedom';
import type { MetricDef } from '../../metrics/definitions.ts';
import type { ConditionName } from '../../metrics/profiles/schema.ts';
import { CONDITION_CODES, conditionZh } from '../../metrics/labels.ts';
import { thresholdValue, type Threshold } from './thresholds.ts';

import { MiniDocument } from './svg-dom.ts';

/** The DOM Plot draws into: the small one of svg-dom.ts, or linkedom (the tests compare both). */
let plotDocument: unknown = new MiniDocument();
export function usePlotDocument(kind: 'mini' | 'linkedom'): void {
  plotDocument = kind === 'mini' ? new MiniDocument() : parseHTML('<!doctype html><html><head></head><body></body></html>').document;
}

export const CONDITION_COLORS: Readonly<Record<ConditionName, string>> = {
  no_data: '#7f8c8d',
  inactive: '#e67e22',
  low_util: '#2c7fb8',
  unusable: '#8e44ad',
  security: '#c0392b',
};
const FLAG = '#c0392b';
const LINE = '#1f4e79';
const RULE = '#c0392b';

/** Numbers with three or more decimals → two (trailing zeros dropped). */
export function compactNumbers(svg: string): string {
  return svg.replace(/-?\d+\.\d{3,}/g, (x) => String(Number(Number(x).toFixed(2))));
}

/** Plot's own per-chart <style> (the same for every chart; assets/site.css carries it once). */
const PLOT_STYLE = /<style>[^<]*<\/style>/;

function render(options: Plot.PlotOptions): string {
  const el = Plot.plot({ ...options, document: plotDocument as Document });
  return compactNumbers((el as unknown as { outerHTML: string }).outerHTML.replace(PLOT_STYLE, ''));
}

/** '2026-10' → '10月'; the first month and January carry their year on a second line. */
function monthTick(m: string, i: number): string {
  const mm = Number(m.slice(5, 7));
  return mm === 1 || i === 0 ? `${mm}月\n${m.slice(0, 4)}` : `${mm}月`;
}

const xMonths = (months: readonly string[]) => ({
  type: 'point' as const,
  domain: months as string[],
  label: null,
  tickFormat: (m: string) => monthTick(m, months.indexOf(m)),
  padding: 0.4,
});

export interface MonthValue {
  month: string;
  value: number | null;
  days_in_month?: number;
  /** a condition that uses this metric held in the month */
  flagged?: boolean;
}

/**
 * A line's tag in the chart's right margin, level with the line: the plotted data never reach the
 * margin, so the tag cannot cover a data line or point (the figure's caption says what it means).
 */
function marginTag(y: number, text: string, fill: string): Plot.Markish {
  return Plot.text([y], { y: (v: number) => v, frameAnchor: 'right', dx: 4, textAnchor: 'start', text: () => text, fill });
}

/** Room on the right for the tags of the threshold lines. */
const TAG_MARGIN = 44;

/**
 * One metric of one system over the twelve months: the line, its points (red where a condition
 * that reads this metric held), the profile's thresholds as dashed rules, each tagged with its
 * comparison (< 90) in the right margin.
 */
export function metricChart(
  def: MetricDef,
  months: readonly string[],
  values: readonly MonthValue[],
  thresholds: readonly Threshold[],
  extraRules: readonly { value: number; tag: string }[] = [],
): string {
  const byMonth = new Map(values.map((v) => [v.month, v]));
  const data = months.map((m) => byMonth.get(m) ?? { month: m, value: null });
  const pctScale = def.unit === '%';
  const marks: Plot.Markish[] = [Plot.ruleY([0], { stroke: '#999' })];
  for (const t of thresholds) {
    const color = t.condition === 'rightsizing' ? '#b7791f' : RULE;
    if (typeof t.value === 'function') {
      const line = data.map((d) => ({ month: d.month, value: thresholdValue(t, d.days_in_month ?? daysOf(d.month)) }));
      marks.push(Plot.lineY(line, { x: 'month', y: 'value', stroke: color, strokeDasharray: '4,3', curve: 'step' }));
      marks.push(marginTag(line[line.length - 1].value, t.tag, color));
    } else {
      marks.push(Plot.ruleY([t.value], { stroke: color, strokeDasharray: '4,3' }));
      marks.push(marginTag(t.value, t.tag, color));
    }
  }
  for (const r of extraRules) {
    marks.push(Plot.ruleY([r.value], { stroke: '#555', strokeDasharray: '2,3' }));
    marks.push(marginTag(r.value, r.tag, '#555'));
  }
  marks.push(Plot.lineY(data, { x: 'month', y: 'value', stroke: LINE, strokeWidth: 1.8 }));
  marks.push(
    Plot.dot(
      data.filter((d) => d.value !== null),
      { x: 'month', y: 'value', r: 3, fill: (d: MonthValue) => (d.flagged ? FLAG : LINE), stroke: 'white' },
    ),
  );
  return render({
    width: 380,
    height: 200,
    marginBottom: 36,
    marginLeft: 46,
    marginRight: TAG_MARGIN,
    marginTop: 22,
    x: xMonths(months),
    y: {
      label: pctScale ? '%' : def.unit,
      grid: true,
      nice: true,
      zero: true,
      ...(pctScale ? { domain: [0, 100] } : countTicks(def, data, thresholds)),
    },
    color: { type: 'identity' },
    marks,
  });
}

/** A count (no decimals) with a small range gets whole-number ticks: no “0.2 个漏洞”. */
function countTicks(
  def: MetricDef,
  data: readonly MonthValue[],
  thresholds: readonly Threshold[],
): { ticks?: number[]; tickFormat?: string } {
  if (def.digits !== 0) return {};
  const max = Math.max(0, ...data.map((d) => d.value ?? 0), ...thresholds.map((t) => (typeof t.value === 'number' ? t.value : 0)));
  return max <= 10 ? { ticks: integerTicks(max), tickFormat: ',d' } : { tickFormat: ',d' };
}

function daysOf(month: string): number {
  const [y, m] = month.split('-').map(Number);
  return new Date(Date.UTC(y, m, 0)).getUTCDate();
}

/** Data-sharing completeness over the twelve months with the pass mark (sharing.min_pct). */
export function sharingChart(months: readonly string[], values: readonly MonthValue[], minPct: number): string {
  const byMonth = new Map(values.map((v) => [v.month, v]));
  const data = months.map((m) => byMonth.get(m) ?? { month: m, value: null });
  return render({
    width: 380,
    height: 200,
    marginBottom: 36,
    marginLeft: 46,
    marginRight: TAG_MARGIN,
    marginTop: 22,
    x: xMonths(months),
    y: { label: '归集完整率 %', domain: [0, 100], grid: true },
    marks: [
      Plot.ruleY([0], { stroke: '#999' }),
      Plot.ruleY([minPct], { stroke: RULE, strokeDasharray: '4,3' }),
      marginTag(minPct, `${minPct}%`, RULE),
      Plot.lineY(data, { x: 'month', y: 'value', stroke: LINE, strokeWidth: 1.8 }),
      Plot.dot(
        data.filter((d) => d.value !== null),
        { x: 'month', y: 'value', r: 3, fill: (d: MonthValue) => (d.flagged ? FLAG : LINE), stroke: 'white' },
      ),
    ],
  });
}

/** Whole-number ticks from 0 to at least `max`, at most about six of them (counts of systems). */
export function integerTicks(max: number): number[] {
  const top = Math.max(1, Math.ceil(max));
  const step = [1, 2, 5, 10, 20, 25, 50, 100, 200, 500, 1000].find((s) => top / s <= 6) ?? Math.ceil(top / 6);
  return Array.from({ length: Math.ceil(top / step) + 1 }, (_, i) => i * step);
}

/** The largest count of a 5-point bin of scores (the histogram's y extent). */
function maxBin(scores: readonly number[]): number {
  const bins = new Map<number, number>();
  for (const s of scores) {
    const b = Math.min(19, Math.floor(s / 5));
    bins.set(b, (bins.get(b) ?? 0) + 1);
  }
  return Math.max(0, ...bins.values());
}

export interface ConditionCount {
  month: string;
  condition: ConditionName;
  systems: number;
}

/** Systems holding each condition per month, stacked (a department page, printable; the page draws the legend). */
export function conditionBars(months: readonly string[], counts: readonly ConditionCount[]): string {
  const data = counts.map((c) => ({ ...c, zh: conditionZh(c.condition) }));
  const perMonth = new Map<string, number>();
  for (const c of counts) perMonth.set(c.month, (perMonth.get(c.month) ?? 0) + c.systems);
  return render({
    width: 640,
    height: 220,
    marginLeft: 40,
    marginTop: 16,
    x: { ...xMonths(months), type: 'band', padding: 0.25 },
    y: { label: '系统数', grid: true, zero: true, ticks: integerTicks(Math.max(0, ...perMonth.values())), tickFormat: 'd' },
    color: {
      domain: CONDITION_CODES.map(conditionZh),
      range: CONDITION_CODES.map((c) => CONDITION_COLORS[c]),
    },
    marks: [
      Plot.barY(data, {
        x: 'month',
        y: 'systems',
        fill: 'zh',
        title: (d: ConditionCount & { zh: string }) => `${d.month} ${d.zh}：${d.systems} 个`,
      }),
      Plot.ruleY([0]),
    ],
  });
}

/** The distribution of annual scores with the grade lines (优/良/中). */
export function scoreHistogram(scores: readonly number[], grades: { excellent: number; good: number; pass: number }): string {
  const data = scores.map((score) => ({ score }));
  const lines = [
    { value: grades.pass, label: `中 ≥ ${grades.pass}` },
    { value: grades.good, label: `良 ≥ ${grades.good}` },
    { value: grades.excellent, label: `优 ≥ ${grades.excellent}` },
  ];
  return render({
    width: 640,
    height: 220,
    marginLeft: 40,
    marginTop: 22,
    x: { label: '评价得分', domain: [0, 100] },
    y: { label: '系统数', grid: true, ticks: integerTicks(maxBin(scores)), tickFormat: 'd' },
    marks: [
      Plot.rectY(
        data,
        Plot.binX({ y: 'count' }, {
          x: 'score',
          thresholds: Array.from({ length: 21 }, (_, i) => i * 5),
          fill: LINE,
          inset: 0.5,
        } as Plot.BinXInputs<Plot.RectYOptions>),
      ),
      Plot.ruleX(lines, { x: 'value', stroke: RULE, strokeDasharray: '4,3' }),
      Plot.text(lines, { x: 'value', frameAnchor: 'top', text: 'label', dy: -10, fill: RULE }),
      Plot.ruleY([0]),
    ],
  });
}
