// Bad input (docs/inputs.md §3): a property-based test (fast-check) that takes valid input files of every kind
// and format and breaks them — truncation, random bytes, wrong encodings, swapped columns, huge
// fields, empty and header-only files, duplicated headers, XLSX with merged cells and many sheets,
// Parquet with wrong types — and checks that every outcome is a load (whole or partial) or a clear
// rejection in Chinese, that no exception escapes, that the database stays consistent, and that the
// raw file was archived. The seed is printed (GOVMON_TEST_SEED replays it); a failure also prints
// fast-check's own counterexample and replay path. `npm test` tries 50 broken files, `npm run
// test:full` 150 (GOVMON_FUZZ_RUNS sets another number).

import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTRACT, KINDS, type ColumnType, type Kind } from '../metrics/contract.ts';
import { formatOutcome, ingestFile, type FileOutcome } from '../pipelines/ingest/ingest.ts';
import type { Store } from '../pipelines/store/database.ts';
import { ident, sqlString } from '../core/sql.ts';
import { SAMPLE, copyTo, csvText, encodeText, headersOf, loadRegistry, textValue, type Headers } from './fixtures/ingest.ts';
import { NOW, openTestStore, sampled } from './helpers.ts';
import { cli, expectCleanMessage, ingestInProcess, sha256, testSeed } from './fixtures/reliability.ts';

// ------------------------------------------------------------------ the valid input, as a table

type Cell = string | number | boolean | null;
interface Table {
  headers: string[];
  types: (ColumnType | 'extra')[];
  rows: Cell[][];
}

function baseTable(kind: Kind, h: Headers): Table {
  const cols = CONTRACT[kind].columns;
  return {
    headers: headersOf(kind, h),
    types: cols.map((c) => c.type),
    rows: SAMPLE[kind].map((r) =>
      cols.map((c) => {
        const v = r[c.name] ?? null;
        return v !== null && (c.type === 'enum' || c.type === 'bool') ? textValue(c, v, h) : v;
      }),
    ),
  };
}

// ------------------------------------------------------------------ how a file is broken

type TableMutation =
  | { t: 'swapColumns'; a: number; b: number }
  | { t: 'swapHeaders'; a: number; b: number }
  | { t: 'hugeField'; row: number; col: number; size: number }
  | { t: 'headerOnly' }
  | { t: 'duplicateHeader'; col: number }
  | { t: 'values'; cells: { row: number; col: number; value: string }[] }
  | { t: 'extraColumn'; name: string; value: string }
  | { t: 'dropColumn'; col: number };

type ByteMutation =
  | { t: 'truncate'; at: number }
  | { t: 'overwrite'; at: number; bytes: Uint8Array }
  | { t: 'insert'; at: number; bytes: Uint8Array }
  | { t: 'empty' }
  | { t: 'nul' }
  | { t: 'crOnly' }
  | { t: 'reencode'; to: 'gb18030' | 'utf-16le' | 'utf-16be' | 'latin1' };

type Format = 'csv' | 'csv-bom' | 'csv-gbk' | 'csv-utf16' | 'xlsx' | 'parquet' | 'json' | 'ndjson';

const WRONG_TYPES = [
  'INTEGER',
  'BOOLEAN',
  'BLOB',
  'STRUCT',
  'LIST',
  'TIMESTAMP',
  'DOUBLE',
  'MAP',
  'DECIMAL',
  'UUID',
  'TIME',
  'INTERVAL',
  'VARCHAR',
] as const;

interface Case {
  kind: Kind;
  headers: Headers;
  format: Format;
  forceKind: boolean;
  table: TableMutation[];
  bytes: ByteMutation | null;
  xlsx: {
    sheetsBefore: number;
    sheetsAfter: number;
    merges: { row: number; col: number; w: number; h: number }[];
    titleRows: number;
    named: boolean;
  };
  parquet: { col: number; type: (typeof WRONG_TYPES)[number] }[];
}

