// City–county cloud cost sharing (docs/decisions.md §5.8, Shaoxing 第二十三条), computed by hand: a
// 3-county population split and a plan split, each amount rounded half up to the fen with the
// remainder on the largest share, summing exactly; the threshold of 5,000,000 yuan included; a
// plan whose shares do not sum to 100 rejected with the sum; missing plans and population as
// compliance-calendar obligations citing the article; the export with a sheet per county.

import path from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestPaths } from '../pipelines/ingest/ingest.ts';
import { loadProfile } from '../pipelines/profiles.ts';
import type { Row, Store } from '../pipelines/store/database.ts';
import { writeExport } from '../dashboards/exports/write.ts';
import { NOW, openTestStore, parseCsv, writeFile } from './helpers.ts';
import { month, runMonths, toCsv } from './fixtures/monthly/city.ts';
import fs from 'node:fs';

const MONTH = '2026-10';
const SHAOXING = loadProfile('shaoxing');
let store: Store;
let dir = '';

const REGISTRY = ['system_id', 'system_name', 'department', 'stage', 'go_live_date', 'cloud_cost_annual', 'citywide', 'serves_public'];
const sys = (id: string, cost: number, citywide: boolean, pub: boolean, goLive = '2024-01-01') => ({
  system_id: id,
  system_name: `系统${id}`,
  department: '市大数据局',
  stage: 'operation',
  go_live_date: goLive,
  cloud_cost_annual: cost,
  citywide: citywide ? '是' : '否',
  serves_public: pub ? '是' : '否',
});

beforeAll(async () => {
  const t = await openTestStore();
  store = t.store;
  dir = t.dir;
  const files = [
    writeFile(
      dir,
      '01_systems.csv',
      toCsv(REGISTRY, [
        sys('PUB', 5_000_000, true, true), // exactly the threshold: shared
        sys('PLAN', 6_000_000.5, true, false),
        sys('BELOW', 4_999_999.99, true, true), // one fen below: not shared
        sys('LOCAL', 9_000_000, false, false), // not citywide
        sys('NOPLAN', 7_000_000, true, false, '2025-03-01'),
        sys('BADPLAN', 8_000_000, true, false, '2026-12-01'),
      ]),
    ),
    writeFile(
      dir,
      '02_population.csv',
      toCsv(
        ['区县', '年度', '常住人口'],
        [
          { 区县: '越城区', 年度: 2025, 常住人口: 1_001_236 },
          { 区县: '柯桥区', 年度: 2025, 常住人口: 1_102_346 },
          { 区县: '上虞区', 年度: 2025, 常住人口: 780_123 },
          // another year: not the one a 2026 split reads
          { 区县: '越城区', 年度: 2024, 常住人口: 999_999 },
        ],
      ),
    ),
    writeFile(
      dir,
      '03_plan.csv',
      toCsv(
        ['系统编号', '区县', '分摊比例'],
        [
          { 系统编号: 'PLAN', 区县: '市本级', 分摊比例: '33.33%' },
          { 系统编号: 'PLAN', 区县: '越城区', 分摊比例: '33.33' },
          { 系统编号: 'PLAN', 区县: '柯桥区', 分摊比例: '33.34' },
          // sums to 90: both rows rejected with the sum, the plan of PLAN still loads
          { 系统编号: 'BADPLAN', 区县: '市本级', 分摊比例: '40' },
          { 系统编号: 'BADPLAN', 区县: '越城区', 分摊比例: '50' },
        ],
      ),
    ),
  ];
  const r = await ingestPaths(store, files, { now: NOW, archiveDir: t.archiveDir });
  expect(r.files.map((f) => [f.name, f.kind, f.status, f.rowsLoaded, f.rowsRejected])).toEqual([
    ['01_systems.csv', 'systems', 'loaded', 6, 0],
    ['02_population.csv', 'population', 'loaded', 4, 0],
    ['03_plan.csv', 'cost_plan', 'partial', 3, 2],
  ]);
  const tele = ['PUB', 'PLAN', 'BELOW', 'LOCAL', 'NOPLAN', 'BADPLAN'].flatMap((id) => month(id, MONTH));
  await ingestPaths(store, [writeFile(dir, '04_t.csv', toCsv(Object.keys(tele[0]), tele as never))], {
    now: NOW,
    archiveDir: t.archiveDir,
  });
  await runMonths(store, [MONTH], SHAOXING);
}, 300_000);

