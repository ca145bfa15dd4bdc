// Readers: every accepted format (CSV in any of its encodings, XLSX, Parquet, JSON, NDJSON) becomes
// one temporary all-text table `raw_in(row_no, c0 … cN)` inside DuckDB, with the row number a
// person sees in the file, plus `gm_reader_rejects` for rows the reader itself could not split
// (a CSV line with too many columns, an NDJSON line that is not JSON). Typing and validation
// happen afterwards in SQL (validate.ts), the same for every format.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import type ExcelJS from 'exceljs';
import { UnusableFileError } from '../../core/errors.ts';
import type { Store } from '../store/database.ts';
import { ident, sqlString } from '../../core/sql.ts';
import { detectEncoding, readHead, transcodeToUtf8, type TextEncoding } from './encoding.ts';
import { CONTRACT, detectKind, matchHeaders, normalizeHeader, type Kind } from '../../metrics/contract.ts';

export type Format = 'csv' | 'xlsx' | 'parquet' | 'json' | 'ndjson' | 'json-values';

function isJsonLine(l: string): boolean {
  try {
    JSON.parse(l);
    return true;
  } catch {
    return false;
  }
}

export const FORMAT_ZH: Record<Format, string> = {
  csv: 'CSV',
  xlsx: 'Excel（XLSX）',
  parquet: 'Parquet',
  json: 'JSON',
  ndjson: 'NDJSON',
  'json-values': 'JSON',
};

/** What a first look at a file tells: its format, encoding and headers. */
export interface Sniffed {
  /** the file's own name, for messages */
  name: string;
  format: Format;
  encoding?: TextEncoding;
  /** the file DuckDB reads: the archived copy, or a UTF-8 transcoding of it */
  readPath: string;
  headers: string[];
  sheet?: string;
  delimiter?: string;
  /** the row (XLSX) or physical line (CSV) of the header, 1-based: a title row may sit above it */
  headerRow?: number;
  /** the kind an XLSX sheet's name gives (信息系统目录 → systems), when no kind was forced */
  sheetKind?: Kind;
  workbook?: ExcelJS.Workbook;
  /** temporary files to remove when done */
  temps: string[];
  warnings: string[];
}

const MAX_XLSX_BYTES = 200 * 1024 * 1024;

function tempPath(ext: string): string {
  return path.join(os.tmpdir(), `govmon-${process.pid}-${crypto.randomBytes(6).toString('hex')}${ext}`);
}

export function cleanup(s: Sniffed | undefined): void {
  for (const t of s?.temps ?? []) fs.rmSync(t, { force: true });
}

/** Detect the format from the first bytes (the extension only breaks ties). */
export function detectFormat(head: Buffer, name: string): Format {
  if (head.length >= 4 && head.subarray(0, 4).toString('latin1') === 'PAR1') return 'parquet';
  if (head.length >= 4 && head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04) return 'xlsx';
  const ext = path.extname(name).toLowerCase();
  if (ext === '.xls') throw new UnusableFileError('不支持旧版 Excel 97-2003（.xls）格式，请另存为 .xlsx 或 CSV 后再导入');
  const text = head
    .subarray(0, 4096)
    .toString('utf8')
    .replace(/^\uFEFF/, '')
    .trimStart();
  if (ext === '.ndjson' || ext === '.jsonl') return 'ndjson';
  if (ext === '.json' || text.startsWith('[') || text.startsWith('{')) {
    if (text.startsWith('[')) return 'json';
    // One object per line is NDJSON (each line rejected on its own if broken); pretty-printed
    // objects spanning lines are read as a sequence of JSON values.
    const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
    const complete = head.length < 4096 ? lines : lines.slice(0, -1);
    return complete.length > 0 && complete.every(isJsonLine) ? 'ndjson' : 'json-values';
  }
  return 'csv';
}

/**
 * Look at a file: format, encoding, header names, and for XLSX the sheet and header row.
 * `utf8Valid` says whether the whole file is valid UTF-8 (known from the archive pass).
 */