const nasty = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom(
    '',
    ' ',
    '"',
    '""',
    "'",
    ',',
    '\n',
    '\r\n',
    '\t',
    '\\',
    '%',
    '=1+1',
    '-1',
    '1e400',
    'NaN',
    'Infinity',
    '２０２６－１０－０１',
    '2026-02-30',
    '9999-12-31',
    '0000-00-00',
    '１２３',
    '１２.５％',
    '99.9%%',
    '<script>',
    '\u0000',
    '\uFEFF',
    '\u202E',
    '𠮷',
    'true',
    '是',
    '運行',
    'operation ',
  ),
  fc.string({ unit: 'grapheme', maxLength: 12 }),
);

const tableMutation: fc.Arbitrary<TableMutation> = fc.oneof(
  fc.record({ t: fc.constant('swapColumns' as const), a: fc.nat(20), b: fc.nat(20) }),
  fc.record({ t: fc.constant('swapHeaders' as const), a: fc.nat(20), b: fc.nat(20) }),
  fc.record({ t: fc.constant('hugeField' as const), row: fc.nat(3), col: fc.nat(20), size: fc.constantFrom(40_000, 300_000, 4_300_000) }),
  fc.constant({ t: 'headerOnly' as const }),
  fc.record({ t: fc.constant('duplicateHeader' as const), col: fc.nat(20) }),
  fc.record({
    t: fc.constant('values' as const),
    cells: fc.array(fc.record({ row: fc.nat(3), col: fc.nat(20), value: nasty }), { minLength: 1, maxLength: 6 }),
  }),
  fc.record({ t: fc.constant('extraColumn' as const), name: nasty, value: nasty }),
  fc.record({ t: fc.constant('dropColumn' as const), col: fc.nat(20) }),
);

const byteMutation: fc.Arbitrary<ByteMutation> = fc.oneof(
  fc.record({ t: fc.constant('truncate' as const), at: fc.double({ min: 0, max: 1, noNaN: true }) }),
  fc.record({
    t: fc.constant('overwrite' as const),
    at: fc.double({ min: 0, max: 1, noNaN: true }),
    bytes: fc.uint8Array({ minLength: 1, maxLength: 64 }),
  }),
  fc.record({
    t: fc.constant('insert' as const),
    at: fc.double({ min: 0, max: 1, noNaN: true }),
    bytes: fc.uint8Array({ minLength: 1, maxLength: 64 }),
  }),
  fc.constant({ t: 'empty' as const }),
  fc.constant({ t: 'nul' as const }),
  fc.constant({ t: 'crOnly' as const }),
  fc.record({
    t: fc.constant('reencode' as const),
    to: fc.constantFrom('gb18030' as const, 'utf-16le' as const, 'utf-16be' as const, 'latin1' as const),
  }),
);

const caseArb: fc.Arbitrary<Case> = fc.record({
  kind: fc.constantFrom(...KINDS),
  headers: fc.constantFrom<Headers>('en', 'zh', 'mixed-case'),
  format: fc.constantFrom<Format>('csv', 'csv-bom', 'csv-gbk', 'csv-utf16', 'xlsx', 'parquet', 'json', 'ndjson'),
  forceKind: fc.boolean(),
  table: fc.array(tableMutation, { maxLength: 3 }),
  bytes: fc.option(byteMutation, { freq: 2 }),
  xlsx: fc.record({
    sheetsBefore: fc.oneof(fc.constant(0), fc.nat(4), fc.constant(30)),
    sheetsAfter: fc.oneof(fc.constant(0), fc.nat(4), fc.constant(30)),
    merges: fc.array(fc.record({ row: fc.nat(4), col: fc.nat(18), w: fc.nat(3), h: fc.nat(2) }), { maxLength: 4 }),
    titleRows: fc.nat(2),
    named: fc.boolean(),
  }),
  parquet: fc.array(fc.record({ col: fc.nat(20), type: fc.constantFrom(...WRONG_TYPES) }), { maxLength: 3 }),
});

