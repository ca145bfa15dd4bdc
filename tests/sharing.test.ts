// Data-sharing completeness (docs/decisions.md §5.3) at the end of a month, the catalog deadline of 10 working
// days after initial acceptance on the official calendar (Shaoxing 第三十条), and the `sharing`
// export (§7.2). Every expected value is computed by hand in the comments beside it.
//
// The run month is 2026-10 (month end 2026-10-31). One system reports telemetry on 2026-09-01 and
// 2026-10-01, so the first month of telemetry is 2026-09 and the run writes rows for the ends of
// September (2026-09-30) and October.
//
// The official 2026 calendar around National Day (chinese-days): Fri 09-25 is the Mid-Autumn
// holiday; Sun 09-20 is a make-up working day; Thu 10-01 … Wed 10-07 are off; Sat 10-10 is a
// make-up working day.

import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMonth } from '../pipelines/run/month.ts';
import { workdaysAfter } from '../pipelines/run/work-calendar.ts';
import { exportRows, writeExport } from '../dashboards/exports/write.ts';
import type { Row, Store } from '../pipelines/store/database.ts';
import { NOW, openTestStore, withStore, writeFile } from './helpers.ts';
import { ingestPaths } from '../pipelines/ingest/ingest.ts';
import {
  CATALOG_COLUMNS,
  DEFAULT_PROFILE,
  buildCity,
  bySystem,
  csvHeader,
  csvRows,
  month,
  resource,
  runOf,
  system,
  toCsv,
  type CatalogRow,
  type SystemRow,
} from './fixtures/annual/city.ts';

const SEP = '2026-09-01';
const OCT = '2026-10-01';

/** One system per update cycle and side of its window: last aggregated exactly `window` days before 2026-10-31, or one day more. */
const WINDOWS: [cycle: NonNullable<CatalogRow['update_cycle']>, window: number, atEdge: string, oneMore: string][] = [
  ['realtime', 1, '2026-10-30', '2026-10-29'],
  ['daily', 2, '2026-10-29', '2026-10-28'],
  ['weekly', 8, '2026-10-23', '2026-10-22'],
  // 10-31 − 31 days = 09-30
  ['monthly', 31, '2026-09-30', '2026-09-29'],
  // 10-31 − 92 days: back 31 to 09-30, 30 to 08-31, 31 to 07-31 → 07-31
  ['quarterly', 92, '2026-07-31', '2026-07-30'],
  // 2025-10-31 → 2026-10-31 is 365 days (no 29 February between), so 366 days back is 2025-10-30
  ['yearly', 366, '2025-10-30', '2025-10-29'],
];

const noIa = (over: Omit<SystemRow, 'system_id'> = {}): Omit<SystemRow, 'system_id'> => ({ initial_acceptance_date: null, ...over });