afterAll(() => store?.close());

async function shares(id: string): Promise<Row[]> {
  return store.all(
    `SELECT county, share_pct, CAST(amount AS VARCHAR) AS amount, CAST(remainder AS VARCHAR) AS remainder, largest, basis, status, population, year, population_year
     FROM res_cost_shares WHERE run_id = (SELECT run_id FROM month_runs WHERE month = $1) AND system_id = $2 ORDER BY county NULLS FIRST`,
    [MONTH, id],
  );
}

describe('cost sharing of 2026 (monthly run of 2026-10, Shaoxing profile)', () => {
  it('splits a public-facing system by the 2025 population of the three counties, to the fen, the remainder on the largest', async () => {
    // 500,000,000 fen × population ÷ 2,883,705:
    //   越城区 173,602,362.24 → 173,602,362; 柯桥区 191,133,628.44 → 191,133,628; 上虞区 135,264,009.32 → 135,264,009
    //   rounded sum 499,999,999 → the remaining 1 fen to 柯桥区, the largest population
    const r = await shares('PUB');
    expect(r.map((x) => [x.county, x.amount, x.remainder, x.largest])).toEqual([
      ['上虞区', '1352640.09', '0.00', false],
      ['柯桥区', '1911336.29', '0.01', true],
      ['越城区', '1736023.62', '0.00', false],
    ]);
    expect(r.map((x) => x.share_pct as number)).toEqual([
      (100 * 780_123) / 2_883_705,
      (100 * 1_102_346) / 2_883_705,
      (100 * 1_001_236) / 2_883_705,
    ]);
    expect(r.every((x) => x.basis === 'population' && x.status === 'shared' && x.year === 2026 && x.population_year === 2025)).toBe(true);
    expect(r.map((x) => x.population)).toEqual([780_123, 1_102_346, 1_001_236]);
  });

  it('splits a system by its plan, shares relative to their sum, and the amounts sum exactly to the cost', async () => {
    // 600,000,050 fen × 33.33 / 100 = 199,980,016.665 → 199,980,017 (twice); × 33.34 / 100 = 200,040,016.67 → 200,040,017;
    // rounded sum 600,000,051 → −1 fen on 柯桥区 (33.34, the largest share)
    const r = await shares('PLAN');
    expect(r.map((x) => [x.county, x.amount, x.remainder])).toEqual([
      ['市本级', '1999800.17', '0.00'],
      ['柯桥区', '2000400.16', '-0.01'],
      ['越城区', '1999800.17', '0.00'],
    ]);
    const sum = await store.value<string>(
      `SELECT CAST(sum(amount) AS VARCHAR) FROM res_cost_shares WHERE system_id = 'PLAN' AND run_id = (SELECT max(run_id) FROM runs WHERE job = 'month')`,
    );
    expect(sum).toBe('6000000.50');
  });

  it('includes a cost of exactly 5,000,000 and leaves out one fen less, and systems that are not citywide', async () => {
    expect((await shares('PUB')).length).toBe(3);
    expect(await shares('BELOW')).toEqual([]);
    expect(await shares('LOCAL')).toEqual([]);
  });

  it('rejects the rows of a plan that does not sum to 100, with the sum in the reason', async () => {
    const rej = await store.all<{ row_no: number; column_name: string; value: string; reason: string }>(
      `SELECT row_no, column_name, value, reason FROM rejects JOIN files USING (file_id) WHERE file_name = '03_plan.csv' ORDER BY row_no`,
    );
    expect(rej.map((x) => [x.row_no, x.column_name, x.value])).toEqual([
      [5, 'share_pct', '40'],
      [6, 'share_pct', '50'],
    ]);
    for (const x of rej)
      expect(x.reason).toBe('该系统在本文件中的分摊比例合计为 90.0000%，应为 100%（允许 ±0.01），该系统的分摊方案整体未导入');
  });

  it('lists a missing plan as a compliance-calendar obligation citing 第二十三条', async () => {
    expect((await shares('NOPLAN')).map((x) => [x.county, x.status, x.basis])).toEqual([[null, 'missing_plan', 'plan']]);
    const cal = await store.all<{ system_id: string; obligation: string; due_date: Date; status: string; citations: string[] }>(
      `SELECT system_id, obligation, due_date, status, citations FROM res_calendar
       WHERE run_id = (SELECT run_id FROM month_runs WHERE month = $1) AND obligation = 'cost_plan' ORDER BY system_id`,
      [MONTH],
    );
    // NOPLAN went live in 2025: overdue; BADPLAN (its plan rejected) goes live in December: due
    expect(cal.map((c) => [c.system_id, c.status])).toEqual([
      ['BADPLAN', 'due'],
      ['NOPLAN', 'overdue'],
    ]);
    expect(cal[1].citations).toEqual(['《绍兴市市级政务信息化项目管理办法》第二十三条']);
  });

  it('writes the costshare export: the §5.8 columns first, and an XLSX with a sheet per county', async () => {
    const csv = path.join(dir, 'costshare.csv');
    await writeExport(store, 'costshare', { month: MONTH }, csv);
    const rows = parseCsv(fs.readFileSync(csv, 'utf8').replace(/^\uFEFF/, ''));
    expect(rows[0].slice(0, 5)).toEqual(['system_id', 'year', 'county', 'share_pct', 'amount']);
    expect(rows.find((r) => r[0] === 'PLAN' && r[2] === '柯桥区')!.slice(4, 5)).toEqual(['2000400.16']);
    const xlsx = path.join(dir, 'costshare.xlsx');
    await writeExport(store, 'costshare', { month: MONTH }, xlsx);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(xlsx);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['云资源费用市县分摊', '上虞区', '市本级', '柯桥区', '越城区', '说明']);
    // 柯桥区: PUB and PLAN
    const ws = wb.getWorksheet('柯桥区')!;
    expect(ws.rowCount).toBe(3);
    expect([ws.getCell(2, 1).value, ws.getCell(2, 5).value, ws.getCell(3, 1).value, ws.getCell(3, 5).value]).toEqual([
      'PLAN',
      2000400.16,
      'PUB',
      1911336.29,
    ]);
  });
});

