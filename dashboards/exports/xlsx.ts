// The XLSX of an export. The lists people sign (signed.ts: rectification, elimination,
// right-sizing, scores, budget) are written as documents (docs/outputs.md §7.4): title rows (city,
// period, list, run, profile), Chinese labels only, number formats over exact values, citations as
// numbered notes under the table, the signature block after it, A4 landscape fitted to the page
// width with the header row repeated and page numbers in the footer; the elimination list's 决定
// column has a drop-down. Any other kind is a plain table with Chinese headers (codes shown by their
// labels) and a 说明 sheet. Byte-reproducible: fixed document and zip times.

import fs from 'node:fs';
import { PassThrough } from 'node:stream';
import type ExcelJS from 'exceljs';
import { label, monthZh } from '../../metrics/labels.ts';
import { incompleteMonthNote, type Row } from '../../pipelines/read.ts';
import type { ColType, ExportKind } from './kind.ts';
import { safeText } from './safe-text.ts';
import { ELIMINATION_DECISIONS, SIGNED_LISTS, type SheetData } from './signed.ts';

/** What an XLSX export holds: its rows (or a signed list's sheets) and the run they come from, read from the database. */
export interface XlsxData {
  spec: ExportKind;
  rows: Row[];
  run: Row | undefined;
  /** a list people sign: its sheets, laid out by signed.ts */
  sheets?: SheetData[];
  /** the city (or authority) named in the title; from the deployment's configuration */
  city?: string;
}

let excel: Promise<typeof ExcelJS> | undefined;

/**
 * ExcelJS, loaded on first use: a command that writes no XLSX does not pay for its modules, and a
 * run's exports load it while DuckDB reads the next list and writes the CSVs (period.ts).
 */
function loadXlsxWriter(): Promise<typeof ExcelJS> {
  excel ??= import('exceljs').then((m) => m.default);
  return excel;
}

/** The workbook writer: streaming, inline strings, fixed document times. */
async function workbook(): Promise<{ wb: ExcelJS.stream.xlsx.WorkbookWriter; bytes: () => Buffer }> {
  const ExcelJS = await loadXlsxWriter();
  // The streaming writer with inline strings: a list of thousands of rows with their evidence is
  // written in a third of the time the in-memory workbook takes; every spreadsheet reads it.
  const chunks: Buffer[] = [];
  const sink = new PassThrough();
  sink.on('data', (c: Buffer) => chunks.push(c));
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: sink, useSharedStrings: false, useStyles: true });
  wb.creator = 'govmon';
  wb.created = new Date(0);
  wb.modified = new Date(0);
  return { wb, bytes: () => Buffer.concat(chunks) };
}

export async function writeXlsx(data: XlsxData, file: string): Promise<number> {
  const { wb, bytes } = await workbook();
  const n = data.sheets ? await writeSignedSheets(wb, data) : await writePlainSheet(wb, data);
  await wb.commit();
  // document dates are fixed above; the zip entries' own times too, so the same run gives the same bytes
  fs.writeFileSync(file, zipWithFixedTimes(bytes()));
  return n;
}

async function writePlainSheet(wb: ExcelJS.stream.xlsx.WorkbookWriter, { spec, rows, run }: XlsxData): Promise<number> {
  const provisional = run?.provisional === true;
  await addDataSheet(wb, `${spec.zh}${provisional ? '（预评价）' : ''}`.slice(0, 31), spec, rows);
  // an export split by a column (costshare: county) also gets a sheet per value, in name order
  const groups = spec.sheetsBy ? groupRows(rows, spec.sheetsBy) : [];
  for (const [name, part] of groups) await addDataSheet(wb, name, spec, part);
  const meta = wb.addWorksheet('说明');
  meta.columns = [{ width: 16 }, { width: 80, style: { alignment: { wrapText: true } } }];
  const notes = [
    ['内容', spec.zh],
    ['行数', rows.length],
    ...(run
      ? [
          ['运行编号', run.run_id],
          ['期间', run.period],
          ['政策配置', `${run.profile}（内容哈希 ${String(run.profile_sha256).slice(0, 12)}）`],
          // an evaluation says whether it is provisional and which report year it read (docs/decisions.md §5.5a)
          ...evaluationNotes(run),
          // a month that has not ended says so (a finished month's sheet is unchanged)
          ...(run.as_of ? [['注意', incompleteMonthNote(String(run.as_of))]] : []),
        ]
      : []),
    ...(groups.length
      ? [
          [
            '分表',
            `另按${spec.columns.find((c) => c.name === spec.sheetsBy)?.zh ?? spec.sheetsBy}各一张表：${groups.map(([n]) => n).join('、')}`,
          ],
        ]
      : []),
    ['列说明', spec.columns.map((col) => `${col.zh}=${col.name}`).join('；')],
  ] as ExcelJS.CellValue[][];
  for (const n of notes) meta.addRow(n).commit();
  meta.commit();
  return rows.length;
}

