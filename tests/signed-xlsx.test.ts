// The lists people sign, as XLSX, read back (docs/outputs.md §7.4): title rows naming the city,
// period, list, run and profile; no code value in any cell of a Chinese sheet; the exempted
// systems on a sheet of their own; the evidence as one row per system and month with a column per
// metric (not JSON); a number format on every numeric cell (the cell keeping the exact value);
// A4 landscape fitted to the width with the header row repeated and page numbers in the footer;
// citations as numbered notes under the table; the signature block after it; the elimination
// list's 决定 drop-down; the same bytes when written twice, and when written by the run's XLSX
// worker thread (or, without one, on the main thread).

import fs from 'node:fs';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareXlsxExport, writeExport } from '../dashboards/exports/write.ts';
import { XlsxThread } from '../dashboards/exports/xlsx-thread.ts';
import { LABELS } from '../metrics/labels.ts';
import { ingestFile } from '../pipelines/ingest/ingest.ts';
import { evaluateYear } from '../pipelines/run/year.ts';
import { NOW, openTestStore, writeFile } from './helpers.ts';
import { DEFAULT_PROFILE, DOWN, IDLE, buildCity, months, runMonths, system } from './fixtures/monthly/city.ts';

const MONTH = '2026-10';
const LISTS = ['rectification', 'elimination', 'rightsizing', 'scores', 'budget'] as const;
// X idle Aug–Oct → eliminated; E the same, exempt in the registry; D down in October → notice;
// RS 8 vCPU with CPU peaks 30 → right-sized; the name of X looks like a formula.
const X_NAME = '=HYPERLINK("x")';

let s: Awaited<ReturnType<typeof openTestStore>>;
const file = (kind: string, suffix = '') => path.join(s.dir, 'out', `${kind}${suffix}.xlsx`);
let runId = 0;

/** Every code a label table knows, where it differs from its label (a code in a Chinese sheet). */
const CODES = new Set(
  Object.values(LABELS)
    .flatMap((t) => Object.entries(t as Record<string, string>))
    .filter(([k, v]) => k !== v)
    .map(([k]) => k),
);

async function open(kind: string, suffix = ''): Promise<ExcelJS.Workbook> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(file(kind, suffix));
  return wb;
}

/** The row of a sheet's header: the first row whose first cell is 序号 or 系统编号. */
function headerRowOf(ws: ExcelJS.Worksheet): number {
  for (let r = 1; r <= 10; r++) if (['序号', '系统编号'].includes(String(ws.getRow(r).getCell(1).value))) return r;
  throw new Error(`no header row in ${ws.name}`);
}

function headersOf(ws: ExcelJS.Worksheet): string[] {
  const r = ws.getRow(headerRowOf(ws));
  const out: string[] = [];
  for (let c = 1; c <= ws.columnCount; c++) out.push(String(r.getCell(c).value ?? ''));
  return out;
}

/** The table's data rows: from the header to the first row without a system id. */
function dataRows(ws: ExcelJS.Worksheet): ExcelJS.Row[] {
  const h = headerRowOf(ws);
  const idCol = headersOf(ws).indexOf('系统编号') + 1;
  const out: ExcelJS.Row[] = [];
  for (let r = h + 1; r <= ws.rowCount; r++) {
    const row = ws.getRow(r);
    if (!row.getCell(idCol).value) break;
    out.push(row);
  }
  return out;
}

beforeAll(async () => {
  s = await openTestStore();
  const all = ['2026-06', '2026-07', '2026-08', '2026-09', '2026-10'];
  await buildCity(
    s.store,
    s,
    [
      system('X', { system_name: X_NAME, vcpu: 8, memory_gb: 32, storage_gb: 500, cloud_cost_annual: 24000.456 }),
      system('E', { exempt_until: '2026-12-31', exempt_reason: '并入新平台' }),
      system('D'),
      system('RS', { vcpu: 8, cloud_cost_annual: 100000 }),
    ],
    [
      ...months('X', all.slice(0, 2)),
      ...months('X', all.slice(2), IDLE),
      ...months('E', all.slice(0, 2)),
      ...months('E', all.slice(2), IDLE),
      ...months('D', all.slice(0, 4)),
      ...months('D', ['2026-10'], DOWN),
      ...months('RS', all, { cpu_avg_pct: 10, cpu_max_pct: 30 }),
    ],
  );
  const p = writeFile(
    s.dir,
    'decisions.csv',
    'system_id,decision,effective_date,document_no,decided_by\nX,confirm_shutdown,2026-10-20,临数局〔2026〕21号,王立新\n',
  );
  expect((await ingestFile(s.store, p, { now: NOW, archiveDir: s.archiveDir })).status).toBe('loaded');
  runId = (await runMonths(s.store, [MONTH]))[0].runId;
  await evaluateYear(s.store, { year: 2026, profile: DEFAULT_PROFILE, now: NOW, trigger: 'test' });
  for (const kind of LISTS) {
    const period = kind === 'scores' || kind === 'budget' ? { year: 2026 } : { month: MONTH };
    await writeExport(s.store, kind, period, file(kind), { city: '云川市' });
    await writeExport(s.store, kind, period, file(kind, '-again'), { city: '云川市' });
  }
}, 120_000);

