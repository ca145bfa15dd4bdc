// The monthly run (docs/metrics.md §4 metrics, §4.1 conditions and streaks; docs/decisions.md §5.1
// rectification and elimination, §5.2 right-sizing) on small synthetic cities. Every expected value is computed by
// hand in the comments next to it from the telemetry the test writes; nothing is read back from the
// implementation to build an expectation.
//
// Calendar used throughout: 2026-01 has 31 days, 2026-02 28, 2026-03 31, 2026-04 30, 2026-05 31,
// 2026-06 30. The default profile: no_data < 0.5 × days (warn 2, never eliminated), inactive
// dau_max ≤ 0 and requests ≤ 300 (1/3), low_util cpu_avg < 5 and p95 < 10 (3/6), unusable
// availability < 90 (1/3), security open vulns on the latest date > 0 (1/3).

import crypto from 'node:crypto';
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadProfile } from '../pipelines/profiles.ts';
import type { Row, Store } from '../pipelines/store/database.ts';
import { openTestStore, withStore, writeFile } from './helpers.ts';
import {
  DEFAULT_PROFILE,
  DOWN,
  IDLE,
  LOW,
  VULN,
  addTelemetry,
  buildCity,
  conditionsOf,
  eliminationOf,
  historyOf,
  metricsOf,
  month,
  months,
  noticesOf,
  rightsizingOf,
  runMonths,
  statusesOf,
  system,
  type Ctx,
  type TelemetryRow,
} from './fixtures/monthly/city.ts';

const Q1 = ['2026-01', '2026-02', '2026-03'];
const H1 = ['2026-01', '2026-02', '2026-03', '2026-04', '2026-05', '2026-06'];

/** A store shared by the tests of one describe block, built once in beforeAll; `built()` is what the build returned. */
function sharedStore<T = void>(build: (store: Store, ctx: Ctx) => Promise<T>): { store: () => Store; built: () => T } {
  let s: Awaited<ReturnType<typeof openTestStore>> | undefined;
  let result: T;
  beforeAll(async () => {
    s = await openTestStore();
    result = await build(s.store, s);
  });
  afterAll(() => {
    s?.store.close();
    if (s) fs.rmSync(s.dir, { recursive: true, force: true });
  });
  return { store: () => s!.store, built: () => result };
}

const isoDate = (v: unknown) => (v instanceof Date ? v.toISOString().slice(0, 10) : String(v));

const articles = (cites: readonly { article: string }[]) => [...new Set(cites.map((c) => c.article))];

/** Does some citation string name each of these articles? */
function citesAll(citations: unknown, arts: string[]): boolean {
  const list = citations as string[];
  return arts.every((a) => list.some((c) => c.includes(a)));
}

