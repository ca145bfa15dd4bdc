// What govmon must conclude from the sample city, computed here from the definitions (docs/metrics.md §4,
// docs/decisions.md §5.1–§5.4) and the default thresholds, on a path of its own: nothing of govmon's metric, condition
// or decision code is imported, so the integration test compares two independent computations.

import {
  addDays,
  addMonths,
  addMonthsToDate,
  daysInMonth,
  diffDays,
  lastAggregatedAt,
  monthEnd,
  monthRange,
  nthWorkingDayAfter,
} from './calendar.ts';
import type { City, CitySystem } from './city.ts';
import { costShareExpectations } from './costshare.ts';
import type { MonthAgg } from './telemetry.ts';
import { EMPTY_AGG } from './telemetry.ts';
import {
  CONDITIONS,
  type CatalogRow,
  type Condition,
  type MonthMetricsExpected,
  type Planted,
  type PlantedDecisions,
  type ReportRow,
  type ScoreExpected,
  type SharingExpected,
  type SharingRowExpected,
  type StreakSet,
  type UpdateCycle,
} from './types.ts';

/** docs/metrics.md §4.1, docs/decisions.md §5 defaults (the same as metrics/profiles/default.json; the test checks that). */
export const THRESHOLDS = {
  no_data: { min_days_ratio: 0.5, warn_months: 2, eliminate_months: null as number | null },
  inactive: { dau_max: 0, requests_max: 300, warn_months: 1, eliminate_months: 3 as number | null },
  low_util: { cpu_avg_max: 5, cpu_p95_max: 10, warn_months: 3, eliminate_months: 6 as number | null },
  unusable: { availability_max: 90, warn_months: 1, eliminate_months: 3 as number | null },
  security: { warn_months: 1, eliminate_months: 3 as number | null },
  rightsizing: { p95_max: 40, months: 3, target_p95: 60 },
  sharing: {
    min_pct: 80,
    windows: { realtime: 1, daily: 2, weekly: 8, monthly: 31, quarterly: 92, yearly: 366 } as Record<UpdateCycle, number>,
  },
  catalog_deadline: { working_days: 10 },
  /** the compliance calendar (docs/decisions.md §5.6): self-evaluation 12–24 months after going into operation, report 90 days after the year */
  self_evaluation: { anchor: 'operation_start', from_months: 12, to_months: 24 },
  annual_report: { due_days_after_year_end: 90 },
  completion_acceptance: { min_days: 90, max_days: 365 },
  inflation: { margin: 15 },
  grades: { excellent: 90, good: 80, pass: 60 },
};

const T = THRESHOLDS;

export type Aggs = Map<string, Map<string, MonthAgg>>;

/** In scope of monitoring and decisions: stage operation and not classified (docs/metrics.md §4, docs/decisions.md §5.1). */
export function monitored(s: CitySystem): boolean {
  return s.row.stage === 'operation' && !s.row.classified;
}

export interface MonthState {
  month: string;
  /** the declared season (使用月份) as months 1–12, null all year (docs/metrics.md §4.2) */
  season: number[] | null;
  /** the month is outside the declared season */
  offSeason: boolean;
  agg: MonthAgg;
  cond: Record<Condition, boolean>;
  streak: StreakSet;
  /** conditions whose streak ≥ warn_months */
  warned: Condition[];
  /** conditions whose streak ≥ eliminate_months */
  eliminating: Condition[];
  onRect: boolean;
  exempt: boolean;
  onElimination: boolean;
  status: 'issued' | 'open' | null;
  resolved: boolean;
  escalated: boolean;
}

/** The first month with a monthly row: the later of the go-live month and the first month of data. */
export function firstRowMonth(s: CitySystem, firstMonth: string): string {
  const g = s.row.go_live_date?.slice(0, 7);
  return g && g > firstMonth ? g : firstMonth;
}