export async function sniff(p: string, displayName: string, utf8Valid: boolean, forcedKind?: Kind): Promise<Sniffed> {
  const head = await readHead(p);
  if (head.length === 0) throw new UnusableFileError('文件为空');
  const format = detectFormat(head, displayName);
  const s: Sniffed = { name: displayName, format, readPath: p, headers: [], temps: [], warnings: [] };
  if (format === 'csv') await sniffCsv(s, head, utf8Valid, forcedKind);
  else if (format === 'xlsx') await sniffXlsx(s, p, forcedKind);
  return s;
}

// ---------------------------------------------------------------- CSV

async function sniffCsv(s: Sniffed, head: Buffer, utf8Valid: boolean, forcedKind?: Kind): Promise<void> {
  let enc = detectEncoding(head);
  if (enc === 'utf-8' && !utf8Valid) {
    // The start is UTF-8 but somewhere later bytes are not: decode as UTF-8 with replacement
    // characters rather than guess another encoding for the whole file.
    s.warnings.push('文件中有不是 UTF-8 的字节，已替换为 �，请核对相关行');
  }
  s.encoding = enc;
  if (enc !== 'utf-8' && enc !== 'utf-8-bom') {
    const out = tempPath('.csv');
    s.temps.push(out);
    await transcodeToUtf8(s.readPath, out, enc);
    s.readPath = out;
  } else if (!utf8Valid) {
    const out = tempPath('.csv');
    s.temps.push(out);
    await transcodeToUtf8(s.readPath, out, 'utf-8');
    s.readPath = out;
    enc = 'utf-8';
  }
  const text = (await readHead(s.readPath, 64 * 1024)).toString('utf8').replace(/^\uFEFF/, '');
  const lines = text.split(/\r\n|\r|\n/).slice(0, 200);
  const at = findHeader(
    lines.map((l) => splitCsvRecord(l, detectDelimiter(l))),
    forcedKind,
  );
  if (at === undefined) throw new UnusableFileError('文件为空或只有空行');
  s.headerRow = at + 1;
  s.delimiter = detectDelimiter(lines[at]);
  s.headers = splitCsvRecord(lines[at], s.delimiter);
}

/**
 * The header of a table as a spreadsheet saves it (the index of its row): the first of the first 10 non-empty rows that
 * names a kind's required columns (forced or detected) — a title row above the table is common in
 * bureau spreadsheets, and Excel writes an empty row of a CSV as delimiters only (`,,,,`) — else the
 * first non-empty row (the kind check then says what is missing).
 */
function findHeader(rows: readonly (readonly string[])[], kind?: Kind): number | undefined {
  let first: number | undefined;
  let seen = 0;
  for (const [i, cells] of rows.entries()) {
    if (cells.every((c) => c === '')) continue;
    first ??= i;
    if (namesKind(cells, kind)) return i;
    if (++seen >= 10) break;
  }
  return first;
}

/** Do these headers hold every required column of `kind` (of some kind, when none is given)? */
function namesKind(headers: readonly string[], kind?: Kind): boolean {
  return kind ? matchHeaders(CONTRACT[kind], headers).missingRequired.length === 0 : detectKind(headers) !== undefined;
}

export function detectDelimiter(line: string): string {
  const candidates = [',', '\t', ';', '|'];
  let best = ',';
  let bestN = 0;
  for (const d of candidates) {
    const n = splitCsvRecord(line, d).length - 1;
    if (n > bestN) {
      best = d;
      bestN = n;
    }
  }
  return best;
}

/** Split one CSV record (the header line) honouring double quotes. */
export function splitCsvRecord(line: string, delim: string): string[] {
  const out: string[] = [];
  let cur = '';
  let q = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (q) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') q = false;
      else cur += ch;
    } else if (ch === '"') q = true;
    else if (ch === delim) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out.map((h) => h.trim());
}

export function csvOptions(s: Sniffed): string {
  return [
    'header = true',
    // lines above the header (a title row, blank lines) are not read
    `skip = ${Math.max(0, (s.headerRow ?? 1) - 1)}`,
    'auto_detect = false',
    `delim = ${sqlString(s.delimiter ?? ',')}`,
    `quote = '"'`,
    `escape = '"'`,
    'max_line_size = 4194304',
  ].join(', ');
}

