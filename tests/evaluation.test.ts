// The annual evaluation score (docs/decisions.md §5.4) of year 2025 on a small synthetic city: each indicator at
// its edges, each grade boundary, the self-evaluation inflation threshold, a missing O&M report,
// and the `scores` export (§7.2). Every expected value is computed by hand in the comments beside
// it from the inputs the test writes; nothing is read back from the implementation to build an
// expectation.
//
// The base system FULL scores every point (default profile, 100 points):
//   operation 20 = availability 10 (100 % ≥ 99.9) + incidents 10 (0 incidents)
//   cost 20      = utilization 10 (P95 50 ≥ 40) + budget execution 10 (90 000 / 100 000 = 0.9 ∈ [0.8, 1.0])
//   effect 25    = goals 15 (4 of 4) + activity 10 (every monitored month active)
//   sharing 15   = 15 × 100 / 100 (one daily resource aggregated on 2025-12-31, the month end: 0 ≤ 2 days)
//   security 15  = graded protection 5 (level 2, assessed 2025-05-20) + crypto 5 (2025-06-10) + vulnerabilities 5 (0 months)
//   integration 5 = 5 integration points
// Every other system is FULL with one thing changed, so its score is 100 minus what that change costs.
//
// Telemetry: December 2025 (31 days) for most systems; a few systems report from July 2025, so the
// first month of telemetry in the database is 2025-07 and every system in operation has rows from
// July. Months without telemetry are no_data: they carry no availability or P95 (means ignore them),
// are not monitored months for activity, and hold no security condition (no vulnerability count).

import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluateYear } from '../pipelines/run/year.ts';
import { loadProfile } from '../pipelines/profiles.ts';
import { exportRows, writeExport } from '../dashboards/exports/write.ts';
import type { Row, Store } from '../pipelines/store/database.ts';
import { NOW, openTestStore, writeFile } from './helpers.ts';
import {
  DEFAULT_PROFILE,
  IDLE,
  VULN,
  buildCity,
  bySystem,
  csvHeader,
  month,
  months,
  report,
  resource,
  runOf,
  system,
  type CatalogRow,
  type Day,
  type ReportRow,
  type SystemRow,
  type TelemetryRow,
} from './fixtures/annual/city.ts';

const DEC = '2025-12';

/** One system of the city: FULL with the given changes. */
interface Spec {
  sys?: Omit<SystemRow, 'system_id'>;
  /** telemetry rows; default: December 2025 healthy, with `day` overrides */
  telemetry?: (id: string) => TelemetryRow[];
  day?: Partial<Day>;
  /** catalog rows; default: one daily resource aggregated on 2025-12-31 */
  catalog?: (id: string) => CatalogRow[];
  /** overrides of the 2025 report; null: no 2025 report */
  report?: Omit<ReportRow, 'system_id' | 'year'> | null;
  /** extra reports (other years) */
  otherReports?: (id: string) => ReportRow[];
}

const timelyResource = (id: string, rid = 'R1', over: Omit<CatalogRow, 'system_id' | 'resource_id'> = {}) =>
  resource(id, `${id}-${rid}`, { last_aggregated_date: '2025-12-31', ...over });

