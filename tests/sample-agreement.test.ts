// govmon's own results on the sample city against the generator's expectations (`.planted.json`),
// which apps/sample/expected.ts computes on a path of its own from the definitions
// (docs/metrics.md §4, docs/decisions.md §5): two independent computations of the same month's
// metrics, conditions and streaks, lists, data sharing, the year's scores and next year's budget.
// Any change to the models, the generator or the contract that makes them disagree fails here.

import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Planted } from '../apps/sample/generate.ts';
import { runSampleCity } from './fixtures/sample-cache.ts';
import type { Store } from '../pipelines/store/database.ts';

// The last full month before the tests' fixed "today" (2026-11-22).
const END = '2026-10';

let store: Store;
let dir: string;
let planted: Planted;
let monthRun: number;
let yearRun: number;

const close = (a: number | null, b: number | null) => (a === null || b === null ? a === b : Math.abs(a - b) < 1e-6);
const sorted = <T>(xs: T[], key: (x: T) => string) => [...xs].sort((a, b) => key(a).localeCompare(key(b)));

beforeAll(async () => {
  // The sample city generated, ingested, END run by runMonth and its evaluation year by evaluateYear
  // (default profile, at NOW) once per test run, the database copied (tests/fixtures/sample-cache.ts).
  // The month's results are those of END's run alone: the models read no earlier run, so running the
  // 23 months before it first (as this file once did) gives the same rows.
  const t = await runSampleCity({ endMonth: END }, [END], 'agree.duckdb');
  store = t.store;
  dir = t.dir;
  planted = t.sample.planted;
  monthRun = t.monthRuns[END];
  yearRun = t.yearRun;
}, 600_000);