/** `columns = {'c0': 'VARCHAR', …}` for a CSV read, with the given DuckDB types. */
export function csvColumns(types: readonly string[]): string {
  return `columns = {${types.map((t, i) => `${sqlString(`c${i}`)}: ${sqlString(t)}`).join(', ')}}`;
}

const READER_REASON: Record<string, string> = {
  'MISSING COLUMNS': '该行的列数少于表头',
  'TOO MANY COLUMNS': '该行的列数多于表头',
  'UNQUOTED VALUE': '引号不配对或引号后有多余字符',
  'LINE SIZE OVER MAXIMUM': '该行过长（超过 4 MB）',
  'INVALID ENCODING': '该行包含无效的字符编码',
  'INVALID UNICODE': '该行包含无效的字符编码',
  'INVALID STATE': '无法解析该行',
  CAST: '值的类型不符',
};

/** DuckDB keeps at most this many bytes of a line its CSV reader refuses (`csv_line`). */
const REJECT_LINE_BYTES = 10000;

async function loadCsv(store: Store, s: Sniffed): Promise<void> {
  const n = s.headers.length;
  // Every physical line, read as one value: the line numbers a person sees come from here.
  await store.run(`CREATE OR REPLACE TEMP TABLE gm_csv_lines AS
    SELECT ordinality AS ln, l FROM read_csv(${sqlString(s.readPath)}, columns = {'l': 'VARCHAR'}, header = false,
      delim = chr(0), quote = '', escape = '', auto_detect = false, strict_mode = false,
      max_line_size = 4194304) WITH ORDINALITY`);
  // A record starts on a line when the quotes before it (from the header on) are balanced and it
  // is not blank; the header is the line the sniff found (lines above it, a title row, are not
  // records). A long record is a data record on one line of more bytes than DuckDB keeps of a
  // refused line.
  const headerLine = s.headerRow ?? 1;
  await store.run(`CREATE OR REPLACE TEMP TABLE gm_csv_starts AS
    WITH quoted AS (
      SELECT ln, l, length(l) - length(replace(l, '"', '')) AS quotes FROM gm_csv_lines WHERE ln >= ${headerLine}
    ), marked AS (
      SELECT ln, l, quotes, coalesce(sum(quotes) OVER (ORDER BY ln ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) % 2 = 0 AS balanced
      FROM quoted
    ), starts AS (
      SELECT ln, l, quotes, ln = ${headerLine} AS header FROM marked WHERE balanced AND l IS NOT NULL
    )
    SELECT ln, header, NOT header AND strlen(l) > ${REJECT_LINE_BYTES} AND quotes % 2 = 0 AS long_record FROM starts`);
  // DuckDB cuts a refused line at 10,000 bytes, and when the cut splits a character it cannot store
  // the line in its rejects table and the whole read fails (DuckDB 1.5). So records of one line
  // longer than that are read one by one, each on its own, and the rest of the file without them.
  const long = await store.all<{ ln: bigint; l: string }>(
    'SELECT ln, l FROM gm_csv_lines JOIN gm_csv_starts USING (ln) WHERE long_record ORDER BY ln',
  );
  let readPath = s.readPath;
  if (long.length > 0) {
    readPath = tempPath('.csv');
    s.temps.push(readPath);
    await store.run(`COPY (SELECT CASE WHEN ln IN (SELECT ln FROM gm_csv_starts WHERE long_record) THEN NULL ELSE l END
        FROM gm_csv_lines ORDER BY ln)
      TO ${sqlString(readPath)} (FORMAT csv, HEADER false, QUOTE '', ESCAPE '', DELIMITER chr(1), NULLSTR '')`);
  }
  await store.run(`CREATE OR REPLACE TEMP TABLE gm_csv_in AS
    SELECT ordinality AS idx, * FROM read_csv(${sqlString(readPath)}, ${csvOptions(s)},
      ${csvColumns(Array(n).fill('VARCHAR'))}, store_rejects = true,
      rejects_table = 'gm_csv_rej', rejects_scan = 'gm_csv_scan') WITH ORDINALITY`);
  await store.run(`CREATE OR REPLACE TEMP TABLE gm_csv_bad AS
    SELECT line AS ln, list(DISTINCT error_type) AS types, any_value(${rejectedLineText('csv_line')}) AS csv_line
    FROM gm_csv_rej GROUP BY line`);
  const cols = Array.from({ length: n }, (_, c) => `c${c}`);
  await store.run(`CREATE OR REPLACE TEMP TABLE gm_csv_long (row_no BIGINT, ${cols.map((c) => `${c} VARCHAR`).join(', ')})`);
  if (long.length > 0) await loadLongRecords(store, s, long, cols);
  // The reader skips blank lines (and the long records read apart), and a quoted field may span
  // lines: record idx pairs with the idx-th line that starts a record, refused lines taken out.
  await store.run(`CREATE OR REPLACE TEMP TABLE raw_in AS
    WITH data_starts AS (
      SELECT ln, row_number() OVER (ORDER BY ln) AS k
      FROM gm_csv_starts WHERE NOT header AND NOT long_record AND ln NOT IN (SELECT ln FROM gm_csv_bad)
    )
    SELECT * FROM (
      SELECT coalesce(d.ln, i.idx + 1) AS row_no, ${cols.map((c) => `i.${c}`).join(', ')}
      FROM gm_csv_in i LEFT JOIN data_starts d ON d.k = i.idx
      UNION ALL
      SELECT * FROM gm_csv_long
    ) ORDER BY row_no`);
  // A row of empty fields (`,,,,`: what Excel saves for a formatted but empty row) carries nothing.
  if (n > 0) await store.run(`DELETE FROM raw_in WHERE ${cols.map((c) => `coalesce(trim(${c}), '') = ''`).join(' AND ')}`);
  await store.run(`INSERT INTO gm_reader_rejects
    SELECT ln, NULL, csv_line, ${readerReasonCase('types[1]')}
    FROM gm_csv_bad`);
  await store.run(
    'DROP TABLE IF EXISTS gm_csv_in; DROP TABLE IF EXISTS gm_csv_lines; DROP TABLE IF EXISTS gm_csv_starts; DROP TABLE IF EXISTS gm_csv_bad; DROP TABLE IF EXISTS gm_csv_long; DROP TABLE IF EXISTS gm_csv_rej; DROP TABLE IF EXISTS gm_csv_scan',
  );
}