// What each system changes from FULL (the hand computation of its points is in the tests below).
const CITY: Record<string, Spec> = {
  FULL: {},
  // availability
  AV95: { day: { availability_pct: 95 } },
  AV999: { day: { availability_pct: 99.9 } },
  AV9745: { day: { availability_pct: 97.45 } },
  AV94: { day: { availability_pct: 94 } },
  // monthly means 96 (November, 30 days) and 99 (December, days 1–16: 16 ≥ 15.5, not no_data)
  AVM: {
    telemetry: (id) => [...month(id, '2025-11', { availability_pct: 96 }), ...month(id, DEC, { availability_pct: 99 }, 16)],
  },
  // utilization (cpu_max_pct is every day's peak, so the monthly P95 equals it)
  UT5: { day: { cpu_avg_pct: 5, cpu_max_pct: 5 } },
  UT40: { day: { cpu_max_pct: 40 } },
  UT225: { day: { cpu_max_pct: 22.5 } },
  // monthly P95 12 (November) and 26 (December)
  UTM: {
    telemetry: (id) => [...month(id, '2025-11', { cpu_avg_pct: 10, cpu_max_pct: 12 }), ...month(id, DEC, { cpu_max_pct: 26 })],
  },
  // incidents
  IN3: { report: { incidents: 3 } },
  IN6: { report: { incidents: 6 } },
  // budget execution against om_budget_annual 100 000
  BE080: { report: { om_paid: 80000 } },
  BE100: { report: { om_paid: 100000 } },
  BE055: { report: { om_paid: 55000 } },
  BE120: { report: { om_paid: 120000 } },
  BE150: { report: { om_paid: 150000 } },
  BE020: { report: { om_paid: 20000 } },
  BEZERO: { sys: { om_budget_annual: 0 }, report: { om_paid: 0 } },
  BENULL: { sys: { om_budget_annual: null }, report: { om_paid: 90000 } },
  // goals
  GO34: { report: { goals_total: 4, goals_met: 3 } },
  GO00: { report: { goals_total: 0, goals_met: 0 } },
  // activity: Aug 5 days (5 < 15.5: no_data), Sep active, Oct inactive, Nov and Dec active
  ACT: {
    telemetry: (id) => [
      ...month(id, '2025-08', {}, 5),
      ...month(id, '2025-09'),
      ...month(id, '2025-10', IDLE),
      ...months(id, ['2025-11', DEC]),
    ],
  },
  // sharing
  SH50: { catalog: (id) => [timelyResource(id, 'R1'), timelyResource(id, 'R2', { last_aggregated_date: '2025-12-01' })] },
  SHUN: { catalog: () => [] },
  SHNULL: { catalog: (id) => [timelyResource(id, 'R1', { share_type: 'none', last_aggregated_date: null })] },
  SHDUP: { catalog: (id) => [timelyResource(id, 'R1', { duplicate_of: 'OTHER-9' })] },
  SHDUPLOW: {
    catalog: (id) => [
      timelyResource(id, 'R1', { duplicate_of: 'OTHER-9' }),
      ...['R2', 'R3', 'R4', 'R5'].map((r) => timelyResource(id, r, { last_aggregated_date: null })),
    ],
  },
  // security
  SL1: { sys: { security_level: 1 }, report: { security_assessment_date: null } },
  SLPREV: { report: { security_assessment_date: '2024-01-01' } },
  SLOLD: { report: { security_assessment_date: '2023-12-31' } },
  SLNONE: { sys: { security_level: 3 }, report: { security_assessment_date: null } },
  SLEND: { sys: { security_level: 3 }, report: { security_assessment_date: '2025-12-31' } },
  CRPREV: { report: { crypto_assessment_date: '2024-01-01' } },
  CROLD: { report: { crypto_assessment_date: '2023-12-31' } },
  CRNONE: { report: { crypto_assessment_date: null } },
  V2: { telemetry: (id) => [...month(id, '2025-11', VULN), ...month(id, DEC, VULN)] },
  V6: { telemetry: (id) => months(id, ['2025-07', '2025-08', '2025-09', '2025-10', '2025-11', DEC], VULN) },
  // integration
  IG3: { report: { integration_points: 3 } },
  IG0: { report: { integration_points: 0 } },
  // a 2024 report but none for 2025
  MISS: { report: null, otherReports: (id) => [report(id, 2024)] },
  // grade boundaries
  G90: { report: { incidents: 5 } },
  G8999: { report: { incidents: 5, om_paid: 100050 } },
  G80: { report: { incidents: 5, goals_total: 3, goals_met: 1 } },
  G7999: { report: { incidents: 5, goals_total: 3, goals_met: 1, om_paid: 100050 } },
  G60: { day: { cpu_avg_pct: 5, cpu_max_pct: 5 }, report: { incidents: 5, goals_total: 3, goals_met: 0, integration_points: 0 } },
  G5999: {
    day: { cpu_avg_pct: 5, cpu_max_pct: 5 },
    report: { incidents: 5, goals_total: 3, goals_met: 0, integration_points: 0, om_paid: 100050 },
  },
  // inflation: score 80 as G80
  INF15: { report: { incidents: 5, goals_total: 3, goals_met: 1, self_score: 95 } },
  INF1501: { report: { incidents: 5, goals_total: 3, goals_met: 1, self_score: 95.01 } },
  // never scored
  TRIAL: { sys: { stage: 'trial', final_acceptance_date: null } },
  CLAS: { sys: { classified: true } },
  RET: { sys: { stage: 'retired' } },
};

