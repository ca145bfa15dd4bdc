// The next-year budget recommendation (docs/decisions.md §5.5) and the department-level suspension of new
// projects, from the evaluation of year 2025, on a small synthetic city; and the `budget` export
// (§7.2). Every expected value is computed by hand in the comments beside it.
//
// Rules, first match wins, every matching reason listed:
//   1 withhold: eliminated in December; in operation without final acceptance; security
//     non-compliance; sharing failure at the end of Y; grade 差 with an open rectification
//   2 suspend: an open rectification at the end of Y, or grade 差
//   3 reduce: grade 中, or right-sizing at the end of Y → om_budget_annual × 0.9, cloud cost less the reclaimable share
//   4 fund: otherwise → the full budget
//
// Telemetry runs from May to December 2025 (8 months), so every system in operation has rows from
// 2025-05 (or from its go-live month, when later). Registry defaults: final acceptance 2024-06-03,
// 等保 level 2, 8 vCPU, cloud cost 12 000, O&M budget 100 000. The 2025 report of every system
// scores full marks unless changed (0 incidents, 90 000 paid, 4 of 4 goals, 5 integration points,
// both assessments in 2025), and every system has one daily resource aggregated on 2025-12-31.
// A system with nothing changed scores 100 (see tests/evaluation.test.ts for the indicator arithmetic).

import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluateYear } from '../pipelines/run/year.ts';
import { exportRows, writeExport } from '../dashboards/exports/write.ts';
import type { Row, Store } from '../pipelines/store/database.ts';
import { NOW, openTestStore } from './helpers.ts';
import {
  DEFAULT_PROFILE,
  IDLE,
  buildCity,
  bySystem,
  csvHeader,
  csvRows,
  months,
  report,
  resource,
  system,
  type CatalogRow,
  type Day,
  type ReportRow,
  type SystemRow,
  type TelemetryRow,
} from './fixtures/annual/city.ts';

const MAY_TO_SEP = ['2025-05', '2025-06', '2025-07', '2025-08', '2025-09'];
const OCT_TO_DEC = ['2025-10', '2025-11', '2025-12'];
const MAY_TO_NOV = [...MAY_TO_SEP, '2025-10', '2025-11'];
const YEAR = [...MAY_TO_SEP, ...OCT_TO_DEC];

interface Spec {
  sys?: Omit<SystemRow, 'system_id'>;
  /** telemetry; default: healthy May–December with `day` overrides; [] for none */
  telemetry?: (id: string) => TelemetryRow[];
  day?: Partial<Day>;
  catalog?: (id: string) => CatalogRow[];
  report?: Omit<ReportRow, 'system_id' | 'year'>;
}

const timely = (id: string, over: Omit<CatalogRow, 'system_id' | 'resource_id'> = {}) =>
  resource(id, `${id}-R1`, { last_aggregated_date: '2025-12-31', ...over });

/** A report that scores 0 on incidents (5 × 2 = 10), budget (0 paid), goals (0 of 1) and integration. */
const WEAK_REPORT = { incidents: 5, om_paid: 0, goals_total: 1, goals_met: 0, integration_points: 0 };

const CITY: Record<string, Spec> = {
  FUND: { sys: { department: '丁局' } },
  // inactive (0 users, 0 requests) October–December: streak 3 = eliminate_months in December
  ELIM: { sys: { department: '丁局' }, telemetry: (id) => [...months(id, MAY_TO_SEP), ...months(id, OCT_TO_DEC, IDLE)] },
  EXEMPT: {
    sys: { department: '丁局', exempt_until: '2026-06-30', exempt_reason: '重大活动保障期' },
    telemetry: (id) => [...months(id, MAY_TO_SEP), ...months(id, OCT_TO_DEC, IDLE)],
  },
  NOFINAL: { sys: { department: '丁局', final_acceptance_date: null } },
  SECOLD: { sys: { department: '丁局' }, report: { security_assessment_date: '2023-12-31' } },
  NOCRYPTO: { sys: { department: '丁局' }, report: { crypto_assessment_date: null } },
  LEVEL1: { sys: { department: '丁局', security_level: 1 }, report: { security_assessment_date: null } },
  // daily resource last aggregated 2025-11-01: 60 days > 2, not timely → completeness 0 < 80
  SHARE: { sys: { department: '甲局' }, catalog: (id) => [timely(id, { last_aggregated_date: '2025-11-01' })] },
  // availability 80 < 90 in December only: unusable streak 1 = warn_months → rectification issued in December
  POOROPEN: {
    sys: { department: '丁局' },
    telemetry: (id) => [...months(id, MAY_TO_NOV), ...months(id, ['2025-12'], { availability_pct: 80 })],
    report: WEAK_REPORT,
  },
  OPEN: {
    sys: { department: '丁局' },
    telemetry: (id) => [...months(id, MAY_TO_NOV), ...months(id, ['2025-12'], { availability_pct: 80 })],
  },
  // availability 94: 0 points but not unusable (94 ≥ 90)
  POOR: { sys: { department: '丁局' }, day: { availability_pct: 94 }, report: WEAK_REPORT },
  FAIR: { sys: { department: '丁局' }, day: { availability_pct: 94 }, report: { incidents: 5, goals_total: 1, goals_met: 0 } },
  // daily peak 30: P95 30 < 40 in each of Oct, Nov, Dec → right-sizing
  RIGHT: { sys: { department: '丁局' }, day: { cpu_max_pct: 30 } },
  MULTI: {
    sys: { department: '戊局', final_acceptance_date: null },
    day: { cpu_max_pct: 30 },
    catalog: () => [],
    report: { goals_total: 1, goals_met: 0 },
  },
  // no telemetry at all: no_data every month from May (streak 2 in June → notice issued in June)
  LONG7: { sys: { department: '乙局' }, telemetry: () => [] },
  // no telemetry, rows from its go-live month June: streak 2 in July → notice issued in July
  OPEN6: {
    sys: { department: '丙局', go_live_date: '2025-06-01', initial_acceptance_date: '2025-06-20', final_acceptance_date: '2025-09-15' },
    telemetry: () => [],
  },
  TRIAL: { sys: { department: '丁局', stage: 'trial', final_acceptance_date: null } },
};