/** Conditions, streaks and list membership of one system, month by month (docs/metrics.md §4.1, docs/decisions.md §5.1). */
export function history(s: CitySystem, aggs: Aggs, firstMonth: string, m: string): MonthState[] {
  const out: MonthState[] = [];
  const mine = aggs.get(s.row.system_id);
  const season = seasonOf(s.row.active_months ?? null);
  let prev: MonthState | undefined;
  for (const month of monthRange(firstRowMonth(s, firstMonth), m)) {
    const a = mine?.get(month) ?? EMPTY_AGG;
    const offSeason = season !== null && !season.includes(Number(month.slice(5, 7)));
    const noData = a.days < T.no_data.min_days_ratio * daysInMonth(month);
    const cond: Record<Condition, boolean> = {
      no_data: noData,
      // a comparison with a null metric does not hold
      inactive:
        !offSeason &&
        !noData &&
        a.dau_max !== null &&
        a.dau_max <= T.inactive.dau_max &&
        a.requests_total !== null &&
        a.requests_total <= T.inactive.requests_max,
      low_util:
        !offSeason &&
        !noData &&
        a.cpu_avg !== null &&
        a.cpu_avg < T.low_util.cpu_avg_max &&
        a.cpu_p95 !== null &&
        a.cpu_p95 < T.low_util.cpu_p95_max,
      unusable: !noData && a.availability !== null && a.availability < T.unusable.availability_max,
      security: a.vulns !== null && a.vulns > 0,
    };
    const streak = {} as StreakSet;
    // outside the season the seasonal conditions' streaks stay as they were (paused)
    for (const c of CONDITIONS)
      streak[c] = offSeason && SEASONAL.includes(c) ? (prev?.streak[c] ?? 0) : cond[c] ? (prev?.streak[c] ?? 0) + 1 : 0;
    const warned = CONDITIONS.filter((c) => streak[c] >= T[c].warn_months);
    const eliminating = CONDITIONS.filter((c) => T[c].eliminate_months !== null && streak[c] >= T[c].eliminate_months!);
    const onRect = warned.length > 0 && eliminating.length === 0;
    const exempt = s.row.exempt_until !== null && s.row.exempt_until >= monthEnd(month);
    const st: MonthState = {
      month,
      season,
      offSeason,
      agg: a,
      cond,
      streak,
      warned,
      eliminating,
      onRect,
      exempt,
      onElimination: eliminating.length > 0 && !exempt,
      status: onRect ? (prev?.onRect ? 'open' : 'issued') : null,
      resolved: !!prev?.onRect && warned.length === 0,
      escalated: !!prev?.onRect && eliminating.length > 0,
    };
    // The planted data must leave no doubt about escalation: a condition reaching eliminate_months
    // exactly this month is the same as an open notice meeting the elimination list.
    const reaches = CONDITIONS.some(
      (c) => T[c].eliminate_months !== null && streak[c] === T[c].eliminate_months && (prev?.streak[c] ?? 0) !== streak[c],
    );
    if (reaches !== st.escalated) throw new Error(`sample city: ambiguous escalation of ${s.row.system_id} in ${month}`);
    out.push(st);
    prev = st;
  }
  return out;
}

/** Rectification deadline in month m: the earliest over the warned conditions (docs/decisions.md §5.1); a seasonal
 *  condition of a system with a season counts its in-season months (docs/metrics.md §4.2). */
export function deadline(st: MonthState): string {
  const ends = st.warned.map((c) => {
    if (c === 'no_data') return monthEnd(addMonths(st.month, 2));
    const left = T[c].eliminate_months! - st.streak[c];
    if (st.season === null || !SEASONAL.includes(c)) return monthEnd(addMonths(st.month, left));
    let k = 0;
    let m = st.month;
    while (k < left) {
      m = addMonths(m, 1);
      if (st.season.includes(Number(m.slice(5, 7)))) k++;
    }
    return monthEnd(m);
  });
  return ends.sort()[0];
}

/** List order, element by element (as SQL orders lists). */
function earlierList(a: readonly number[], b: readonly number[]): boolean {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i] < b[i];
  return a.length < b.length;
}

/** The conditions a declared season switches off outside its months (docs/metrics.md §4.2). */
const SEASONAL: readonly Condition[] = ['inactive', 'low_util'];