afterAll(() => {
  s?.store.close();
  if (s) fs.rmSync(s.dir, { recursive: true, force: true });
});

describe('the signed XLSX lists', () => {
  it.each(LISTS)('%s: title rows name the city, period, list, run and profile', async (kind) => {
    const ws = (await open(kind)).worksheets[0];
    const title = String(ws.getCell('A1').value);
    expect(title).toContain('云川市');
    // 2026 is evaluated before its O&M reports are due (docs/decisions.md §5.5a): a provisional
    // evaluation, and its lists say so in the title
    if (kind === 'budget') expect(title).toBe('云川市2027 年度运维经费建议（依据 2026 年度绩效评价）（预评价）');
    else if (kind === 'scores') expect(title).toBe('云川市2026 年度绩效评价（预评价）');
    else expect(title).toMatch(/^云川市2026年10月/);
    const meta = String(ws.getCell('A3').value);
    expect(meta).toContain('政策配置：default');
    expect(meta).toMatch(/运行编号：\d+/);
  });

  it.each(LISTS)('%s: no code value in any cell of any sheet', async (kind) => {
    const wb = await open(kind);
    wb.eachSheet((ws) =>
      ws.eachRow((row, rn) =>
        row.eachCell((cell, cn) => {
          if (typeof cell.value !== 'string') return;
          const where = `${kind}.xlsx ${ws.name}!R${rn}C${cn} = ${JSON.stringify(cell.value)}`;
          expect(CODES.has(cell.value.trim()), where).toBe(false);
          for (const token of cell.value.split(/[^A-Za-z_]+/).filter((t) => t.length > 2)) expect(CODES.has(token), where).toBe(false);
        }),
      ),
    );
  });

  it.each(LISTS)('%s: A4 landscape, fitted to the width, the header row repeated, page numbers in the footer', async (kind) => {
    const wb = await open(kind);
    for (const ws of wb.worksheets.filter((w) => w.name !== '说明')) {
      const h = headerRowOf(ws);
      expect(ws.pageSetup, ws.name).toMatchObject({
        paperSize: 9,
        orientation: 'landscape',
        fitToPage: true,
        fitToWidth: 1,
        fitToHeight: 0,
      });
      expect(ws.pageSetup.printTitlesRow, ws.name).toBe(`${h}:${h}`);
      expect(ws.headerFooter.oddFooter, ws.name).toContain('第 &P 页，共 &N 页');
    }
  });

  it.each(LISTS)('%s: a number format on every numeric cell, the value kept exact', async (kind) => {
    const wb = await open(kind);
    let numbers = 0;
    for (const ws of wb.worksheets.filter((w) => w.name !== '说明'))
      for (const row of dataRows(ws))
        row.eachCell((cell) => {
          if (typeof cell.value !== 'number') return;
          numbers++;
          expect(cell.numFmt, `${ws.name}!${cell.address}`).toMatch(/[0#]/);
        });
    expect(numbers).toBeGreaterThan(0);
  });

  it.each(LISTS)('%s: the signature block (审核人、批准人、日期) after the table', async (kind) => {
    const ws = (await open(kind)).worksheets[0];
    const rows = dataRows(ws);
    const last = rows.length ? rows[rows.length - 1].number : headerRowOf(ws) + 1;
    const after: string[] = [];
    for (let r = last + 1; r <= ws.rowCount; r++) after.push(String(ws.getRow(r).getCell(1).value ?? ''));
    const sig = after.find((t) => t.includes('审核人'));
    expect(sig, kind).toBeDefined();
    expect(sig).toContain('批准人');
    expect(sig).toContain('日期');
  });

  it('elimination: the listed systems, their decision status, numbers exact, a formula-like name neutralised', async () => {
    const ws = (await open('elimination')).getWorksheet('淘汰退出清单')!;
    const h = headersOf(ws);
    const rows = dataRows(ws);
    expect(rows.map((r) => r.getCell(h.indexOf('系统编号') + 1).value)).toEqual(['X']);
    const x = rows[0];
    const at = (name: string) => x.getCell(h.indexOf(name) + 1);
    expect(at('系统名称').value).toBe(`'${X_NAME}`);
    expect(at('淘汰原因（起始月份，连续月数）').value).toBe('无业务访问（闲置）（2026-08 起连续 3 个月）');
    expect(at('决定状态').value).toBe('已同意关停');
    expect(at('现有决定（文号、日期、决定人）').value).toBe('临数局〔2026〕21号，2026-10-20，王立新');
    expect([at('回收vCPU').value, at('年云资源费用(元)').value]).toEqual([8, 24000.456]);
    expect(at('年云资源费用(元)').numFmt).toBe('#,##0.00');
    // citations as numbered notes, listed under the table
    expect(at('依据（见表下注）').value).toMatch(/^(\[\d\])+$/);
    const below: string[] = [];
    for (let r = x.number + 1; r <= ws.rowCount; r++) below.push(String(ws.getRow(r).getCell(1).value ?? ''));
    expect(below.some((t) => /^\[1\] 《.+》第.+条/.test(t))).toBe(true);
  });

  it('elimination: the exempted systems on their own sheet, with both sources of an exemption', async () => {
    const wb = await open('elimination');
    expect(wb.worksheets.map((w) => w.name)).toEqual(['淘汰退出清单', '豁免', '证据', '说明']);
    const ws = wb.getWorksheet('豁免')!;
    const h = headersOf(ws);
    const rows = dataRows(ws);
    expect(rows.map((r) => r.getCell(h.indexOf('系统编号') + 1).value)).toEqual(['E']);
    expect(rows[0].getCell(h.indexOf('豁免来源') + 1).value).toBe('系统目录');
    expect(rows[0].getCell(h.indexOf('豁免理由') + 1).value).toBe('并入新平台');
    expect((rows[0].getCell(h.indexOf('豁免至') + 1).value as Date).toISOString().slice(0, 10)).toBe('2026-12-31');
  });

  it('elimination: the evidence as a row per system and month and a column per metric', async () => {
    const ws = (await open('elimination')).getWorksheet('证据')!;
    const h = headersOf(ws);
    expect(h).toEqual([
      '系统编号',
      '系统名称',
      '所在清单',
      '月份',
      '报送天数(天)',
      'CPU平均使用率(%)',
      'CPU峰值P95(%)',
      '最高日活跃用户(人)',
      '月访问量(次)',
      '可用率(%)',
      '未修复高危漏洞(个)',
      '当月成立的问题',
    ]);
    const rows = dataRows(ws).map((r) => h.map((_, i) => r.getCell(i + 1).value));
    // X and E, idle August to October: 31, 30, 31 days reported; 0 users, 0 requests
    expect(rows.map((r) => [r[0], r[3], r[4], r[7], r[8], r[11]])).toEqual([
      ['X', '2026-08', 31, 0, 0, '无业务访问（闲置）'],
      ['X', '2026-09', 30, 0, 0, '无业务访问（闲置）'],
      ['X', '2026-10', 31, 0, 0, '无业务访问（闲置）'],
      ['E', '2026-08', 31, 0, 0, '无业务访问（闲置）'],
      ['E', '2026-09', 30, 0, 0, '无业务访问（闲置）'],
      ['E', '2026-10', 31, 0, 0, '无业务访问（闲置）'],
    ]);
  });

  it('elimination: a 决定 column with a drop-down and the columns a decision needs, named as the decisions contract names them', async () => {
    const ws = (await open('elimination')).getWorksheet('淘汰退出清单')!;
    const h = headersOf(ws);
    for (const c of ['决定', '生效日期', '有效期至', '文号', '决定人', '理由']) expect(h).toContain(c);
    const cell = dataRows(ws)[0].getCell(h.indexOf('决定') + 1);
    expect(cell.dataValidation).toMatchObject({ type: 'list', formulae: ['"同意关停,豁免,已关停"'] });
  });

  it('rectification: statuses, conditions and decisions in Chinese, the deadline a date', async () => {
    const ws = (await open('rectification')).worksheets[0];
    const h = headersOf(ws);
    const rows = Object.fromEntries(dataRows(ws).map((r) => [String(r.getCell(h.indexOf('系统编号') + 1).value), r]));
    // D down in October: issued, streak 1 reaches 3 in December → 2026-12-31; X and E escalated
    const d = rows.D;
    expect(d.getCell(h.indexOf('状态') + 1).value).toBe('已下发');
    expect(d.getCell(h.indexOf('问题及连续月数') + 1).value).toBe('无法正常使用（连续 1 个月）');
    expect((d.getCell(h.indexOf('整改期限') + 1).value as Date).toISOString().slice(0, 10)).toBe('2026-12-31');
    expect(rows.X.getCell(h.indexOf('状态') + 1).value).toBe('转入淘汰');
    // an ended notice keeps its deadline: inactive 1 in August reaches 3 in October
    expect((rows.X.getCell(h.indexOf('整改期限') + 1).value as Date).toISOString().slice(0, 10)).toBe('2026-10-31');
  });

  it('rightsizing and budget: what to reclaim and the recommendation, labelled', async () => {
    const rs = (await open('rightsizing')).worksheets[0];
    const h = headersOf(rs);
    const r = dataRows(rs)[0];
    // ceil(8 × 30 / 60) = 4: reclaim 4, 100 000 × 4 / 8 = 50 000
    expect(
      [h.indexOf('现有vCPU'), h.indexOf('建议vCPU'), h.indexOf('可回收vCPU'), h.indexOf('可节约年费用(元)')].map(
        (i) => r.getCell(i + 1).value,
      ),
    ).toEqual([8, 4, 4, 50000]);
    const b = (await open('budget')).worksheets[0];
    const bh = headersOf(b);
    const recs = dataRows(b).map((x) => String(x.getCell(bh.indexOf('建议') + 1).value));
    for (const v of recs) expect(Object.values(LABELS.recommendation)).toContain(v);
  });

  it('writes the same bytes twice', () => {
    for (const kind of LISTS) expect(fs.readFileSync(file(kind)).equals(fs.readFileSync(file(kind, '-again'))), kind).toBe(true);
    expect(runId).toBeGreaterThan(0);
  });
});

describe('the XLSX lists written on the run’s worker thread (xlsx-thread.ts)', () => {
  const periodOf = (kind: string) => (kind === 'scores' || kind === 'budget' ? { year: 2026 } : { month: MONTH });

  it.each([
    ['on the worker thread', undefined],
    ['without a worker (its script missing): on this thread', 'no-such-worker.js'],
  ])('%s: every list the same bytes as writeExport writes', async (_, script) => {
    const thread = new XlsxThread(script && path.join(s.dir, script));
    try {
      const written = await Promise.all(
        LISTS.map(async (kind) =>
          thread.write(
            await prepareXlsxExport(s.store, kind, periodOf(kind), { city: '云川市' }),
            file(kind, `-${script ? 'here' : 'thread'}`),
          ),
        ),
      );
      for (const [i, kind] of LISTS.entries()) {
        expect(fs.readFileSync(file(kind, `-${script ? 'here' : 'thread'}`)).equals(fs.readFileSync(file(kind))), kind).toBe(true);
        expect(written[i].file).toBe(file(kind, `-${script ? 'here' : 'thread'}`));
      }
      expect(written.find((w) => w.file.includes('elimination'))?.runId).toBe(runId);
    } finally {
      await thread.close();
    }
  });

  it('reports a list it cannot write, and goes on with the next', async () => {
    const blocker = path.join(s.dir, 'out', 'a-file');
    fs.writeFileSync(blocker, 'not a folder');
    const thread = new XlsxThread();
    try {
      const data = await prepareXlsxExport(s.store, 'rectification', periodOf('rectification'), { city: '云川市' });
      await expect(thread.write(data, path.join(blocker, 'rectification.xlsx'))).rejects.toThrow(/ENOTDIR|EEXIST/);
      const r = await thread.write(data, file('rectification', '-after-error'));
      expect(fs.readFileSync(r.file).equals(fs.readFileSync(file('rectification')))).toBe(true);
    } finally {
      await thread.close();
    }
  });
});