function cityInput() {
  const systems: SystemRow[] = [];
  const telemetry: TelemetryRow[] = [];
  const catalog: CatalogRow[] = [];
  const reports: ReportRow[] = [];
  for (const [id, s] of Object.entries(CITY)) {
    systems.push(system(id, s.sys));
    telemetry.push(...(s.telemetry ? s.telemetry(id) : months(id, YEAR, s.day)));
    catalog.push(...(s.catalog ? s.catalog(id) : [timely(id)]));
    reports.push(report(id, 2025, s.report));
  }
  return { systems, telemetry, catalog, reports };
}

let env: Awaited<ReturnType<typeof openTestStore>>;
let store: Store;
let runId: number;
let B: Record<string, Row>;
let D: Record<string, Row>;
let S: Record<string, Row>;

beforeAll(async () => {
  env = await openTestStore();
  store = env.store;
  await buildCity(store, env, cityInput());
  runId = (await evaluateYear(store, { year: 2025, profile: DEFAULT_PROFILE, now: NOW })).runId;
  B = await bySystem(store, 'res_budget', runId);
  S = await bySystem(store, 'res_scores', runId);
  const depts = await store.all('SELECT * FROM res_departments WHERE run_id = $1', [runId]);
  D = Object.fromEntries(depts.map((d) => [d.department as string, d]));
});

afterAll(() => {
  store?.close();
  if (env) fs.rmSync(env.dir, { recursive: true, force: true });
});

/** recommendation, reasons, recommended O&M amount and cloud cost of a system. */
const decision = (id: string) => ({
  recommendation: B[id].recommendation,
  reasons: B[id].reasons,
  om: B[id].recommended_om_budget,
});

describe('evaluateYear(store, { year: 2025 }) — next-year budget rows', () => {
  it('recommends for every scored system, for the budget year 2026, and not for a trial system', () => {
    expect(Object.keys(B).sort()).toEqual(Object.keys(S).sort());
    expect(B.TRIAL).toBeUndefined();
    expect(new Set(Object.values(B).map((b) => b.year))).toEqual(new Set([2026]));
  });

  it('funds a system with nothing against it in full', () => {
    // score 100 (优), no reason: O&M 100 000, cloud 12 000
    expect(decision('FUND')).toEqual({ recommendation: 'fund', reasons: [], om: 100000 });
    expect(B.FUND.recommended_cloud_cost).toBe(12000);
    expect(B.FUND.citations).toEqual(['《宿迁市市级信息化项目管理办法》第五条']);
  });

  it('recommends 0 for every withhold and suspend', () => {
    const zeroed = Object.values(B).filter((b) => b.recommendation === 'withhold' || b.recommendation === 'suspend');
    expect(zeroed.length).toBeGreaterThanOrEqual(10);
    expect(zeroed.filter((b) => b.recommended_om_budget !== 0).map((b) => b.system_id)).toEqual([]);
  });
});