/** 使用月份 as the registry writes it ('3-6', '1,2,12', '11-2', '3、4、5') → months 1–12; null when empty. */
export function seasonOf(text: string | null): number[] | null {
  if (!text) return null;
  const out = new Set<number>();
  for (const part of text.split(/[,，、;；\s]+/).filter(Boolean)) {
    const [a, b] = part
      .replace(/月/g, '')
      .split(/[-－~～至到]/)
      .map(Number);
    if (b === undefined) out.add(a);
    else
      for (let x = a; ; x = (x % 12) + 1) {
        out.add(x);
        if (x === b) break;
      }
  }
  return [...out].sort((x, y) => x - y);
}

/**
 * Season suggestions (docs/metrics.md §4.2) for the monitored systems without a declared season: in
 * the 24 months ending with m, at least 13 with data, and a set of at most 4 calendar months holding
 * ≥ 90 % of each 12-month year's requests; the smallest such set, then the larger smaller share, then
 * the earliest months. Every subset is tried.
 */
export function seasonSuggestions(city: City, aggs: Aggs): { system_id: string; months: number[] }[] {
  const m = city.ctx.m;
  const out: { system_id: string; months: number[] }[] = [];
  for (const s of city.systems) {
    if (!monitored(s) || s.row.active_months) continue;
    const mine = aggs.get(s.row.system_id);
    const first = firstRowMonth(s, city.ctx.first);
    const recent = new Array<number>(13).fill(0);
    const earlier = new Array<number>(13).fill(0);
    let withData = 0;
    for (let k = 0; k < 24; k++) {
      const month = addMonths(m, -k);
      if (month < first) continue;
      const a = mine?.get(month);
      if (a && a.days > 0) withData++;
      (k < 12 ? recent : earlier)[Number(month.slice(5, 7))] += a?.requests_total ?? 0;
    }
    const rt = recent.reduce((x, y) => x + y, 0);
    const et = earlier.reduce((x, y) => x + y, 0);
    if (withData < 13 || rt === 0 || et === 0) continue;
    let best: { months: number[]; minShare: number } | null = null;
    for (let mask = 1; mask < 4096; mask++) {
      const months = Array.from({ length: 12 }, (_, i) => i + 1).filter((x) => mask & (1 << (x - 1)));
      if (months.length > 4) continue;
      const r = months.reduce((x, mm) => x + recent[mm], 0);
      const e = months.reduce((x, mm) => x + earlier[mm], 0);
      if (100 * r < 90 * rt || 100 * e < 90 * et) continue;
      const minShare = Math.min(r / rt, e / et);
      if (
        !best ||
        months.length < best.months.length ||
        (months.length === best.months.length &&
          (minShare > best.minShare || (minShare === best.minShare && earlierList(months, best.months))))
      )
        best = { months, minShare };
    }
    if (best) out.push({ system_id: s.row.system_id, months: best.months });
  }
  return out;
}

const held = (st: MonthState): Condition[] => CONDITIONS.filter((c) => st.streak[c] >= 1);

export function monthExpectations(city: City, aggs: Aggs): { planted: Planted['month']; histories: Map<string, MonthState[]> } {
  const { ctx } = city;
  const m = ctx.m;
  const histories = new Map<string, MonthState[]>();
  const out: Planted['month'] = {
    month: m,
    rectification: [],
    resolved: [],
    escalated: [],
    elimination: [],
    exempted: [],
    rightsizing: [],
    never_listed: [],
    rows_start: [],
    metrics: [],
  };
  for (const s of city.systems) {
    const id = s.row.system_id;
    if (!monitored(s)) {
      out.never_listed.push(id);
      continue;
    }
    const h = history(s, aggs, ctx.first, m);
    histories.set(id, h);
    const first = firstRowMonth(s, ctx.first);
    if (first > ctx.first) out.rows_start.push({ system_id: id, first_month: first });
    const st = h[h.length - 1];
    const a = st.agg;
    out.metrics.push({
      system_id: id,
      month: m,
      days_reported: a.days,
      cpu_avg_pct: a.cpu_avg,
      cpu_p95_pct: a.cpu_p95,
      mem_avg_pct: a.mem_avg,
      storage_used_gb: a.storage_used,
      dau_avg: a.dau_avg,
      dau_max: a.dau_max,
      requests_total: a.requests_total,
      availability_pct: a.availability,
      open_high_vulns: a.vulns,
      // the conditions that hold this month (a paused seasonal condition does not, though its streak stays)
      conditions: CONDITIONS.filter((c) => st.cond[c]),
      streaks: st.streak,
    } satisfies MonthMetricsExpected);
    if (st.onRect) {
      const streaks: Partial<StreakSet> = {};
      for (const c of held(st)) streaks[c] = st.streak[c];
      out.rectification.push({ system_id: id, conditions: held(st), streaks, status: st.status!, deadline: deadline(st) });
    }
    if (st.resolved) out.resolved.push({ system_id: id });
    if (st.escalated) out.escalated.push({ system_id: id, conditions: st.eliminating });
    if (st.eliminating.length > 0) {
      if (st.exempt)
        out.exempted.push({
          system_id: id,
          conditions: st.eliminating,
          exempt_until: s.row.exempt_until!,
          exempt_reason: s.row.exempt_reason!,
        });
      else
        out.elimination.push({
          system_id: id,
          conditions: st.eliminating,
          vcpu: s.row.vcpu,
          memory_gb: s.row.memory_gb,
          storage_gb: s.row.storage_gb,
          cloud_cost_annual: s.row.cloud_cost_annual,
        });
    }
    const rs = rightsizingAt(s, h, h.length - 1);
    if (rs) out.rightsizing.push(rs);
  }
  return { planted: out, histories };
}