function cityInput() {
  const systems: SystemRow[] = [];
  const catalog: CatalogRow[] = [];
  const add = (id: string, sys: Omit<SystemRow, 'system_id'>, rows: Omit<CatalogRow, 'system_id'>[]) => {
    systems.push(system(id, sys));
    catalog.push(...rows.map((r) => resource(id, r.resource_id, r)));
  };
  const daily = (rid: string, lastAggregated: string | null, over: Partial<CatalogRow> = {}) => ({
    resource_id: rid,
    cataloged_date: '2026-01-05',
    update_cycle: 'daily' as const,
    last_aggregated_date: lastAggregated,
    ...over,
  });

  add('TEL', noIa(), [daily('TEL-1', '2026-10-31')]);
  for (const [cycle, , atEdge, oneMore] of WINDOWS) {
    add(`${cycle}_IN`, noIa(), [daily(`${cycle}-in`, atEdge, { update_cycle: cycle })]);
    add(`${cycle}_OUT`, noIa(), [daily(`${cycle}-out`, oneMore, { update_cycle: cycle })]);
  }
  add('DATES', noIa(), [
    daily('D1', null, { cataloged_date: '2026-10-31' }), // cataloged on the October month end, never aggregated
    daily('D2', '2026-11-05', { cataloged_date: '2026-11-01' }), // cataloged after October
    daily('D3', null, { cataloged_date: '2026-09-15', share_type: 'none' }), // not shared
    daily('D4', '2026-11-02', { cataloged_date: '2026-09-01', share_type: 'conditional' }), // aggregated after October
    daily('D5', '2026-09-30', { cataloged_date: '2026-09-01', share_type: 'conditional', update_cycle: 'monthly' }),
  ]);
  add('DUP', noIa(), [daily('DUP-1', '2026-10-31'), daily('DUP-2', '2026-10-31', { duplicate_of: 'OTHER-9' })]);
  add('NONE', noIa(), [daily('NONE-1', null, { share_type: 'none' })]);
  add('UNCAT', noIa(), []);
  add('TRIALNC', noIa({ stage: 'trial', final_acceptance_date: null }), []);
  add('CONSTR', noIa({ stage: 'construction', go_live_date: null, final_acceptance_date: null }), []);
  add('RET', noIa({ stage: 'retired' }), [daily('RET-1', null)]);
  add('CLAS', noIa({ classified: true }), [daily('CLAS-1', null)]);
  add('P80', noIa(), ['a', 'b', 'c', 'd'].map((r) => daily(`P80-${r}`, '2026-10-31')).concat(daily('P80-e', null)));
  add('P75', noIa(), ['a', 'b', 'c'].map((r) => daily(`P75-${r}`, '2026-10-31')).concat(daily('P75-d', null)));
  // catalog deadline
  add('DL_ON', { initial_acceptance_date: '2026-09-28' }, [daily('ON-1', '2026-10-31', { cataloged_date: '2026-10-16' })]);
  add('DL_LATE', { initial_acceptance_date: '2026-09-28' }, [daily('LATE-1', '2026-10-31', { cataloged_date: '2026-10-17' })]);
  add('DL_NONE', { initial_acceptance_date: '2026-09-28' }, []);
  add('DL_EARLY', { initial_acceptance_date: '2026-09-28' }, [daily('EARLY-1', '2026-10-31', { cataloged_date: '2026-05-06' })]);
  add('DL_MID', { initial_acceptance_date: '2026-09-17' }, [daily('MID-1', '2026-10-31', { cataloged_date: '2026-10-09' })]);

  const telemetry = [...month('TEL', '2026-09', {}, 1), ...month('TEL', '2026-10', {}, 1)];
  return { systems, catalog, telemetry };
}

let env: Awaited<ReturnType<typeof openTestStore>>;
let store: Store;
let runId: number;
let O: Record<string, Row>; // rows at the end of October
let P: Record<string, Row>; // rows at the end of September

beforeAll(async () => {
  env = await openTestStore();
  store = env.store;
  await buildCity(store, env, cityInput());
  runId = (await runMonth(store, { month: '2026-10', profile: DEFAULT_PROFILE, now: NOW })).runId;
  O = await bySystem(store, 'res_sharing', runId, `month = DATE '${OCT}'`);
  P = await bySystem(store, 'res_sharing', runId, `month = DATE '${SEP}'`);
});

afterAll(() => {
  store?.close();
  if (env) fs.rmSync(env.dir, { recursive: true, force: true });
});

const counts = (r: Row) => ({
  cataloged: r.cataloged,
  shareable: r.shareable,
  aggregated: r.aggregated,
  timely: r.timely,
  duplicates: r.duplicates,
  completeness_pct: r.completeness_pct,
  uncataloged: r.uncataloged,
  sharing_failure: r.sharing_failure,
});

