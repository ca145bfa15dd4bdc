// The exports of a monthly run (docs/outputs.md §7.2, docs/operations.md §9 security): metrics, rectification, elimination and
// rightsizing as CSV (UTF-8 with BOM, English headers, the §7.2 columns first and in that order),
// XLSX (Chinese headers), Parquet and JSON — the same rows in every format, booleans true/false,
// months YYYY-MM, dates ISO, numbers unrounded, formula-like text neutralised in CSV and XLSX
// only, and classified systems nowhere. Expected values are computed by hand in the comments.

import fs from 'node:fs';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportRows, writeExport } from '../dashboards/exports/write.ts';
import type { Row, Store } from '../pipelines/store/database.ts';
import { sqlString } from '../core/sql.ts';
import { openTestStore, parseCsv } from './helpers.ts';
import { DOWN, IDLE, LOW, buildCity, month, months, runMonths, system } from './fixtures/monthly/city.ts';

const KINDS = ['metrics', 'rectification', 'elimination', 'rightsizing'] as const;
type Kind = (typeof KINDS)[number];

/** The fixed first columns of each export, docs/outputs.md §7.2. */
const SPEC_COLUMNS: Record<Kind, string[]> = {
  metrics: [
    'system_id',
    'month',
    'days_reported',
    'cpu_avg_pct',
    'cpu_p95_pct',
    'mem_avg_pct',
    'storage_used_gb',
    'storage_util_pct',
    'dau_avg',
    'dau_max',
    'requests_total',
    'availability_pct',
    'open_high_vulns',
    'no_data',
    'inactive',
    'low_util',
    'unusable',
    'security',
    'streak_no_data',
    'streak_inactive',
    'streak_low_util',
    'streak_unusable',
    'streak_security',
  ],
  rectification: ['system_id', 'month', 'conditions', 'deadline', 'status', 'citations'],
  elimination: [
    'system_id',
    'system_name',
    'department',
    'month',
    'conditions',
    'citations',
    'vcpu',
    'memory_gb',
    'storage_gb',
    'cloud_cost_annual',
    'exempt',
    'exempt_reason',
  ],
  rightsizing: ['system_id', 'month', 'vcpu', 'recommended_vcpu', 'reclaim_vcpu', 'reclaim_cost_annual'],
};
const BOOLEAN_COLUMNS: Record<Kind, string[]> = {
  metrics: ['no_data', 'inactive', 'low_util', 'unusable', 'security'],
  rectification: [],
  elimination: ['exempt'],
  rightsizing: [],
};

const HYPERLINK = '=HYPERLINK("x")';
const SECRET_ID = 'KSECRET';
const SECRET_NAME = '机要文件流转系统';

/** AV's March availability: 30 days at 100 % and one at 99 % → 3 099 / 31 = 99.967741935483870…
 *  (a double 99.96774193548387; rounded for display it would be 99.97). */
const AV_MEAN = 3099 / 31;

interface Csv {
  bytes: Buffer;
  header: string[];
  rows: Record<string, string>[];
}

function readCsv(file: string): Csv {
  const bytes = fs.readFileSync(file);
  const [header, ...body] = parseCsv(bytes.subarray(3).toString('utf8'));
  return { bytes, header, rows: body.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i]]))) };
}

const byId = <T extends Record<string, unknown>>(rows: T[]) => Object.fromEntries(rows.map((r) => [String(r.system_id), r]));

/** What CSV/XLSX make of a text cell that a spreadsheet would read as a formula (docs/operations.md §9). */
const neutralised = (s: string) => (/^[=+\-@\t\r]/.test(s) ? `'${s}` : s);

/** A CSV row read with the types of the matching JSON row; text as the CSV/XLSX neutralisation leaves it. */
function typedLike(csv: Record<string, string>, json: Row): Row {
  return Object.fromEntries(
    Object.entries(json).map(([k, v]) => {
      const c = csv[k];
      if (v === null) return [k, c === '' ? null : c];
      if (typeof v === 'number') return [k, Number(c)];
      if (typeof v === 'boolean') return [k, c === 'true' ? true : c === 'false' ? false : c];
      return [k, c];
    }),
  );
}
const neutraliseText = (r: Row): Row =>
  Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'string' ? neutralised(v) : v]));