/**
 * Right-sizing in the month h[i] (docs/decisions.md §5.2): P95 below 40 in each of the last 3 months, not on the
 * elimination list (an exempt system counts as not on it); listed when there is something to reclaim.
 */
export function rightsizingAt(s: CitySystem, h: readonly MonthState[], i: number): Planted['month']['rightsizing'][number] | null {
  const last = h.slice(Math.max(0, i - T.rightsizing.months + 1), i + 1);
  if (h[i].onElimination || last.length < T.rightsizing.months) return null;
  if (!last.every((x) => x.agg.cpu_p95 !== null && x.agg.cpu_p95 < T.rightsizing.p95_max)) return null;
  const maxP95 = Math.max(...last.map((x) => x.agg.cpu_p95!));
  const rec = Math.max(1, Math.ceil((s.row.vcpu * maxP95) / T.rightsizing.target_p95));
  if (rec >= s.row.vcpu) return null;
  return {
    system_id: s.row.system_id,
    vcpu: s.row.vcpu,
    recommended_vcpu: rec,
    reclaim_vcpu: s.row.vcpu - rec,
    max_p95: maxP95,
    reclaim_cost_annual: (s.row.cloud_cost_annual * (s.row.vcpu - rec)) / s.row.vcpu,
  };
}

/** Data-sharing completeness of every system at the end of a month (docs/decisions.md §5.3). */
export function sharingAt(city: City, catalog: readonly CatalogRow[], month: string): SharingExpected {
  const E = monthEnd(month);
  const bySystem = new Map<string, CatalogRow[]>();
  for (const r of catalog) {
    const l = bySystem.get(r.system_id) ?? [];
    l.push(r);
    bySystem.set(r.system_id, l);
  }
  const rows: SharingRowExpected[] = [];
  const overdue: SharingExpected['catalog_overdue'] = [];
  for (const s of city.systems) {
    if (s.row.classified || s.row.stage === 'retired') continue;
    const all = bySystem.get(s.row.system_id) ?? [];
    const cataloged = all.filter((r) => r.cataloged_date <= E);
    const shareable = cataloged.filter((r) => r.share_type !== 'none');
    // the last aggregation known at the month end (the platform's export of that month)
    const lastAt = new Map(shareable.map((r) => [r, lastAggregatedAt(r.aggregation, E)]));
    const aggregated = shareable.filter((r) => lastAt.get(r) !== null);
    const timely = aggregated.filter((r) => diffDays(lastAt.get(r)!, E) <= T.sharing.windows[r.update_cycle]);
    const duplicates = cataloged.filter((r) => r.duplicate_of !== null).length;
    const completeness = shareable.length ? (100 * timely.length) / shareable.length : null;
    const uncataloged = s.row.stage === 'operation' && cataloged.length === 0;
    let catalogOverdue = false;
    if (s.row.initial_acceptance_date) {
      const due = nthWorkingDayAfter(s.row.initial_acceptance_date, T.catalog_deadline.working_days);
      const firstCataloged = all.map((r) => r.cataloged_date).sort()[0] ?? null;
      catalogOverdue = due <= E && (firstCataloged === null || firstCataloged > due);
      if (catalogOverdue)
        overdue.push({
          system_id: s.row.system_id,
          initial_acceptance_date: s.row.initial_acceptance_date,
          deadline: due,
          first_cataloged_date: firstCataloged,
        });
    }
    rows.push({
      system_id: s.row.system_id,
      cataloged: cataloged.length,
      shareable: shareable.length,
      aggregated: aggregated.length,
      timely: timely.length,
      duplicates,
      completeness_pct: completeness,
      uncataloged,
      sharing_failure: uncataloged || (completeness !== null && completeness < T.sharing.min_pct) || duplicates > 0,
      catalog_overdue: catalogOverdue,
    });
  }
  return {
    month,
    as_of: E,
    rows,
    failure: rows.filter((r) => r.sharing_failure).map((r) => r.system_id),
    uncataloged: rows.filter((r) => r.uncataloged).map((r) => r.system_id),
    low_completeness: rows
      .filter((r) => r.completeness_pct !== null && r.completeness_pct < T.sharing.min_pct)
      .map((r) => ({ system_id: r.system_id, completeness_pct: r.completeness_pct! })),
    duplicates: rows.filter((r) => r.duplicates > 0).map((r) => ({ system_id: r.system_id, duplicates: r.duplicates })),
    catalog_overdue: overdue,
  };
}