describe('runMonth(store, { month: "2026-10" }) — which systems have a sharing row', () => {
  it('has a row for every month from the first month of telemetry, for each system neither retired nor classified', async () => {
    const months = await store.all<{ m: string; n: number }>(
      `SELECT strftime(month, '%Y-%m') AS m, count(*) AS n FROM res_sharing WHERE run_id = $1 GROUP BY 1 ORDER BY 1`,
      [runId],
    );
    const systems = cityInput().systems.filter((s) => s.stage !== 'retired' && !s.classified).length;
    expect(months).toEqual([
      { m: '2026-09', n: systems },
      { m: '2026-10', n: systems },
    ]);
    expect(O.RET).toBeUndefined();
    expect(O.CLAS).toBeUndefined();
    expect(O.CONSTR).toBeDefined();
    expect(O.TRIALNC).toBeDefined();
  });
});

describe('runMonth(store, { month }) — cataloged, shareable, aggregated at the month end', () => {
  it('counts by the dates relative to the October month end', () => {
    // D1 cataloged 10-31 (≤ month end, counted), never aggregated; D2 cataloged 11-01 (not counted);
    // D3 share_type none (cataloged, not shareable); D4 aggregated 11-02 (after the month end: not aggregated);
    // D5 monthly, aggregated 09-30: 31 days ≤ 31 → timely.
    // cataloged D1 D3 D4 D5 = 4; shareable D1 D4 D5 = 3; aggregated D5 = 1; timely 1
    // completeness 100 × 1 / 3 = 33.33 < 80 → sharing failure
    expect(counts(O.DATES)).toEqual({
      cataloged: 4,
      shareable: 3,
      aggregated: 1,
      timely: 1,
      duplicates: 0,
      completeness_pct: 100 / 3,
      uncataloged: false,
      sharing_failure: true,
    });
  });

  it('counts by the dates relative to the September month end', () => {
    // D1 (10-31) and D2 (11-01) not yet cataloged; D3 (09-15), D4 (09-01), D5 (09-01) cataloged = 3;
    // shareable D4 D5 = 2; D4 aggregated 11-02 > 09-30 → not; D5 aggregated 09-30, 0 days → timely
    // completeness 100 × 1 / 2 = 50
    expect(counts(P.DATES)).toEqual({
      cataloged: 3,
      shareable: 2,
      aggregated: 1,
      timely: 1,
      duplicates: 0,
      completeness_pct: 50,
      uncataloged: false,
      sharing_failure: true,
    });
  });
});

describe('runMonth(store, { month }) — timeliness: month end − last_aggregated_date ≤ the cycle window', () => {
  for (const [cycle, window, atEdge, oneMore] of WINDOWS) {
    it(`counts a ${cycle} resource aggregated exactly ${window} day(s) before the month end (${atEdge}) as timely`, () => {
      expect(counts(O[`${cycle}_IN`])).toMatchObject({ aggregated: 1, timely: 1, completeness_pct: 100, sharing_failure: false });
    });
    it(`counts a ${cycle} resource aggregated ${window + 1} days before the month end (${oneMore}) as aggregated but not timely`, () => {
      expect(counts(O[`${cycle}_OUT`])).toMatchObject({ aggregated: 1, timely: 0, completeness_pct: 0, sharing_failure: true });
    });
  }
});

