// XLSX input templates (docs/inputs.md §2.4, `govmon template`): a blank form per kind with the Chinese
// headers, a note on each header, drop-downs and input checks, and a sheet of instructions. Every
// label, range and allowed value is read from the input contract, so the form cannot drift from what
// ingest accepts, and a filled form ingests as it is. For om_report the bureau can pre-fill one row
// per system of a department (and the year).

import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import ExcelJS from 'exceljs';
import { UserError } from '../../core/errors.ts';
import type { Store } from '../store/database.ts';
import { CONTRACT, KIND_ZH, formHeader, type Column, type Kind } from '../../metrics/contract.ts';
import { INT_MAX } from './validate.ts';

export interface TemplateOptions {
  /** the store whose registry gives the systems of `department` */
  store?: Store;
  /** pre-fill one row per system of this department (om_report only) */
  department?: string;
  /** pre-fill the O&M year of the pre-filled rows (om_report only) */
  year?: number;
  /** rows carrying input validation below the header; defaults to 1000 */
  rows?: number;
}

export interface TemplateResult {
  path: string;
  kind: Kind;
  sheet: string;
  /** the rows pre-filled from the registry */
  prefilled: number;
}

export const TEMPLATE_ROWS = 1000;
export const INSTRUCTIONS_SHEET = '填写说明';
/**
 * Not a contract column: lets a department recognise its systems by name. Ingest lists it among the
 * unknown extra columns and stores nothing of it (docs/inputs.md §2), so the filled form still loads.
 */
export const NAME_HELPER = '系统名称（仅供参考）';

export const TYPE_ZH: Record<Column['type'], string> = {
  text: '文本',
  int: '整数',
  number: '数值',
  pct: '百分比',
  date: '日期',
  enum: '下拉选择',
  bool: '是/否',
};

const EARLIEST = new Date(Date.UTC(1990, 0, 1));
const LATEST = new Date(Date.UTC(2100, 11, 31));
const REQUIRED_FILL = 'FFFCE4D6'; // light orange: required
const OPTIONAL_FILL = 'FFDDEBF7'; // light blue
const HELPER_FILL = 'FFEDEDED'; // grey: for reference only

/** The allowed values of a column, as a person reads them. */
export function rangeOf(c: Column): string {
  const parts: string[] = [];
  if (c.type === 'enum') parts.push((c.values ?? []).map((v) => `${v.label}（${v.code}）`).join('、'));
  if (c.type === 'bool') parts.push('是 / 否（也可填 true/false、1/0、Y/N）');
  if (c.type === 'date') parts.push('YYYY-MM-DD 或 YYYY/MM/DD');
  if (c.type === 'pct') parts.push('0–100 的数值，可带 %');
  else if (c.min !== undefined && c.max !== undefined) parts.push(`${c.min}–${c.max}`);
  else if (c.min !== undefined) parts.push(`≥ ${c.min}`);
  else if (c.max !== undefined) parts.push(`≤ ${c.max}`);
  if (c.notFuture) parts.push('不晚于今天');
  if (c.refSystem) parts.push('须为系统目录中已有的系统编号');
  if (c.unit) parts.push(`单位：${c.unit}`);
  return parts.join('；');
}

/** The row rules of a kind that are reported under this column, as sentences. */
function rulesOf(kind: Kind, c: Column): string[] {
  return CONTRACT[kind].rules.filter((r) => r.column === c.name).map((r) => `若${r.reason}，该行将被拒收`);
}

function noteText(kind: Kind, c: Column): string {
  const lines = [`${c.zh}（${c.name}）`, `类型：${TYPE_ZH[c.type]}${c.required ? '，必填' : '，选填'}`];
  const range = rangeOf(c);
  if (range) lines.push(`取值：${range}`);
  if (c.note) lines.push(`说明：${c.note}`);
  lines.push(...rulesOf(kind, c));
  return lines.join('\n');
}

/** Excel refuses prompts and error texts longer than 255 characters. */
function clip(s: string, n = 255): string {
  return s.length > n ? s.slice(0, n - 1) + '…' : s;
}