/** One sheet of the export's columns: Chinese headers (codes shown by their labels), frozen and filtered, the rows as typed cells. */
async function addDataSheet(wb: ExcelJS.stream.xlsx.WorkbookWriter, name: string, spec: ExportKind, rows: readonly Row[]): Promise<void> {
  const ws = wb.addWorksheet(name, { views: [{ state: 'frozen', ySplit: 1 }] });
  ws.columns = spec.columns.map((col) => ({
    header: col.zh,
    key: col.name,
    width: col.width ?? Math.max(10, Math.min(24, col.zh.length * 2 + 2)),
    style: col.type === 'date' ? { numFmt: 'yyyy-mm-dd' } : {},
  }));
  ws.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: spec.columns.length } };
  const header = ws.getRow(1);
  header.font = { bold: true };
  header.alignment = { vertical: 'middle', wrapText: true };
  header.commit();
  for (const [i, r] of rows.entries()) {
    const values: Record<string, ExcelJS.CellValue> = {};
    for (const col of spec.columns) {
      const v = r[col.name];
      // a code column shows its Chinese label (the CSV keeps the code)
      values[col.name] = col.label && typeof v === 'string' ? safeText(label(col.label, v)) : xlsxValue(v, col.type);
    }
    const row = ws.addRow(values);
    row.alignment = { vertical: 'top', wrapText: true };
    row.commit();
    // let the event loop go on now and then: the run's CSV exports are issued meanwhile
    if (i % 100 === 99) await new Promise((resolve) => setImmediate(resolve));
  }
  ws.commit();
}

