// Seasonal systems (docs/metrics.md §4.2), computed by hand: a declared season switches inactive and
// low_util off outside its months (非使用季) and pauses their streaks — they neither grow nor reset
// there — while inside its months they hold as for any system; the lists and the deadline follow
// the paused streak. Without a declaration a season is suggested only for a two-year pattern.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestPaths } from '../pipelines/ingest/ingest.ts';
import type { Store } from '../pipelines/store/database.ts';
import { formatMonths } from '../metrics/definitions.ts';
import { NOW, openTestStore, writeFile } from './helpers.ts';
import { DOWN, IDLE, type TelemetryRow, eliminationOf, historyOf, month, noticesOf, runMonths, toCsv } from './fixtures/monthly/city.ts';

/** 2025-01 … 2026-04 */
const MONTHS = Array.from({ length: 16 }, (_, i) => {
  const y = 2025 + Math.floor(i / 12);
  return `${y}-${String((i % 12) + 1).padStart(2, '0')}`;
});

const REGISTRY = [
  'system_id',
  'system_name',
  'department',
  'stage',
  'go_live_date',
  'vcpu',
  'storage_gb',
  'cloud_cost_annual',
  'active_months',
];

let store: Store;
let dir = '';

/** Telemetry of one system: IDLE from 2025-05 on (2025-01 … 04 healthy except where `over` says). */
function idleFromMay(id: string, over: (m: string) => object | undefined = () => undefined): TelemetryRow[] {
  return MONTHS.flatMap((m) => month(id, m, { ...(m >= '2025-05' ? IDLE : {}), ...(over(m) ?? {}) }));
}

beforeAll(async () => {
  const t = await openTestStore();
  store = t.store;
  dir = t.dir;
  const sys = (id: string, active: string | null) => ({
    system_id: id,
    system_name: `系统${id}`,
    department: '市教育局',
    stage: 'operation',
    go_live_date: '2025-01-01',
    vcpu: 4,
    storage_gb: 100,
    cloud_cost_annual: 12000,
    active_months: active,
  });
  const registry = writeFile(
    dir,
    '01_systems.csv',
    toCsv(REGISTRY, [sys('SEA', '3-6'), sys('PLAIN', null), sys('SEA_RESET', '3月-6月'), sys('SEA_DOWN', '3、4、5、6')]),
  );
  // SEA_RESET is used again in March 2026: in its season, the streak resets there.
  // SEA_DOWN is unusable in August 2025, outside its season: unusable applies all year.
  const rows = [
    ...idleFromMay('SEA'),
    ...idleFromMay('PLAIN'),
    ...idleFromMay('SEA_RESET', (m) => (m === '2026-03' ? { active_users: 10, requests: 100 } : undefined)),
    ...idleFromMay('SEA_DOWN', (m) => (m === '2025-08' ? DOWN : undefined)),
  ];
  const telemetry = writeFile(dir, '02_telemetry.csv', toCsv(Object.keys(rows[0]), rows as never));
  const r = await ingestPaths(store, [registry, telemetry], { now: NOW, archiveDir: t.archiveDir });
  expect(r.files.map((f) => f.status)).toEqual(['loaded', 'loaded']);
  await runMonths(store, MONTHS);
}, 300_000);

afterAll(() => store?.close());

/** month → [inactive, streak_inactive, off_season] of one system (a run keeps the 12 months up to its own). */
async function track(id: string): Promise<Record<string, [boolean, number, boolean]>> {
  const h = [...(await historyOf(store, '2025-12', id)), ...(await historyOf(store, '2026-04', id))];
  return Object.fromEntries(
    h.map((r) => [r.month as string, [r.inactive as boolean, r.streak_inactive as number, r.off_season as boolean]]),
  );
}