/**
 * Each record on one line longer than DuckDB keeps of a refused line: read alone, below the header,
 * by the same reader with the same options; it loads as a row of its line, or is refused with the
 * reader's reason. Such lines are rare (a field of several kilobytes), so they are taken one by one.
 */
async function loadLongRecords(store: Store, s: Sniffed, long: { ln: bigint; l: string }[], cols: string[]): Promise<void> {
  const header = await store.value<string>('SELECT l FROM gm_csv_lines JOIN gm_csv_starts USING (ln) WHERE header');
  const one = tempPath('.csv');
  s.temps.push(one);
  // Read on a connection of its own: a refused record fails its statement, which inside the
  // ingest's transaction would abort the transaction.
  const side = await store.instance.connect();
  try {
    for (const { ln, l } of long) {
      fs.writeFileSync(one, `${header}\n${l}\n`);
      let values: unknown[] | undefined;
      let reason = 'INVALID STATE';
      try {
        const r = await side.runAndReadAll(
          `SELECT * FROM read_csv(${sqlString(one)}, ${csvOptions(s)}, ${csvColumns(Array(cols.length).fill('VARCHAR'))})`,
        );
        const rows = r.getRows();
        if (rows.length === 1) values = rows[0];
      } catch (e) {
        const m = (e as Error).message;
        const count = /Expected Number of Columns: (\d+) Found: (\d+)/.exec(m);
        if (count) reason = Number(count[2]) > Number(count[1]) ? 'TOO MANY COLUMNS' : 'MISSING COLUMNS';
        else if (/unquoted/i.test(m)) reason = 'UNQUOTED VALUE';
      }
      if (values) {
        await store.run(`INSERT INTO gm_csv_long VALUES ($1, ${cols.map((_, i) => `$${i + 2}::VARCHAR`).join(', ')})`, [
          Number(ln),
          ...values.map((v) => (v === null ? null : String(v))),
        ]);
      } else {
        await store.run(`INSERT INTO gm_csv_bad VALUES ($1, [$2], ${rejectedLineText('$3::VARCHAR')})`, [Number(ln), reason, l]);
      }
    }
  } finally {
    side.closeSync();
  }
}