describe('missing population', () => {
  it('is listed when a county lacks the previous year, citing the article', async () => {
    const t = await openTestStore();
    try {
      const files = [
        writeFile(t.dir, 's.csv', toCsv(REGISTRY, [sys('PUB', 6_000_000, true, true)])),
        writeFile(
          t.dir,
          'p.csv',
          toCsv(
            ['county', 'year', 'population'],
            [
              { county: '越城区', year: 2025, population: 1000 },
              { county: '柯桥区', year: 2024, population: 1000 },
            ],
          ),
        ),
      ];
      await ingestPaths(t.store, files, { now: NOW, archiveDir: t.archiveDir });
      const tele = month('PUB', MONTH);
      await ingestPaths(t.store, [writeFile(t.dir, 't.csv', toCsv(Object.keys(tele[0]), tele as never))], {
        now: NOW,
        archiveDir: t.archiveDir,
      });
      await runMonths(t.store, [MONTH], SHAOXING);
      const r = await t.store.all<Row>('SELECT county, status FROM res_cost_shares');
      expect(r).toEqual([{ county: null, status: 'missing_population' }]);
      const cal = await t.store.all<Row>("SELECT obligation, status, citations FROM res_calendar WHERE obligation LIKE 'population:%'");
      expect(cal).toEqual([
        { obligation: 'population:2025', status: 'overdue', citations: ['《绍兴市市级政务信息化项目管理办法》第二十三条'] },
      ]);
    } finally {
      t.store.close();
    }
  });
});