function cityInput() {
  const systems: SystemRow[] = [];
  const telemetry: TelemetryRow[] = [];
  const catalog: CatalogRow[] = [];
  const reports: ReportRow[] = [];
  for (const [id, s] of Object.entries(CITY)) {
    systems.push(system(id, s.sys));
    telemetry.push(...(s.telemetry ? s.telemetry(id) : month(id, DEC, s.day)));
    catalog.push(...(s.catalog ? s.catalog(id) : [timelyResource(id)]));
    if (s.report !== null) reports.push(report(id, 2025, s.report));
    if (s.otherReports) reports.push(...s.otherReports(id));
  }
  return { systems, telemetry, catalog, reports };
}

let env: Awaited<ReturnType<typeof openTestStore>>;
let store: Store;
let runId: number;
let variantRunId: number;
let S: Record<string, Row>;

beforeAll(async () => {
  env = await openTestStore();
  store = env.store;
  await buildCity(store, env, cityInput());
  // A user profile that caps integration at 3 items worth 3 points, evaluated first so that the
  // default evaluation below is the current one of 2025 (year_runs) for the exports.
  const variant = writeFile(
    env.dir,
    'capped.json',
    JSON.stringify({
      name: 'capped',
      title: '统建融合封顶 3 分',
      extends: 'default',
      scoring: { integration: { points: 3, max_points: 3 } },
    }),
  );
  variantRunId = (await evaluateYear(store, { year: 2025, profile: loadProfile(variant), now: NOW })).runId;
  runId = (await evaluateYear(store, { year: 2025, profile: DEFAULT_PROFILE, now: NOW })).runId;
  S = await bySystem(store, 'res_scores', runId);
});

afterAll(() => {
  store?.close();
  if (env) fs.rmSync(env.dir, { recursive: true, force: true });
});

const pts = (id: string, k: string) => S[id][k] as number;

describe('evaluateYear(store, { year: 2025 }) — who is scored', () => {
  it('scores every system in operation and no trial, classified or retired system', () => {
    const expected = Object.keys(CITY)
      .filter((id) => !['TRIAL', 'CLAS', 'RET'].includes(id))
      .sort();
    expect(Object.keys(S).sort()).toEqual(expected);
    expect(new Set(Object.values(S).map((r) => r.year))).toEqual(new Set([2025]));
  });

  it('evaluates December of the year, a finished run without warnings', async () => {
    const run = await runOf(store, runId);
    expect(run.status).toBe('ok');
    expect(run.message || null).toBeNull();
  });

  it('gives 100 points to a system that meets every indicator, dimension by dimension', () => {
    const r = S.FULL;
    expect({
      pts_availability: r.pts_availability,
      pts_incidents: r.pts_incidents,
      pts_utilization: r.pts_utilization,
      pts_budget: r.pts_budget,
      pts_goals: r.pts_goals,
      pts_activity: r.pts_activity,
      pts_sharing: r.pts_sharing,
      pts_graded_protection: r.pts_graded_protection,
      pts_crypto: r.pts_crypto,
      pts_vulnerabilities: r.pts_vulnerabilities,
      pts_integration: r.pts_integration,
      operation: r.operation,
      cost: r.cost,
      effect: r.effect,
      sharing: r.sharing,
      security: r.security,
      integration: r.integration,
      score: r.score,
      grade: r.grade,
      report_missing: r.report_missing,
      inflation: r.inflation,
    }).toEqual({
      pts_availability: 10,
      pts_incidents: 10,
      pts_utilization: 10,
      pts_budget: 10,
      pts_goals: 15,
      pts_activity: 10,
      pts_sharing: 15,
      pts_graded_protection: 5,
      pts_crypto: 5,
      pts_vulnerabilities: 5,
      pts_integration: 5,
      operation: 20,
      cost: 20,
      effect: 25,
      sharing: 15,
      security: 15,
      integration: 5,
      score: 100,
      grade: '优',
      report_missing: false,
      inflation: false, // self-score 90 − 100 = −10 ≤ 15
    });
  });
});