function applyTable(t: Table, muts: readonly TableMutation[]): Table {
  const out: Table = { headers: [...t.headers], types: [...t.types], rows: t.rows.map((r) => [...r]) };
  const n = () => out.headers.length;
  for (const m of muts) {
    if (n() === 0) break;
    if (m.t === 'swapColumns') {
      const a = m.a % n();
      const b = m.b % n();
      for (const r of out.rows) [r[a], r[b]] = [r[b], r[a]];
    } else if (m.t === 'swapHeaders') {
      const a = m.a % n();
      const b = m.b % n();
      [out.headers[a], out.headers[b]] = [out.headers[b], out.headers[a]];
    } else if (m.t === 'hugeField') {
      if (out.rows.length) out.rows[m.row % out.rows.length][m.col % n()] = '长'.repeat(Math.floor(m.size / 3));
    } else if (m.t === 'headerOnly') out.rows = [];
    else if (m.t === 'duplicateHeader') {
      const c = m.col % n();
      out.headers.push(out.headers[c]);
      out.types.push(out.types[c]);
      for (const r of out.rows) r.push(r[c]);
    } else if (m.t === 'values') {
      for (const cell of m.cells) if (out.rows.length) out.rows[cell.row % out.rows.length][cell.col % n()] = cell.value;
    } else if (m.t === 'extraColumn') {
      out.headers.push(m.name);
      out.types.push('extra');
      for (const r of out.rows) r.push(m.value);
    } else if (m.t === 'dropColumn') {
      const c = m.col % n();
      out.headers.splice(c, 1);
      out.types.splice(c, 1);
      for (const r of out.rows) r.splice(c, 1);
    }
  }
  return out;
}

const text = (v: Cell): string => (v === null ? '' : typeof v === 'boolean' ? (v ? 'true' : 'false') : String(v));

// ------------------------------------------------------------------ writers

async function writeXlsxCase(p: string, kind: Kind, t: Table, x: Case['xlsx']): Promise<void> {
  const wb = new ExcelJS.Workbook();
  const filler = (name: string, i: number) => {
    const ws = wb.addWorksheet(name);
    ws.addRow(['说明', `第 ${i} 页`, i]);
    ws.addRow([new Date(Date.UTC(2026, 0, 1 + i)), null, '=1+1']);
    if (i % 2) ws.mergeCells(1, 1, 2, 2);
  };
  let k = 0;
  for (let i = 0; i < x.sheetsBefore; i++) filler(`附表${++k}`, k);
  const ws = wb.addWorksheet(x.named ? CONTRACT[kind].sheetNames[1] : `Sheet${k + 1}`);
  for (let i = 0; i < x.titleRows; i++) ws.addRow([`云川市${CONTRACT[kind].zh}（第 ${i + 1} 行标题）`]);
  ws.addRow(t.headers);
  for (const r of t.rows)
    ws.addRow(
      r.map((v, i) => {
        if (typeof v === 'string' && t.types[i] === 'date' && /^\d{4}-\d{2}-\d{2}$/.test(v)) return new Date(`${v}T00:00:00Z`);
        return v;
      }),
    );
  for (const m of x.merges) {
    const top = m.row + 1;
    const left = m.col + 1;
    try {
      ws.mergeCells(top, left, top + m.h, left + m.w);
    } catch {
      // overlapping merges are refused by exceljs itself; a workbook has none such
    }
  }
  for (let i = 0; i < x.sheetsAfter; i++) filler(`Sheet${++k + 1}`, k);
  await wb.xlsx.writeFile(p);
}

/** A text literal that may hold NUL bytes (sqlString refuses them; DuckDB strings take chr(0)). */
function textLiteral(s: string): string {
  return s.split('\u0000').map(sqlString).join(' || chr(0) || ');
}