describe('a declared season (active_months 3-6)', () => {
  it('is not inactive outside its months and its streak neither grows nor resets there; inside its months it is', async () => {
    const t = await track('SEA');
    // Jan, Feb: off season (idle or not, nothing counted yet); Mar, Apr: in season and used
    expect(t['2025-01']).toEqual([false, 0, true]);
    expect(t['2025-03']).toEqual([false, 0, false]);
    expect(t['2025-04']).toEqual([false, 0, false]);
    // May, June: in season and idle: 1, 2
    expect(t['2025-05']).toEqual([true, 1, false]);
    expect(t['2025-06']).toEqual([true, 2, false]);
    // July to February: idle every day, yet not inactive (非使用季), the streak stays 2
    for (const m of ['2025-07', '2025-08', '2025-12', '2026-01', '2026-02']) expect(t[m], m).toEqual([false, 2, true]);
    // March 2026: in season again and idle: the streak goes on from 2 to 3, then 4
    expect(t['2026-03']).toEqual([true, 3, false]);
    expect(t['2026-04']).toEqual([true, 4, false]);
  });

  it('the same telemetry without a season is inactive every idle month, the streak counting calendar months', async () => {
    const t = await track('PLAIN');
    expect(t['2025-05']).toEqual([true, 1, false]);
    expect(t['2025-08']).toEqual([true, 4, false]);
    expect(t['2026-03']).toEqual([true, 11, false]);
  });

  it('resets the streak in an in-season month in which the condition does not hold', async () => {
    const t = await track('SEA_RESET');
    expect(t['2025-12']).toEqual([false, 2, true]);
    expect(t['2026-03']).toEqual([false, 0, false]);
    expect(t['2026-04']).toEqual([true, 1, false]);
  });

  it('judges the other conditions all year', async () => {
    const h = await historyOf(store, '2026-04', 'SEA_DOWN');
    const aug = h.find((r) => r.month === '2025-08')!;
    expect([aug.off_season, aug.inactive, aug.unusable, aug.streak_unusable, aug.streak_inactive]).toEqual([true, false, true, 1, 2]);
  });

  it('keeps the paused notice open off season, with the deadline counted in in-season months', async () => {
    // May 2025: streak 1 of 3; the 2 in-season months after May are June 2025 and March 2026
    const may = (await noticesOf(store, '2025-05')).SEA;
    expect([may.status, may.deadline]).toEqual(['issued', '2026-03-31']);
    // August 2025: paused at 2; the next in-season month is March 2026
    const aug = (await noticesOf(store, '2025-08')).SEA;
    expect([aug.status, aug.deadline]).toEqual(['open', '2026-03-31']);
    expect(aug.conditions).toEqual([{ condition: 'inactive', streak: 2, warned: true }]);
    // the system without a season was eliminated in July 2025 (3 calendar months)
    expect(Object.keys(await eliminationOf(store, '2025-07'))).toEqual(['PLAIN']);
  });

  it('eliminates in March 2026, the third idle in-season month, its streak starting in May 2025', async () => {
    const e = await eliminationOf(store, '2026-03');
    expect(Object.keys(e).sort()).toEqual(['PLAIN', 'SEA', 'SEA_DOWN']);
    expect(e.SEA.conditions).toEqual([{ condition: 'inactive', streak: 3, from_month: new Date('2025-05-01T00:00:00Z') }]);
    expect((await noticesOf(store, '2026-03')).SEA.status).toBe('escalated');
  });
});

