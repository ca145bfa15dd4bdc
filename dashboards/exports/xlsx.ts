// The XLSX of an export: Chinese headers, frozen header row, widths, dates as dates, formula-safe
// text; a 说明 sheet with the run it rests on. Byte-reproducible: fixed document and zip times.

import fs from 'node:fs';
import { PassThrough } from 'node:stream';
import ExcelJS from 'exceljs';
import { formatLocal } from '../../core/clock.ts';
import { incompleteMonthNote, type Row } from '../../pipelines/read.ts';
import type { ColType, ExportKind } from './kind.ts';
import { safeText } from './safe-text.ts';

/** What an XLSX export holds: its rows and the run they come from, read from the database. */
export interface XlsxData {
  spec: ExportKind;
  rows: Row[];
  run: Row | undefined;
}

export async function writeXlsx({ spec, rows, run }: XlsxData, file: string): Promise<number> {
  // The streaming writer with inline strings: a list of thousands of rows with their evidence is
  // written in a third of the time the in-memory workbook takes; every spreadsheet reads it.
  const chunks: Buffer[] = [];
  const sink = new PassThrough();
  sink.on('data', (c: Buffer) => chunks.push(c));
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: sink, useSharedStrings: false, useStyles: true });
  wb.creator = 'govmon';
  wb.created = new Date(0);
  wb.modified = new Date(0);
  await addDataSheet(wb, spec.zh.slice(0, 31), spec, rows);
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
          ['运行时间', formatLocal(String(run.started_at), true)],
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
  await wb.commit();
  // document dates are fixed above; the zip entries' own times too, so the same run gives the same bytes
  fs.writeFileSync(file, zipWithFixedTimes(Buffer.concat(chunks)));
  return rows.length;
}

/** One sheet of the export's columns: Chinese headers, frozen and filtered, the rows as typed cells. */
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
    for (const col of spec.columns) values[col.name] = xlsxValue(r[col.name], col.type);
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

/** Set every entry of a zip (an XLSX) to 1980-01-01 00:00, the earliest DOS time: the writer stamps the current time. */
function zipWithFixedTimes(b: Buffer): Buffer {
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

function xlsxValue(v: unknown, type: ColType): ExcelJS.CellValue {
  if (v === null || v === undefined) return null;
  if (type === 'bool') return v ? '是' : '否';
  if (type === 'date') return new Date(`${String(v).slice(0, 10)}T00:00:00Z`);
  if (type === 'number' || type === 'int') return typeof v === 'number' ? v : Number(v);
  return safeText(String(v));
}