function parquetValue(v: Cell, type: string): string {
  if (v === null) return 'NULL';
  return `TRY_CAST(${textLiteral(text(v))} AS ${type})`;
}

const WRONG_SQL: Record<(typeof WRONG_TYPES)[number], (i: number) => string> = {
  INTEGER: (i) => `${i * 7 - 3}::INTEGER`,
  BOOLEAN: (i) => (i % 2 ? 'true' : 'false'),
  BLOB: () => `'\\xDE\\xAD\\x00\\xBE'::BLOB`,
  STRUCT: (i) => `{'a': ${i}, 'b': '值${i}'}`,
  LIST: (i) => `[${i}, ${i + 1}]`,
  TIMESTAMP: (i) => `TIMESTAMP '2026-10-0${(i % 9) + 1} 23:59:59'`,
  DOUBLE: (i) => `${i}.5::DOUBLE`,
  MAP: (i) => `MAP {'k': ${i}}`,
  DECIMAL: (i) => `${i}.125::DECIMAL(18, 3)`,
  UUID: () => `'123e4567-e89b-12d3-a456-426614174000'::UUID`,
  TIME: () => `TIME '12:34:56'`,
  INTERVAL: (i) => `INTERVAL ${i + 1} DAY`,
  VARCHAR: (i) => `'不是数值${i}'`,
};

const PARQUET_TYPE: Record<ColumnType | 'extra', string> = {
  text: 'VARCHAR',
  enum: 'VARCHAR',
  extra: 'VARCHAR',
  int: 'BIGINT',
  number: 'DOUBLE',
  pct: 'DOUBLE',
  date: 'DATE',
  bool: 'BOOLEAN',
};

async function writeParquetCase(p: string, t: Table, wrong: Case['parquet']): Promise<void> {
  // DuckDB refuses two columns of one name in a Parquet file; a duplicated header gets a suffix.
  const seen = new Map<string, number>();
  const names = t.headers.map((h) => {
    const k = h.toLowerCase();
    const n = seen.get(k) ?? 0;
    seen.set(k, n + 1);
    // (nor a column name with a NUL byte)
    const name = h.replace(/\u0000/g, '␀');
    return n ? `${name}_${n}` : name === '' ? 'column' : name;
  });
  const wrongOf = new Map(wrong.map((w) => [w.col % Math.max(1, t.headers.length), w.type]));
  const rowSql = (r: Cell[], ri: number) =>
    `SELECT ${r
      .map((v, i) => {
        const w = wrongOf.get(i);
        return `${w ? (v === null ? 'NULL' : WRONG_SQL[w](ri)) : parquetValue(v, PARQUET_TYPE[t.types[i]])} AS ${ident(names[i])}`;
      })
      .join(', ')}`;
  const rows = t.rows.length ? t.rows : [t.headers.map(() => null)];
  const q = rows.map(rowSql).join(' UNION ALL BY NAME ');
  await copyTo(t.rows.length ? q : `${q} LIMIT 0`, p, 'parquet');
}

function jsonObject(t: Table, r: Cell[]): string {
  return `{${t.headers.map((h, i) => `${JSON.stringify(h)}: ${JSON.stringify(r[i] ?? null)}`).join(', ')}}`;
}