describe('evaluateYear(store, { year }) — availability: 10 × clamp((a − 95) / (99.9 − 95))', () => {
  it('gives 0 availability points at exactly 95%', () => {
    // (95 − 95) / 4.9 = 0 → 0; score 100 − 10 = 90
    expect(pts('AV95', 'pts_availability')).toBe(0);
    expect(pts('AV95', 'operation')).toBe(10);
    expect(pts('AV95', 'score')).toBe(90);
  });

  it('gives the full 10 availability points at exactly 99.9%', () => {
    // (99.9 − 95) / 4.9 = 1 → 10 (the monthly mean of 31 × 99.9 may differ from 99.9 in the last bit)
    expect(pts('AV999', 'pts_availability')).toBeCloseTo(10, 9);
  });

  it('gives 5 availability points at 97.45%, half-way', () => {
    // (97.45 − 95) / 4.9 = 2.45 / 4.9 = 0.5 → 5
    expect(pts('AV9745', 'pts_availability')).toBeCloseTo(5, 9);
  });

  it('gives 0, not a negative number, below 95%', () => {
    // (94 − 95) / 4.9 < 0 → clamp 0
    expect(pts('AV94', 'pts_availability')).toBe(0);
  });

  it('takes a as the mean of the monthly means, not of the days', () => {
    // November 30 days at 96 → 96; December 16 days at 99 → 99; a = (96 + 99) / 2 = 97.5
    // (the mean of the 46 days would be (30 × 96 + 16 × 99) / 46 = 97.04)
    // 10 × (97.5 − 95) / 4.9 = 25 / 4.9 = 5.1020408…
    expect(S.AVM.availability_pct).toBeCloseTo(97.5, 9);
    expect(pts('AVM', 'pts_availability')).toBeCloseTo(25 / 4.9, 9);
  });
});

describe('evaluateYear(store, { year }) — incidents: max(0, 10 − 2 × incidents)', () => {
  it('takes 2 points per incident', () => {
    // 10 − 2 × 3 = 4; operation 10 + 4 = 14
    expect(pts('IN3', 'pts_incidents')).toBe(4);
    expect(pts('IN3', 'operation')).toBe(14);
  });

  it('floors the incident points at 0', () => {
    // 10 − 2 × 6 = −2 → 0
    expect(pts('IN6', 'pts_incidents')).toBe(0);
  });
});

describe('evaluateYear(store, { year }) — utilization: 10 × clamp((p − 5) / (40 − 5))', () => {
  it('gives 0 utilization points at a mean monthly P95 of exactly 5%', () => {
    // every daily peak 5 → P95 5; (5 − 5) / 35 = 0
    expect(S.UT5.cpu_p95_pct).toBe(5);
    expect(pts('UT5', 'pts_utilization')).toBe(0);
  });

  it('gives the full 10 utilization points at exactly 40%', () => {
    // (40 − 5) / 35 = 1 → 10
    expect(pts('UT40', 'pts_utilization')).toBe(10);
  });

  it('gives 5 utilization points at 22.5%, half-way', () => {
    // (22.5 − 5) / 35 = 17.5 / 35 = 0.5 → 5
    expect(pts('UT225', 'pts_utilization')).toBeCloseTo(5, 9);
  });

  it('takes p as the mean of the monthly P95s', () => {
    // November P95 12, December P95 26 → p = 19; 10 × (19 − 5) / 35 = 4
    expect(S.UTM.cpu_p95_pct).toBe(19);
    expect(pts('UTM', 'pts_utilization')).toBeCloseTo(4, 9);
  });
});

describe('evaluateYear(store, { year }) — budget execution: om_paid / om_budget_annual against the band [0.8, 1.0]', () => {
  it('gives 10 points at the lower edge of the band (0.8)', () => {
    // 80 000 / 100 000 = 0.8 ∈ [0.8, 1.0] → 10
    expect(pts('BE080', 'pts_budget')).toBe(10);
  });

  it('gives 10 points at the upper edge of the band (1.0)', () => {
    // 100 000 / 100 000 = 1.0 → 10
    expect(pts('BE100', 'pts_budget')).toBe(10);
  });

  it('gives 5 points at 0.55, a quarter below the band', () => {
    // distance 0.8 − 0.55 = 0.25; 10 × (1 − 0.25 / 0.5) = 5
    expect(pts('BE055', 'pts_budget')).toBeCloseTo(5, 9);
  });

  it('gives 6 points at 1.2, above the band', () => {
    // distance 1.2 − 1.0 = 0.2; 10 × (1 − 0.2 / 0.5) = 6
    expect(pts('BE120', 'pts_budget')).toBeCloseTo(6, 9);
  });

  it('gives 0 points at 1.5 (distance exactly 0.5) and far outside (0.2)', () => {
    // 1.5: 10 × (1 − 0.5 / 0.5) = 0; 0.2: distance 0.6, 10 × (1 − 1.2) < 0 → clamp 0
    expect(pts('BE150', 'pts_budget')).toBeCloseTo(0, 9);
    expect(pts('BE020', 'pts_budget')).toBe(0);
  });

  it('gives 0 points when the O&M budget is 0 or empty (no execution ratio)', () => {
    expect(pts('BEZERO', 'pts_budget')).toBe(0);
    expect(pts('BENULL', 'pts_budget')).toBe(0);
  });
});