describe('runMonth(store, { month }) — completeness, duplicates and sharing failure', () => {
  it('fails a system with a duplicate collection even at 100% completeness', () => {
    expect(counts(O.DUP)).toEqual({
      cataloged: 2,
      shareable: 2,
      aggregated: 2,
      timely: 2,
      duplicates: 1,
      completeness_pct: 100,
      uncataloged: false,
      sharing_failure: true,
    });
  });

  it('has a null completeness, and no failure, when nothing is shareable', () => {
    expect(counts(O.NONE)).toEqual({
      cataloged: 1,
      shareable: 0,
      aggregated: 0,
      timely: 0,
      duplicates: 0,
      completeness_pct: null,
      uncataloged: false,
      sharing_failure: false,
    });
  });

  it('does not fail at exactly 80% completeness and fails below', () => {
    // P80: 4 of 5 timely → 80, not < 80; P75: 3 of 4 → 75 < 80
    expect(counts(O.P80)).toMatchObject({ shareable: 5, timely: 4, completeness_pct: 80, sharing_failure: false });
    expect(counts(O.P75)).toMatchObject({ shareable: 4, timely: 3, completeness_pct: 75, sharing_failure: true });
  });

  it('marks a system in operation with nothing cataloged as uncataloged, a sharing failure', () => {
    expect(counts(O.UNCAT)).toEqual({
      cataloged: 0,
      shareable: 0,
      aggregated: 0,
      timely: 0,
      duplicates: 0,
      completeness_pct: null,
      uncataloged: true,
      sharing_failure: true,
    });
  });

  it('does not mark a trial or construction system with nothing cataloged as uncataloged', () => {
    expect([O.TRIALNC.uncataloged, O.TRIALNC.sharing_failure]).toEqual([false, false]);
    expect([O.CONSTR.uncataloged, O.CONSTR.sharing_failure]).toEqual([false, false]);
  });
});

describe('runMonth(store, { month }) — catalog deadline: 10 working days after initial acceptance', () => {
  it('counts 10 working days across National Day from an initial acceptance on 2026-09-28', () => {
    // counting starts the next day: Tue 09-29 (1), Wed 09-30 (2), Thu 10-01 … Wed 10-07 off,
    // Thu 10-08 (3), Fri 10-09 (4), Sat 10-10 make-up (5), Sun 10-11 off, Mon 10-12 (6), Tue 10-13 (7),
    // Wed 10-14 (8), Thu 10-15 (9), Fri 10-16 (10) → due 2026-10-16
    for (const id of ['DL_ON', 'DL_LATE', 'DL_NONE', 'DL_EARLY']) expect(O[id].catalog_due_date).toBe('2026-10-16');
  });

  it('counts the Sunday make-up day and skips the Mid-Autumn holiday from 2026-09-17', () => {
    // Fri 09-18 (1), Sat 09-19 off, Sun 09-20 make-up (2), Mon 09-21 … Thu 09-24 (3–6), Fri 09-25 Mid-Autumn off,
    // Sat/Sun off, Mon 09-28 (7), Tue 09-29 (8), Wed 09-30 (9), 10-01 … 10-07 off, Thu 10-08 (10) → due 2026-10-08
    expect(O.DL_MID.catalog_due_date).toBe('2026-10-08');
    // first resource cataloged 10-09, one day after the deadline
    expect(O.DL_MID.catalog_overdue).toBe(true);
  });

  it('is on time when the first resource is cataloged on the due date', () => {
    expect([O.DL_ON.catalog_overdue, P.DL_ON.catalog_overdue]).toEqual([false, false]);
  });

  it('is overdue when the first resource is cataloged the day after the due date', () => {
    expect(O.DL_LATE.catalog_overdue).toBe(true);
  });

  it('is overdue at the end of October, but not yet at the end of September, when nothing is cataloged', () => {
    expect(O.DL_NONE.catalog_overdue).toBe(true);
    expect(P.DL_NONE.catalog_overdue).toBe(false);
    expect(P.DL_LATE.catalog_overdue).toBe(false);
  });

  it('is on time when a resource was cataloged before the initial acceptance', () => {
    expect(O.DL_EARLY.catalog_overdue).toBe(false);
  });

  it('has no due date, and is never overdue, without an initial acceptance', () => {
    expect([O.UNCAT.catalog_due_date, O.UNCAT.catalog_overdue]).toEqual([null, false]);
  });

  it('does not warn about a calendar fallback when every deadline falls in a year the calendar covers', async () => {
    // every initial acceptance is in 2026 and every due date in October 2026: no year fell back to Monday–Friday
    const run = await runOf(store, runId);
    expect(run.status).toBe('ok');
    expect(run.message || null).toBeNull();
  });
});