const clamp = (x: number): number => Math.min(1, Math.max(0, x));
const mean = (xs: number[]): number | null => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);

/**
 * The annual score of docs/decisions.md §5.4 with the default weights. Interpretations where the contract leaves
 * room: "months of Y with monitored data" are the months of Y that were not no_data (a month with a
 * few reported days is not monitored enough to judge activity); a mean over no months scores 0.
 */
export function scoreOf(
  s: CitySystem,
  h: readonly MonthState[],
  Y: number,
  report: ReportRow | undefined,
  sharing: SharingRowExpected | undefined,
  /** the year whose report is read and whose windows judge it (Y, or Y − 1 for a provisional evaluation) */
  reportYear: number = Y,
): ScoreExpected {
  const inY = h.filter((x) => x.month.startsWith(`${Y}-`));
  const a = mean(inY.map((x) => x.agg.availability).filter((v): v is number => v !== null));
  const p = mean(inY.map((x) => x.agg.cpu_p95).filter((v): v is number => v !== null));
  const availability = a === null ? 0 : 10 * clamp((a - 95) / (99.9 - 95));
  const incidents = report ? Math.max(0, 10 - 2 * report.incidents) : 0;
  const utilization = p === null ? 0 : 10 * clamp((p - 5) / (40 - 5));
  let budget = 0;
  if (report && s.row.om_budget_annual > 0) {
    const ratio = report.om_paid / s.row.om_budget_annual;
    const dist = ratio < 0.8 ? 0.8 - ratio : ratio > 1 ? ratio - 1 : 0;
    budget = 10 * clamp(1 - dist / 0.5);
  }
  const goals = report && report.goals_total > 0 ? (15 * report.goals_met) / report.goals_total : 0;
  const withData = inY.filter((x) => !x.cond.no_data);
  const activity = withData.length ? (10 * withData.filter((x) => !x.cond.inactive).length) / withData.length : 0;
  let sharingPts = 0;
  if (sharing) {
    sharingPts = sharing.uncataloged ? 0 : sharing.completeness_pct === null ? 15 : (15 * sharing.completeness_pct) / 100;
    if (sharing.duplicates > 0) sharingPts -= 5;
    sharingPts = Math.max(0, sharingPts);
  }
  const inLookback = (d: string | null | undefined) => !!d && (d.startsWith(`${reportYear}-`) || d.startsWith(`${reportYear - 1}-`));
  const graded = s.row.security_level < 2 ? 5 : inLookback(report?.security_assessment_date) ? 5 : 0;
  const crypto = inLookback(report?.crypto_assessment_date) ? 5 : 0;
  const vulns = Math.max(0, 5 - inY.filter((x) => x.cond.security).length);
  const integration = report ? Math.min(5, report.integration_points) : 0;
  const parts = {
    operation: availability + incidents,
    cost: utilization + budget,
    effect: goals + activity,
    sharing: sharingPts,
    security: graded + crypto + vulns,
    integration,
  };
  const score = parts.operation + parts.cost + parts.effect + parts.sharing + parts.security + parts.integration;
  const g = T.grades;
  return {
    system_id: s.row.system_id,
    score,
    grade: score >= g.excellent ? '优' : score >= g.good ? '良' : score >= g.pass ? '中' : '差',
    ...parts,
    self_score: report?.self_score ?? null,
    report_missing: !report,
  };
}

