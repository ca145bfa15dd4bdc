// XLSX input templates (docs/inputs.md §2.4): every kind's form opens with its Chinese headers, a note on each
// header, drop-downs and input checks, and the 填写说明 sheet; a form filled in a spreadsheet ingests
// as it is; the om_report form of a department is pre-filled with exactly its systems.

import fs from 'node:fs';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../apps/cli/program.ts';
import { CONTRACT, KINDS, formHeader, type Kind } from '../metrics/contract.ts';
import { ingestFile } from '../pipelines/ingest/ingest.ts';
import { INSTRUCTION_HEADERS, NAME_HELPER, TEMPLATE_ROWS, writeTemplate } from '../pipelines/ingest/template.ts';
import { UserError } from '../core/errors.ts';
import { NOW, openTestStore, tempDir, withStore } from './helpers.ts';
import { SAMPLE, SYSTEMS, loadRegistry, rejectsOf, storedRows, xlsxValue, type Row } from './fixtures/ingest.ts';

async function open(p: string): Promise<ExcelJS.Workbook> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(p);
  return wb;
}

function noteOf(cell: ExcelJS.Cell): string {
  const n = cell.note as string | ExcelJS.Comment | undefined;
  if (n === undefined) return '';
  return typeof n === 'string' ? n : (n.texts ?? []).map((t) => t.text).join('');
}

function headerRow(ws: ExcelJS.Worksheet): string[] {
  const out: string[] = [];
  for (let c = 1; c <= ws.columnCount; c++) out.push(String(ws.getCell(1, c).value ?? ''));
  return out;
}

/** The validation of a column at a row, reduced to what a person would check. */
function check(ws: ExcelJS.Worksheet, header: string, row: number): unknown {
  const col = headerRow(ws).indexOf(header) + 1;
  const v = ws.getCell(row, col).dataValidation;
  if (!v) return undefined;
  const f = v.formulae?.map((x: unknown) => (x instanceof Date ? x.toISOString().slice(0, 10) : x));
  return { type: v.type, operator: v.type === 'list' ? undefined : v.operator, formulae: f };
}

const SHEET: Record<Kind, string> = {
  systems: '信息系统目录',
  telemetry: '运行监测数据',
  catalog: '数据资源目录与归集',
  om_report: '年度运维服务情况报表',
  population: '常住人口',
  cost_plan: '云资源费用分摊方案',
  decisions: '处置决定',
};