describe('workdaysAfter(date, n)', () => {
  it('gives 2026-10-16 for 10 working days after 2026-09-28 (National Day and the Saturday make-up day)', () => {
    expect(workdaysAfter('2026-09-28', 10)).toEqual({ due: '2026-10-16', fallbackYears: [] });
  });

  it('gives 2026-10-08 for 10 working days after 2026-09-17 (Sunday make-up day, Mid-Autumn, National Day)', () => {
    expect(workdaysAfter('2026-09-17', 10)).toEqual({ due: '2026-10-08', fallbackYears: [] });
  });

  it('counts the make-up working days: Sunday 2026-09-20 and Saturday 2026-10-10', () => {
    // the day after Fri 09-18 that is a working day: Sat 09-19 off, Sun 09-20 make-up
    expect(workdaysAfter('2026-09-18', 1).due).toBe('2026-09-20');
    // Fri 10-09 → Sat 10-10 make-up
    expect(workdaysAfter('2026-10-09', 1).due).toBe('2026-10-10');
  });

  it('skips the whole National Day holiday', () => {
    // Wed 09-30 → 10-01 … 10-07 off → Thu 10-08
    expect(workdaysAfter('2026-09-30', 1).due).toBe('2026-10-08');
  });

  it('falls back to Monday–Friday in a year the calendar does not cover, and reports the year', () => {
    // 2026 official: Mon 12-28 (1), Tue 12-29 (2), Wed 12-30 (3), Thu 12-31 (4);
    // 2027 not covered, Monday–Friday: Fri 01-01 counts (5), Mon 01-04 … Fri 01-08 (6–10) → 2027-01-08
    expect(workdaysAfter('2026-12-25', 10)).toEqual({ due: '2027-01-08', fallbackYears: [2027] });
  });

  it('reports no fallback year for a count that stays in a covered year', () => {
    expect(workdaysAfter('2026-12-21', 3)).toEqual({ due: '2026-12-24', fallbackYears: [] });
  });
});

describe('runMonth(store, { month }) — catalog deadline in a year the calendar does not cover', () => {
  it('counts Monday–Friday for a 2003 initial acceptance and warns about the fallback', async () => {
    await withStore(async (s, ctx) => {
      await buildCity(s, ctx, {
        systems: [
          system('OLD_ON', { initial_acceptance_date: '2003-06-02' }),
          system('OLD_LATE', { initial_acceptance_date: '2003-06-02' }),
        ],
        catalog: [
          resource('OLD_ON', 'ON-1', { cataloged_date: '2003-06-16', last_aggregated_date: '2026-10-31' }),
          resource('OLD_LATE', 'LATE-1', { cataloged_date: '2003-06-17', last_aggregated_date: '2026-10-31' }),
        ],
        telemetry: month('OLD_ON', '2026-10', {}, 1),
      });
      const r = await runMonth(s, { month: '2026-10', profile: DEFAULT_PROFILE, now: NOW });
      const rows = await bySystem(s, 'res_sharing', r.runId, `month = DATE '${OCT}'`);
      // Mon 2003-06-02: Tue 06-03 … Fri 06-06 (1–4), Mon 06-09 … Fri 06-13 (5–9), Mon 06-16 (10)
      expect([rows.OLD_ON.catalog_due_date, rows.OLD_ON.catalog_overdue]).toEqual(['2003-06-16', false]);
      expect([rows.OLD_LATE.catalog_due_date, rows.OLD_LATE.catalog_overdue]).toEqual(['2003-06-16', true]);
      const run = await runOf(s, r.runId);
      expect(run.status).toBe('warnings');
      expect(run.message).toContain('2003 年不在法定节假日日历中');
    });
  });
});