afterAll(() => {
  store?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe(`the sample city's month ${END}: govmon and the generator agree`, () => {
  it('on every monitored system’s metrics, conditions and streaks', async () => {
    const rows = await store.all<Record<string, number | boolean | null> & { system_id: string }>(
      `SELECT * FROM res_metrics WHERE run_id = $1 AND month = $2::DATE ORDER BY system_id`,
      [monthRun, `${END}-01`],
    );
    const got = new Map(rows.map((r) => [r.system_id, r]));
    expect(rows.length).toBe(planted.month.metrics.length);
    for (const e of planted.month.metrics) {
      const g = got.get(e.system_id);
      expect(g, e.system_id).toBeDefined();
      for (const m of [
        'days_reported',
        'cpu_avg_pct',
        'cpu_p95_pct',
        'mem_avg_pct',
        'storage_used_gb',
        'dau_avg',
        'dau_max',
        'requests_total',
        'availability_pct',
        'open_high_vulns',
      ] as const)
        expect(close(g![m] as number | null, e[m]), `${e.system_id} ${m}: ${g![m]} ≠ ${e[m]}`).toBe(true);
      for (const c of ['no_data', 'inactive', 'low_util', 'unusable', 'security'] as const) {
        expect(g![c], `${e.system_id} ${c}`).toBe(e.conditions.includes(c));
        expect(g![`streak_${c}`], `${e.system_id} streak_${c}`).toBe(e.streaks[c]);
      }
    }
  });

  it('on the rectification list: systems, statuses, deadlines, conditions; resolved and escalated notices', async () => {
    const rows = await store.all<{ system_id: string; status: string; deadline: string; conditions: { condition: string }[] }>(
      `SELECT system_id, status, deadline, conditions FROM res_notices WHERE run_id = $1 AND month = $2::DATE ORDER BY system_id`,
      [monthRun, `${END}-01`],
    );
    const open = rows.filter((r) => r.status === 'issued' || r.status === 'open');
    expect(open.map((r) => [r.system_id, r.status, r.deadline])).toEqual(
      sorted(planted.month.rectification, (x) => x.system_id).map((x) => [x.system_id, x.status, x.deadline]),
    );
    for (const r of open) {
      const e = planted.month.rectification.find((x) => x.system_id === r.system_id)!;
      expect(r.conditions.map((c) => c.condition).sort(), r.system_id).toEqual([...e.conditions].sort());
    }
    expect(rows.filter((r) => r.status === 'resolved').map((r) => r.system_id)).toEqual(
      planted.month.resolved.map((x) => x.system_id).sort(),
    );
    expect(rows.filter((r) => r.status === 'escalated').map((r) => r.system_id)).toEqual(
      planted.month.escalated.map((x) => x.system_id).sort(),
    );
  });

  it('on the elimination list and its exempted section, with what to reclaim', async () => {
    const rows = await store.all<{
      system_id: string;
      exempt: boolean;
      conditions: { condition: string }[];
      vcpu: number;
      memory_gb: number;
      storage_gb: number;
      cloud_cost_annual: number;
      exempt_until: string | null;
    }>(`SELECT * FROM res_elimination WHERE run_id = $1 ORDER BY system_id`, [monthRun]);
    const listed = rows.filter((r) => !r.exempt);
    expect(listed.map((r) => r.system_id)).toEqual(planted.month.elimination.map((x) => x.system_id).sort());
    for (const r of listed) {
      const e = planted.month.elimination.find((x) => x.system_id === r.system_id)!;
      expect(r.conditions.map((c) => c.condition).sort(), r.system_id).toEqual([...e.conditions].sort());
      expect([r.vcpu, r.memory_gb, r.storage_gb], r.system_id).toEqual([e.vcpu, e.memory_gb, e.storage_gb]);
      expect(close(r.cloud_cost_annual, e.cloud_cost_annual), r.system_id).toBe(true);
    }
    const exempt = rows.filter((r) => r.exempt);
    expect(exempt.map((r) => [r.system_id, r.exempt_until])).toEqual(
      sorted(planted.month.exempted, (x) => x.system_id).map((x) => [x.system_id, x.exempt_until]),
    );
  });

  it('on right-sizing', async () => {
    const rows = await store.all<{
      system_id: string;
      vcpu: number;
      recommended_vcpu: number;
      reclaim_vcpu: number;
      reclaim_cost_annual: number;
    }>(`SELECT * FROM res_rightsizing WHERE run_id = $1 ORDER BY system_id`, [monthRun]);
    expect(rows.map((r) => [r.system_id, r.vcpu, r.recommended_vcpu, r.reclaim_vcpu])).toEqual(
      sorted(planted.month.rightsizing, (x) => x.system_id).map((x) => [x.system_id, x.vcpu, x.recommended_vcpu, x.reclaim_vcpu]),
    );
    for (const r of rows)
      expect(
        close(r.reclaim_cost_annual, planted.month.rightsizing.find((x) => x.system_id === r.system_id)!.reclaim_cost_annual),
        r.system_id,
      ).toBe(true);
  });

  it('keeps the systems that must never be listed off every list', async () => {
    const listed = await store.all<{ system_id: string }>(
      `SELECT system_id FROM res_notices WHERE run_id = $1 UNION SELECT system_id FROM res_elimination WHERE run_id = $1
       UNION SELECT system_id FROM res_rightsizing WHERE run_id = $1`,
      [monthRun],
    );
    const never = new Set(planted.month.never_listed);
    expect(listed.filter((r) => never.has(r.system_id))).toEqual([]);
  });

  it('on data sharing at the end of the month', async () => {
    const rows = await store.all<{
      system_id: string;
      completeness_pct: number | null;
      sharing_failure: boolean;
      uncataloged: boolean;
      duplicates: number;
      catalog_overdue: boolean;
    }>(`SELECT * FROM res_sharing WHERE run_id = $1 AND month = $2::DATE ORDER BY system_id`, [
      monthRun,
      `${planted.sharing.month.month}-01`,
    ]);
    const got = new Map(rows.map((r) => [r.system_id, r]));
    expect(rows.length).toBe(planted.sharing.month.rows.length);
    for (const e of planted.sharing.month.rows) {
      const g = got.get(e.system_id)!;
      expect(g, e.system_id).toBeDefined();
      expect([g.sharing_failure, g.uncataloged, g.duplicates, g.catalog_overdue], e.system_id).toEqual([
        e.sharing_failure,
        e.uncataloged,
        e.duplicates,
        e.catalog_overdue,
      ]);
      expect(
        close(g.completeness_pct, e.completeness_pct),
        `${e.system_id} completeness ${g.completeness_pct} ≠ ${e.completeness_pct}`,
      ).toBe(true);
    }
  });
});

describe(`the sample city's year: govmon and the generator agree`, () => {
  it('on every score, its dimensions, grade and missing reports', async () => {
    const rows = await store.all<Record<string, number | string | boolean | null> & { system_id: string }>(
      `SELECT * FROM res_scores WHERE run_id = $1 ORDER BY system_id`,
      [yearRun],
    );
    expect(planted.year.year).toBe(planted.evalYear);
    expect(rows.map((r) => r.system_id)).toEqual([...planted.year.scored].sort());
    const got = new Map(rows.map((r) => [r.system_id, r]));
    for (const e of planted.year.scores) {
      const g = got.get(e.system_id)!;
      for (const k of ['score', 'operation', 'cost', 'effect', 'sharing', 'security', 'integration'] as const)
        expect(close(g[k] as number, e[k]), `${e.system_id} ${k}: ${g[k]} ≠ ${e[k]}`).toBe(true);
      expect([g.grade, g.report_missing], e.system_id).toEqual([e.grade, e.report_missing]);
    }
    expect(rows.filter((r) => r.inflation).map((r) => r.system_id)).toEqual(planted.year.inflated.map((x) => x.system_id).sort());
  });

  it(`on next year's budget: recommendation, reasons and amount of every scored system; departments suspended`, async () => {
    const rows = await store.all<{ system_id: string; recommendation: string; reasons: string[]; recommended_om_budget: number }>(
      `SELECT system_id, recommendation, reasons, recommended_om_budget FROM res_budget WHERE run_id = $1 ORDER BY system_id`,
      [yearRun],
    );
    expect(rows.length).toBe(planted.budget.rows.length);
    const got = new Map(rows.map((r) => [r.system_id, r]));
    for (const e of planted.budget.rows) {
      const g = got.get(e.system_id)!;
      expect(g, e.system_id).toBeDefined();
      expect([g.recommendation, [...g.reasons].sort()], e.system_id).toEqual([e.recommendation, [...e.reasons].sort()]);
      expect(
        close(g.recommended_om_budget, e.recommended_om_budget),
        `${e.system_id} ${g.recommended_om_budget} ≠ ${e.recommended_om_budget}`,
      ).toBe(true);
    }
    const depts = await store.all<{ department: string }>(
      'SELECT department FROM res_departments WHERE run_id = $1 AND suspend_new_projects ORDER BY department',
      [yearRun],
    );
    expect(depts.map((d) => d.department)).toEqual(planted.budget.departments_suspended.map((d) => d.department).sort());
  });
});