describe('evaluateYear(store, { year }) — goals and activity', () => {
  it('gives 15 × goals_met / goals_total goal points', () => {
    // 15 × 3 / 4 = 11.25
    expect(pts('GO34', 'pts_goals')).toBe(11.25);
  });

  it('gives 0 goal points when goals_total is 0', () => {
    expect(pts('GO00', 'pts_goals')).toBe(0);
  });

  it('gives 10 × (monitored months not inactive) / (monitored months) activity points', () => {
    // Jul no telemetry and Aug 5 days (< 0.5 × 31): no_data, not monitored.
    // Monitored: Sep, Oct, Nov, Dec = 4; Oct inactive (0 users, 0 requests) → active 3.
    // 10 × 3 / 4 = 7.5; score 100 − 2.5 = 97.5
    expect([S.ACT.months_monitored, S.ACT.months_active]).toEqual([4, 3]);
    expect(pts('ACT', 'pts_activity')).toBe(7.5);
    expect(pts('ACT', 'effect')).toBe(22.5);
    expect(pts('ACT', 'score')).toBe(97.5);
  });
});

describe('evaluateYear(store, { year }) — sharing: 15 × completeness at the end of the year / 100', () => {
  it('gives 7.5 points at 50% completeness', () => {
    // R1 aggregated 2025-12-31 (0 days ≤ 2: timely); R2 aggregated 2025-12-01 (30 days > 2: late)
    // completeness 100 × 1 / 2 = 50; 15 × 50 / 100 = 7.5
    expect(S.SH50.completeness_pct).toBe(50);
    expect(pts('SH50', 'pts_sharing')).toBe(7.5);
  });

  it('gives 0 points to a system in operation with nothing cataloged', () => {
    expect(S.SHUN.uncataloged).toBe(true);
    expect(pts('SHUN', 'pts_sharing')).toBe(0);
  });

  it('counts a null completeness (nothing shareable) as full', () => {
    // one resource, share_type none: shareable 0 → completeness null → 15 × 100 / 100 = 15
    expect(S.SHNULL.completeness_pct).toBeNull();
    expect(pts('SHNULL', 'pts_sharing')).toBe(15);
  });

  it('takes 5 points off for a duplicate collection', () => {
    // completeness 100 → 15, minus 5 for duplicates > 0 → 10
    expect(pts('SHDUP', 'pts_sharing')).toBe(10);
  });

  it('floors the sharing points at 0 after the duplicate penalty', () => {
    // 5 shareable, 1 timely: completeness 20 → 15 × 20 / 100 = 3; 3 − 5 = −2 → 0
    expect(S.SHDUPLOW.completeness_pct).toBe(20);
    expect(pts('SHDUPLOW', 'pts_sharing')).toBe(0);
  });
});