describe('exportRows / writeExport(store, "sharing", { month: "2026-10" })', () => {
  it('writes the §7.2 sharing columns first, in order, with true/false booleans', async () => {
    const file = path.join(env.dir, 'sharing-2026-10.csv');
    await writeExport(store, 'sharing', { month: '2026-10' }, file);
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
    const dl = csvRows(file).find((r) => r.system_id === 'DL_LATE')!;
    expect([dl.month, dl.uncataloged, dl.sharing_failure, dl.catalog_overdue]).toEqual(['2026-10', 'false', 'false', 'true']);
  });

  it('exports the month-end state of the month only, without retired or classified systems', async () => {
    const { rows } = await exportRows(store, 'sharing', { month: '2026-10' });
    expect(new Set(rows.map((r) => r.month))).toEqual(new Set(['2026-10']));
    expect(rows.map((r) => r.system_id).sort()).toEqual(Object.keys(O).sort());
    const dates = rows.find((r) => r.system_id === 'DATES')!;
    expect([dates.cataloged, dates.shareable, dates.aggregated, dates.timely, dates.completeness_pct]).toEqual([4, 3, 1, 1, 100 / 3]);
  });
});

describe('runMonth — the catalog as monthly exports: each month end reads the history', () => {
  // Three exports of the platform, ingested in this order: August, September and October. One
  // daily resource of each system, cataloged 2026-01-05, shareable; month ends 09-30 and 10-31.
  //   HIST   08-30 in August's export, 09-29 in September's, 10-30 in October's: timely at both ends
  //          (a single October export would leave September with an aggregation after its end)
  //   GAP    09-29 in September's export, empty in October's (a gap in that export): still 09-29 —
  //          timely at the end of September, late at the end of October (32 days > 2)
  //   FIXED  10-30 in September's export (impossible: after its end), corrected to 09-29 in October's
  it('takes, at each month end, the date of the latest export that gives one on or before it', async () => {
    await withStore(async (s, ctx) => {
      const sys = ['HIST', 'GAP', 'FIXED'].map((id) => system(id, noIa()));
      const exportOf = (dates: Record<string, string | null>) =>
        Object.entries(dates).map(([id, d]) => resource(id, `${id}-1`, { cataloged_date: '2026-01-05', last_aggregated_date: d }));
      const telemetry = [...month('HIST', '2026-09', {}, 1), ...month('HIST', '2026-10', {}, 1)];
      await buildCity(s, ctx, { systems: sys, telemetry, catalog: exportOf({ HIST: '2026-08-30', GAP: null, FIXED: null }) });
      const later = [
        writeFile(
          ctx.dir,
          'catalog-2026-09.csv',
          toCsv(CATALOG_COLUMNS, exportOf({ HIST: '2026-09-29', GAP: '2026-09-29', FIXED: '2026-10-30' })),
        ),
        writeFile(ctx.dir, 'catalog-2026-10.csv', toCsv(CATALOG_COLUMNS, exportOf({ HIST: '2026-10-30', GAP: null, FIXED: '2026-09-29' }))),
      ];
      expect((await ingestPaths(s, later, { now: NOW, archiveDir: ctx.archiveDir })).exitCode).toBe(0);
      const run = (await runMonth(s, { month: '2026-10', profile: DEFAULT_PROFILE, now: NOW })).runId;
      const at = async (m: string) =>
        Object.fromEntries(
          Object.entries(await bySystem(s, 'res_sharing', run, `month = DATE '${m}'`)).map(([id, r]) => [id, [r.aggregated, r.timely]]),
        );
      expect(await at(SEP)).toEqual({ HIST: [1, 1], GAP: [1, 1], FIXED: [1, 1] });
      // FIXED at the end of October: 09-29 is 32 days before 10-31, late; GAP likewise
      expect(await at(OCT)).toEqual({ HIST: [1, 1], GAP: [1, 0], FIXED: [1, 0] });
    });
  });
});