/** The rows with a value in `column`, grouped by it, groups in code-point order; sheet names made valid and unique. */
function groupRows(rows: readonly Row[], column: string): [string, Row[]][] {
  const groups = new Map<string, Row[]>();
  for (const r of rows) {
    const v = r[column];
    if (v === null || v === undefined || v === '') continue;
    const k = String(v);
    const list = groups.get(k);
    if (list) list.push(r);
    else groups.set(k, [r]);
  }
  const used = new Set<string>();
  return [...groups.keys()]
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    .map((k) => {
      // Excel: at most 31 characters, none of : \ / ? * [ ], and not the name of another sheet
      const base =
        k
          .replace(/^'/, '')
          .replace(/[:\\/?*[\]]/g, '_')
          .slice(0, 28) || '_';
      let name = base;
      for (let i = 2; used.has(name) || name === '说明'; i++) name = `${base}_${i}`;
      used.add(name);
      return [name, groups.get(k)!] as [string, Row[]];
    });
}

/** The title of a signed list: city, period and list name. */
export function listTitle(kind: string, period: string, city?: string): string {
  const place = city ?? '';
  const list = SIGNED_LISTS[kind];
  if (kind === 'budget') return `${place}${Number(period) + 1} 年度运维经费建议（依据 ${period} 年度绩效评价）`;
  // a list named 年度… is not called 年度 twice: 2026 年度绩效评价
  if (/^\d{4}$/.test(period)) return `${place}${period} 年度${list.name.replace(/^年度/, '')}`;
  return `${place}${monthZh(period)}${list.name}`;
}

const THIN: Partial<ExcelJS.Borders> = {
  top: { style: 'thin' },
  left: { style: 'thin' },
  bottom: { style: 'thin' },
  right: { style: 'thin' },
};
const HEADER_FILL: ExcelJS.Fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFE7E6E6' } };
const INPUT_FILL: ExcelJS.Fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFFFF2CC' } };

/**
 * A row of text across the table's width: one merged cell above the table; below it, text in the
 * first cell only, running over the empty cells beside it — a merged cell reads back, in every
 * spreadsheet library, as its value in each of its cells, and the rows below the elimination
 * list must read as no decision when the filled file is ingested.
 */
function banner(
  ws: ExcelJS.Worksheet,
  r: number,
  width: number,
  value: string,
  style: Partial<ExcelJS.Style>,
  height?: number,
  merge = true,
): void {
  const row = ws.getRow(r);
  row.getCell(1).value = value;
  row.getCell(1).style = merge ? style : { ...style, alignment: { ...style.alignment, wrapText: false } };
  if (height) row.height = height;
  if (merge) ws.mergeCells(r, 1, r, width);
  row.commit();
}

async function writeSignedSheets(wb: ExcelJS.stream.xlsx.WorkbookWriter, data: XlsxData): Promise<number> {
  const run = data.run!;
  const period = String(run.period);
  const title = `${listTitle(data.spec.kind, period, data.city)}${run.provisional === true ? '（预评价）' : ''}`;
  // no wall-clock time: the same run's list is the same bytes (when it ran is in the run log)
  const meta = `${/^\d{4}$/.test(period) ? '年度' : '月份'}：${period} ｜ 运行编号：${run.run_id} ｜ 政策配置：${run.profile}（内容哈希 ${String(run.profile_sha256).slice(0, 12)}）${
    run.report_year !== null && run.report_year !== undefined ? ` ｜ ${evaluationKind(run)}` : ''
  }${
    // a month that has not ended says so in the title block (docs/operations.md §8.4)
    run.as_of ? ` ｜ ${incompleteMonthNote(String(run.as_of))}` : ''
  }`;
  let total = 0;
  for (const sheet of data.sheets!) {
    // the rows of the list (the evidence sheet repeats its systems month by month)
    if (sheet.name !== '证据') total += sheet.rows.length;
    const width = sheet.columns.length;
    const headerRow = sheet.lead ? 5 : 4;
    // a provisional evaluation's sheets say so in their names too, as the plain exports' do
    const ws = wb.addWorksheet(`${sheet.name}${run.provisional === true ? '（预评价）' : ''}`.slice(0, 31), {
      views: [{ state: 'frozen', ySplit: headerRow }],
      pageSetup: {
        paperSize: 9, // A4
        orientation: 'landscape',
        fitToPage: true,
        fitToWidth: 1,
        fitToHeight: 0,
        horizontalCentered: true,
        printTitlesRow: `${headerRow}:${headerRow}`,
        margins: { left: 0.4, right: 0.4, top: 0.6, bottom: 0.7, header: 0.3, footer: 0.3 },
      },
      headerFooter: { oddFooter: `&L${title}·${sheet.name}&C第 &P 页，共 &N 页&R运行编号 ${run.run_id}` },
    });
    ws.columns = sheet.columns.map((c) => ({ width: c.width }));
    banner(ws, 1, width, title, { font: { bold: true, size: 16 }, alignment: { horizontal: 'center', vertical: 'middle' } }, 30);
    banner(
      ws,
      2,
      width,
      sheet.heading,
      { font: { size: 10 }, alignment: { horizontal: 'center', vertical: 'middle', wrapText: true } },
      30,
    );
    banner(ws, 3, width, `${meta} ｜ 共 ${sheet.rows.length} 项`, { font: { size: 9 }, alignment: { horizontal: 'center' } });
    if (sheet.lead)
      banner(
        ws,
        4,
        width,
        sheet.lead,
        { font: { size: 9, color: { argb: 'FF7F6000' } }, alignment: { wrapText: true, vertical: 'middle' } },
        28,
      );
    const head = ws.getRow(headerRow);
    sheet.columns.forEach((c, i) => {
      const cell = head.getCell(i + 1);
      cell.value = c.zh;
      cell.style = {
        font: { bold: true, size: 10 },
        alignment: { horizontal: 'center', vertical: 'middle', wrapText: true },
        border: THIN,
        fill: c.input ? INPUT_FILL : HEADER_FILL,
      };
    });
    head.height = 32;
    head.commit();

    // citations: numbered in order of first appearance, the cell gives the numbers
    const noteNo = new Map<string, number>();
    // one style object per column, shared by its cells: ExcelJS knows an object it has seen and
    // skips serialising it again (a new object per cell cost most of a large list's writing time)
    const styles = sheet.columns.map((c): Partial<ExcelJS.Style> => {
      const numFmt = c.kind === 'seq' || c.kind === 'number' ? c.numFmt : c.kind === 'date' ? 'yyyy-mm-dd' : undefined;
      return {
        border: THIN,
        alignment: c.kind === 'number' ? { vertical: 'top', horizontal: 'right' } : { vertical: 'top', wrapText: true },
        font: { size: 10 },
        ...(numFmt ? { numFmt } : {}),
        ...(c.input ? { fill: INPUT_FILL } : {}),
      };
    });
    let r = headerRow;
    for (const [i, row] of sheet.rows.entries()) {
      const out = ws.getRow(++r);
      let lines = 1;
      sheet.columns.forEach((c, k) => {
        const cell = out.getCell(k + 1);
        const v = row[c.key];
        cell.style = styles[k];
        if (c.kind === 'seq') {
          cell.value = i + 1;
        } else if (c.kind === 'notes') {
          const list = (v ?? []) as string[];
          cell.value = list
            .map((x) => {
              if (!noteNo.has(x)) noteNo.set(x, noteNo.size + 1);
              return `[${noteNo.get(x)}]`;
            })
            .join('');
        } else if (c.kind === 'number') {
          cell.value = v === null || v === undefined ? null : Number(v);
        } else if (c.kind === 'date') {
          cell.value = v === null || v === undefined ? null : new Date(`${String(v).slice(0, 10)}T00:00:00Z`);
        } else if (c.kind === 'bool') {
          cell.value = v === null || v === undefined ? null : v ? '是' : '否';
        } else {
          cell.value = v === null || v === undefined ? null : safeText(String(v));
        }
        if (typeof cell.value === 'string') lines = Math.max(lines, linesOf(cell.value, c.width));
        if (c.input === 'decision')
          cell.dataValidation = {
            type: 'list',
            allowBlank: true,
            formulae: [`"${ELIMINATION_DECISIONS.map((d) => label('decision', d)).join(',')}"`],
            showInputMessage: true,
            promptTitle: '决定',
            prompt: '下拉选择：同意关停、豁免或已关停；不填则不作为决定',
            showErrorMessage: true,
            errorTitle: '决定',
            error: '请从下拉列表中选择',
          };
      });
      // a spreadsheet sizes a row to its wrapped text only when it recalculates; set it, so the
      // row opens (and prints) whole in any of them
      out.height = Math.min(409, 4 + 13.5 * lines);
      out.commit();
      if (i % 100 === 99) await new Promise((resolve) => setImmediate(resolve));
    }
    if (sheet.rows.length === 0) banner(ws, ++r, width, sheet.empty, {}, undefined, false);
    else ws.autoFilter = { from: { row: headerRow, column: 1 }, to: { row: r, column: width } };

    if (noteNo.size) {
      r++;
      banner(ws, ++r, width, '注（依据）：', { font: { bold: true, size: 10 } }, undefined, false);
      for (const [text, n] of noteNo) banner(ws, ++r, width, `[${n}] ${safeText(text)}`, { font: { size: 9 } }, undefined, false);
    }
    if (sheet.signature) {
      r++;
      banner(ws, ++r, width, `以上共 ${sheet.rows.length} 项。`, { font: { size: 10 } }, undefined, false);
      banner(
        ws,
        ++r,
        width,
        '审核人（签字）：＿＿＿＿＿＿＿＿　　　　批准人（签字）：＿＿＿＿＿＿＿＿　　　　日期：　　　　年　　月　　日',
        { font: { size: 11 }, alignment: { vertical: 'middle' } },
        36,
        false,
      );
    }
    ws.commit();
  }
  const about = wb.addWorksheet('说明');
  about.columns = [{ width: 16 }, { width: 90, style: { alignment: { wrapText: true } } }];
  const lines: [string, ExcelJS.CellValue][] = [
    ['内容', title],
    ['工作表', data.sheets!.map((s) => `${s.name}（${s.rows.length} 项）`).join('、')],
    [/^\d{4}$/.test(period) ? '年度' : '月份', period],
    ['运行编号', Number(run.run_id)],
    ['政策配置', `${run.profile}（内容哈希 ${String(run.profile_sha256).slice(0, 12)}）`],
    ...evaluationNotes(run),
    ...(run.as_of ? ([['注意', incompleteMonthNote(String(run.as_of))]] as [string, ExcelJS.CellValue][]) : []),
    ['数值', '金额、比例等按显示格式四舍五入显示，单元格保留精确值（可在编辑栏中看到）。'],
    ['依据', '“依据”栏中的 [1]、[2] 等为表下注释的编号，注释列出所引办法的条款。'],
    ...(data.spec.kind === 'elimination'
      ? ([
          [
            '填写决定',
            '在“淘汰退出清单”工作表右侧黄色各栏填写决定后保存，用 govmon ingest 导入即登记为处置决定；未填写决定的行不作为决定。',
          ],
        ] as [string, string][])
      : []),
  ];
  for (const l of lines) about.addRow(l).commit();
  about.commit();
  return total;
}

/** How many lines a text takes in a column `width` characters wide (a CJK character is two). */
function linesOf(text: string, width: number): number {
  let lines = 0;
  for (const part of text.split('\n')) {
    // a character (a code point) from U+2E80 on (CJK, full-width forms, and every one beyond
    // U+FFFF, whose first UTF-16 unit is a surrogate) is two columns wide, any other one
    let w = 0;
    for (let i = 0; i < part.length; i++) {
      const u = part.charCodeAt(i);
      w += u >= 0x2e80 ? 2 : 1;
      // a surrogate pair is one character
      if (u >= 0xd800 && u <= 0xdbff && i + 1 < part.length) {
        const next = part.charCodeAt(i + 1);
        if (next >= 0xdc00 && next <= 0xdfff) i++;
      }
    }
    lines += Math.max(1, Math.ceil(w / Math.max(1, width - 1)));
  }
  return lines;
}

/** Set every entry of a zip (an XLSX) to 1980-01-01 00:00, the earliest DOS time: the writer stamps the current time. */
export function zipWithFixedTimes(b: Buffer): Buffer {
  let eocd = b.length - 22;
  while (eocd >= 0 && b.readUInt32LE(eocd) !== 0x06054b50) eocd--;
  if (eocd < 0) throw new Error('XLSX writer produced no zip directory');
  let p = b.readUInt32LE(eocd + 16);
  for (let i = b.readUInt16LE(eocd + 10); i > 0; i--) {
    if (b.readUInt32LE(p) !== 0x02014b50) throw new Error('XLSX writer produced a bad zip directory');
    b.writeUInt32LE(0x00210000, p + 12); // central directory: time 00:00:00, date 1980-01-01
    b.writeUInt32LE(0x00210000, b.readUInt32LE(p + 42) + 10); // the entry's local header
    p += 46 + b.readUInt16LE(p + 28) + b.readUInt16LE(p + 30) + b.readUInt16LE(p + 32);
  }
  return b;
}

/** The 说明 rows of an evaluation: whether it is provisional, and the month its data reach (docs/decisions.md §5.5a). */
function evaluationNotes(run: Row): [string, ExcelJS.CellValue][] {
  if (run.report_year === null || run.report_year === undefined) return [];
  return [
    ['评价类型', evaluationKind(run)],
    ['数据截至', `${run.as_of_month} 月末`],
  ];
}

/** 预评价 or 正式评价, with the O&M report year it read (docs/decisions.md §5.5a). */
export function evaluationKind(run: Row): string {
  return run.provisional
    ? `预评价：${run.period} 年度运维报表应于 ${run.report_due_date} 前报送，评价时尚未到期，以 ${run.report_year} 年度报表代替（等保测评、密评按 ${run.report_year} 年度的时间窗口判断）；报表到期后的正式评价将取代本结果`
    : `正式评价：依据 ${run.report_year} 年度运维报表`;
}

function xlsxValue(v: unknown, type: ColType): ExcelJS.CellValue {
  if (v === null || v === undefined) return null;
  if (type === 'bool') return v ? '是' : '否';
  if (type === 'date') return new Date(`${String(v).slice(0, 10)}T00:00:00Z`);
  if (type === 'number' || type === 'int') return typeof v === 'number' ? v : Number(v);
  return safeText(String(v));
}