async function render(c: Case, dir: string, n: number): Promise<string> {
  const t = applyTable(baseTable(c.kind, c.headers), c.table);
  const base = path.join(dir, `case-${n}`);
  let p: string;
  let bytes: Buffer;
  if (c.format === 'xlsx') {
    p = `${base}.xlsx`;
    await writeXlsxCase(p, c.kind, t, c.xlsx);
    bytes = fs.readFileSync(p);
  } else if (c.format === 'parquet') {
    p = `${base}.parquet`;
    await writeParquetCase(p, t, c.parquet);
    bytes = fs.readFileSync(p);
  } else if (c.format === 'json' || c.format === 'ndjson') {
    p = `${base}.${c.format}`;
    const objs = t.rows.map((r) => jsonObject(t, r));
    bytes = Buffer.from(c.format === 'json' ? `[\n${objs.join(',\n')}\n]\n` : objs.map((o) => `${o}\n`).join(''), 'utf8');
  } else {
    p = `${base}.csv`;
    const csv = csvText(
      t.headers,
      t.rows.map((r) => r.map(text)),
      c.format === 'csv-gbk' ? '\r\n' : '\n',
    );
    bytes = encodeText(
      csv,
      c.format === 'csv' ? 'utf-8' : c.format === 'csv-bom' ? 'utf-8-bom' : c.format === 'csv-gbk' ? 'gbk' : 'utf-16le',
    );
  }
  if (c.bytes) bytes = applyBytes(bytes, c.bytes, c.format);
  fs.writeFileSync(p, bytes);
  return p;
}

function applyBytes(b: Buffer, m: ByteMutation, format: Format): Buffer {
  const at = (f: number) => Math.min(b.length, Math.floor(f * b.length));
  switch (m.t) {
    case 'truncate':
      return b.subarray(0, at(m.at));
    case 'overwrite': {
      const out = Buffer.from(b);
      const i = at(m.at);
      out.set(m.bytes.subarray(0, Math.max(0, out.length - i)), i);
      return out;
    }
    case 'insert': {
      const i = at(m.at);
      return Buffer.concat([b.subarray(0, i), Buffer.from(m.bytes), b.subarray(i)]);
    }
    case 'empty':
      return Buffer.alloc(0);
    case 'nul': {
      const i = at(0.5);
      return Buffer.concat([b.subarray(0, i), Buffer.from([0, 0, 0]), b.subarray(i)]);
    }
    case 'crOnly':
      return format.startsWith('csv') || format.includes('json') ? Buffer.from(b.toString('latin1').replace(/\r?\n/g, '\r'), 'latin1') : b;
    case 'reencode': {
      // Text written in one encoding and declared in none: what a wrong "Save as" produces.
      if (format === 'xlsx' || format === 'parquet' || format === 'csv-gbk' || format === 'csv-utf16') return b;
      const s = b.toString('utf8').replace(/^\uFEFF/, '');
      if (m.to === 'latin1') return Buffer.from(Buffer.from(s, 'utf8').toString('latin1'), 'utf8'); // mojibake
      return iconv.encode(s, m.to);
    }
  }
}

/** Cases this property found once, kept so they run every time. */
const PLAIN: Omit<Case, 'kind' | 'format' | 'table' | 'bytes'> = {
  headers: 'en',
  forceKind: false,
  xlsx: { sheetsBefore: 0, sheetsAfter: 0, merges: [], titleRows: 0, named: true },
  parquet: [],
};
const REGRESSIONS: Case[] = [
  // A JSON key '\' made the reader's SQL fail (DuckDB read the bare key as a JSON path); a key
  // holding a NUL byte made it throw building the SQL.
  {
    ...PLAIN,
    kind: 'telemetry',
    format: 'ndjson',
    table: [
      { t: 'extraColumn', name: '\\', value: 'x' },
      { t: 'extraColumn', name: '\u0000', value: 'y' },
    ],
    bytes: null,
  },
  {
    ...PLAIN,
    kind: 'systems',
    format: 'json',
    table: [
      { t: 'extraColumn', name: '$.system_id', value: 'x' },
      { t: 'extraColumn', name: '', value: '' },
    ],
    bytes: null,
  },
  // A damaged Parquet footer: the message named the archive's internal path instead of the file.
  {
    ...PLAIN,
    kind: 'om_report',
    format: 'parquet',
    table: [],
    bytes: { t: 'overwrite', at: 0.9999, bytes: Uint8Array.from([7, 205, 251, 2, 236, 250, 3]) },
  },
  // A CSV with lone CR line breaks and a 40,000-character field: the header was read as the whole
  // file, so every line was refused, and trimming the refused long line (DuckDB keeps 10,000 bytes
  // of it, cutting a character in two) never returned.
  {
    ...PLAIN,
    kind: 'catalog',
    headers: 'mixed-case',
    format: 'csv-bom',
    forceKind: true,
    table: [
      { t: 'dropColumn', col: 4 },
      { t: 'hugeField', row: 2, col: 7, size: 40000 },
    ],
    bytes: { t: 'crOnly' },
  },
];