describe('evaluateYear(store, { year }) — rule 1, withhold (不予安排运维经费)', () => {
  it('withholds from a system on the elimination list in December', () => {
    // inactive Oct (streak 1), Nov (2), Dec (3 = eliminate_months) → eliminated, not exempt.
    // Score: activity 10 × 5 / 8 = 6.25 → 96.25 (优): elimination is the only reason.
    expect(S.ELIM.score).toBe(96.25);
    expect(decision('ELIM')).toEqual({ recommendation: 'withhold', reasons: ['eliminated'], om: 0 });
    expect(B.ELIM.citations).toContain('《宿迁市市级信息化项目管理办法》第六条');
  });

  it('counts an exempt system as not eliminated, and funds it', () => {
    // same telemetry, exempt until 2026-06-30 ≥ 2025-12-31: not eliminated, not on rectification either
    // (its condition reached eliminate_months) → score 96.25 (优), no reason → fund 100 000
    expect(decision('EXEMPT')).toEqual({ recommendation: 'fund', reasons: [], om: 100000 });
  });

  it('withholds from a system in operation without final acceptance', () => {
    expect(decision('NOFINAL')).toEqual({ recommendation: 'withhold', reasons: ['no_final_acceptance'], om: 0 });
    expect(B.NOFINAL.citations).toContain('《宿迁市市级信息化项目管理办法》第三十六条');
  });

  it('withholds for security non-compliance: level 2 assessed before Y − 1, or no crypto assessment', () => {
    // SECOLD: 2023-12-31 is before 2024-01-01; NOCRYPTO: no crypto assessment (score 95 each, 优)
    expect(decision('SECOLD')).toEqual({ recommendation: 'withhold', reasons: ['security_noncompliant'], om: 0 });
    expect(decision('NOCRYPTO')).toEqual({ recommendation: 'withhold', reasons: ['security_noncompliant'], om: 0 });
  });

  it('does not require a graded-protection assessment of a level 1 system', () => {
    expect(decision('LEVEL1')).toEqual({ recommendation: 'fund', reasons: [], om: 100000 });
  });

  it('withholds for a sharing failure at the end of the year', () => {
    // completeness 100 × 0 / 1 = 0 < 80; score 100 − 15 = 85 (良)
    expect(S.SHARE.score).toBe(85);
    expect(decision('SHARE')).toEqual({ recommendation: 'withhold', reasons: ['sharing_failure'], om: 0 });
    expect(B.SHARE.citations).toContain('《绍兴市市级政务信息化项目管理办法》第三十条');
  });

  it('withholds from a grade 差 system with an open rectification, listing every matching reason', () => {
    // availability: monthly means May–Nov 100, Dec 80 → a = (7 × 100 + 80) / 8 = 97.5 → 10 × 2.5 / 4.9 = 5.102
    // incidents 0, utilization 10, budget 0 (0 paid), goals 0, activity 10, sharing 15, security 15, integration 0
    // score = 5.102 + 10 + 10 + 15 + 15 = 55.102 → 差; the December notice is open → rule 1
    expect(S.POOROPEN.score).toBeCloseTo(50 + 25 / 4.9, 9);
    expect(S.POOROPEN.grade).toBe('差');
    expect(decision('POOROPEN')).toEqual({
      recommendation: 'withhold',
      reasons: ['poor_with_open_rectification', 'open_rectification', 'grade_poor'],
      om: 0,
    });
    expect(B.POOROPEN.citations).toContain('《宁波市本级信息化项目全生命周期管理办法》（十九）');
  });

  it('lets the first rule win and still lists every matching reason', () => {
    // MULTI: no final acceptance (rule 1), nothing cataloged → uncataloged, sharing failure (rule 1),
    // score 100 − 15 (sharing) − 15 (goals 0 of 1) − 10 × (1 − 25 / 35) (P95 30) = 67.14 → 中 (rule 3),
    // P95 30 < 40 three months → right-sizing (rule 3) → withhold, amount 0
    expect(S.MULTI.score).toBeCloseTo(60 + 250 / 35, 9);
    expect(S.MULTI.grade).toBe('中');
    expect(decision('MULTI')).toEqual({
      recommendation: 'withhold',
      reasons: ['no_final_acceptance', 'sharing_failure', 'grade_fair', 'rightsizing'],
      om: 0,
    });
  });
});

describe('evaluateYear(store, { year }) — rule 2, suspend (暂缓安排（待整改）)', () => {
  it('suspends a system with only an open rectification', () => {
    // as POOROPEN but a full report: 100 − 10 + 5.102 = 95.10 (优); the December notice is open
    expect(S.OPEN.grade).toBe('优');
    expect(decision('OPEN')).toEqual({ recommendation: 'suspend', reasons: ['open_rectification'], om: 0 });
  });

  it('suspends a system graded 差 without a rectification', () => {
    // availability 94 → 0, incidents 0, budget 0, goals 0, integration 0: 10 + 10 + 15 + 15 = 50 → 差
    expect([S.POOR.score, S.POOR.grade]).toEqual([50, '差']);
    expect(decision('POOR')).toEqual({ recommendation: 'suspend', reasons: ['grade_poor'], om: 0 });
  });
});