/**
 * The first 200 characters of a line the CSV reader refused, without its line break. DuckDB keeps
 * at most 10,000 bytes of such a line and may cut a character in two; trimming that broken tail
 * never returns and storing it fails (DuckDB 1.5: "Invalid unicode … in segment statistics
 * update"), so the line is shortened to valid text before it is trimmed or stored.
 */
export function rejectedLineText(expr: string): string {
  return `left(trim(left(${expr}, 400), chr(10) || chr(13)), 200)`;
}

/** The Chinese reason for a CSV reader error type (DuckDB's rejects table), in SQL. */
export function readerReasonCase(expr: string): string {
  return `CASE ${expr} ${Object.entries(READER_REASON)
    .map(([k, v]) => `WHEN ${sqlString(k)} THEN ${sqlString(v)}`)
    .join(' ')} ELSE '无法解析该行' END`;
}

// ---------------------------------------------------------------- XLSX

async function sniffXlsx(s: Sniffed, p: string, forcedKind?: Kind): Promise<void> {
  if (fs.statSync(p).size > MAX_XLSX_BYTES) throw new UnusableFileError('Excel 文件超过 200 MB，请拆分或另存为 CSV/Parquet 后再导入');
  // ExcelJS is loaded for an Excel file only: the ingest of CSV, Parquet or JSON does not pay for its modules
  const { default: Excel } = await import('exceljs');
  const wb = new Excel.Workbook();
  try {
    await wb.xlsx.readFile(p);
  } catch (e) {
    throw new UnusableFileError(`无法读取 Excel 文件（文件损坏或不是 .xlsx）：${(e as Error).message.split('\n')[0]}`);
  }
  const sheets = wb.worksheets.filter((w) => w.state !== 'hidden' && w.state !== 'veryHidden');
  if (sheets.length === 0) throw new UnusableFileError('Excel 文件中没有工作表');
  // The sheet named like the kind (English or Chinese), else the first sheet (docs/inputs.md §2).
  // A sheet's name then gives its kind: a table under unknown headers is still known by it.
  const kinds = forcedKind ? [forcedKind] : (Object.keys(CONTRACT) as Kind[]);
  const kindOfSheet = (w: ExcelJS.Worksheet) =>
    kinds.find((k) => CONTRACT[k].sheetNames.some((n) => normalizeHeader(n) === normalizeHeader(w.name)));
  const named = sheets.find((w) => kindOfSheet(w) !== undefined);
  const ws = named ?? sheets[0];
  s.sheet = ws.name;
  s.workbook = wb;
  if (named && !forcedKind) s.sheetKind = kindOfSheet(named);
  const rows = Array.from({ length: Math.min(20, ws.rowCount) }, (_, i) => rowTexts(ws.getRow(i + 1), ws.columnCount));
  const at = findHeader(rows, forcedKind ?? s.sheetKind);
  if (at === undefined) throw new UnusableFileError(`工作表“${ws.name}”为空`);
  s.headerRow = at + 1;
  s.headers = rows[at];
}

function rowTexts(row: ExcelJS.Row, width: number): string[] {
  const out: string[] = [];
  for (let c = 1; c <= width; c++) out.push(cellText(row.getCell(c).value) ?? '');
  while (out.length && out[out.length - 1] === '') out.pop();
  return out;
}

/**
 * A cell value as the text a person sees (dates as YYYY-MM-DD). A number in a percent format is
 * shown ×100 with a '%': 45.5% typed in Excel is stored as 0.455.
 */