/**
 * Next-year budget recommendations (docs/decisions.md §5.5) for the scored systems, from the state at the end of
 * Y (December of Y): first matching rule wins, every matching reason listed. A rectification open
 * "for more than 6 months" counts the months the notice has been on the list, December included.
 */
export function budgetExpectations(
  city: City,
  histories: Map<string, MonthState[]>,
  year: Planted['year'],
  sharingY: SharingExpected,
): Planted['budget'] {
  const Y = city.ctx.Y;
  const dec = `${Y}-12`;
  const scores = new Map(year.scores.map((x) => [x.system_id, x]));
  const sharing = new Map(sharingY.rows.map((r) => [r.system_id, r]));
  const rows: Planted['budget']['rows'] = [];
  const openMonths = new Map<string, number>();
  for (const id of year.scored) {
    const s = city.byId.get(id)!;
    const h = histories.get(id)!;
    const i = h.findIndex((x) => x.month === dec);
    const st = i >= 0 ? h[i] : undefined;
    let open = 0;
    for (let j = i; j >= 0 && h[j].onRect; j--) open++;
    if (open > 0) openMonths.set(id, open);
    const grade = scores.get(id)!.grade;
    const openRect = !!st?.onRect;
    const flags: [string, boolean][] = [
      ['eliminated', !!st?.onElimination],
      ['no_final_acceptance', year.no_final_acceptance.includes(id)],
      ['security_noncompliant', year.security_missing.includes(id) || year.crypto_missing.includes(id)],
      ['sharing_failure', !!sharing.get(id)?.sharing_failure],
      ['poor_with_open_rectification', grade === '差' && openRect],
      ['open_rectification', openRect],
      ['grade_poor', grade === '差'],
      ['grade_fair', grade === '中'],
      ['rightsizing', i >= 0 && rightsizingAt(s, h, i) !== null],
    ];
    const reasons = flags.filter(([, on]) => on).map(([r]) => r);
    const recommendation = recommendationOf(reasons);
    rows.push({
      system_id: id,
      recommendation,
      reasons,
      recommended_om_budget:
        recommendation === 'fund' ? s.row.om_budget_annual : recommendation === 'reduce' ? s.row.om_budget_annual * 0.9 : 0,
    });
  }
  const departments: Planted['budget']['departments_suspended'] = [];
  for (const dept of [...new Set(rows.map((r) => city.byId.get(r.system_id)!.row.department))].sort()) {
    const mine = rows.filter((r) => city.byId.get(r.system_id)!.row.department === dept);
    const reasons: string[] = [];
    if (mine.some((r) => r.recommendation === 'withhold' && r.reasons.includes('sharing_failure'))) reasons.push('sharing_withhold');
    if (mine.some((r) => (openMonths.get(r.system_id) ?? 0) > 6)) reasons.push('long_open_rectification');
    if (reasons.length) departments.push({ department: dept, reasons });
  }
  return { year: Y + 1, rows, departments_suspended: departments };
}

