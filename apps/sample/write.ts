// Writers of the formats a bureau receives: CSV in UTF-8, UTF-8 with BOM or GBK (GB18030) with LF
// or CRLF, XLSX (with fixed document dates and zip timestamps, so the bytes repeat), Parquet
// (DuckDB's COPY of a temporary CSV) and NDJSON.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { sqlString } from '../../core/sql.ts';

export type TextEncoding = 'utf-8' | 'utf-8-bom' | 'gb18030';

export function csvCell(v: string): string {
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

export function csvText(header: readonly string[] | null, rows: readonly (readonly string[])[], eol: '\n' | '\r\n' = '\n'): string {
  const lines = header ? [header.map(csvCell).join(',')] : [];
  for (const r of rows) lines.push(r.map(csvCell).join(','));
  return lines.join(eol) + eol;
}

export function writeText(file: string, text: string, encoding: TextEncoding): void {
  const buf =
    encoding === 'gb18030'
      ? iconv.encode(text, 'gb18030')
      : encoding === 'utf-8-bom'
        ? Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')])
        : Buffer.from(text, 'utf8');
  fs.writeFileSync(file, buf);
}

export type XlsxCell = string | number | Date | null;

export interface XlsxSheet {
  name: string;
  /** a title line above the header (common in bureau spreadsheets) */
  title?: string;
  header: readonly string[];
  rows: readonly (readonly XlsxCell[])[];
  widths?: readonly number[];
}

/** A date 'YYYY-MM-DD' as a spreadsheet date cell. */
export function dateCell(d: string | null): Date | null {
  return d ? new Date(`${d}T00:00:00Z`) : null;
}

/** Zip entries carry their write time; set every entry to 1980-01-01 so the bytes repeat. */
function fixZipTimes(input: ArrayBuffer | Buffer): Buffer {
  const b = Buffer.from(input as ArrayBuffer);
  let eocd = b.length - 22;
  while (eocd >= 0 && b.readUInt32LE(eocd) !== 0x06054b50) eocd--;
  if (eocd < 0) throw new Error('not a zip file');
  const n = b.readUInt16LE(eocd + 10);
  let p = b.readUInt32LE(eocd + 16);
  for (let i = 0; i < n; i++) {
    if (b.readUInt32LE(p) !== 0x02014b50) throw new Error('bad zip central directory');
    b.writeUInt16LE(0, p + 12); // time 00:00:00
    b.writeUInt16LE(0x21, p + 14); // date 1980-01-01
    const local = b.readUInt32LE(p + 42);
    b.writeUInt16LE(0, local + 10);
    b.writeUInt16LE(0x21, local + 12);
    p += 46 + b.readUInt16LE(p + 28) + b.readUInt16LE(p + 30) + b.readUInt16LE(p + 32);
  }
  return b;
}

/** Write a workbook of one sheet; `documentDate` is its fixed creation/modification date. */
export async function writeXlsx(file: string, sheet: XlsxSheet, documentDate: Date): Promise<void> {
  const wb = new ExcelJS.Workbook();
  wb.creator = '云川市大数据中心';
  wb.lastModifiedBy = '云川市大数据中心';
  wb.created = documentDate;
  wb.modified = documentDate;
  const ws = wb.addWorksheet(sheet.name);
  if (sheet.title) {
    ws.addRow([sheet.title]).font = { bold: true, size: 14 };
    ws.mergeCells(1, 1, 1, sheet.header.length);
  }
  const h = ws.addRow([...sheet.header]);
  h.font = { bold: true };
  for (const r of sheet.rows) ws.addRow(r.map((c) => (c === null ? undefined : c)));
  sheet.header.forEach((_, i) => {
    const col = ws.getColumn(i + 1);
    col.width = sheet.widths?.[i] ?? 14;
  });
  for (let c = 1; c <= sheet.header.length; c++) {
    const col = ws.getColumn(c);
    col.eachCell({ includeEmpty: false }, (cell) => {
      if (cell.value instanceof Date) cell.numFmt = 'yyyy-mm-dd';
    });
  }
  fs.writeFileSync(file, fixZipTimes(await wb.xlsx.writeBuffer()));
}

/** Parquet from CSV text through DuckDB, with typed columns. */
export async function writeParquet(
  conn: DuckDBConnection,
  file: string,
  csv: string,
  columns: Readonly<Record<string, string>>,
): Promise<void> {
  const tmp = path.join(os.tmpdir(), `govmon-sample-${process.pid}-${path.basename(file)}.csv`);
  fs.writeFileSync(tmp, csv);
  try {
    const cols = `{${Object.entries(columns)
      .map(([k, v]) => `${sqlString(k)}: ${sqlString(v)}`)
      .join(', ')}}`;
    await conn.run(
      `COPY (SELECT * FROM read_csv(${sqlString(tmp)}, header = true, auto_detect = false, columns = ${cols})) TO ${sqlString(file)} (FORMAT parquet, COMPRESSION zstd)`,
    );
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}

export function writeNdjson(file: string, records: readonly Record<string, unknown>[]): void {
  fs.writeFileSync(file, records.map((r) => JSON.stringify(r)).join('\n') + '\n');
}