describe('evaluateYear(store, { year }) — rule 3, reduce (核减), and rule 4, fund', () => {
  it('reduces a system graded 中 to om_budget_annual × 0.9', () => {
    // availability 94 → 0, incidents 5 → 0, goals 0 of 1 → 0: 100 − 10 − 10 − 15 = 65 → 中
    // 100 000 × 0.9 = 90 000; no right-sizing: cloud cost stays 12 000
    expect([S.FAIR.score, S.FAIR.grade]).toEqual([65, '中']);
    expect(decision('FAIR').recommendation).toBe('reduce');
    expect(decision('FAIR').reasons).toEqual(['grade_fair']);
    expect(B.FAIR.recommended_om_budget).toBeCloseTo(90000, 6);
    expect(B.FAIR.recommended_cloud_cost).toBe(12000);
  });

  it('reduces a right-sized system and takes the reclaimable share off its cloud cost', () => {
    // P95 30 in Oct, Nov, Dec: recommended vCPU max(1, ceil(8 × 30 / 60)) = 4, reclaim 4 of 8
    // → 12 000 × 4 / 8 = 6 000 reclaimable → cloud 12 000 − 6 000 = 6 000; O&M 100 000 × 0.9 = 90 000
    // score 100 − 10 × (1 − 25 / 35) = 97.14 (优): right-sizing is the only reason
    expect(decision('RIGHT').recommendation).toBe('reduce');
    expect(decision('RIGHT').reasons).toEqual(['rightsizing']);
    expect(B.RIGHT.recommended_om_budget).toBeCloseTo(90000, 6);
    expect(B.RIGHT.recommended_cloud_cost).toBe(6000);
  });
});

describe('evaluateYear(store, { year }) — department suspension of new projects (暂停新项目申报)', () => {
  it('suspends a department with a withhold for sharing failure', () => {
    expect(D['甲局']).toMatchObject({ suspend_new_projects: true, reasons: ['sharing_withhold'], sharing_systems: ['SHARE'] });
  });

  it('counts a withhold whose first reason is another one but which also lists the sharing failure', () => {
    expect(D['戊局']).toMatchObject({ suspend_new_projects: true, reasons: ['sharing_withhold'], sharing_systems: ['MULTI'] });
  });

  it('suspends a department with a rectification open for more than 6 months', () => {
    // LONG7: no_data from May; streak 2 in June → issued June; open June … December = 7 months > 6
    expect(decision('LONG7').reasons).toEqual(['open_rectification', 'grade_fair']);
    expect(D['乙局']).toMatchObject({
      suspend_new_projects: true,
      reasons: ['long_open_rectification'],
      longest_open_months: 7,
      long_open_systems: ['LONG7'],
    });
  });

  it('does not suspend a department whose rectification has been open exactly 6 months', () => {
    // OPEN6: rows from June; streak 2 in July → issued July; open July … December = 6 months, not > 6
    expect(decision('OPEN6').recommendation).toBe('suspend');
    expect(D['丙局']).toMatchObject({ suspend_new_projects: false, reasons: [], longest_open_months: 6 });
  });

  it('does not suspend a department for withholds of other kinds', () => {
    // 丁局: eliminated, no final acceptance, security, grade 差 with an open notice — none for sharing;
    // its longest open notice (OPEN, POOROPEN) was issued in December: 1 month
    expect(D['丁局']).toMatchObject({ suspend_new_projects: false, reasons: [], longest_open_months: 1, withheld_for_sharing: 0 });
    expect(D['丁局'].citations).toEqual(['《宁波市本级信息化项目全生命周期管理办法》（十九）']);
  });
});

describe('exportRows / writeExport(store, "budget", { year: 2025 })', () => {
  it('writes the §7.2 budget columns first, in order', async () => {
    const file = path.join(env.dir, 'budget.csv');
    await writeExport(store, 'budget', { year: 2025 }, file);
    expect(csvHeader(file).slice(0, 6)).toEqual(['system_id', 'year', 'recommendation', 'recommended_om_budget', 'reasons', 'citations']);
    const rows = csvRows(file);
    expect(rows).toHaveLength(Object.keys(B).length);
    expect(new Set(rows.map((r) => r.year))).toEqual(new Set(['2026']));
    expect(rows.find((r) => r.system_id === 'POOROPEN')!.reasons).toBe('poor_with_open_rectification;open_rectification;grade_poor');
  });

  it('carries the budget year Y + 1 and the recommended amounts', async () => {
    const { rows } = await exportRows(store, 'budget', { year: 2025 });
    const byId = Object.fromEntries(rows.map((r) => [r.system_id as string, r]));
    expect([byId.FUND.year, byId.FUND.recommendation, byId.FUND.recommended_om_budget]).toEqual([2026, 'fund', 100000]);
    expect([byId.SHARE.recommendation, byId.SHARE.recommended_om_budget]).toEqual(['withhold', 0]);
  });
});