describe('evaluateYear(store, { year: 2025 }) — security', () => {
  it('gives level 1 its 5 graded-protection points without an assessment', () => {
    expect(pts('SL1', 'pts_graded_protection')).toBe(5);
  });

  it('counts a graded-protection assessment from Y − 1 (2024-01-01) or the last day of Y (2025-12-31)', () => {
    expect(pts('SLPREV', 'pts_graded_protection')).toBe(5);
    expect(pts('SLEND', 'pts_graded_protection')).toBe(5);
  });

  it('gives 0 graded-protection points to level ≥ 2 assessed before Y − 1 (2023-12-31) or never', () => {
    // level 2 assessed 2023-12-31; level 3 never assessed; security 0 + 5 + 5 = 10, score 95
    expect(pts('SLOLD', 'pts_graded_protection')).toBe(0);
    expect(pts('SLNONE', 'pts_graded_protection')).toBe(0);
    expect(pts('SLOLD', 'security')).toBe(10);
    expect(pts('SLOLD', 'score')).toBe(95);
  });

  it('gives 5 crypto points for an assessment in Y − 1 and 0 for an older one or none', () => {
    expect(pts('CRPREV', 'pts_crypto')).toBe(5);
    expect(pts('CROLD', 'pts_crypto')).toBe(0);
    expect(pts('CRNONE', 'pts_crypto')).toBe(0);
  });

  it('takes one vulnerability point per month of Y with the security condition', () => {
    // open high-risk vulnerabilities at the end of November and December: 2 months → 5 − 2 = 3
    expect(S.V2.months_security).toBe(2);
    expect(pts('V2', 'pts_vulnerabilities')).toBe(3);
  });

  it('floors the vulnerability points at 0', () => {
    // July to December: 6 months → 5 − 6 = −1 → 0; security 5 + 5 + 0 = 10
    expect(S.V6.months_security).toBe(6);
    expect(pts('V6', 'pts_vulnerabilities')).toBe(0);
    expect(pts('V6', 'security')).toBe(10);
  });
});

describe('evaluateYear(store, { year }) — integration', () => {
  it('gives one point per integration item', () => {
    expect(pts('IG3', 'pts_integration')).toBe(3);
    expect(pts('IG0', 'pts_integration')).toBe(0);
    expect(pts('FULL', 'pts_integration')).toBe(5);
  });

  it('caps integration at the profile maximum (a user profile with 3 items worth 3 points)', async () => {
    // ingest accepts at most 5 items, so the cap is shown with a profile whose maximum is 3:
    // FULL has 5 items → min(5, 3) = 3 points; IG3 → 3; score of FULL 100 − 5 + 3 = 98
    const V = await bySystem(store, 'res_scores', variantRunId);
    expect([V.FULL.pts_integration, V.IG3.pts_integration, V.IG0.pts_integration]).toEqual([3, 3, 0]);
    expect(V.FULL.score).toBe(98);
  });
});

describe('evaluateYear(store, { year }) — a missing O&M report', () => {
  it('scores the report indicators 0 and flags report_missing (a 2024 report does not count for 2025)', () => {
    // From telemetry and the catalog: availability 10, utilization 10, activity 10, sharing 15,
    // vulnerabilities 5 = 50. From the report: incidents, budget, goals, integration, graded
    // protection (level 2: no assessment made) and crypto all 0.
    const r = S.MISS;
    expect({
      report_missing: r.report_missing,
      incidents: r.pts_incidents,
      budget: r.pts_budget,
      goals: r.pts_goals,
      integration: r.pts_integration,
      graded: r.pts_graded_protection,
      crypto: r.pts_crypto,
      score: r.score,
      grade: r.grade,
      self_score: r.self_score,
      inflation: r.inflation,
    }).toEqual({
      report_missing: true,
      incidents: 0,
      budget: 0,
      goals: 0,
      integration: 0,
      graded: 0,
      crypto: 0,
      score: 50,
      grade: '差',
      self_score: null,
      inflation: false,
    });
    expect(S.FULL.report_missing).toBe(false);
  });
});

describe('evaluateYear(store, { year }) — grades 优 ≥ 90, 良 ≥ 80, 中 ≥ 60, 差 < 60', () => {
  // 9.99 budget points: 100 050 / 100 000 = 1.0005, distance 0.0005 above the band,
  // 10 × (1 − 0.0005 / 0.5) = 9.99, i.e. 0.01 below full marks.
  it('grades exactly 90 as 优 and 89.99 as 良', () => {
    // G90: incidents 5 → 10 − 10 = 0: 100 − 10 = 90; G8999: also 9.99 budget points → 89.99
    expect([pts('G90', 'score'), S.G90.grade]).toEqual([90, '优']);
    expect(pts('G8999', 'pts_budget')).toBeCloseTo(9.99, 9);
    expect(pts('G8999', 'score')).toBeCloseTo(89.99, 9);
    expect(S.G8999.grade).toBe('良');
  });

  it('grades exactly 80 as 良 and 79.99 as 中', () => {
    // G80: incidents 0 points (−10), goals 15 × 1 / 3 = 5 (−10): 80; G7999: also 9.99 budget points
    expect([pts('G80', 'score'), S.G80.grade]).toEqual([80, '良']);
    expect(pts('G7999', 'score')).toBeCloseTo(79.99, 9);
    expect(S.G7999.grade).toBe('中');
  });

  it('grades exactly 60 as 中 and 59.99 as 差', () => {
    // G60: incidents 0 (−10), utilization P95 5 → 0 (−10), goals 0 of 3 (−15), integration 0 (−5): 60
    // G5999: also 9.99 budget points → 59.99
    expect([
      pts('G60', 'operation'),
      pts('G60', 'cost'),
      pts('G60', 'effect'),
      pts('G60', 'sharing'),
      pts('G60', 'security'),
      pts('G60', 'integration'),
    ]).toEqual([10, 10, 10, 15, 15, 0]);
    expect([pts('G60', 'score'), S.G60.grade]).toEqual([60, '中']);
    expect(pts('G5999', 'score')).toBeCloseTo(59.99, 9);
    expect(S.G5999.grade).toBe('差');
  });
});