/** Year-Y expectations (docs/decisions.md §5.4, §5.5 inputs). `reports` are the valid reports of Y. */
export function yearExpectations(
  city: City,
  histories: Map<string, MonthState[]>,
  reports: readonly ReportRow[],
  sharingY: SharingExpected,
): Planted['year'] {
  const Y = city.ctx.Y;
  const byId = new Map(reports.filter((r) => r.year === Y).map((r) => [r.system_id, r]));
  const sharing = new Map(sharingY.rows.map((r) => [r.system_id, r]));
  const scored = city.systems.filter(monitored);
  const inLookback = (d: string | null | undefined) => !!d && (d.startsWith(`${Y}-`) || d.startsWith(`${Y - 1}-`));
  const scores = scored.map((s) => scoreOf(s, histories.get(s.row.system_id)!, Y, byId.get(s.row.system_id), sharing.get(s.row.system_id)));
  return {
    year: Y,
    scored: scored.map((s) => s.row.system_id),
    report_missing: scored.filter((s) => !byId.has(s.row.system_id)).map((s) => s.row.system_id),
    security_missing: scored
      .filter((s) => s.row.security_level >= 2 && !inLookback(byId.get(s.row.system_id)?.security_assessment_date))
      .map((s) => s.row.system_id),
    crypto_missing: scored.filter((s) => !inLookback(byId.get(s.row.system_id)?.crypto_assessment_date)).map((s) => s.row.system_id),
    inflated: scores
      .filter((x) => x.self_score !== null && x.self_score - x.score > T.inflation.margin)
      .map((x) => ({ system_id: x.system_id, self_score: x.self_score!, score: x.score })),
    no_final_acceptance: scored.filter((s) => s.row.final_acceptance_date === null).map((s) => s.row.system_id),
    scores,
  };
}

/**
 * The overdue obligations of the compliance calendar at the end of month m (docs/decisions.md §5.6, the
 * default profile), for every system in construction, trial or operation that is not classified:
 * the catalog 10 working days after initial acceptance (done: a resource cataloged), completion
 * acceptance at most 365 days after going live (done: the final acceptance), the self-evaluation
 * 12–24 months after going into operation (done: a report with a self-score submitted inside),
 * the annual reports of the last two complete years, due 90 days after each (done: submitted), and
 * a missing cost-sharing plan or population (listed only while missing). An obligation is overdue when it is not done by the month end and its due date is before it.
 */
export function calendarExpectations(city: City, reports: readonly ReportRow[], catalog: readonly CatalogRow[]): Planted['calendar'] {
  const { ctx } = city;
  const E = ctx.mEnd;
  const firstCataloged = new Map<string, string>();
  for (const r of catalog) {
    const was = firstCataloged.get(r.system_id);
    if (!was || r.cataloged_date < was) firstCataloged.set(r.system_id, r.cataloged_date);
  }
  const overdue: Planted['calendar']['overdue'] = [];
  const check = (id: string, obligation: string, due: string, done: string | null | undefined) => {
    if (!(done && done <= E) && due < E) overdue.push({ system_id: id, obligation, due_date: due });
  };
  const t = THRESHOLDS;
  for (const s of city.systems) {
    const x = s.row;
    if (x.classified || x.stage === 'retired') continue;
    if (x.initial_acceptance_date)
      check(
        x.system_id,
        'catalog',
        nthWorkingDayAfter(x.initial_acceptance_date, t.catalog_deadline.working_days),
        firstCataloged.get(x.system_id),
      );
    if (x.go_live_date)
      check(x.system_id, 'completion_acceptance', addDays(x.go_live_date, t.completion_acceptance.max_days), x.final_acceptance_date);
    if (x.stage !== 'operation') continue;
    const anchor = x.final_acceptance_date ?? x.go_live_date;
    if (anchor) {
      const from = addMonthsToDate(anchor, t.self_evaluation.from_months);
      const to = addMonthsToDate(anchor, t.self_evaluation.to_months);
      const done = reports
        .filter((r) => r.system_id === x.system_id && r.self_score !== null && r.submitted_date >= from && r.submitted_date <= to)
        .map((r) => r.submitted_date)
        .sort()[0];
      check(x.system_id, 'self_evaluation', to, done);
    }
    const since = Number((x.final_acceptance_date ?? x.go_live_date ?? '1900').slice(0, 4));
    for (const y of [ctx.Y - 1, ctx.Y].filter((y) => y >= since))
      check(
        x.system_id,
        `annual_report:${y}`,
        addDays(`${y}-12-31`, t.annual_report.due_days_after_year_end),
        reports.find((r) => r.system_id === x.system_id && r.year === y)?.submitted_date,
      );
  }
  // cost sharing (docs/decisions.md §5.8): a system subject to it without a plan owes one by its
  // go-live date; a public-facing one without last year's population owes that from 1 January
  const byId = new Map(city.systems.map((s) => [s.row.system_id, s.row]));
  for (const m of costShareExpectations(city).missing) {
    const x = byId.get(m.system_id)!;
    if (x.classified || !['construction', 'trial', 'operation'].includes(x.stage)) continue;
    if (m.status === 'missing_plan') {
      if (x.go_live_date) check(x.system_id, 'cost_plan', x.go_live_date, null);
    } else check(x.system_id, `population:${ctx.Y - 1}`, `${ctx.Y}-01-01`, null);
  }
  overdue.sort((a, b) => (a.system_id < b.system_id ? -1 : a.system_id > b.system_id ? 1 : a.obligation < b.obligation ? -1 : 1));
  return { month: ctx.m, month_end: E, overdue };
}