describe('writeExport(store, kind, { month }, file)', () => {
  // January–March 2026 (healthy where not said):
  //   X   named =HYPERLINK("x"), department @信息中心, idle Jan–Mar → elimination (8 vCPU, 32 GB, 500 GB, 24 000)
  //   E   idle Jan–Mar, exempt until 2026-12-31 with the reason "+并入新平台" → exempted
  //   R   down and low CPU in March → notice issued (unusable warned, low_util streak 1), deadline 05-31
  //   Q   idle in February only → notice resolved in March
  //   RS8 8 vCPU, 100 000 yuan, CPU peaks 30 → 4 recommended; RS6 6 vCPU, 100 000 yuan, peaks 35 → 4
  //   AV  availability 100 % every day but the 31st of each month, 99 % on it
  //   KSECRET classified, idle → nowhere
  let s: Awaited<ReturnType<typeof openTestStore>>;
  let out: string;
  const store = (): Store => s.store;
  const file = (kind: Kind, ext: string) => path.join(out, `${kind}-2026-03.${ext}`);

  beforeAll(async () => {
    s = await openTestStore();
    out = path.join(s.dir, 'out');
    await buildCity(
      s.store,
      s,
      [
        system('X', { system_name: HYPERLINK, department: '@信息中心', vcpu: 8, memory_gb: 32, storage_gb: 500, cloud_cost_annual: 24000 }),
        system('E', { system_name: '数据共享交换平台', exempt_until: '2026-12-31', exempt_reason: '+并入新平台' }),
        system('R'),
        system('Q'),
        system('RS8', { vcpu: 8, cloud_cost_annual: 100000 }),
        system('RS6', { vcpu: 6, cloud_cost_annual: 100000 }),
        system('AV'),
        system(SECRET_ID, { system_name: SECRET_NAME, classified: true }),
      ],
      [
        ...months('X', ['2026-01', '2026-02', '2026-03'], IDLE),
        ...months('E', ['2026-01', '2026-02', '2026-03'], IDLE),
        ...months('R', ['2026-01', '2026-02']),
        ...month('R', '2026-03', { ...DOWN, ...LOW }),
        ...month('Q', '2026-01'),
        ...month('Q', '2026-02', IDLE),
        ...month('Q', '2026-03'),
        ...months('RS8', ['2026-01', '2026-02', '2026-03'], { cpu_avg_pct: 10, cpu_max_pct: 30 }),
        ...months('RS6', ['2026-01', '2026-02', '2026-03'], { cpu_avg_pct: 10, cpu_max_pct: 35 }),
        ...months('AV', ['2026-01', '2026-02', '2026-03'], (d) => ({ availability_pct: d === 31 ? 99 : 100 })),
        ...months(SECRET_ID, ['2026-01', '2026-02', '2026-03'], IDLE),
      ],
    );
    await runMonths(s.store, ['2026-03']);
    for (const kind of KINDS)
      for (const ext of ['csv', 'xlsx', 'parquet', 'json']) await writeExport(s.store, kind, { month: '2026-03' }, file(kind, ext));
  });
  afterAll(() => {
    s?.store.close();
    if (s) fs.rmSync(s.dir, { recursive: true, force: true });
  });

  describe('CSV', () => {
    it.each(KINDS)('writes %s as UTF-8 with a BOM and the §7.2 columns first, in order', (kind) => {
      const csv = readCsv(file(kind, 'csv'));
      expect([...csv.bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
      expect(csv.header.slice(0, SPEC_COLUMNS[kind].length)).toEqual(SPEC_COLUMNS[kind]);
      expect(csv.rows.length).toBeGreaterThan(0);
      // months YYYY-MM; booleans true/false
      for (const r of csv.rows) {
        expect(r.month).toBe('2026-03');
        for (const b of BOOLEAN_COLUMNS[kind]) expect(['true', 'false']).toContain(r[b]);
      }
    });

    it('writes the metrics of the month with their conditions and streaks', () => {
      const rows = byId(readCsv(file('metrics', 'csv')).rows);
      expect(Object.keys(rows).sort()).toEqual(['AV', 'E', 'Q', 'R', 'RS6', 'RS8', 'X']);
      // X: 31 days of March, no users, no requests; inactive for the 3rd month running
      expect(rows.X).toMatchObject({
        days_reported: '31',
        dau_max: '0',
        requests_total: '0',
        inactive: 'true',
        no_data: 'false',
        streak_inactive: '3',
      });
      // R in March: availability 80, CPU mean 2 and peaks 6 → unusable and low_util, both for the 1st month
      expect(rows.R).toMatchObject({ unusable: 'true', low_util: 'true', streak_unusable: '1', streak_low_util: '1' });
      expect(Number(rows.R.availability_pct)).toBe(80);
    });

    it('writes the rectification list and the notices that ended in the month, with ISO deadlines', () => {
      const rows = byId(readCsv(file('rectification', 'csv')).rows);
      // R issued in March; Q resolved (idle in Feb only); X and E escalated (inactive streak 3, exempt or not)
      expect(Object.fromEntries(Object.entries(rows).map(([k, r]) => [k, r.status]))).toEqual({
        R: 'issued',
        Q: 'resolved',
        X: 'escalated',
        E: 'escalated',
      });
      // unusable streak 1 reaches 3 in May → 2026-05-31; low_util (streak 1) holds too, so it is listed
      expect(rows.R.deadline).toBe('2026-05-31');
      expect(rows.R.conditions.split(';').sort()).toEqual(['low_util', 'unusable']);
      for (const r of Object.values(rows)) expect(r.citations).not.toBe('');
    });

    it('writes the elimination list with what to reclaim, exempt true/false, and neutralises formula-like text', () => {
      const rows = byId(readCsv(file('elimination', 'csv')).rows);
      expect(Object.keys(rows).sort()).toEqual(['E', 'X']);
      expect(rows.X).toMatchObject({
        system_name: `'${HYPERLINK}`, // =HYPERLINK("x") with a leading apostrophe
        department: "'@信息中心",
        conditions: 'inactive',
        exempt: 'false',
        exempt_reason: '',
      });
      expect([rows.X.vcpu, rows.X.memory_gb, rows.X.storage_gb, rows.X.cloud_cost_annual].map(Number)).toEqual([8, 32, 500, 24000]);
      expect(rows.E).toMatchObject({ exempt: 'true', exempt_reason: "'+并入新平台" });
    });

    it('writes the right-sizing list with the unrounded share of the cloud cost', () => {
      const rows = byId(readCsv(file('rightsizing', 'csv')).rows);
      expect(Object.keys(rows).sort()).toEqual(['RS6', 'RS8']);
      // RS8: ceil(8 × 30 / 60) = 4; reclaim 4; 100 000 × 4 / 8 = 50 000
      expect([rows.RS8.vcpu, rows.RS8.recommended_vcpu, rows.RS8.reclaim_vcpu, rows.RS8.reclaim_cost_annual].map(Number)).toEqual([
        8, 4, 4, 50000,
      ]);
      // RS6: ceil(6 × 35 / 60) = ceil(3.5) = 4; reclaim 2; 100 000 × 2 / 6 = 33 333.333333333336 (not 33 333.33)
      expect([rows.RS6.vcpu, rows.RS6.recommended_vcpu, rows.RS6.reclaim_vcpu].map(Number)).toEqual([6, 4, 2]);
      expect(Number(rows.RS6.reclaim_cost_annual)).toBe((100000 * 2) / 6);
    });

    it('writes an availability mean unrounded, as computed', async () => {
      const csv = byId(readCsv(file('metrics', 'csv')).rows);
      expect(Number(csv.AV.availability_pct)).toBe(AV_MEAN);
      expect(csv.AV.availability_pct).toMatch(/^99\.9677419354838\d*$/); // all the digits, not 99.97
      const stored = await store().value<number>(
        `SELECT availability_pct FROM res_metrics WHERE system_id = 'AV' AND month = DATE '2026-03-01' AND run_id = (SELECT run_id FROM month_runs WHERE month = '2026-03')`,
      );
      expect(stored).toBe(AV_MEAN);
    });
  });

  describe('XLSX', () => {
    // metrics is a plain table (header in row 1, one column per CSV column); the lists people sign
    // (rectification, elimination, right-sizing) are documents with title rows above the header and
    // columns of their own (docs/outputs.md §7.4; tests/signed-xlsx.test.ts reads them in full).
    async function sheetOf(kind: Kind, sheet?: string): Promise<{ header: string[]; rows: Record<string, ExcelJS.CellValue>[] }> {
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.readFile(file(kind, 'xlsx'));
      const ws = sheet ? wb.getWorksheet(sheet)! : wb.worksheets[0];
      const values = (n: number) => (ws.getRow(n).values as ExcelJS.CellValue[]).slice(1);
      let h = 1;
      while (h < 10 && !['系统编号', '序号'].includes(String(values(h)[0]))) h++;
      const header = values(h).map(String);
      const keys = kind === 'metrics' ? readCsv(file(kind, 'csv')).header : header;
      const rows: Record<string, ExcelJS.CellValue>[] = [];
      for (let n = h + 1; n <= ws.rowCount; n++) {
        const v = values(n);
        if (!v.length || (kind !== 'metrics' && typeof v[0] !== 'number')) break;
        rows.push(Object.fromEntries(keys.map((k, i) => [k, v[i] ?? null])));
      }
      return { header, rows };
    }

    it('writes metrics with Chinese headers, one per CSV column', async () => {
      const { header } = await sheetOf('metrics');
      expect(header.length).toBe(readCsv(file('metrics', 'csv')).header.length);
      for (const h of header) expect(h).toMatch(/[\u4e00-\u9fff]/);
      expect(header[0]).toBe('系统编号'); // system_id's Chinese name in the input contract (§2.1)
    });

    it.each(['rectification', 'elimination', 'rightsizing'] as const)(
      'writes %s as a list to sign: Chinese headers, 序号 then 系统编号',
      async (kind) => {
        const { header, rows } = await sheetOf(kind);
        for (const h of header) expect(h).toMatch(/[\u4e00-\u9fff]/);
        expect(header.slice(0, 2)).toEqual(['序号', '系统编号']);
        expect(rows.length).toBeGreaterThan(0);
      },
    );

    it('neutralises formula-like text and keeps numbers as numbers', async () => {
      const x = (await sheetOf('elimination')).rows.find((r) => r['系统编号'] === 'X')!;
      expect(x['系统名称']).toBe(`'${HYPERLINK}`);
      expect(x['建设单位']).toBe("'@信息中心");
      expect([x['回收vCPU'], x['回收内存(GB)'], x['回收存储(GB)'], x['年云资源费用(元)']]).toEqual([8, 32, 500, 24000]);
      // E, exempt, is on the sheet of the exempted systems
      const e = (await sheetOf('elimination', '豁免')).rows.find((r) => r['系统编号'] === 'E')!;
      expect(e['豁免理由']).toBe("'+并入新平台");
      const metrics = byId((await sheetOf('metrics')).rows);
      expect(metrics.AV.availability_pct).toBe(AV_MEAN);
    });
  });

  describe('JSON and Parquet', () => {
    const readJson = (kind: Kind) => JSON.parse(fs.readFileSync(file(kind, 'json'), 'utf8')) as Row[];
    const readParquet = (kind: Kind) => store().all(`SELECT * FROM read_parquet(${sqlString(file(kind, 'parquet'))})`);

    it.each(KINDS)('writes %s with the same columns and rows as the CSV, text not neutralised', async (kind) => {
      const csv = readCsv(file(kind, 'csv'));
      const json = readJson(kind);
      const parquet = await readParquet(kind);
      expect(json.length).toBe(csv.rows.length);
      expect(Object.keys(json[0])).toEqual(csv.header);
      expect(Object.keys(parquet[0])).toEqual(csv.header);
      expect(parquet).toEqual(json);
      // the CSV read with the JSON's types equals the JSON once its text is neutralised as CSV does it
      expect(csv.rows.map((r, i) => typedLike(r, json[i]))).toEqual(json.map(neutraliseText));
    });

    it('keeps a formula-like name unchanged and numbers unrounded', async () => {
      for (const rows of [readJson('elimination'), await readParquet('elimination')]) {
        const x = byId(rows).X;
        expect([x.system_name, x.department, x.exempt]).toEqual([HYPERLINK, '@信息中心', false]);
      }
      for (const rows of [readJson('metrics'), await readParquet('metrics')]) expect(byId(rows).AV.availability_pct).toBe(AV_MEAN);
      for (const rows of [readJson('rightsizing'), await readParquet('rightsizing')])
        expect(byId(rows).RS6.reclaim_cost_annual).toBe((100000 * 2) / 6);
    });

    it('writes dates as ISO text and months as YYYY-MM', async () => {
      const r = byId(readJson('rectification')).R;
      expect([r.month, r.deadline]).toEqual(['2026-03', '2026-05-31']);
    });
  });

  it('never writes a classified system, in any export or format', async () => {
    for (const kind of KINDS) {
      for (const ext of ['csv', 'json']) {
        const text = fs.readFileSync(file(kind, ext), 'utf8');
        expect(text).not.toContain(SECRET_ID);
        expect(text).not.toContain(SECRET_NAME);
      }
      const parquet = JSON.stringify(await store().all(`SELECT * FROM read_parquet(${sqlString(file(kind, 'parquet'))})`));
      expect(parquet).not.toContain(SECRET_ID);
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.readFile(file(kind, 'xlsx'));
      const cells: string[] = [];
      wb.eachSheet((ws) => ws.eachRow((row) => row.eachCell((c) => void cells.push(String(c.value)))));
      expect(cells.join('\n')).not.toContain(SECRET_ID);
      expect((await exportRows(store(), kind, { month: '2026-03' })).rows.map((r) => r.system_id)).not.toContain(SECRET_ID);
    }
  });
});