describe('runMonth(store, { month })', () => {
  describe('metrics (docs/metrics.md §4)', () => {
    const city = sharedStore(async (store, ctx) => {
      const m = (date: string, d: Partial<TelemetryRow>): TelemetryRow => ({ ...month('M', '2026-01', {}, [1])[0], date, ...d });
      await buildCity(
        store,
        ctx,
        [system('M', { storage_gb: 500 }), system('Z', { storage_gb: 0 }), system('E', { storage_gb: null }), system('NN')],
        [
          // M, deliberately not in date order: the latest date (01-09) is neither the last row of
          // the file (01-06) nor the day with the most storage (01-07) or most vulnerabilities (01-05).
          m('2026-01-07', {
            cpu_avg_pct: 30,
            cpu_max_pct: 30,
            mem_avg_pct: 50,
            storage_used_gb: 220,
            active_users: 7,
            requests: 0,
            availability_pct: 97,
            open_high_vulns: 2,
          }),
          m('2026-01-09', {
            cpu_avg_pct: 0,
            cpu_max_pct: 20,
            mem_avg_pct: 40,
            storage_used_gb: 205,
            active_users: 0,
            requests: 25,
            availability_pct: 99,
            open_high_vulns: 1,
          }),
          m('2026-01-05', {
            cpu_avg_pct: 10,
            cpu_max_pct: 40,
            mem_avg_pct: 30,
            storage_used_gb: 200,
            active_users: 5,
            requests: 100,
            availability_pct: 100,
            open_high_vulns: 4,
          }),
          m('2026-01-06', {
            cpu_avg_pct: 8,
            cpu_max_pct: 10,
            mem_avg_pct: null,
            storage_used_gb: 210,
            active_users: null,
            requests: 50,
            availability_pct: 98,
            open_high_vulns: 0,
          }),
          // February: must not leak into January
          m('2026-02-01', { storage_used_gb: 999, open_high_vulns: 9, requests: 100000, active_users: 99 }),
          ...month('Z', '2026-01', { storage_used_gb: 50 }, [5]),
          ...month('E', '2026-01', { storage_used_gb: 50 }, [5]),
          ...month('NN', '2026-01', { mem_avg_pct: null, active_users: null, requests: 70 }, [5, 6]),
        ],
      );
      await runMonths(store, ['2026-01']);
    });

    it('computes every metric of a month from the telemetry rows dated in it', async () => {
      const m = (await metricsOf(city.store(), '2026-01')).M;
      expect(m).toMatchObject({
        month: '2026-01-01',
        days_in_month: 31,
        days_reported: 4, // 01-05, 01-06, 01-07, 01-09 (the 02-01 row is February's)
        cpu_avg_pct: 12, // (10 + 8 + 30 + 0) / 4 = 48 / 4
        mem_avg_pct: 40, // (30 + 50 + 40) / 3 — the NULL of 01-06 is ignored, not counted as 0 (120 / 4 = 30)
        storage_used_gb: 205, // the value of the latest date 01-09 (not the max 220, not the last row 210)
        storage_util_pct: 41, // 100 × 205 / 500
        dau_avg: 4, // (5 + 7 + 0) / 3, NULL ignored
        dau_max: 7,
        requests_total: 175, // 100 + 50 + 0 + 25
        availability_pct: 98.5, // (100 + 98 + 97 + 99) / 4 = 394 / 4
        open_high_vulns: 1, // the value of 01-09 (not the max 4, not the sum 7)
      });
    });

    it('takes cpu_p95_pct as the continuous 95th percentile of cpu_max_pct (10, 20, 30, 40 → 38.5)', async () => {
      // sorted 10, 20, 30, 40; position 0.95 × (4 − 1) = 2.85 → 30 + 0.85 × (40 − 30) = 38.5
      expect((await metricsOf(city.store(), '2026-01')).M.cpu_p95_pct).toBeCloseTo(38.5, 9);
    });

    it('leaves storage_util_pct null when the registry storage_gb is 0 or empty', async () => {
      const rows = await metricsOf(city.store(), '2026-01');
      expect([rows.Z.storage_used_gb, rows.Z.storage_util_pct]).toEqual([50, null]);
      expect([rows.E.storage_used_gb, rows.E.storage_util_pct]).toEqual([50, null]);
    });

    it('makes a metric whose every value is NULL null, not 0', async () => {
      const nn = (await metricsOf(city.store(), '2026-01')).NN;
      expect(nn).toMatchObject({ days_reported: 2, mem_avg_pct: null, dau_avg: null, dau_max: null, requests_total: 140 }); // 70 + 70
    });
  });

  describe('rows (docs/metrics.md §4 "Rows")', () => {
    const city = sharedStore(async (store, ctx) => {
      await buildCity(
        store,
        ctx,
        [
          system('A', { go_live_date: '2024-05-01' }), // live long before the first telemetry
          system('B', { go_live_date: '2026-03-15' }), // goes live mid-March
          system('C', { go_live_date: '2026-05-02' }), // goes live after the run month
          system('D', { go_live_date: null }), // no go-live date, reports from February
          system('G', { go_live_date: '2025-06-01' }), // never reports
          system('H', { go_live_date: '2025-06-01' }), // reports January and March, not February
        ],
        [
          ...months('A', ['2026-01', '2026-02', '2026-03', '2026-04']),
          ...month(
            'B',
            '2026-03',
            {},
            Array.from({ length: 17 }, (_, i) => 15 + i),
          ), // 03-15 … 03-31
          ...month('B', '2026-04'),
          ...months('D', ['2026-02', '2026-03', '2026-04']),
          ...months('H', ['2026-01', '2026-03', '2026-04']),
        ],
      );
      await runMonths(store, ['2026-04']);
    });

    it('starts each system at the later of its go-live month and the first month of telemetry in the database', async () => {
      const s = city.store();
      const monthsOf = async (id: string) => (await historyOf(s, '2026-04', id)).map((r) => r.month);
      // first month of telemetry in the database: 2026-01 (A and H)
      expect(await monthsOf('A')).toEqual(['2026-01', '2026-02', '2026-03', '2026-04']); // max(2024-05, 2026-01)
      expect(await monthsOf('B')).toEqual(['2026-03', '2026-04']); // max(2026-03, 2026-01)
      expect(await monthsOf('C')).toEqual([]); // goes live 2026-05, after the run month
      expect(await monthsOf('D')).toEqual(['2026-01', '2026-02', '2026-03', '2026-04']); // the database's first month, not D's own
      expect(await monthsOf('G')).toEqual(['2026-01', '2026-02', '2026-03', '2026-04']); // never reported: a row every month all the same
    });

    it('counts a go-live month from the go-live day only by its reported days (17 of 31 ≥ 15.5: not no_data)', async () => {
      const b = (await historyOf(city.store(), '2026-04', 'B'))[0];
      expect(b).toMatchObject({ month: '2026-03', days_reported: 17, no_data: false });
    });

    it('gives a month without telemetry days_reported 0, no_data, null metrics and no other condition', async () => {
      const feb = (await historyOf(city.store(), '2026-04', 'H')).find((r) => r.month === '2026-02')!;
      expect(feb).toMatchObject({
        days_reported: 0,
        cpu_avg_pct: null,
        cpu_p95_pct: null,
        mem_avg_pct: null,
        storage_used_gb: null,
        storage_util_pct: null,
        dau_avg: null,
        dau_max: null,
        availability_pct: null,
        open_high_vulns: null,
        requests_total: null, // a sum over no rows: no non-null value, so null
        no_data: true,
        inactive: false,
        low_util: false,
        unusable: false,
        security: false,
      });
    });

    it('keeps the no_data streak of a system that never reports growing month by month', async () => {
      const g = await historyOf(city.store(), '2026-04', 'G');
      expect(g.map((r) => [r.month, r.days_reported, r.no_data, r.streak_no_data])).toEqual([
        ['2026-01', 0, true, 1],
        ['2026-02', 0, true, 2],
        ['2026-03', 0, true, 3],
        ['2026-04', 0, true, 4],
      ]);
    });
  });

  describe('conditions at their thresholds (docs/metrics.md §4.1)', () => {
    const city = sharedStore(async (store, ctx) => {
      const ids = ['I300', 'I301', 'U1', 'UN', 'UP', 'L5', 'L49', 'LP10', 'A90', 'A899', 'SL', 'SE', 'ND', 'J16', 'J15', 'H15', 'H14'];
      await buildCity(
        store,
        ctx,
        ids.map((id) => system(id)),
        [
          ...month('I300', '2026-01', (d) => ({ active_users: 0, requests: d === 1 ? 300 : 0 })), // total 300
          ...month('I301', '2026-01', (d) => ({ active_users: 0, requests: d === 1 ? 301 : 0 })), // total 301
          ...month('U1', '2026-01', (d) => ({ active_users: d === 5 ? 1 : 0, requests: 0 })), // dau_max 1
          ...month('UN', '2026-01', { active_users: null, requests: 0 }), // no user counts at all
          ...month('UP', '2026-01', (d) => ({ active_users: d % 2 ? null : 0, requests: 0 })), // counts on even days: 0
          ...month('L5', '2026-01', { cpu_avg_pct: 5, cpu_max_pct: 9 }), // mean exactly 5
          ...month('L49', '2026-01', { cpu_avg_pct: 4.9, cpu_max_pct: 9 }), // mean 4.9 (≈4.900000000000003)
          ...month('LP10', '2026-01', { cpu_avg_pct: 4, cpu_max_pct: 10 }), // p95 exactly 10
          ...month('A90', '2026-01', { availability_pct: 90 }), // mean exactly 90
          ...month('A899', '2026-01', { availability_pct: 89.9 }), // mean 89.9 (≈89.90000000000005)
          ...month('SL', '2026-01', (d) => ({ open_high_vulns: d === 31 ? 2 : 0 })), // open on the last day only
          ...month('SE', '2026-01', (d) => ({ open_high_vulns: d === 31 ? 0 : 3 })), // fixed on the last day
          // 3 days where every other condition's metric would hold: 0 users, 0 requests, CPU 0, availability 0
          ...month(
            'ND',
            '2026-01',
            { active_users: 0, requests: 0, cpu_avg_pct: 0, cpu_max_pct: 0, availability_pct: 0, open_high_vulns: 1 },
            3,
          ),
          ...month('J16', '2026-01', {}, 16),
          ...month('J15', '2026-01', {}, 15),
          ...month('H15', '2026-04', {}, 15),
          ...month('H14', '2026-04', {}, 14),
        ],
      );
      await runMonths(store, ['2026-01', '2026-04']);
    });
    const jan = async () => metricsOf(city.store(), '2026-01');

    it('flags a system with no users and 300 requests in the month as inactive', async () => {
      expect((await jan()).I300).toMatchObject({ dau_max: 0, requests_total: 300, inactive: true });
    });

    it('does not flag a system with no users and 301 requests as inactive', async () => {
      expect((await jan()).I301).toMatchObject({ dau_max: 0, requests_total: 301, inactive: false });
    });

    it('does not flag a system with one user on one day and no requests as inactive', async () => {
      expect((await jan()).U1).toMatchObject({ dau_max: 1, requests_total: 0, inactive: false });
    });

    it('never flags a system as inactive when its user counts are all NULL', async () => {
      expect((await jan()).UN).toMatchObject({ dau_max: null, requests_total: 0, inactive: false });
    });

    it('flags a system as inactive when the user counts it reports are 0 and the others NULL', async () => {
      expect((await jan()).UP).toMatchObject({ dau_max: 0, requests_total: 0, inactive: true });
    });

    it('does not flag a CPU mean of exactly 5 as low_util', async () => {
      expect((await jan()).L5).toMatchObject({ cpu_avg_pct: 5, cpu_p95_pct: 9, low_util: false });
    });

    it('flags a CPU mean of 4.9 with a P95 of 9 as low_util', async () => {
      const r = (await jan()).L49;
      expect(r.cpu_avg_pct).toBeCloseTo(4.9, 9);
      expect(r).toMatchObject({ cpu_p95_pct: 9, low_util: true });
    });

    it('does not flag a CPU P95 of exactly 10 as low_util, even with a mean of 4', async () => {
      expect((await jan()).LP10).toMatchObject({ cpu_avg_pct: 4, cpu_p95_pct: 10, low_util: false });
    });

    it('does not flag an availability of exactly 90 as unusable', async () => {
      expect((await jan()).A90).toMatchObject({ availability_pct: 90, unusable: false });
    });

    it('flags an availability of 89.9 as unusable', async () => {
      const r = (await jan()).A899;
      expect(r.availability_pct).toBeCloseTo(89.9, 9);
      expect(r.unusable).toBe(true);
    });

    it('flags security from the vulnerabilities open on the latest date only', async () => {
      const r = await jan();
      expect(r.SL).toMatchObject({ open_high_vulns: 2, security: true }); // 0 for 30 days, 2 on 01-31
      expect(r.SE).toMatchObject({ open_high_vulns: 0, security: false }); // 3 for 30 days, 0 on 01-31
    });

    it('does not flag a 31-day month with 16 reported days as no_data, but one with 15', async () => {
      const r = await jan();
      // 0.5 × 31 = 15.5: 16 < 15.5 is false, 15 < 15.5 is true
      expect(r.J16).toMatchObject({ days_reported: 16, no_data: false });
      expect(r.J15).toMatchObject({ days_reported: 15, no_data: true });
    });

    it('does not flag a 30-day month with exactly half its days reported as no_data, but one day fewer', async () => {
      const r = await metricsOf(city.store(), '2026-04');
      // 0.5 × 30 = 15: 15 < 15 is false, 14 < 15 is true
      expect(r.H15).toMatchObject({ days_in_month: 30, days_reported: 15, no_data: false });
      expect(r.H14).toMatchObject({ days_in_month: 30, days_reported: 14, no_data: true });
    });

    it('lets no_data exclude inactive, low_util and unusable, but not security', async () => {
      const nd = (await jan()).ND;
      // 3 of 31 days: dau_max 0, requests 0, CPU 0/0, availability 0 would each meet their threshold
      expect(nd).toMatchObject({
        days_reported: 3,
        dau_max: 0,
        requests_total: 0,
        cpu_avg_pct: 0,
        cpu_p95_pct: 0,
        availability_pct: 0,
        open_high_vulns: 1,
      });
      expect(nd).toMatchObject({ no_data: true, inactive: false, low_util: false, unusable: false, security: true });
    });

    it('raises no condition on a healthy full month', async () => {
      expect((await jan()).J16).toMatchObject({ inactive: false, low_util: false, unusable: false, security: false });
    });
  });

  describe('streaks, notices and the elimination list over six months (docs/metrics.md §4.1, docs/decisions.md §5.1)', () => {
    // Each system's story, January–June 2026 (healthy where not said):
    //   R idle Jan–Feb · X idle Jan–Jun · S idle Jan–Feb and Apr–Jun · L low CPU Jan–Jun
    //   N reports 5 days a month · V reports 5 days a month with an open vulnerability
    //   W low CPU Jan–Jun and a vulnerability in March · Q idle and low CPU in January · U down Jan–Mar
    const city = sharedStore(async (store, ctx) => {
      const five = [1, 2, 3, 4, 5];
      await buildCity(
        store,
        ctx,
        [
          system('R'),
          system('X', { vcpu: 8, memory_gb: 32, storage_gb: 500, cloud_cost_annual: 24000 }),
          system('S'),
          system('L'),
          system('N'),
          system('V'),
          system('W'),
          system('Q'),
          system('U'),
        ],
        [
          ...months('R', ['2026-01', '2026-02'], IDLE),
          ...months('R', ['2026-03', '2026-04', '2026-05', '2026-06']),
          ...months('X', H1, IDLE),
          ...months('S', ['2026-01', '2026-02'], IDLE),
          ...month('S', '2026-03'),
          ...months('S', ['2026-04', '2026-05', '2026-06'], IDLE),
          ...months('L', H1, LOW),
          ...H1.flatMap((m) => month('N', m, {}, five)),
          ...H1.flatMap((m) => month('V', m, VULN, five)),
          ...months('W', ['2026-01', '2026-02', '2026-04', '2026-05', '2026-06'], LOW),
          ...month('W', '2026-03', { ...LOW, ...VULN }),
          ...month('Q', '2026-01', { ...IDLE, ...LOW }),
          ...months('Q', ['2026-02', '2026-03', '2026-04', '2026-05', '2026-06']),
          ...months('U', Q1, DOWN),
          ...months('U', ['2026-04', '2026-05', '2026-06']),
        ],
      );
      return runMonths(store, H1);
    });

    it('counts a streak over consecutive months and resets it to 0 in a month the condition does not hold', async () => {
      const s = await historyOf(city.store(), '2026-06', 'S');
      expect(s.map((r) => [r.month, r.inactive, r.streak_inactive])).toEqual([
        ['2026-01', true, 1],
        ['2026-02', true, 2],
        ['2026-03', false, 0],
        ['2026-04', true, 1],
        ['2026-05', true, 2],
        ['2026-06', true, 3],
      ]);
    });

    it('moves each notice through issued, open, resolved or escalated, month by month', async () => {
      const table: Record<string, Record<string, string>> = {};
      for (const m of H1) table[m] = await statusesOf(city.store(), m);
      expect(table).toEqual({
        // inactive/unusable/security warn at 1 and eliminate at 3; low_util 3/6; no_data warns at 2
        '2026-01': { R: 'issued', X: 'issued', S: 'issued', V: 'issued', Q: 'issued', U: 'issued' },
        '2026-02': { R: 'open', X: 'open', S: 'open', N: 'issued', V: 'open', Q: 'resolved', U: 'open' },
        '2026-03': { R: 'resolved', X: 'escalated', S: 'resolved', L: 'issued', N: 'open', V: 'escalated', W: 'issued', U: 'escalated' },
        '2026-04': { S: 'issued', L: 'open', N: 'open', W: 'open' },
        '2026-05': { S: 'open', L: 'open', N: 'open', W: 'open' },
        '2026-06': { S: 'escalated', L: 'escalated', N: 'open', W: 'escalated' },
      });
    });

    it('issues a new notice, from its own month, when a condition returns after a resolved one', async () => {
      const apr = (await noticesOf(city.store(), '2026-04')).S;
      expect(apr).toMatchObject({ status: 'issued', issued_month: '2026-04', deadline: '2026-06-30' }); // streak 1 in Apr reaches 3 in Jun
      expect((await noticesOf(city.store(), '2026-05')).S).toMatchObject({ status: 'open', issued_month: '2026-04' });
    });

    it('sets the deadline to the end of the month in which the streak would reach eliminate_months', async () => {
      const deadlines: Record<string, Record<string, unknown>> = {};
      for (const m of H1) {
        const n = await noticesOf(city.store(), m);
        deadlines[m] = Object.fromEntries(
          Object.entries(n)
            .filter(([, r]) => r.status === 'issued' || r.status === 'open')
            .map(([k, r]) => [k, r.deadline]),
        );
      }
      expect(deadlines).toEqual({
        // R, X, S, U, Q: inactive/unusable streak 1 in Jan, 3 is reached in Mar → 03-31 (and stays 03-31 in Feb)
        // V: security streak 1 in Jan → 03-31; in Feb also no_data (streak 2, deadline end of Feb + 2 = 04-30): earliest 03-31
        '2026-01': { R: '2026-03-31', X: '2026-03-31', S: '2026-03-31', V: '2026-03-31', Q: '2026-03-31', U: '2026-03-31' },
        // N: no_data streak 2 in Feb → end of month m + 2 = 04-30
        '2026-02': { R: '2026-03-31', X: '2026-03-31', S: '2026-03-31', N: '2026-04-30', V: '2026-03-31', U: '2026-03-31' },
        // L: low_util streak 3 in Mar, 6 is reached in Jun → 06-30; N: Mar + 2 → 05-31
        // W: low_util streak 3 (→ 06-30) and security streak 1 (→ 3 in May, 05-31): the earliest, 05-31
        '2026-03': { L: '2026-06-30', N: '2026-05-31', W: '2026-05-31' },
        // W's vulnerability is fixed in April: only low_util remains → 06-30
        '2026-04': { S: '2026-06-30', L: '2026-06-30', N: '2026-06-30', W: '2026-06-30' },
        '2026-05': { S: '2026-06-30', L: '2026-06-30', N: '2026-07-31', W: '2026-06-30' },
        // N: no_data is never eliminated; its deadline keeps moving: Jun + 2 → 08-31
        '2026-06': { N: '2026-08-31' },
      });
    });

    it('lists every condition that holds on a notice, with its streak, warned or not', async () => {
      // Q in January: inactive streak 1 (warn 1: warned) and low_util streak 1 (warn 3: not warned)
      expect(conditionsOf((await noticesOf(city.store(), '2026-01')).Q)).toEqual(['inactive:1 warned', 'low_util:1']);
      // V in February: no_data streak 2 (warn 2) and security streak 2 (warn 1)
      expect(conditionsOf((await noticesOf(city.store(), '2026-02')).V)).toEqual(['no_data:2 warned', 'security:2 warned']);
      // W in March: low_util streak 3 (warn 3) and security streak 1 (warn 1)
      expect(conditionsOf((await noticesOf(city.store(), '2026-03')).W)).toEqual(['low_util:3 warned', 'security:1 warned']);
    });

    it('cites the rectification article and the article of each condition on a notice', async () => {
      const p = DEFAULT_PROFILE.profile;
      const v = (await noticesOf(city.store(), '2026-02')).V;
      expect(citesAll(v.citations, articles(p.rectification.citations))).toBe(true);
      expect(citesAll(v.citations, articles(p.monitoring.security.citations))).toBe(true);
    });

    it('puts a system on the elimination list from the month a streak reaches eliminate_months, with only those conditions', async () => {
      const lists: Record<string, string[]> = {};
      for (const m of H1) {
        const e = await eliminationOf(city.store(), m);
        for (const r of Object.values(e)) {
          expect(r.exempt).toBe(false);
          expect(r.month).toBe(m);
        }
        lists[m] = Object.entries(e).map(([id, r]) => `${id} ${conditionsOf(r).join(',')}`);
      }
      expect(lists).toEqual({
        '2026-01': [],
        '2026-02': [],
        // V: security 3; its no_data (streak 3) is never eliminated and is not a reason
        '2026-03': ['U unusable:3', 'V security:3', 'X inactive:3'],
        '2026-04': ['V security:4', 'X inactive:4'], // U is available again in April
        '2026-05': ['V security:5', 'X inactive:5'],
        // L and W: low_util streak 6; S: inactive since April, streak 3
        '2026-06': ['L low_util:6', 'S inactive:3', 'V security:6', 'W low_util:6', 'X inactive:6'],
      });
    });

    it('never puts a no_data-only system on the elimination list, however long', async () => {
      const n = await historyOf(city.store(), '2026-06', 'N');
      expect(n.map((r) => r.streak_no_data)).toEqual([1, 2, 3, 4, 5, 6]);
      expect((await eliminationOf(city.store(), '2026-06')).N).toBeUndefined();
    });

    it('gives the resources to reclaim, the start of each streak, the evidence and the articles on the elimination list', async () => {
      const x = (await eliminationOf(city.store(), '2026-03')).X;
      expect(x).toMatchObject({ vcpu: 8, memory_gb: 32, storage_gb: 500, cloud_cost_annual: 24000, exempt: false });
      // from_month: March − (3 − 1) months = January (a DATE inside a struct may come back as a JS Date)
      const conds = (x.conditions as { condition: string; streak: number; from_month: unknown }[]).map((c) => ({
        ...c,
        from_month: isoDate(c.from_month),
      }));
      expect(conds).toEqual([{ condition: 'inactive', streak: 3, from_month: '2026-01-01' }]);
      const evidence = (typeof x.evidence === 'string' ? JSON.parse(x.evidence) : x.evidence) as Row[];
      // the metrics of the flagged months January–March: no users, no requests
      expect(evidence.map((e) => [String(e.month).slice(0, 7), e.dau_max, e.requests_total])).toEqual([
        ['2026-01', 0, 0],
        ['2026-02', 0, 0],
        ['2026-03', 0, 0],
      ]);
      const p = DEFAULT_PROFILE.profile;
      expect(citesAll(x.citations, articles(p.elimination.citations))).toBe(true);
      expect(citesAll(x.citations, articles(p.monitoring.inactive.citations))).toBe(true);
    });

    it('keeps a system off the rectification list in the months it is on the elimination list', async () => {
      // X is on the elimination list Mar–Jun: escalated in March, no notice afterwards
      for (const m of ['2026-04', '2026-05', '2026-06']) expect((await noticesOf(city.store(), m)).X).toBeUndefined();
    });

    it('counts the lists of the run month in its result', async () => {
      const run = city.built()[2]; // the run of 2026-03
      // Mar: on the list L, N, W (issued/open); resolved R, S; escalated X, V, U; eliminated U, V, X
      expect(run.counts).toMatchObject({ rectification: 3, notices_resolved: 2, notices_escalated: 3, elimination: 3, exempted: 0 });
    });
  });

  it('carries streaks and deadlines across the year end', async () => {
    await withStore(async (store, ctx) => {
      // Y idle Nov 2025 – Jan 2026; Z reports 5 days in Nov and Dec, nothing in January
      await buildCity(
        store,
        ctx,
        [system('Y'), system('Z')],
        [...months('Y', ['2025-11', '2025-12', '2026-01'], IDLE), ...month('Z', '2025-11', {}, 5), ...month('Z', '2025-12', {}, 5)],
      );
      await runMonths(store, ['2025-11', '2025-12', '2026-01']);
      // Y: inactive streak 1 in Nov reaches 3 in Jan → 2026-01-31
      expect(await noticesOf(store, '2025-11')).toMatchObject({ Y: { status: 'issued', deadline: '2026-01-31' } });
      // Z: no_data streak 2 in Dec → end of Dec + 2 = 2026-02-28 (2026 is not a leap year)
      expect(await noticesOf(store, '2025-12')).toMatchObject({
        Y: { status: 'open', deadline: '2026-01-31' },
        Z: { status: 'issued', deadline: '2026-02-28' },
      });
      // Jan: Y escalated (streak 3 since 2025-11); Z no_data streak 3 → end of Jan + 2 = 2026-03-31
      expect(await noticesOf(store, '2026-01')).toMatchObject({
        Y: { status: 'escalated' },
        Z: { status: 'open', deadline: '2026-03-31' },
      });
      const y = (await eliminationOf(store, '2026-01')).Y;
      expect((y.conditions as { from_month: unknown }[]).map((c) => isoDate(c.from_month))).toEqual(['2025-11-01']);
    });
  });

  describe('exemptions (docs/inputs.md §2.1 exempt_until, docs/decisions.md §5.1)', () => {
    const city = sharedStore(async (store, ctx) => {
      await buildCity(
        store,
        ctx,
        [
          system('EX', { exempt_until: '2026-03-31', exempt_reason: '数据迁移中，3月底前关停' }),
          system('EXP', { exempt_until: '2026-03-30', exempt_reason: '已过期' }),
        ],
        [...months('EX', [...Q1, '2026-04'], IDLE), ...months('EXP', [...Q1, '2026-04'], IDLE)],
      );
      return runMonths(store, ['2026-03', '2026-04']);
    });

    it('marks a system exempt while exempt_until ≥ the last day of the month, and counts it only as exempted', async () => {
      const run = city.built()[0];
      const e = await eliminationOf(city.store(), '2026-03');
      // EX: 2026-03-31 ≥ 2026-03-31 → exempt; EXP: 2026-03-30 < 2026-03-31 → not exempt
      expect(e.EX).toMatchObject({ exempt: true, exempt_until: '2026-03-31', exempt_reason: '数据迁移中，3月底前关停' });
      expect(conditionsOf(e.EX)).toEqual(['inactive:3']);
      expect(e.EXP).toMatchObject({ exempt: false, exempt_until: '2026-03-30' });
      expect(run.counts).toMatchObject({ elimination: 1, exempted: 1 });
    });

    it('escalates the notice of an exempt system like any other', async () => {
      expect(await statusesOf(city.store(), '2026-03')).toEqual({ EX: 'escalated', EXP: 'escalated' });
    });

    it('ends the exemption in the first month whose last day is after exempt_until', async () => {
      const run = city.built()[1];
      const e = await eliminationOf(city.store(), '2026-04');
      // 2026-03-31 < 2026-04-30
      expect([e.EX.exempt, e.EXP.exempt]).toEqual([false, false]);
      expect(run.counts).toMatchObject({ elimination: 2, exempted: 0 });
    });
  });

  describe('systems outside the lists (docs/inputs.md §2.1 classified, docs/metrics.md §4 rows, docs/decisions.md §5.1)', () => {
    // Every condition holds for the "bad" systems (no users, low CPU, down, vulnerable), and the
    // "lean" ones would be right-sized (P95 30 < 40); only the operation, unclassified pair may appear.
    const BAD = { ...IDLE, ...LOW, ...DOWN, ...VULN };
    const LEAN = { cpu_avg_pct: 10, cpu_max_pct: 30 };
    const city = sharedStore(async (store, ctx) => {
      const pairs: [string, Parameters<typeof system>[1]][] = [
        ['KC', { classified: true }],
        ['KR', { stage: 'retired' }],
        ['KT', { stage: 'trial' }],
        ['KB', { stage: 'construction' }],
        ['OK', {}],
      ];
      await buildCity(
        store,
        ctx,
        pairs.flatMap(([id, o]) => [system(id, { ...o, vcpu: 8 }), system(`${id}2`, { ...o, vcpu: 8 })]),
        pairs.flatMap(([id]) => [...months(id, Q1, BAD), ...months(`${id}2`, Q1, LEAN)]),
      );
      await runMonths(store, Q1);
    });

    it('leaves classified, retired, trial and construction systems out of metrics, notices, elimination and right-sizing', async () => {
      const s = city.store();
      const ids = async (table: string) => (await s.all(`SELECT DISTINCT system_id FROM ${table} ORDER BY 1`)).map((r) => r.system_id);
      expect(await ids('res_metrics')).toEqual(['OK', 'OK2']);
      expect(await ids('res_notices')).toEqual(['OK']);
      expect(await ids('res_elimination')).toEqual(['OK']);
      expect(await ids('res_rightsizing')).toEqual(['OK2']);
    });
  });

  it("applies the registry's current stage to every month: a system later registered as retired loses all its rows", async () => {
    await withStore(async (store, ctx) => {
      await buildCity(store, ctx, [system('A'), system('B')], months('A', Q1, IDLE), months('B', Q1));
      await runMonths(store, ['2026-03']);
      expect(Object.keys(await eliminationOf(store, '2026-03'))).toEqual(['A']); // idle Jan–Mar
      await buildCity(store, ctx, [system('A', { stage: 'retired' })]); // a later registry file names A only
      await runMonths(store, ['2026-03']);
      expect(await eliminationOf(store, '2026-03')).toEqual({});
      const ids = await store.all(
        'SELECT DISTINCT system_id FROM res_metrics WHERE run_id = (SELECT run_id FROM month_runs WHERE month = $1)',
        ['2026-03'],
      );
      expect(ids).toEqual([{ system_id: 'B' }]); // B, not named by the later file, is kept
    });
  });

  it("does not let a classified system's telemetry move the first month of the others' rows", async () => {
    await withStore(async (store, ctx) => {
      await buildCity(store, ctx, [system('A'), system('KC', { classified: true })], [...month('KC', '2025-12'), ...month('A', '2026-01')]);
      await runMonths(store, ['2026-01']);
      // classified systems are excluded from every computation (§2.1): the first month of telemetry
      // that counts is A's 2026-01, so A has no (no_data) row for 2025-12
      expect((await historyOf(store, '2026-01', 'A')).map((r) => r.month)).toEqual(['2026-01']);
    });
  });

  describe('right-sizing (docs/decisions.md §5.2)', () => {
    const city = sharedStore(async (store, ctx) => {
      const lean = (max: number) => ({ cpu_avg_pct: 10, cpu_max_pct: max });
      await buildCity(
        store,
        ctx,
        [
          system('RS8', { vcpu: 8, cloud_cost_annual: 100000 }),
          system('RS6', { vcpu: 6, cloud_cost_annual: 100000 }),
          system('RS2', { vcpu: 2, cloud_cost_annual: 20000 }),
          system('RS0', { vcpu: 4, cloud_cost_annual: 40000 }),
          system('RSI', { vcpu: 10, cloud_cost_annual: 100000 }),
          system('RS40', { vcpu: 8, cloud_cost_annual: 80000 }),
          system('EXR', { vcpu: 8, cloud_cost_annual: 80000, exempt_until: '2026-12-31', exempt_reason: '年底整合' }),
          system('ELR', { vcpu: 8, cloud_cost_annual: 80000 }),
        ],
        [
          ...month('RS8', '2026-01', lean(20)),
          ...month('RS8', '2026-02', lean(30)),
          ...month('RS8', '2026-03', lean(25)),
          ...months('RS6', Q1, lean(35)),
          ...months('RS2', Q1, lean(39)),
          ...months('RS0', Q1, { cpu_avg_pct: 0, cpu_max_pct: 0 }),
          ...months('RSI', Q1, (d) => ({ cpu_avg_pct: 1, cpu_max_pct: d })), // daily peaks 1, 2, …, n
          ...month('RS40', '2026-01', lean(10)),
          ...month('RS40', '2026-02', lean(40)),
          ...month('RS40', '2026-03', lean(10)),
          ...months('EXR', Q1, { ...IDLE, ...lean(30) }),
          ...months('ELR', Q1, { ...IDLE, ...lean(30) }),
        ],
      );
      await runMonths(store, ['2026-03']);
    });

    it('recommends max(1, ceil(vcpu × max P95 / 60)) vCPU and the pro-rata share of the cloud cost', async () => {
      const r = await rightsizingOf(city.store(), '2026-03');
      const pick = (x: Row) => [x.vcpu, x.max_p95_pct, x.recommended_vcpu, x.reclaim_vcpu];
      // RS8: P95 20, 30, 25 → max 30; ceil(8 × 30 / 60) = 4; reclaim 4; 100 000 × 4 / 8 = 50 000
      expect(pick(r.RS8)).toEqual([8, 30, 4, 4]);
      expect(r.RS8.reclaim_cost_annual).toBeCloseTo(50000, 6);
      // RS6: max 35; ceil(6 × 35 / 60) = ceil(3.5) = 4; reclaim 2; 100 000 × 2 / 6 = 33 333.33…
      expect(pick(r.RS6)).toEqual([6, 35, 4, 2]);
      expect(r.RS6.reclaim_cost_annual).toBeCloseTo(100000 / 3, 6);
      // RS0: max 0; ceil(4 × 0 / 60) = 0 → max(1, 0) = 1; reclaim 3; 40 000 × 3 / 4 = 30 000
      expect(pick(r.RS0)).toEqual([4, 0, 1, 3]);
      expect(r.RS0.reclaim_cost_annual).toBeCloseTo(30000, 6);
    });

    it('takes the maximum of the monthly interpolated P95s', async () => {
      const r = (await rightsizingOf(city.store(), '2026-03')).RSI;
      // Jan peaks 1..31: position 0.95 × 30 = 28.5 → 29 + 0.5 × (30 − 29) = 29.5
      // Feb peaks 1..28: position 0.95 × 27 = 25.65 → 26 + 0.65 × 1 = 26.65; Mar as Jan 29.5 → max 29.5
      expect(r.max_p95_pct).toBeCloseTo(29.5, 9);
      // ceil(10 × 29.5 / 60) = ceil(4.9167) = 5; reclaim 5; 100 000 × 5 / 10 = 50 000
      expect([r.recommended_vcpu, r.reclaim_vcpu]).toEqual([5, 5]);
      expect(r.reclaim_cost_annual).toBeCloseTo(50000, 6);
    });

    it('does not list a system with nothing to reclaim or with a month at P95 40', async () => {
      const r = await rightsizingOf(city.store(), '2026-03');
      expect(r.RS2).toBeUndefined(); // ceil(2 × 39 / 60) = ceil(1.3) = 2 = vcpu
      expect(r.RS40).toBeUndefined(); // February's P95 40 is not below 40
    });

    it('right-sizes an exempt system but not one on the elimination list', async () => {
      const s = city.store();
      const e = await eliminationOf(s, '2026-03');
      expect([e.EXR?.exempt, e.ELR?.exempt]).toEqual([true, false]); // both idle Jan–Mar
      const r = await rightsizingOf(s, '2026-03');
      // EXR: ceil(8 × 30 / 60) = 4; reclaim 4; 80 000 × 4 / 8 = 40 000
      expect([r.EXR?.recommended_vcpu, r.EXR?.reclaim_vcpu]).toEqual([4, 4]);
      expect(r.EXR.reclaim_cost_annual).toBeCloseTo(40000, 6);
      expect(r.ELR).toBeUndefined();
      expect(Object.keys(r).sort()).toEqual(['EXR', 'RS0', 'RS6', 'RS8', 'RSI']);
    });
  });

  describe('corrected telemetry (docs/inputs.md §2.2)', () => {
    it('uses the values of a later file for the same system and date', async () => {
      await withStore(async (store, ctx) => {
        // no users, 10 requests a day: 31 × 10 = 310 > 300 → not inactive
        await buildCity(store, ctx, [system('C')], month('C', '2026-01', { active_users: 0, requests: 10 }));
        await runMonths(store, ['2026-01']);
        expect((await metricsOf(store, '2026-01')).C).toMatchObject({ days_reported: 31, requests_total: 310, inactive: false });
        // the corrected export says 01-31 had no requests: 310 − 10 = 300 → inactive
        await addTelemetry(store, ctx, month('C', '2026-01', { active_users: 0, requests: 0, cpu_max_pct: 90 }, [31]));
        await runMonths(store, ['2026-01']);
        const c = (await metricsOf(store, '2026-01')).C;
        expect(c).toMatchObject({ days_reported: 31, requests_total: 300, inactive: true });
        // CPU peaks: 30 days at 50 and one at 90; position 0.95 × 30 = 28.5 falls among the 50s → 50
        expect(c.cpu_p95_pct).toBe(50);
        expect(await statusesOf(store, '2026-01')).toEqual({ C: 'issued' });
      });
    });
  });

  describe('re-runs and run order (docs/operations.md §9 reliability)', () => {
    // A mixed city over Q1: idle, low CPU, sparse and vulnerable, right-sizable, exempt, resolved.
    const SYSTEMS = [
      system('X'),
      system('L'),
      system('V'),
      system('RS', { vcpu: 8, cloud_cost_annual: 100000 }),
      system('EX', { exempt_until: '2026-12-31', exempt_reason: '整合中' }),
      system('Q'),
    ];
    const telemetryOf = (m: string): TelemetryRow[] => [
      ...month('X', m, IDLE),
      ...month('L', m, LOW),
      ...month('V', m, VULN, [1, 2, 3, 4, 5]),
      ...month('RS', m, { cpu_avg_pct: 10, cpu_max_pct: 30 }),
      ...month('EX', m, IDLE),
      ...month('Q', m, m === '2026-01' ? IDLE : {}),
    ];
    const TABLES = ['res_metrics', 'res_notices', 'res_elimination', 'res_rightsizing'];

    async function resultsOf(store: Store, runId: number): Promise<Record<string, Row[]>> {
      const out: Record<string, Row[]> = {};
      for (const t of TABLES) out[t] = await store.all(`SELECT * EXCLUDE (run_id) FROM ${t} WHERE run_id = $1 ORDER BY ALL`, [runId]);
      return out;
    }
    const currentRun = async (store: Store, m: string) => store.value<number>('SELECT run_id FROM month_runs WHERE month = $1', [m]);

    it('gives the same rows, apart from run_id, when a month is run again, and makes the new run current', async () => {
      await withStore(async (store, ctx) => {
        await buildCity(store, ctx, SYSTEMS, Q1.flatMap(telemetryOf));
        const [first] = await runMonths(store, ['2026-03']);
        const [second] = await runMonths(store, ['2026-03']);
        expect(second.runId).toBeGreaterThan(first.runId);
        expect(await currentRun(store, '2026-03')).toBe(second.runId);
        const a = await resultsOf(store, first.runId);
        const b = await resultsOf(store, second.runId);
        // not vacuous: March has every kind of result
        expect(TABLES.map((t) => a[t].length > 0)).toEqual([true, true, true, true]);
        expect(b).toEqual(a);
        expect(second.counts).toEqual(first.counts);
      });
    });

    it('gives the same answers when months are run out of order as when each is run as its data arrives', async () => {
      const inOrder: Record<string, Record<string, Row[]>> = {};
      await withStore(async (store, ctx) => {
        // as it happens: January's data, January's run, then February's, …
        await buildCity(store, ctx, SYSTEMS, telemetryOf('2026-01'));
        for (const m of Q1) {
          if (m !== '2026-01') await addTelemetry(store, ctx, telemetryOf(m));
          const [r] = await runMonths(store, [m]);
          inOrder[m] = await resultsOf(store, r.runId);
        }
      });
      await withStore(async (store, ctx) => {
        await buildCity(store, ctx, SYSTEMS, ...Q1.map(telemetryOf));
        await runMonths(store, ['2026-03', '2026-01', '2026-02']);
        for (const m of Q1)
          expect({ month: m, ...(await resultsOf(store, await currentRun(store, m))) }).toEqual({ month: m, ...inOrder[m] });
      });
      // the months differ from each other, so the comparison above means something
      expect(inOrder['2026-03'].res_elimination.length).toBeGreaterThan(0);
      expect(inOrder['2026-01'].res_elimination).toEqual([]);
    });

    it('records each run with its profile hash and the hashes of its input files', async () => {
      await withStore(async (store, ctx) => {
        const paths = await buildCity(store, ctx, SYSTEMS, ...Q1.map(telemetryOf));
        const [r] = await runMonths(store, ['2026-03']);
        const run = (await store.one<Row>('SELECT * FROM runs WHERE run_id = $1', [r.runId]))!;
        expect(run).toMatchObject({
          job: 'month',
          period: '2026-03',
          profile: 'default',
          profile_sha256: DEFAULT_PROFILE.sha256,
          status: 'ok',
        });
        const inputs = (typeof run.input_files === 'string' ? JSON.parse(run.input_files) : run.input_files) as { sha256: string }[];
        const sha = (p: string) => crypto.createHash('sha256').update(fs.readFileSync(p)).digest('hex');
        expect(inputs.map((i) => i.sha256).sort()).toEqual(paths.map(sha).sort());
      });
    });
  });

  describe('a profile variant (docs/profiles.md §6)', () => {
    it('changes the lists when a user profile sets inactive to warn at 2 and eliminate at 4 months', async () => {
      await withStore(async (store, ctx) => {
        await buildCity(
          store,
          ctx,
          [system('P1'), system('P3')],
          [...month('P1', '2026-01', IDLE), ...months('P1', ['2026-02', '2026-03']), ...months('P3', Q1, IDLE)],
        );
        // default (inactive 1/3): both warned in January; P3 eliminated in March
        await runMonths(store, Q1);
        expect(await statusesOf(store, '2026-01')).toEqual({ P1: 'issued', P3: 'issued' });
        expect(Object.keys(await eliminationOf(store, '2026-03'))).toEqual(['P3']);

        const file = writeFile(
          ctx.dir,
          'profile-t.json',
          JSON.stringify({ name: 't', title: 't', extends: 'default', monitoring: { inactive: { warn_months: 2, eliminate_months: 4 } } }),
        );
        const variant = loadProfile(file);
        expect(variant.sha256).not.toBe(DEFAULT_PROFILE.sha256);
        await runMonths(store, Q1, variant);
        // January: streak 1 < 2 → no notice for either
        expect(await statusesOf(store, '2026-01')).toEqual({});
        // February: P3 streak 2 → issued; deadline: streak 4 is reached in April → 04-30. P1 streak 0.
        expect(await noticesOf(store, '2026-02')).toMatchObject({ P3: { status: 'issued', deadline: '2026-04-30' } });
        expect(Object.keys(await noticesOf(store, '2026-02'))).toEqual(['P3']);
        // March: streak 3 < 4 → still open, not eliminated
        expect(await noticesOf(store, '2026-03')).toMatchObject({ P3: { status: 'open', deadline: '2026-04-30' } });
        expect(await eliminationOf(store, '2026-03')).toEqual({});
        const run = await store.one<Row>(
          'SELECT profile, profile_sha256 FROM runs WHERE run_id = (SELECT run_id FROM month_runs WHERE month = $1)',
          ['2026-03'],
        );
        expect(run).toEqual({ profile: 't', profile_sha256: variant.sha256 });
      });
    });
  });
});