/** The first rule that matches wins (docs/decisions.md §5.5): withhold, suspend, reduce, else fund. */
function recommendationOf(reasons: readonly string[]): 'withhold' | 'suspend' | 'reduce' | 'fund' {
  const has = (...rs: string[]) => rs.some((r) => reasons.includes(r));
  if (has('shut_down', 'eliminated', 'no_final_acceptance', 'security_noncompliant', 'sharing_failure', 'poor_with_open_rectification'))
    return 'withhold';
  if (has('open_rectification', 'grade_poor')) return 'suspend';
  if (has('grade_fair', 'rightsizing')) return 'reduce';
  return 'fund';
}

/**
 * The provisional evaluation (预评价, docs/decisions.md §5.5a) of the year of the end month, as the budget
 * season runs it before that year's reports are due: the year's months up to m, the report of the
 * year before standing in with its own year's windows, the state at the end of m. Its budget rows:
 * the first matching rule wins, every matching reason listed (as `budgetExpectations`).
 */
export function provisionalExpectations(
  city: City,
  histories: Map<string, MonthState[]>,
  reports: readonly ReportRow[],
  sharingM: SharingExpected,
  /** the decisions' effect on the end month's elimination list (decisions.ts applyDecisions) */
  decided?: PlantedDecisions,
): Planted['provisional'] {
  const { ctx } = city;
  const year = Number(ctx.m.slice(0, 4));
  const reportYear = year - 1;
  const byId = new Map(reports.filter((r) => r.year === reportYear).map((r) => [r.system_id, r]));
  const sharing = new Map(sharingM.rows.map((r) => [r.system_id, r]));
  const inLookback = (d: string | null | undefined) => !!d && (d.startsWith(`${reportYear}-`) || d.startsWith(`${reportYear - 1}-`));
  const rows: Planted['provisional']['rows'] = [];
  for (const s of city.systems.filter(monitored)) {
    const id = s.row.system_id;
    const h = histories.get(id)!;
    const report = byId.get(id);
    const sc = scoreOf(s, h, year, report, sharing.get(id), reportYear);
    const i = h.findIndex((x) => x.month === ctx.m);
    const st = i >= 0 ? h[i] : undefined;
    const openRect = !!st?.onRect;
    // docs/decisions.md §5.7: an exemption by decision takes a system off the list; one shut down
    // by a decision in the year is withheld for that reason too
    const decision = decided?.elimination.find((e) => e.system_id === id)?.status;
    const flags: [string, boolean][] = [
      ['shut_down', decision === 'shut_down'],
      ['eliminated', !!st?.onElimination && decision !== 'exempted'],
      ['no_final_acceptance', s.row.final_acceptance_date === null],
      [
        'security_noncompliant',
        (s.row.security_level >= 2 && !inLookback(report?.security_assessment_date)) || !inLookback(report?.crypto_assessment_date),
      ],
      ['sharing_failure', !!sharing.get(id)?.sharing_failure],
      ['poor_with_open_rectification', sc.grade === '差' && openRect],
      ['open_rectification', openRect],
      ['grade_poor', sc.grade === '差'],
      ['grade_fair', sc.grade === '中'],
      ['rightsizing', i >= 0 && rightsizingAt(s, h, i) !== null],
    ];
    const reasons = flags.filter(([, on]) => on).map(([r]) => r);
    rows.push({
      system_id: id,
      recommendation: recommendationOf(reasons),
      reasons,
      report_missing: !report,
    });
  }
  return { year, report_year: reportYear, as_of_month: ctx.m, budget_year: year + 1, rows };
}