export function cellText(v: ExcelJS.CellValue, numFmt?: string): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return v.trim() === '' ? null : v.trim();
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) return null;
    return numFmt && /%/.test(numFmt.replace(/"[^"]*"|\\./g, '')) ? `${Number((v * 100).toPrecision(15))}%` : String(v);
  }
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (v instanceof Date) {
    if (Number.isNaN(v.getTime())) return null;
    const iso = v.toISOString();
    return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
  }
  if (typeof v === 'object') {
    if ('richText' in v && Array.isArray(v.richText)) return cellText(v.richText.map((t) => t.text).join(''));
    if ('error' in v) return String(v.error);
    if ('result' in v) return cellText((v as { result?: ExcelJS.CellValue }).result ?? null);
    if ('text' in v) return cellText((v as { text: ExcelJS.CellValue }).text);
    if ('formula' in v || 'sharedFormula' in v) return null;
  }
  return String(v);
}

async function loadXlsx(store: Store, s: Sniffed): Promise<void> {
  const ws = s.workbook!.getWorksheet(s.sheet!)!;
  const n = s.headers.length;
  await createRawIn(store, n);
  const app = await store.conn.createAppender('raw_in');
  try {
    // XLSX is a zip of XML that DuckDB cannot read without an extension; exceljs parses it and
    // the appender hands the cells over as text. Validation stays in SQL like for every format.
    for (let r = (s.headerRow ?? 1) + 1; r <= ws.rowCount; r++) {
      const row = ws.getRow(r);
      const cells: (string | null)[] = [];
      let any = false;
      for (let c = 1; c <= n; c++) {
        const cell = row.getCell(c);
        const t = cellText(cell.value, cell.numFmt);
        if (t !== null) any = true;
        cells.push(t);
      }
      if (!any) continue; // empty rows in a sheet carry nothing
      app.appendBigInt(BigInt(r));
      for (const t of cells) t === null ? app.appendNull() : app.appendVarchar(t);
      app.endRow();
    }
    app.flushSync();
  } finally {
    app.closeSync();
  }
}

async function createRawIn(store: Store, n: number): Promise<void> {
  const cols = Array.from({ length: n }, (_, i) => `c${i} VARCHAR`).join(', ');
  await store.run(`CREATE OR REPLACE TEMP TABLE raw_in (row_no BIGINT${n ? ', ' + cols : ''})`);
}

// ---------------------------------------------------------------- Parquet

async function sniffParquet(store: Store, s: Sniffed): Promise<void> {
  try {
    const cols = await store.all<{ column_name: string }>(`DESCRIBE SELECT * FROM read_parquet(${sqlString(s.readPath)})`);
    s.headers = cols.map((c) => c.column_name);
  } catch (e) {
    // named by its own name: the archive's path means nothing to the person who sent the file
    throw new UnusableFileError(`无法读取 Parquet 文件：${(e as Error).message.split('\n')[0].split(s.readPath).join(s.name)}`);
  }
}

async function loadParquet(store: Store, s: Sniffed): Promise<void> {
  const sel = s.headers.map((h, i) => `TRY_CAST(${ident(h)} AS VARCHAR) AS c${i}`).join(', ');
  await store.run(`CREATE OR REPLACE TEMP TABLE raw_in AS
    SELECT file_row_number + 1 AS row_no, ${sel} FROM read_parquet(${sqlString(s.readPath)}, file_row_number = true)
    ORDER BY file_row_number`);
}

// ---------------------------------------------------------------- JSON / NDJSON