// ------------------------------------------------------------------ the property

const STATUSES = new Set(['loaded', 'partial', 'rejected', 'failed', 'duplicate']);
const CJK = /[\u4e00-\u9fff]/;

let store: Store;
let dir: string;
let archiveDir: string;
let n = 0;

beforeAll(async () => {
  ({ store, dir, archiveDir } = await openTestStore());
  await loadRegistry(store, { dir, archiveDir });
});

afterAll(() => {
  store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function checkOutcome(c: Case, file: string, o: FileOutcome): Promise<void> {
  const where = `${path.basename(file)} (${c.kind}, ${c.format}${c.bytes ? `, ${c.bytes.t}` : ''}${c.table.length ? `, ${c.table.map((m) => m.t).join('+')}` : ''})`;
  expect(STATUSES.has(o.status), where).toBe(true);
  // The raw bytes are archived under their hash, whatever became of the file.
  const sha = sha256(fs.readFileSync(file));
  expect(o.sha256, where).toBe(sha);
  const archived = fs.readdirSync(path.join(archiveDir, sha.slice(0, 2))).find((f) => f.startsWith(sha));
  expect(archived, `${where}: archived`).toBeTruthy();
  expect(sha256(fs.readFileSync(path.join(archiveDir, sha.slice(0, 2), archived!)))).toBe(sha);
  // A person reads the outcome: Chinese, no stack.
  const report = formatOutcome(o);
  expect(expectCleanMessage(report), `${where}: ${report}`).toEqual([]);
  if (o.status === 'duplicate') return;
  // The database agrees with the outcome, and holds nothing of a file that failed as a whole.
  const f = await store.one<{ status: string; rows_loaded: number; message: string | null }>(
    'SELECT status, rows_loaded, message FROM files WHERE file_id = $1',
    [o.fileId!],
  );
  expect(f?.status, where).toBe(o.status);
  let loaded = 0;
  for (const k of KINDS) loaded += await store.value<number>(`SELECT count(*) FROM raw_${k} WHERE file_id = $1`, [o.fileId!]);
  expect(loaded, where).toBe(o.rowsLoaded);
  const rejects = await store.all<{ row_no: number | null; reason: string }>('SELECT row_no, reason FROM rejects WHERE file_id = $1', [
    o.fileId!,
  ]);
  for (const r of rejects) {
    expect(r.reason, where).toMatch(CJK);
    expect(expectCleanMessage(r.reason), `${where}: ${r.reason}`).toEqual([]);
    if (r.row_no !== null) expect(r.row_no, where).toBeGreaterThanOrEqual(1);
  }
  if (o.status === 'failed') {
    expect(o.rowsLoaded, where).toBe(0);
    expect(o.message, where).toMatch(CJK);
    expect(rejects, where).toHaveLength(1);
    expect(rejects[0].row_no).toBeNull();
    // The message names the file by its own name, never by the archive's internal path.
    expect(o.message!.includes(archiveDir), `${where}: ${o.message}`).toBe(false);
  } else {
    expect(o.rowsLoaded + o.rowsRejected, where).toBe(o.rowsRead);
    if (o.status === 'partial' || o.status === 'rejected') expect(rejects.length, where).toBeGreaterThan(0);
  }
}

describe('ingest of broken input files (fast-check)', () => {
  it('every valid file, unbroken, loads whole (so the breakage is what the property exercises)', async () => {
    for (const kind of KINDS)
      for (const format of ['csv', 'csv-bom', 'csv-gbk', 'csv-utf16', 'xlsx', 'parquet', 'json', 'ndjson'] as Format[]) {
        const c: Case = {
          kind,
          headers: 'zh',
          format,
          forceKind: false,
          table: [],
          bytes: null,
          xlsx: { sheetsBefore: 0, sheetsAfter: 0, merges: [], titleRows: 0, named: true },
          parquet: [],
        };
        const file = await render(c, dir, n++);
        // the register is append-only and its ids unique: each decisions file starts from an empty one
        if (kind === 'decisions') await store.run('DELETE FROM raw_decisions');
        // same bytes as an earlier test file are a duplicate: that is a load too
        const o = await ingestFile(store, file, { now: NOW, archiveDir });
        expect(['loaded', 'duplicate'], `${kind} ${format}: ${formatOutcome(o)}`).toContain(o.status);
        if (o.status === 'loaded') expect(o.rowsLoaded).toBe(SAMPLE[kind].length);
      }
  });

  it('every broken file is loaded or clearly rejected, never an escaped exception, and always archived', async () => {
    const seed = testSeed('fuzz');
    const counts: Record<string, number> = {};
    await fc.assert(
      fc.asyncProperty(caseArb, async (c) => {
        const file = await render(c, dir, n++);
        let o: FileOutcome;
        try {
          o = await ingestFile(store, file, { now: NOW, archiveDir, kind: c.forceKind ? c.kind : undefined });
        } catch (e) {
          throw new Error(`ingest of ${path.basename(file)} threw instead of reporting: ${(e as Error).stack ?? e}`);
        }
        counts[o.status] = (counts[o.status] ?? 0) + 1;
        await checkOutcome(c, file, o);
        fs.rmSync(file, { force: true });
      }),
      {
        seed,
        numRuns: Number(process.env.GOVMON_FUZZ_RUNS ?? sampled(50, 150)),
        endOnFailure: true,
        timeout: 30_000,
        examples: REGRESSIONS.map((c) => [c]),
      },
    );
    console.log(`fuzz outcomes: ${JSON.stringify(counts)}`);
    // The cases reach every outcome, not only one kind of failure.
    for (const s of ['loaded', 'partial', 'failed']) expect(counts[s] ?? 0, JSON.stringify(counts)).toBeGreaterThan(0);
  });

  it('govmon ingest of a folder of broken files exits 0, 1 or 2 with a report in Chinese and no stack trace', async () => {
    const folder = path.join(dir, 'cli');
    fs.mkdirSync(folder, { recursive: true });
    const samples = fc.sample(caseArb, { seed: 4242, numRuns: 12 });
    for (const [i, c] of samples.entries()) await render({ ...c, forceKind: false }, folder, 1000 + i);
    fs.writeFileSync(path.join(folder, 'case-empty.csv'), '');
    fs.writeFileSync(path.join(folder, 'case-garbage.parquet'), Buffer.from('PAR1 not really a parquet file PAR1'));
    fs.writeFileSync(path.join(folder, 'case-garbage.xlsx'), Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(300, 7)]));
    const db = path.join(dir, 'cli.duckdb');
    const reg = path.join(dir, 'registry.csv');
    fs.writeFileSync(
      reg,
      csvText(
        headersOf('systems', 'en'),
        baseTable('systems', 'en').rows.map((r) => r.map(text)),
      ),
    );
    // the registry ingested in this process (as `govmon ingest` does); the folder through the command
    expect(await ingestInProcess(db, [reg])).toBe(0);
    const r = await cli(['--db', db, 'ingest', folder]);
    expect([1, 2], r.stderr).toContain(r.code);
    expect(r.stderr, r.stderr).not.toMatch(/内部错误|^\s+at /m);
    expect(expectCleanMessage(r.stdout)).toEqual([]);
    expect(r.stdout).toMatch(/合计：15 个文件/);
    expect(r.stdout).toMatch(/【无法使用】case-empty\.csv/);
  });
});
