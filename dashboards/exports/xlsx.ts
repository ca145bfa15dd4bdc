// The XLSX of an export: Chinese headers, frozen header row, widths, dates as dates, formula-safe
// text; a 说明 sheet with the run it rests on (for an evaluation: provisional or final, and the
// report year it read). Byte-reproducible: fixed document and zip times, and no wall-clock time —
// when a run happened is in the run log (govmon status), not in its results.

import fs from 'node:fs';
import { PassThrough } from 'node:stream';
import ExcelJS from 'exceljs';
import type { Row } from '../../pipelines/read.ts';
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
  const provisional = run?.provisional === true;
  const ws = wb.addWorksheet(`${spec.zh}${provisional ? '（预评价）' : ''}`.slice(0, 31), { views: [{ state: 'frozen', ySplit: 1 }] });
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
          ...(run.report_year !== null && run.report_year !== undefined
            ? [
                ['评价类型', evaluationKind(run)],
                ['数据截至', `${run.as_of_month} 月末`],
              ]
            : []),
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