async function jsonSource(store: Store, s: Sniffed): Promise<void> {
  // gm_json_in(row_no, j): one JSON value per record, NULL j for an NDJSON line that is not JSON.
  if (s.format === 'json' || s.format === 'json-values') {
    const format = s.format === 'json' ? 'array' : 'unstructured';
    try {
      await store.run(`CREATE OR REPLACE TEMP TABLE gm_json_in AS
        SELECT ordinality AS row_no, json AS j FROM read_json_objects(${sqlString(s.readPath)}, format = '${format}', maximum_object_size = 16777216) WITH ORDINALITY`);
    } catch (e) {
      throw new UnusableFileError(
        `JSON 文件无法解析（应为对象数组、每行一个对象，或依次排列的对象）：${(e as Error).message.split('\n')[0].split(s.readPath).join(s.name)}`,
      );
    }
  } else {
    await store.run(`CREATE OR REPLACE TEMP TABLE gm_json_in AS
      SELECT ln AS row_no, TRY_CAST(l AS JSON) AS j, l FROM (
        SELECT ordinality AS ln, l FROM read_csv(${sqlString(s.readPath)}, columns = {'l': 'VARCHAR'}, header = false,
          delim = chr(0), quote = '', escape = '', auto_detect = false, strict_mode = false, max_line_size = 16777216) WITH ORDINALITY
      ) WHERE l IS NOT NULL AND trim(l) <> ''`);
    await store.run(`INSERT INTO gm_reader_rejects
      SELECT row_no, NULL, left(l, 200), '该行不是有效的 JSON' FROM gm_json_in WHERE j IS NULL`);
  }
  await store.run(`INSERT INTO gm_reader_rejects
    SELECT row_no, NULL, left(j::VARCHAR, 200), '该记录不是 JSON 对象' FROM gm_json_in WHERE j IS NOT NULL AND json_type(j) <> 'OBJECT'`);
}

async function sniffJson(store: Store, s: Sniffed): Promise<void> {
  await createReaderRejects(store);
  await jsonSource(store, s);
  const keys = await store.all<{ k: string }>(`
    SELECT k FROM (
      SELECT row_no, unnest(json_keys(j)) AS k, generate_subscripts(json_keys(j), 1) AS pos
      FROM gm_json_in WHERE json_type(j) = 'OBJECT'
    ) GROUP BY k ORDER BY min(row_no), min(pos)`);
  s.headers = keys.map((r) => r.k);
}

/**
 * The value of key `h` of object `j` as text. A key is named by a quoted JSON path ('$."a\"b"'),
 * never by the bare key: DuckDB reads a bare key as a path, so a key like '\' or '$.x' failed or
 * named another key. The few keys a quoted path cannot name (empty, a lone '*', control
 * characters) are looked up among the object's entries instead.
 */
function jsonValueSql(h: string): string {
  if (h !== '' && h !== '*' && !/[\u0000-\u001f]/.test(h)) return `json_extract_string(j, ${sqlString(`$.${JSON.stringify(h)}`)})`;
  // (a NUL byte, which a JSON key may hold, goes in as chr(0): SQL text cannot carry it)
  const key = h.split('\u0000').map(sqlString).join(' || chr(0) || ');
  return `(SELECT json_extract_string(e.value, '$') FROM json_each(j) e WHERE e.key = ${key} LIMIT 1)`;
}

async function loadJson(store: Store, s: Sniffed): Promise<void> {
  const sel = s.headers.map((h, i) => `${jsonValueSql(h)} AS c${i}`).join(', ');
  await store.run(`CREATE OR REPLACE TEMP TABLE raw_in AS
    SELECT row_no${sel ? ', ' + sel : ''} FROM gm_json_in WHERE json_type(j) = 'OBJECT' ORDER BY row_no`);
  await store.run('DROP TABLE IF EXISTS gm_json_in');
}

// ---------------------------------------------------------------- entry points

async function createReaderRejects(store: Store): Promise<void> {
  await store.run(`CREATE TEMP TABLE IF NOT EXISTS gm_reader_rejects (row_no BIGINT, column_name VARCHAR, value VARCHAR, reason VARCHAR)`);
}

/** Headers of formats that need DuckDB to read them (Parquet, JSON). */
export async function sniffInStore(store: Store, s: Sniffed): Promise<void> {
  await store.run('DROP TABLE IF EXISTS gm_reader_rejects');
  await createReaderRejects(store);
  if (s.format === 'parquet') await sniffParquet(store, s);
  else if (s.format === 'json' || s.format === 'ndjson' || s.format === 'json-values') await sniffJson(store, s);
}

/** Build raw_in and gm_reader_rejects for a sniffed file. */
export async function loadRaw(store: Store, s: Sniffed): Promise<void> {
  await createReaderRejects(store);
  if (s.format === 'csv') await loadCsv(store, s);
  else if (s.format === 'xlsx') await loadXlsx(store, s);
  else if (s.format === 'parquet') await loadParquet(store, s);
  else await loadJson(store, s);
}