describe('writeTemplate(kind, outFile)', () => {
  it.each(KINDS)('writes a %s form: the kind-named sheet with its Chinese headers, frozen, and the 填写说明 sheet', async (kind) => {
    const dir = tempDir();
    try {
      const p = path.join(dir, `${kind}.xlsx`);
      const r = await writeTemplate(kind, p);
      expect(r).toEqual({ path: p, kind, sheet: SHEET[kind], prefilled: 0 });
      const wb = await open(p);
      expect(wb.worksheets.map((w) => w.name)).toEqual([SHEET[kind], '填写说明']);
      expect(CONTRACT[kind].sheetNames).toContain(SHEET[kind]);
      const ws = wb.worksheets[0];
      expect(headerRow(ws)).toEqual(CONTRACT[kind].columns.map(formHeader));
      expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
      expect(ws.getCell(1, 1).font?.bold).toBe(true);
      // no data rows: the form is blank
      expect(ws.actualRowCount).toBe(1);
      // every header has its note, naming the English column and the type
      for (const [i, c] of CONTRACT[kind].columns.entries()) {
        const note = noteOf(ws.getCell(1, i + 1));
        expect(note.split('\n').slice(0, 2)).toEqual([`${c.zh}（${c.name}）`, expect.stringMatching(/^类型：/)]);
      }
      // 填写说明: one row per column after its header row
      const help = wb.getWorksheet('填写说明')!;
      expect(help.getRow(1).values).toEqual([undefined, ...INSTRUCTION_HEADERS]);
      expect(INSTRUCTION_HEADERS).toEqual(['中文表头', '英文列名', '类型', '是否必填', '取值范围', '说明']);
      CONTRACT[kind].columns.forEach((c, i) => {
        expect([help.getCell(i + 2, 1).value, help.getCell(i + 2, 2).value]).toEqual([formHeader(c), c.name]);
      });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('explains each header of the telemetry form with its type, range and rules', async () => {
    const dir = tempDir();
    try {
      const ws = (await open((await writeTemplate('telemetry', path.join(dir, 't.xlsx'))).path)).worksheets[0];
      expect(noteOf(ws.getCell('A1'))).toBe(
        '系统编号（system_id）\n类型：文本，必填\n取值：须为系统目录中已有的系统编号\n说明：须在系统目录中',
      );
      expect(noteOf(ws.getCell('B1'))).toBe(
        '日期（date）\n类型：日期，必填\n取值：YYYY-MM-DD 或 YYYY/MM/DD；不晚于今天\n说明：不得晚于今天',
      );
      expect(noteOf(ws.getCell('D1'))).toBe(
        'CPU峰值使用率（cpu_max_pct）\n类型：百分比，选填\n取值：0–100 的数值，可带 %\n说明：日峰值，不小于平均值\n若CPU峰值使用率小于CPU平均使用率，该行将被拒收',
      );
      expect(noteOf(ws.getCell('G1'))).toBe('活跃用户数（active_users）\n类型：整数，选填\n取值：≥ 0\n说明：当日使用系统的不同用户数');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('shows the unit of 运维经费支付 (元) in its header, note, range and prompt, and each note as a whole sentence', async () => {
    const dir = tempDir();
    try {
      const wb = await open((await writeTemplate('om_report', path.join(dir, 'o.xlsx'))).path);
      const ws = wb.worksheets[0];
      const headers = headerRow(ws);
      expect(headers).toContain('运维经费支付（元）');
      const paid = headers.indexOf('运维经费支付（元）') + 1;
      expect(noteOf(ws.getCell(1, paid))).toBe(
        '运维经费支付（om_paid）\n类型：数值，选填\n取值：≥ 0；单位：元\n说明：本运维年度实际支付的运维经费（报表“经费支付”部分）',
      );
      expect(ws.getCell(2, paid).dataValidation.prompt).toBe(
        '请填写不小于 0 的数值（单位：元）；本运维年度实际支付的运维经费（报表“经费支付”部分）',
      );
      // the note of 故障次数 says what is counted, not a bare section name
      const incidents = headers.indexOf('故障次数') + 1;
      expect(ws.getCell(2, incidents).dataValidation.prompt).toBe(
        '请填写不小于 0 的整数；本运维年度内系统发生的故障次数（报表“系统运行”部分）',
      );
      const help = wb.getWorksheet('填写说明')!;
      const row = CONTRACT.om_report.columns.findIndex((c) => c.name === 'om_paid') + 2;
      expect(help.getRow(row).values).toEqual([
        undefined,
        '运维经费支付（元）',
        'om_paid',
        '数值',
        '选填',
        '≥ 0；单位：元',
        '本运维年度实际支付的运维经费（报表“经费支付”部分）',
      ]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('puts drop-downs of Chinese labels, date, whole-number and decimal checks on 1000 rows of the registry form', async () => {
    const dir = tempDir();
    try {
      const ws = (await open((await writeTemplate('systems', path.join(dir, 's.xlsx'))).path)).worksheets[0];
      const last = TEMPLATE_ROWS + 1;
      for (const row of [2, 500, last]) {
        expect(check(ws, '阶段', row)).toEqual({ type: 'list', formulae: ['"建设中,试运行,运行,已停用"'] });
        expect(check(ws, '重点项目', row)).toEqual({ type: 'list', formulae: ['"是,否"'] });
        expect(check(ws, '涉密', row)).toEqual({ type: 'list', formulae: ['"是,否"'] });
        expect(check(ws, '上线日期', row)).toEqual({ type: 'date', operator: 'between', formulae: ['1990-01-01', '2100-12-31'] });
        expect(check(ws, '等保级别', row)).toEqual({ type: 'whole', operator: 'between', formulae: [1, 4] });
        expect(check(ws, 'vCPU', row)).toEqual({ type: 'whole', operator: 'between', formulae: [0, 2147483647] });
        expect(check(ws, '内存GB', row)).toEqual({ type: 'decimal', operator: 'greaterThanOrEqual', formulae: [0] });
        expect(check(ws, '系统编号', row)).toBeUndefined();
      }
      expect(check(ws, '阶段', 1)).toBeUndefined();
      expect(check(ws, '阶段', last + 1)).toBeUndefined();
      const stage = ws.getCell(2, 4).dataValidation;
      expect([stage.showErrorMessage, stage.allowBlank, stage.error]).toEqual([
        true,
        true,
        '请从下拉列表选择：建设中、试运行、运行、已停用',
      ]);
      // system_id is a text column: 001 keeps its zeros
      expect(ws.getColumn(1).numFmt).toBe('@');
      expect(ws.getColumn(5).numFmt).toBe('yyyy-mm-dd');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('checks percentages as decimals 0–100 and enums of the catalog form as drop-downs', async () => {
    const dir = tempDir();
    try {
      const tel = (await open((await writeTemplate('telemetry', path.join(dir, 't.xlsx'))).path)).worksheets[0];
      expect(check(tel, 'CPU平均使用率', 2)).toEqual({ type: 'decimal', operator: 'between', formulae: [0, 100] });
      expect(check(tel, '访问量', 2)).toEqual({ type: 'whole', operator: 'between', formulae: [0, 2147483647] });
      const cat = (await open((await writeTemplate('catalog', path.join(dir, 'c.xlsx'))).path)).worksheets[0];
      expect(check(cat, '共享属性', 2)).toEqual({ type: 'list', formulae: ['"无条件共享,有条件共享,不予共享"'] });
      expect(check(cat, '更新周期', 2)).toEqual({ type: 'list', formulae: ['"实时,每日,每周,每月,每季度,每年"'] });
      const om = (await open((await writeTemplate('om_report', path.join(dir, 'o.xlsx'))).path)).worksheets[0];
      expect(check(om, '年度', 2)).toEqual({ type: 'whole', operator: 'between', formulae: [2000, 2100] });
      expect(check(om, '自评分', 2)).toEqual({ type: 'decimal', operator: 'between', formulae: [0, 100] });
      expect(check(om, '统建融合项数', 2)).toEqual({ type: 'whole', operator: 'between', formulae: [0, 5] });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('lists each column in 填写说明 with type, required, range and explanation', async () => {
    const dir = tempDir();
    try {
      const help = (await open((await writeTemplate('systems', path.join(dir, 's.xlsx'))).path)).getWorksheet('填写说明')!;
      const row = (n: number) => (help.getRow(n).values as unknown[]).slice(1);
      expect(row(2)).toEqual(['系统编号', 'system_id', '文本', '必填', '', '唯一编号']);
      expect(row(5)).toEqual([
        '阶段',
        'stage',
        '下拉选择',
        '必填',
        '建设中（construction）、试运行（trial）、运行（operation）、已停用（retired）',
        '建设中/试运行/运行/已停用',
      ]);
      expect(row(9)).toEqual(['等保级别', 'security_level', '整数', '选填', '1–4', '1–4']);
      expect(row(15)).toEqual(['重点项目', 'key_project', '是/否', '选填', '是 / 否（也可填 true/false、1/0、Y/N）', '是/否']);
      expect(row(18)).toEqual([
        '豁免原因',
        'exempt_reason',
        '文本',
        '选填',
        '',
        '填写豁免截止时必填；若填写了豁免截止日期，但缺少豁免原因，该行将被拒收',
      ]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** Fill rows of a template's data sheet like a person would: labels from the drop-downs, date cells, numbers. */
async function fill(p: string, kind: Kind, rows: Row[], extra?: (ws: ExcelJS.Worksheet) => void): Promise<void> {
  const wb = await open(p);
  const ws = wb.worksheets[0];
  const headers = headerRow(ws);
  rows.forEach((r, i) => {
    for (const c of CONTRACT[kind].columns) {
      const v = xlsxValue(c, r[c.name] ?? null, 'zh');
      if (v !== null) ws.getCell(i + 2, headers.indexOf(formHeader(c)) + 1).value = v;
    }
  });
  extra?.(ws);
  await wb.xlsx.writeFile(p);
}

describe('writeTemplate(kind, outFile) — a filled form ingests as it is', () => {
  it.each(KINDS)('ingests a filled %s form with 0 rejects and the values typed', async (kind) => {
    await withStore(async (store, ctx) => {
      if (kind !== 'systems') await loadRegistry(store, ctx);
      const p = path.join(ctx.dir, `${kind}.xlsx`);
      await writeTemplate(kind, p);
      await fill(p, kind, SAMPLE[kind]);
      const o = await ingestFile(store, p, { now: NOW, archiveDir: ctx.archiveDir });
      expect(await rejectsOf(store, o.fileId!)).toEqual([]);
      expect([o.status, o.kind, o.sheet, o.rowsLoaded, o.extras]).toEqual(['loaded', kind, SHEET[kind], SAMPLE[kind].length, []]);
      expect(await storedRows(store, kind, o.fileId)).toEqual(SAMPLE[kind]);
    });
  });

  it('reads a percentage typed as 45.5% (a percent-formatted cell) as 45.5', async () => {
    await withStore(async (store, ctx) => {
      await loadRegistry(store, ctx);
      const p = path.join(ctx.dir, 't.xlsx');
      await writeTemplate('telemetry', p);
      await fill(p, 'telemetry', [{ system_id: 'S001', date: '2026-11-01' }], (ws) => {
        ws.getCell('C2').value = 0.455;
        ws.getCell('C2').numFmt = '0.0%';
        ws.getCell('D2').value = 0.9;
        ws.getCell('D2').numFmt = '0%';
      });
      const o = await ingestFile(store, p, { now: NOW, archiveDir: ctx.archiveDir });
      expect(o.status).toBe('loaded');
      expect(await store.all('SELECT cpu_avg_pct, cpu_max_pct FROM raw_telemetry')).toEqual([{ cpu_avg_pct: 45.5, cpu_max_pct: 90 }]);
    });
  });
});

describe('writeTemplate("om_report", outFile, { store, department, year })', () => {
  const registry: Row[] = [
    ...SYSTEMS,
    { ...SYSTEMS[0], system_id: 'S005', system_name: '政务数据共享交换平台', department: '市数据局' },
    { ...SYSTEMS[0], system_id: 'S006', system_name: '应急指挥调度系统', department: '市应急管理局' },
  ];

  it('pre-fills exactly the department’s systems (not classified ones) with their names and the year', async () => {
    await withStore(async (store, ctx) => {
      await loadRegistry(store, ctx, registry);
      const p = path.join(ctx.dir, 'om.xlsx');
      const r = await writeTemplate('om_report', p, { store, department: '市数据局', year: 2025 });
      expect(r.prefilled).toBe(2);
      const ws = (await open(p)).worksheets[0];
      expect(headerRow(ws).slice(0, 4)).toEqual(['系统编号', NAME_HELPER, '年度', '提交日期']);
      expect(ws.actualRowCount).toBe(3);
      const rows = [2, 3].map((n) => (ws.getRow(n).values as unknown[]).slice(1));
      // S003 belongs to 市数据局 too but is classified: it never appears in an output
      expect(rows).toEqual([
        ['S001', '统一身份认证平台', 2025],
        ['S005', '政务数据共享交换平台', 2025],
      ]);
      expect(noteOf(ws.getCell('B1'))).toBe(`${NAME_HELPER}\n仅供核对系统，导入时不保存，请勿修改`);
    });
  });

  it('ingests the pre-filled form once filled, listing the name column as extra and storing nothing of it', async () => {
    await withStore(async (store, ctx) => {
      await loadRegistry(store, ctx, registry);
      const p = path.join(ctx.dir, 'om.xlsx');
      await writeTemplate('om_report', p, { store, department: '市应急管理局', year: 2025 });
      await fill(p, 'om_report', [
        {
          submitted_date: '2026-01-20',
          incidents: 3,
          om_paid: 76000,
          goals_total: 4,
          goals_met: 4,
          integration_points: 2,
          self_score: 88,
          notes: '按期完成',
        },
        {
          submitted_date: '2026-01-21',
          incidents: 0,
          crypto_assessment_date: '2025-06-30',
          goals_total: 2,
          goals_met: 1,
          self_score: 70.5,
        },
      ]);
      const o = await ingestFile(store, p, { now: NOW, archiveDir: ctx.archiveDir });
      expect(await rejectsOf(store, o.fileId!)).toEqual([]);
      expect([o.status, o.rowsLoaded, o.extras]).toEqual(['loaded', 2, [NAME_HELPER]]);
      expect(await storedRows(store, 'om_report', o.fileId)).toEqual([
        {
          system_id: 'S002',
          year: 2025,
          submitted_date: '2026-01-20',
          incidents: 3,
          security_assessment_date: null,
          crypto_assessment_date: null,
          om_paid: 76000,
          goals_total: 4,
          goals_met: 4,
          integration_points: 2,
          self_score: 88,
          notes: '按期完成',
        },
        {
          system_id: 'S006',
          year: 2025,
          submitted_date: '2026-01-21',
          incidents: 0,
          security_assessment_date: null,
          crypto_assessment_date: '2025-06-30',
          om_paid: null,
          goals_total: 2,
          goals_met: 1,
          integration_points: null,
          self_score: 70.5,
          notes: null,
        },
      ]);
    });
  });

  it('refuses a department with no systems, naming the departments there are', async () => {
    await withStore(async (store, ctx) => {
      await loadRegistry(store, ctx, registry);
      await expect(writeTemplate('om_report', path.join(ctx.dir, 'x.xlsx'), { store, department: '市财政局' })).rejects.toThrow(
        new UserError('建设单位“市财政局”在系统目录中没有系统；系统目录中的建设单位有：市应急管理局、市数据局'),
      );
      expect(fs.existsSync(path.join(ctx.dir, 'x.xlsx'))).toBe(false);
    });
  });

  it('refuses to pre-fill a form of another kind', async () => {
    await expect(writeTemplate('telemetry', path.join(tempDir(), 'x.xlsx'), { department: '市数据局' })).rejects.toThrow(
      '只有年度运维服务情况报表（om_report）模板可按建设单位或年度预填，运行监测数据模板不支持',
    );
  });
});

describe('govmon template KIND --out FILE.xlsx', () => {
  const program = buildProgram;

  it('writes a blank form without a database', async () => {
    const dir = tempDir();
    try {
      const out = path.join(dir, '目录模板.xlsx');
      await program().parseAsync(['node', 'govmon', '--quiet', '--db', path.join(dir, 'none.duckdb'), 'template', 'catalog', '--out', out]);
      expect((await open(out)).worksheets.map((w) => w.name)).toEqual(['数据资源目录与归集', '填写说明']);
      expect(fs.existsSync(path.join(dir, 'none.duckdb'))).toBe(false);
    } finally {
      process.exitCode = undefined;
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('pre-fills a department’s systems from the database given with --db', async () => {
    // a database file holding the registry, closed before the command opens it
    const { store, dir, archiveDir } = await openTestStore('g.duckdb');
    const db = store.path;
    try {
      await loadRegistry(store, { dir, archiveDir });
      store.close();
      const out = path.join(dir, 'om.xlsx');
      await program().parseAsync([
        'node',
        'govmon',
        '--quiet',
        '--db',
        db,
        'template',
        'om_report',
        '--out',
        out,
        '--department',
        '市应急管理局',
        '--year',
        '2026',
      ]);
      expect(process.exitCode).toBe(0);
      const ws = (await open(out)).worksheets[0];
      expect((ws.getRow(2).values as unknown[]).slice(1)).toEqual(['S002', '城市运行监测系统, 二期', 2026]);
      expect(ws.actualRowCount).toBe(2);
    } finally {
      process.exitCode = undefined;
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses --year without --department, a kind it does not know and an --out that is not .xlsx, in Chinese', async () => {
    const dir = tempDir();
    try {
      const run = (...args: string[]) => program().parseAsync(['node', 'govmon', '--quiet', 'template', ...args]);
      await expect(run('om_report', '--out', path.join(dir, 'a.xlsx'), '--year', '2025')).rejects.toThrow(
        '--year 需与 --department 一起使用',
      );
      await expect(run('budget', '--out', path.join(dir, 'a.xlsx'))).rejects.toThrow(`类型应为 ${KINDS.join('、')} 之一`);
      await expect(run('systems', '--out', path.join(dir, 'a.csv'))).rejects.toThrow('--out 应为 .xlsx 文件');
      await expect(run('systems', '--out', path.join(dir, 'a.xlsx'), '--department', '市数据局')).rejects.toThrow(
        '--department 和 --year 只适用于 om_report（年度运维服务情况报表）',
      );
      expect(fs.readdirSync(dir)).toEqual([]);
    } finally {
      process.exitCode = undefined;
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