describe('evaluateYear(store, { year }) — self-evaluation inflation: self_score − score > 15', () => {
  it('does not flag a self-score exactly 15 above the score', () => {
    // score 80 (as G80), self-score 95: 95 − 80 = 15, not > 15
    expect([pts('INF15', 'score'), S.INF15.self_score, S.INF15.inflation]).toEqual([80, 95, false]);
  });

  it('flags a self-score 15.01 above the score', () => {
    // 95.01 − 80 = 15.01 > 15
    expect([pts('INF1501', 'score'), S.INF1501.self_score, S.INF1501.inflation]).toEqual([80, 95.01, true]);
  });
});

describe('evaluateYear(store, { year }) — a year in progress', () => {
  it('evaluates 2026 up to its last full month (2026-10 on 2026-11-22) and warns', async () => {
    const r = await evaluateYear(store, { year: 2026, profile: DEFAULT_PROFILE, now: NOW });
    expect(r.asOfMonth).toBe('2026-10');
    const run = await runOf(store, r.runId);
    expect(run.status).toBe('warnings');
    expect(run.message).toContain('2026 年尚未结束');
  });
});

describe('exportRows / writeExport(store, "scores" | "sharing", { year: 2025 })', () => {
  it('writes the §7.2 scores columns first, in order', async () => {
    const file = path.join(env.dir, 'scores.csv');
    await writeExport(store, 'scores', { year: 2025 }, file);
    expect(csvHeader(file).slice(0, 13)).toEqual([
      'system_id',
      'year',
      'score',
      'grade',
      'operation',
      'cost',
      'effect',
      'sharing',
      'security',
      'integration',
      'self_score',
      'inflation',
      'report_missing',
    ]);
  });

  it('exports the scores of the current evaluation of the year, unrounded', async () => {
    const { rows } = await exportRows(store, 'scores', { year: 2025 });
    const byId = Object.fromEntries(rows.map((r) => [r.system_id as string, r]));
    expect(rows).toHaveLength(Object.keys(S).length);
    expect([byId.AVM.year, byId.AVM.score]).toEqual([2025, S.AVM.score]);
    // 100 − 10 + 25 / 4.9 = 95.1020408…, not rounded to one decimal
    expect(byId.AVM.score).toBeCloseTo(90 + 25 / 4.9, 9);
    expect([byId.INF1501.inflation, byId.MISS.report_missing]).toEqual([true, true]);
  });

  it('writes the §7.2 sharing columns first and the state at the end of the year', async () => {
    const file = path.join(env.dir, 'sharing.csv');
    await writeExport(store, 'sharing', { year: 2025 }, file);
    expect(csvHeader(file).slice(0, 11)).toEqual([
      'system_id',
      'month',
      'cataloged',
      'shareable',
      'aggregated',
      'timely',
      'duplicates',
      'completeness_pct',
      'uncataloged',
      'sharing_failure',
      'catalog_overdue',
    ]);
    const { rows } = await exportRows(store, 'sharing', { year: 2025 });
    expect(new Set(rows.map((r) => r.month))).toEqual(new Set([DEC]));
    const sh50 = rows.find((r) => r.system_id === 'SH50')!;
    expect([sh50.shareable, sh50.timely, sh50.completeness_pct, sh50.sharing_failure]).toEqual([2, 1, 50, true]);
  });
});