function validationOf(kind: Kind, c: Column): ExcelJS.DataValidation | undefined {
  const common = {
    allowBlank: true,
    showInputMessage: true,
    promptTitle: clip(c.zh, 32),
    showErrorMessage: true,
    errorStyle: 'stop',
    errorTitle: clip(`${c.zh}填写有误`, 32),
  };
  const prompt = (s: string) => clip([s, c.note, ...rulesOf(kind, c)].filter(Boolean).join('；'));
  switch (c.type) {
    case 'enum': {
      const labels = (c.values ?? []).map((v) => v.label);
      return {
        ...common,
        type: 'list',
        formulae: [`"${labels.join(',')}"`],
        prompt: prompt(`请从下拉列表选择：${labels.join('、')}`),
        error: clip(`请从下拉列表选择：${labels.join('、')}`),
      };
    }
    case 'bool':
      return { ...common, type: 'list', formulae: ['"是,否"'], prompt: prompt('请选择 是 或 否'), error: '请从下拉列表选择：是、否' };
    case 'date':
      return {
        ...common,
        type: 'date',
        operator: 'between',
        formulae: [EARLIEST, LATEST],
        prompt: prompt(`请填写日期，如 2026-01-15${c.notFuture ? '，不晚于今天' : ''}`),
        error: '请填写 1990-01-01 至 2100-12-31 之间的日期，如 2026-01-15',
      };
    case 'int': {
      const lo = c.min ?? -INT_MAX - 1;
      const hi = Math.min(c.max ?? INT_MAX, INT_MAX);
      const shown = c.max !== undefined ? ` ${lo} 到 ${hi} 之间的整数` : c.min !== undefined ? `不小于 ${lo} 的整数` : '整数';
      return {
        ...common,
        type: 'whole',
        operator: 'between',
        formulae: [lo, hi],
        prompt: prompt(`请填写${shown}`),
        error: `请填写${shown}`,
      };
    }
    case 'number':
    case 'pct': {
      const unit = c.type === 'pct' ? '（百分比，填 45.2 表示 45.2%）' : c.unit ? `（单位：${c.unit}）` : '';
      if (c.min !== undefined && c.max !== undefined)
        return {
          ...common,
          type: 'decimal',
          operator: 'between',
          formulae: [c.min, c.max],
          prompt: prompt(`请填写 ${c.min} 到 ${c.max} 之间的数值${unit}`),
          error: `请填写 ${c.min} 到 ${c.max} 之间的数值`,
        };
      if (c.min !== undefined)
        return {
          ...common,
          type: 'decimal',
          operator: 'greaterThanOrEqual',
          formulae: [c.min],
          prompt: prompt(`请填写不小于 ${c.min} 的数值${unit}`),
          error: `请填写不小于 ${c.min} 的数值`,
        };
      if (c.max !== undefined)
        return {
          ...common,
          type: 'decimal',
          operator: 'lessThanOrEqual',
          formulae: [c.max],
          prompt: prompt(`请填写不大于 ${c.max} 的数值${unit}`),
          error: `请填写不大于 ${c.max} 的数值`,
        };
      return undefined;
    }
    case 'text':
      return undefined;
  }
}

/** The worksheet's dataValidations (present in exceljs, missing from its typings): one range per column. */
interface RangeValidations {
  add(range: string, v: ExcelJS.DataValidation): void;
}

interface Prefill {
  system_id: string;
  system_name: string;
}

async function systemsOf(store: Store, department: string): Promise<Prefill[]> {
  // Classified systems never appear in any output (docs/operations.md §9), a form included.
  const rows = await store.all<Prefill>(
    `SELECT system_id, system_name FROM systems_current
     WHERE department = $1 AND NOT coalesce(classified, false) ORDER BY system_id`,
    [department],
  );
  if (rows.length === 0) {
    const known = await store.all<{ department: string }>(
      `SELECT DISTINCT department FROM systems_current WHERE NOT coalesce(classified, false) ORDER BY department`,
    );
    throw new UserError(
      `建设单位“${department}”在系统目录中没有系统${known.length ? `；系统目录中的建设单位有：${known.map((k) => k.department).join('、')}` : '（系统目录为空，请先导入系统目录）'}`,
    );
  }
  return rows;
}

