// `govmon export KIND`: one writer per format, chosen by the file extension (docs/outputs.md).
// CSV: UTF-8 with BOM, English headers; XLSX: Chinese headers, frozen header row, widths;
// numbers unrounded. Text cells of CSV and XLSX that begin with = + - @ tab or CR get a leading
// apostrophe (OWASP CSV injection); numbers stay numbers.

import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import crypto from 'node:crypto';
import { UserError } from '../../core/errors.ts';
import { isMonth } from '../../core/clock.ts';
import type { Results, Row } from '../../pipelines/read.ts';
import { EXPORTS } from './kinds.ts';
import type { ExportColumn, ExportKind, Period } from './kind.ts';
import { writeXlsx, type XlsxData } from './xlsx.ts';
import { SIGNED_LISTS, readSignedSheets } from './signed.ts';
import { safeText } from './safe-text.ts';

export { safeText };

export { EXPORTS };
export type { Period, XlsxData };

export type ExportFormat = 'csv' | 'xlsx' | 'parquet' | 'json';

/** What an export says of where it comes from: the city named in an XLSX list's title (govmon.config.json `city`). */
export interface ExportOptions {
  city?: string;
}

export function formatOf(file: string): ExportFormat {
  const ext = path.extname(file).toLowerCase();
  if (ext === '.csv') return 'csv';
  if (ext === '.xlsx') return 'xlsx';
  if (ext === '.parquet') return 'parquet';
  if (ext === '.json') return 'json';
  throw new UserError(`不支持的导出格式“${ext || '（无扩展名）'}”：请使用 .csv、.xlsx、.parquet 或 .json`);
}

function selectList(cols: ExportColumn[], neutralise: boolean): string {
  return cols
    .map((col) => {
      const expr = neutralise && col.type === 'text' ? `gm_safe_text(${col.sql})` : col.sql;
      return `${expr} AS "${col.name}"`;
    })
    .join(', ');
}

export interface ExportResult {
  file: string;
  rows: number;
  runId: number | null;
}

/** Build the SELECT of an export (also used by the dashboard and tests). */
export async function exportQuery(
  store: Results,
  kind: string,
  period: Period,
  neutralise = false,
): Promise<{ sql: string; spec: ExportKind; runId: number | null }> {
  const spec = EXPORTS[kind];
  if (!spec) throw new UserError(`未知的导出类型：${kind}（可用：${Object.keys(EXPORTS).join('、')}）`);
  if (period.month !== undefined && !isMonth(period.month)) throw new UserError(`月份格式应为 YYYY-MM：${period.month}`);
  if (spec.period === 'month' && !period.month && period.runId === undefined) throw new UserError(`导出 ${kind} 需要 --month YYYY-MM`);
  if (spec.period === 'year' && !period.year && period.runId === undefined) throw new UserError(`导出 ${kind} 需要 --year YYYY`);
  const runId = await spec.resolveRun(store, period);
  return { sql: `SELECT ${selectList(spec.columns, neutralise)} ${spec.from({ runId, period })}`, spec, runId };
}

export async function exportRows(
  store: Results,
  kind: string,
  period: Period,
): Promise<{ rows: Row[]; spec: ExportKind; runId: number | null }> {
  const q = await exportQuery(store, kind, period);
  return { rows: await store.all(q.sql), spec: q.spec, runId: q.runId };
}

export async function writeExport(
  store: Results,
  kind: string,
  period: Period,
  outFile: string,
  opts: ExportOptions = {},
): Promise<ExportResult> {
  const format = formatOf(outFile);
  const neutralise = format === 'csv' || format === 'xlsx';
  const q = await exportQuery(store, kind, period, neutralise);
  fs.mkdirSync(path.dirname(path.resolve(outFile)), { recursive: true });
  const tmp = path.join(path.dirname(path.resolve(outFile)), `.${path.basename(outFile)}.${crypto.randomBytes(4).toString('hex')}.tmp`);
  let rows: number;
  try {
    if (format === 'xlsx') rows = await writeXlsx(await readXlsx(store, q, opts), tmp);
    else if (format === 'csv') {
      const body = path.join(os.tmpdir(), `govmon-${process.pid}-${crypto.randomBytes(6).toString('hex')}.csv`);
      try {
        rows = await store.copy(q.sql, body, 'FORMAT csv, HEADER true');
        fs.writeFileSync(tmp, '\uFEFF');
        fs.appendFileSync(tmp, fs.readFileSync(body));
      } finally {
        fs.rmSync(body, { force: true });
      }
    } else if (format === 'parquet') rows = await store.copy(q.sql, tmp, 'FORMAT parquet');
    else rows = await store.copy(q.sql, tmp, 'FORMAT json, ARRAY true');
    fs.renameSync(tmp, outFile);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
  return { file: outFile, rows, runId: q.runId };
}

/** What an XLSX export holds: its rows (a signed list: its sheets) and the run they come from, read from the database. */
async function readXlsx(
  store: Results,
  q: { sql: string; spec: ExportKind; runId: number | null },
  opts: ExportOptions,
): Promise<XlsxData> {
  const run =
    q.runId !== null
      ? await store.one<Row>(
          `SELECT r.run_id, r.job, r.period, r.profile, r.profile_sha256, CASE r.job WHEN 'month' THEN r.counts->>'as_of' END AS as_of,
             e.provisional, e.report_year, strftime(e.as_of_month, '%Y-%m') AS as_of_month, strftime(e.report_due_date, '%Y-%m-%d') AS report_due_date
           FROM runs r LEFT JOIN res_evaluations e USING (run_id) WHERE r.run_id = $1`,
          [q.runId],
        )
      : undefined;
  const signed = SIGNED_LISTS[q.spec.kind];
  if (signed && q.runId !== null && run)
    return { spec: q.spec, rows: [], run, sheets: await readSignedSheets(store, signed, q.runId), city: opts.city };
  return { spec: q.spec, rows: await store.all(q.sql), run, city: opts.city };
}

/** Read an XLSX export's data now, write the file later (the run writes its CSVs meanwhile). */
export async function prepareXlsxExport(store: Results, kind: string, period: Period, opts: ExportOptions = {}): Promise<XlsxData> {
  return readXlsx(store, await exportQuery(store, kind, period, true), opts);
}

/** Write a prepared XLSX export: JavaScript work only, the database is not touched. */
export async function writeXlsxExport(data: XlsxData, outFile: string): Promise<ExportResult> {
  fs.mkdirSync(path.dirname(path.resolve(outFile)), { recursive: true });
  const tmp = path.join(path.dirname(path.resolve(outFile)), `.${path.basename(outFile)}.${crypto.randomBytes(4).toString('hex')}.tmp`);
  try {
    const rows = await writeXlsx(data, tmp);
    fs.renameSync(tmp, outFile);
    return { file: outFile, rows, runId: data.run ? Number(data.run.run_id) : null };
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
}

export function periodOf(o: { month?: string; year?: string | number; run?: string | number }): Period {
  const p: Period = {};
  if (o.month !== undefined) p.month = o.month;
  if (o.year !== undefined) {
    const y = Number(o.year);
    if (!Number.isInteger(y) || y < 2000 || y > 2100) throw new UserError(`年份无效：${o.year}`);
    p.year = y;
  }
  if (o.run !== undefined) {
    const r = Number(o.run);
    if (!Number.isInteger(r) || r < 1) throw new UserError(`运行编号无效：${o.run}`);
    p.runId = r;
  }
  return p;
}