describe('season suggestions (no declaration)', () => {
  let ctx: { store: Store; dir: string; archiveDir: string };
  const END = '2026-10';
  /** 2024-11 … 2026-10: 24 months */
  const ALL = Array.from({ length: 24 }, (_, i) => {
    const k = 10 + i;
    return `${2024 + Math.floor(k / 12)}-${String((k % 12) + 1).padStart(2, '0')}`;
  });
  const SUMMER = (m: string) => ['06', '07', '08'].includes(m.slice(5));

  beforeAll(async () => {
    ctx = await openTestStore();
    const sys = (id: string) => ({
      system_id: id,
      system_name: id,
      department: '市农业农村局',
      stage: 'operation',
      go_live_date: '2024-01-01',
    });
    const registry = writeFile(
      ctx.dir,
      'systems.csv',
      toCsv(['system_id', 'system_name', 'department', 'stage', 'go_live_date'], ['TWO', 'NOISE', 'ONE', 'SHORT'].map(sys)),
    );
    // 1 000 requests a day in June–August of both years, 1 a day otherwise
    const seasonal = (id: string, busy: (m: string) => boolean, from = ALL[0]) =>
      ALL.filter((m) => m >= from).flatMap((m) => month(id, m, busy(m) ? { requests: 1000 } : { requests: 1 }));
    const rows = [
      ...seasonal('TWO', SUMMER),
      // the same number of requests every day
      ...seasonal('NOISE', () => true),
      // busy only in the summer of 2026; the year before, every month alike
      ...seasonal('ONE', (m) => m >= '2025-11' && SUMMER(m)),
      // the two-year pattern's last 12 months only: not enough months of data
      ...seasonal('SHORT', SUMMER, '2025-11'),
    ];
    const telemetry = writeFile(ctx.dir, 'telemetry.csv', toCsv(Object.keys(rows[0]), rows as never));
    await ingestPaths(ctx.store, [registry, telemetry], { now: NOW, archiveDir: ctx.archiveDir });
    await runMonths(ctx.store, [END]);
  }, 300_000);

  afterAll(() => ctx?.store.close());

  it('suggests the season of a two-year pattern and nothing for noise, a one-year pattern or 12 months of data', async () => {
    const rows = await ctx.store.all<Record<string, unknown>>(
      `SELECT system_id, season_months, recent_share_pct, earlier_share_pct, months_of_data FROM res_season_suggestions
       WHERE run_id = (SELECT run_id FROM month_runs WHERE month = $1)`,
      [END],
    );
    expect(rows.map((r) => r.system_id)).toEqual(['TWO']);
    // each year: 92 summer days × 1 000 and 273 other days × 1 (2025-11 … 2026-10, 2024-11 … 2025-10)
    const share = (100 * 92_000) / (92_000 + 273);
    expect(rows[0].season_months).toEqual([6, 7, 8]);
    expect(rows[0].recent_share_pct).toBeCloseTo(share, 10);
    expect(rows[0].earlier_share_pct).toBeCloseTo(share, 10);
    expect(rows[0].months_of_data).toBe(24);
    expect(formatMonths(rows[0].season_months as number[])).toBe('6-8');
  });

  it('writes months as a person does, ranges wrapping over the year end', () => {
    expect([formatMonths([1, 2, 12]), formatMonths([3, 4, 5, 6]), formatMonths([1, 3]), formatMonths([11, 12, 1, 2, 5])]).toEqual([
      '12-2',
      '3-6',
      '1,3',
      '5,11-2',
    ]);
  });
});

describe('active_months at ingest', () => {
  it('rejects a season that does not parse, in Chinese, naming the column and the value', async () => {
    const t = await openTestStore();
    try {
      const p = writeFile(
        t.dir,
        'systems.csv',
        toCsv(
          ['系统编号', '系统名称', '建设单位', '阶段', '使用月份'],
          [
            { 系统编号: 'A', 系统名称: 'a', 建设单位: 'd', 阶段: '运行', 使用月份: '11-2' },
            { 系统编号: 'B', 系统名称: 'b', 建设单位: 'd', 阶段: '运行', 使用月份: '13' },
            { 系统编号: 'C', 系统名称: 'c', 建设单位: 'd', 阶段: '运行', 使用月份: '春季' },
          ],
        ),
      );
      const r = await ingestPaths(t.store, [p], { now: NOW, archiveDir: t.archiveDir });
      expect([r.files[0].rowsLoaded, r.files[0].rowsRejected]).toEqual([1, 2]);
      const rej = await t.store.all<{ row_no: number; column_name: string; value: string; reason: string }>(
        'SELECT row_no, column_name, value, reason FROM rejects ORDER BY row_no',
      );
      expect(rej.map((x) => [x.row_no, x.column_name, x.value])).toEqual([
        [3, 'active_months', '13'],
        [4, 'active_months', '春季'],
      ]);
      expect(rej[0].reason).toMatch(/^使用月份无法识别/);
    } finally {
      t.store.close();
    }
  });
});