/** Write the XLSX template of a kind to `outFile` (through a temporary file, renamed into place). */
export async function writeTemplate(kind: Kind, outFile: string, opts: TemplateOptions = {}): Promise<TemplateResult> {
  const spec = CONTRACT[kind];
  if ((opts.department !== undefined || opts.year !== undefined) && kind !== 'om_report')
    throw new UserError(`只有年度运维服务情况报表（om_report）模板可按建设单位或年度预填，${KIND_ZH[kind]}模板不支持`);
  if (opts.year !== undefined && opts.department === undefined) throw new UserError('预填年度需同时指定建设单位（--department）');
  let prefill: Prefill[] = [];
  if (opts.department !== undefined) {
    if (!opts.store) throw new Error('writeTemplate: a store is needed to pre-fill the systems of a department');
    prefill = await systemsOf(opts.store, opts.department);
  }
  const dataRows = Math.max(opts.rows ?? TEMPLATE_ROWS, prefill.length);

  // Columns of the form: the contract's, with the name helper beside system_id when pre-filled.
  type FormColumn = { header: string; column?: Column };
  const columns: FormColumn[] = [];
  for (const c of spec.columns) {
    columns.push({ header: formHeader(c), column: c });
    if (c.name === 'system_id' && prefill.length) columns.push({ header: NAME_HELPER });
  }

  const wb = new ExcelJS.Workbook();
  wb.creator = 'govmon';
  const sheetName = spec.zh; // one of spec.sheetNames, so ingest picks this sheet
  const ws = wb.addWorksheet(sheetName, { views: [{ state: 'frozen', xSplit: 1, ySplit: 1 }] });
  const validations = (ws as unknown as { dataValidations: RangeValidations }).dataValidations;
  const last = dataRows + 1;

  columns.forEach((fc, i) => {
    const col = ws.getColumn(i + 1);
    const c = fc.column;
    col.width = c?.type === 'date' ? 14 : c?.name === 'notes' ? 40 : Math.max(12, fc.header.length * 2 + 4);
    // text stays text (a system_id 001 keeps its zeros); dates show as ISO dates
    if (!c || c.type === 'text') col.numFmt = '@';
    else if (c.type === 'date') col.numFmt = 'yyyy-mm-dd';
    const cell = ws.getCell(1, i + 1);
    cell.value = fc.header;
    cell.font = { bold: true };
    cell.alignment = { horizontal: 'center', vertical: 'middle', wrapText: true };
    cell.border = { bottom: { style: 'thin' } };
    cell.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: !c ? HELPER_FILL : c.required ? REQUIRED_FILL : OPTIONAL_FILL } };
    cell.note = c ? noteText(kind, c) : `${NAME_HELPER}\n仅供核对系统，导入时不保存，请勿修改`;
    const v = c ? validationOf(kind, c) : undefined;
    const letter = col.letter;
    if (v) validations.add(`${letter}2:${letter}${last}`, v);
  });
  ws.getRow(1).height = 30;

  prefill.forEach((s, r) => {
    const row = ws.getRow(r + 2);
    columns.forEach((fc, i) => {
      if (fc.column?.name === 'system_id') row.getCell(i + 1).value = s.system_id;
      else if (!fc.column) row.getCell(i + 1).value = s.system_name;
      else if (fc.column.name === 'year' && opts.year !== undefined) row.getCell(i + 1).value = opts.year;
    });
  });

  writeInstructions(wb, kind, prefill.length > 0, opts);

  fs.mkdirSync(path.dirname(path.resolve(outFile)), { recursive: true });
  const tmp = `${outFile}.${crypto.randomBytes(4).toString('hex')}.tmp`;
  try {
    await wb.xlsx.writeFile(tmp);
    fs.renameSync(tmp, outFile);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
  return { path: outFile, kind, sheet: sheetName, prefilled: prefill.length };
}

export const INSTRUCTION_HEADERS = ['中文表头', '英文列名', '类型', '是否必填', '取值范围', '说明'];

function writeInstructions(wb: ExcelJS.Workbook, kind: Kind, helper: boolean, opts: TemplateOptions): void {
  const spec = CONTRACT[kind];
  const ws = wb.addWorksheet(INSTRUCTIONS_SHEET, { views: [{ state: 'frozen', ySplit: 1 }] });
  ws.columns = [{ width: 18 }, { width: 26 }, { width: 10 }, { width: 10 }, { width: 48 }, { width: 56 }];
  const head = ws.addRow(INSTRUCTION_HEADERS);
  head.font = { bold: true };
  for (const c of spec.columns) {
    ws.addRow([
      formHeader(c),
      c.name,
      TYPE_ZH[c.type],
      c.required ? '必填' : '选填',
      rangeOf(c),
      [c.note, ...rulesOf(kind, c)].filter(Boolean).join('；'),
    ]);
  }
  if (helper) ws.addRow([NAME_HELPER, '', TYPE_ZH.text, '—', '', '仅供核对系统，导入时不保存']);
  ws.addRow([]);
  const notes = [
    `本表为“${KIND_ZH[kind]}”填报模板，请在工作表“${spec.zh}”中每行填写一条记录，第 1 行为表头，请勿修改表头文字。`,
    '橙色表头为必填列，蓝色表头为选填列；将鼠标移到表头上可查看该列的说明。',
    '日期填写为 YYYY-MM-DD（也可 YYYY/MM/DD 或 Excel 日期）；百分比填写 0–100 的数值，可带 %。',
    '下拉列中的选项也可填写对应的英文代码（如 运行 可填 operation）。',
    `同一${spec.key.map((k) => spec.columns.find((c) => c.name === k)!.zh).join('+')}多次出现时，以后出现的一行为准。`,
  ];
  if (opts.department)
    notes.push(
      `已按建设单位“${opts.department}”预填系统${opts.year !== undefined ? `和年度 ${opts.year}` : ''}；请为每个系统填写完整后提交。`,
    );
  for (const n of notes) ws.addRow([n]);
}
