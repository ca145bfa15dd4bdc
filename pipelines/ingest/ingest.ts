// `govmon ingest`: files and folders in, validated rows stored, rejects kept (docs/inputs.md §3).
// Per file, through the one file lifecycle (lifecycle.ts: archive by SHA-256 → same bytes seen
// before? no-op → load → record, or the failure path): sniff format, encoding, headers, kind → one
// transaction that stores every valid row and every reject, or nothing at all.
// Large CSV telemetry takes a fast path (DuckDB's typed reader, then one SQL check of what it
// read); any doubt — a cast the reader refused, a rule broken — rolls back to the general path,
// which stages every row as text and says, per value, why it was refused.

import fs from 'node:fs';
import { UnusableFileError, UserError } from '../../core/errors.ts';
import { shanghaiDate, type Clock } from '../../core/clock.ts';
import type { Log } from '../../core/log.ts';
import { cleanText, describeHeaders } from '../../core/text.ts';
import type { Store } from '../store/database.ts';
import { ident, sqlString } from '../../core/sql.ts';
import { STATUS_ZH, expandPaths, ingestWith, type FileOutcome, type LoadContext, type RejectRow } from './lifecycle.ts';
import { CONTRACT, KIND_ZH, detectKind, matchHeaders, type HeaderMatch, type Kind } from '../../metrics/contract.ts';
import { ENCODING_ZH } from './encoding.ts';
import { FORMAT_ZH, cleanup, csvColumns, csvOptions, loadRaw, sniff, sniffInStore, type Sniffed } from './readers.ts';
import { DEPARTMENT_PARAM, SQL_TYPE, stageSql, typedViolation } from './validate.ts';
import { withQueryProgress } from '../progress.ts';
import { checkDecisions } from './decisions.ts';
import { unmatchedInFile, unmatchedText } from '../decisions/matching.ts';

// The file's life (archive, same bytes, transaction, failure) is in lifecycle.ts, shared by every
// kind of file; what is here is the loader of the four contract kinds.
export {
  STATUS_ZH,
  defaultArchiveDir,
  newOutcome,
  type FileOutcome,
  type FileStatus,
  type RejectRow,
} from './lifecycle.ts';

export interface IngestOptions {
  kind?: Kind;
  /** ingest again even if the same bytes were ingested before */
  force?: boolean;
  archiveDir?: string;
  /** "today" for the rules (a date in the future is refused) */
  now: Date;
  /** the wall clock that stamps ingested_at; defaults to the system clock */
  clock?: Clock;
  log?: Log;
  /** show a progress bar while DuckDB reads a large file (terminal only) */
  progress?: boolean;
  /**
   * The department that sends the file (an upload through the portal, docs/outputs.md §7.5): a row
   * about a system that is not this department's is rejected with a reason, checked in the
   * validation SQL; a registry (systems) file is refused whole — the registry is the bureau's.
   */
  department?: string;
}

export interface IngestSummary {
  files: FileOutcome[];
  exitCode: 0 | 1 | 2;
}

// the files of a list of paths: the lifecycle's (the daemon's inbox reads them without the loaders)
export { expandPaths } from './lifecycle.ts';

export async function ingestPaths(store: Store, paths: readonly string[], opts: IngestOptions): Promise<IngestSummary> {
  const files = expandPaths(paths);
  if (files.length === 0) throw new UserError('没有找到可导入的文件（支持 .csv .xlsx .parquet .json .ndjson）');
  const outcomes: FileOutcome[] = [];
  for (const f of files) {
    const o = await ingestFile(store, f, opts);
    outcomes.push(o);
    opts.log?.info(formatOutcome(o));
  }
  return { files: outcomes, exitCode: exitCodeOf(outcomes) };
}

/** 0 all loaded (or same bytes again); 1 nothing loaded at all; 2 done with rejects or failures. */
export function exitCodeOf(outcomes: readonly FileOutcome[]): 0 | 1 | 2 {
  const bad = outcomes.some((o) => o.status === 'partial' || o.status === 'rejected' || o.status === 'failed' || o.warnings.length > 0);
  if (!bad) return 0;
  const anyLoaded = outcomes.some((o) => o.rowsLoaded > 0 || o.status === 'duplicate' || (o.status === 'loaded' && o.rowsRead === 0));
  return anyLoaded ? 2 : 1;
}

/** Ingest one file of a contract kind (systems, telemetry, catalog, om_report) through the file lifecycle. */
export async function ingestFile(store: Store, p: string, opts: IngestOptions): Promise<FileOutcome> {
  let s: Sniffed | undefined;
  return ingestWith(store, p, opts, {
    load: async (ctx) => {
      s = await sniff(ctx.arch.archivePath, ctx.outcome.name, ctx.arch.utf8Valid, opts.kind);
      ctx.readPaths.push(s.readPath, ...s.temps);
      await loadContractFile(ctx, s, opts);
    },
    cleanup: async (st) => {
      cleanup(s);
      await dropTemps(st);
    },
  });
}

/** The contract kinds' loader: sniffed format, encoding and headers → kind → fast or general path. */
async function loadContractFile(ctx: LoadContext, s: Sniffed, opts: IngestOptions): Promise<void> {
  const { store, outcome: o } = ctx;
  o.format = s.format;
  o.encoding = s.encoding;
  o.sheet = s.sheet;
  o.warnings.push(...s.warnings);
  await sniffInStore(store, s);
  const match = resolveKind(s.headers, opts.kind, {
    headerBytes: s.format === 'csv' ? headerLineBytes(ctx.arch.archivePath) : undefined,
    named: s.sheetKind && { sheet: s.sheet!, kind: s.sheetKind },
  });
  o.kind = match.kind;
  o.extras = match.extras;
  // a department's upload (the portal) may not touch the registry: it is the bureau's
  if (opts.department !== undefined && !CONTRACT[match.kind].columns.some((c) => c.refSystem))
    throw new UnusableFileError(`${KIND_ZH[match.kind]}由数据局维护，建设单位不能通过门户报送，整个文件未导入`);
  const fileId = await ctx.fileId();
  const today = shanghaiDate(opts.now);
  let done = false;
  await withQueryProgress(store, `导入 ${o.name}`, opts.progress ?? false, async () => {
    if ((s.format === 'csv' || s.format === 'parquet') && match.kind === 'telemetry') {
      done = await ctx
        .commit(async () => {
          const ok = await fastTelemetry(store, s, match, fileId, today, o, opts.department);
          if (!ok) throw new FallBack();
          return true;
        })
        .catch((e) => {
          if (e instanceof FallBack) return false;
          throw e;
        });
    }
    if (!done) await ctx.commit(() => generalPath(store, s, match, fileId, today, o, opts.department));
  });
}

class FallBack extends Error {}

/** The size in bytes of a text file's first line (its header), as the file holds it. */
function headerLineBytes(file: string): number {
  const buf = Buffer.alloc(64 * 1024);
  const fd = fs.openSync(file, 'r');
  try {
    const n = fs.readSync(fd, buf, 0, buf.length, 0);
    const head = buf.subarray(0, n);
    const end = head.findIndex((b) => b === 0x0a || b === 0x0d);
    return end < 0 ? n : end;
  } finally {
    fs.closeSync(fd);
  }
}

async function dropTemps(store: Store): Promise<void> {
  for (const t of [
    'raw_in',
    'gm_stage',
    'gm_reader_rejects',
    'gm_json_in',
    'gm_fast_rej',
    'gm_fast_scan',
    'gm_csv_in',
    'gm_csv_lines',
    'gm_csv_starts',
    'gm_csv_bad',
    'gm_csv_long',
    'gm_csv_rej',
    'gm_csv_scan',
    'gm_decision_check',
  ])
    await store.run(`DROP TABLE IF EXISTS temp.main.${t}`).catch(() => undefined);
}

/**
 * The kind of a file: forced with --kind, else detected from its headers — or, for an XLSX sheet
 * named like a kind (信息系统目录), that kind, so that unknown headers are reported as such instead
 * of the file going unrecognised.
 */
export function resolveKind(
  headers: readonly string[],
  forced?: Kind,
  how: { headerBytes?: number; named?: { sheet: string; kind: Kind } } = {},
): HeaderMatch {
  const named = how.named;
  // the headers as a person may see them: never raw bytes of a binary file (core/text.ts)
  const shown = describeHeaders(headers, how.headerBytes);
  let m: HeaderMatch | undefined;
  const kind = forced ?? (named && !detectKind(headers) ? named.kind : undefined);
  if (kind) {
    m = matchHeaders(CONTRACT[kind], headers);
    if (m.missingRequired.length) {
      const missing = m.missingRequired.map((c) => `${CONTRACT[kind].columns.find((x) => x.name === c)!.zh}（${c}）`).join('、');
      if (forced) throw new UnusableFileError(`不是有效的“${KIND_ZH[kind]}”文件：缺少必填列 ${missing}；文件表头为：${shown}`);
      const unknown = m.extras.length
        ? `；无法识别的表头：${m.extras
            .slice(0, 12)
            .map((x) => cleanText(x, 40))
            .join('、')}${m.extras.length > 12 ? ' 等' : ''}`
        : '';
      throw new UnusableFileError(
        `工作表“${cleanText(named!.sheet, 40)}”按名称识别为“${KIND_ZH[kind]}”，但缺少必填列 ${missing}${unknown}（表头可用中文或英文列名，见 govmon template ${kind}）`,
      );
    }
  } else {
    m = detectKind(headers);
    if (!m)
      throw new UnusableFileError(
        `无法识别文件类型：表头与系统目录、运行监测数据、数据资源目录、年度运维报表都不匹配（可用 --kind 指定）；文件表头为：${shown}`,
      );
  }
  if (m.duplicates.length)
    throw new UnusableFileError(`表头重复：${m.duplicates.map((d) => cleanText(d, 40)).join('、')} 出现不止一次，无法确定使用哪一列`);
  return m;
}

/** Fast path for CSV and Parquet telemetry. Returns false when the general path must decide instead. */
async function fastTelemetry(
  store: Store,
  s: Sniffed,
  match: HeaderMatch,
  fileId: number,
  today: string,
  o: FileOutcome,
  department: string | undefined,
): Promise<boolean> {
  const spec = CONTRACT.telemetry;
  const cols = spec.columns.map((c) => c.name);
  let source: string;
  let sel: string;
  if (s.format === 'csv') {
    // Integer columns are read as DOUBLE: DuckDB's BIGINT reader rounds '5.4' to 5, which the
    // general path rejects ('不是整数'); a fraction raises an error below and so falls back instead.
    const types = s.headers.map((_, i) => {
      const name = match.mapped.get(i);
      const type = name ? spec.columns.find((c) => c.name === name)!.type : 'text';
      return type === 'int' ? 'DOUBLE' : SQL_TYPE[type];
    });
    const byName = new Map([...match.mapped].map(([i, n]) => [n, `c${i}`]));
    sel = spec.columns
      .map((c) => {
        if (!byName.has(c.name)) return `CAST(NULL AS ${SQL_TYPE[c.type]})`;
        const x = ident(byName.get(c.name)!);
        return c.type === 'int'
          ? `CASE WHEN ${x} IS NULL THEN NULL WHEN ${x} = trunc(${x}) THEN CAST(${x} AS BIGINT) ELSE error('gm_fallback') END`
          : x;
      })
      .map((e, i) => `${e} AS ${ident(spec.columns[i].name)}`)
      .join(', ');
    // a row of empty fields (`,,,,`, as Excel saves an empty row) is not a row
    source = `read_csv(${sqlString(s.readPath)}, ${csvOptions(s)}, ${csvColumns(types)},
         store_rejects = true, rejects_table = 'gm_fast_rej', rejects_scan = 'gm_fast_scan')
       WHERE NOT (${types.map((_, i) => `c${i} IS NULL`).join(' AND ') || 'false'})`;
  } else {
    // Parquet columns are typed already; a value that would not cast exactly (text such as '45%',
    // a fraction in a count, an unparseable date) raises an error and the general path decides.
    const byName = new Map([...match.mapped].map(([i, n]) => [n, s.headers[i]]));
    sel = spec.columns
      .map((c) => {
        if (!byName.has(c.name)) return `CAST(NULL AS ${SQL_TYPE[c.type]})`;
        const x = ident(byName.get(c.name)!);
        const fail = "error('gm_fallback')";
        switch (c.type) {
          case 'date':
            return `CASE WHEN ${x} IS NULL THEN NULL ELSE coalesce(TRY_CAST(${x} AS DATE), ${fail}) END`;
          case 'int':
            return `CASE WHEN ${x} IS NULL THEN NULL WHEN TRY_CAST(${x} AS DOUBLE) = trunc(TRY_CAST(${x} AS DOUBLE)) THEN CAST(TRY_CAST(${x} AS DOUBLE) AS BIGINT) ELSE ${fail} END`;
          case 'number':
          case 'pct':
            return `CASE WHEN ${x} IS NULL THEN NULL ELSE coalesce(gm_num_or_null(TRY_CAST(${x} AS DOUBLE)), ${fail}) END`;
          default:
            return `CASE WHEN ${x} IS NULL THEN NULL ELSE CAST(${x} AS VARCHAR) END`;
        }
      })
      .map((e, i) => `${e} AS ${ident(spec.columns[i].name)}`)
      .join(', ');
    source = `read_parquet(${sqlString(s.readPath)})`;
    await store.run('CREATE OR REPLACE TEMP TABLE gm_fast_rej (n INTEGER)');
  }
  // The rules of the contract are checked as the rows go in: a row that breaks one stops the
  // insert, and the general path decides, row by row, what to reject and why. The registry and
  // the whitespace of ids are checked afterwards on the file's distinct ids, not on every row.
  const violation = typedViolation('telemetry', { today, textChecks: false });
  let loaded: number;
  try {
    loaded = await store.run(
      `INSERT INTO raw_telemetry (file_id, ${cols.map(ident).join(', ')})
       SELECT ${fileId}, ${cols.map(ident).join(', ')} FROM (SELECT ${sel} FROM ${source})
       WHERE CASE WHEN ${violation} THEN error('gm_fallback') ELSE true END`,
    );
  } catch {
    // A value the typed reader took but the table refuses — an empty date or system_id (NOT NULL),
    // a count beyond INTEGER, a fraction in a count — or a row that breaks a rule: the general
    // path says, per row, why.
    return false;
  }
  const readerRejects = await store.value<number>('SELECT count(*) FROM gm_fast_rej');
  if (readerRejects > 0) return false;
  // (and, for a department's upload, a system of another department: the general path rejects its rows)
  const unknownIds = await store.value<number>(
    `SELECT count(*) FROM (SELECT DISTINCT system_id FROM raw_telemetry WHERE file_id = ${fileId}) f
     LEFT JOIN (SELECT system_id, department FROM systems_current) ref USING (system_id)
     WHERE ref.system_id IS NULL OR f.system_id <> trim(f.system_id)${department !== undefined ? ` OR ref.department <> $${DEPARTMENT_PARAM}` : ''}`,
    department !== undefined ? { [DEPARTMENT_PARAM]: department } : undefined,
  );
  if (unknownIds > 0) return false;
  const months = await store.all<{ month: string; n: number }>(
    `SELECT date_trunc('month', date)::DATE AS month, count(*) AS n FROM raw_telemetry WHERE file_id = ${fileId} GROUP BY ALL`,
  );
  for (const m of months) await store.run('INSERT INTO file_months VALUES ($1, $2::DATE, $3)', [fileId, m.month, m.n]);
  o.rowsRead = loaded;
  o.rowsLoaded = loaded;
  o.rowsRejected = 0;
  o.status = 'loaded';
  o.fastPath = true;
  if (loaded === 0) o.warnings.push('文件只有表头，没有数据行');
  return true;
}

/** The general path: every row staged as text, typed and checked in SQL, rejects kept per value. */
async function generalPath(
  store: Store,
  s: Sniffed,
  match: HeaderMatch,
  fileId: number,
  today: string,
  o: FileOutcome,
  department: string | undefined,
): Promise<void> {
  const kind = match.kind;
  const spec = CONTRACT[kind];
  await loadRaw(store, s);
  const mapping = new Map([...match.mapped].map(([i, n]) => [n, `c${i}`]));
  if (spec.skipUnless) o.rowsSkipped = await skipNonRecords(store, spec.skipUnless, mapping);
  await store.run(
    `CREATE OR REPLACE TEMP TABLE gm_stage AS ${stageSql(kind, mapping, { today, department })}`,
    department !== undefined ? { [DEPARTMENT_PARAM]: department } : undefined,
  );
  if (kind === 'decisions') await checkDecisions(store, fileId);
  const cols = spec.columns.map((c) => ident(c.name)).join(', ');
  o.rowsLoaded = await store.run(
    `INSERT INTO raw_${kind} (file_id, ${cols}) SELECT ${fileId}, ${cols} FROM gm_stage WHERE len(errors) = 0 ORDER BY row_no`,
  );
  await store.run(
    `INSERT INTO rejects SELECT ${fileId}, ${sqlString(kind)}, row_no, e.column, e.value, e.reason
     FROM (SELECT row_no, unnest(errors) AS e FROM gm_stage WHERE len(errors) > 0) ORDER BY row_no`,
  );
  await store.run(
    `INSERT INTO rejects SELECT ${fileId}, ${sqlString(kind)}, row_no, column_name, value, reason FROM gm_reader_rejects ORDER BY row_no`,
  );
  const counts = (await store.one<{ staged: number; bad: number; reader: number }>(
    `SELECT (SELECT count(*) FROM gm_stage) AS staged, (SELECT count(*) FROM gm_stage WHERE len(errors) > 0) AS bad,
            (SELECT count(DISTINCT row_no) FROM gm_reader_rejects) AS reader`,
  ))!;
  o.rowsRead = counts.staged + counts.reader;
  o.rowsRejected = counts.bad + counts.reader;
  o.status = o.rowsRejected === 0 ? 'loaded' : o.rowsLoaded > 0 ? 'partial' : 'rejected';
  if (o.rowsRead === 0)
    o.warnings.push(o.rowsSkipped ? `没有填写决定的行（${o.rowsSkipped} 行未填写“决定”等各项，已跳过）` : '文件只有表头，没有数据行');
  if (kind === 'decisions' && o.rowsLoaded > 0)
    for (const u of await unmatchedInFile(store, fileId, 'gm_stage'))
      o.warnings.push(unmatchedText(u, u.row_no === null ? undefined : `第 ${u.row_no} 行`));
  if (kind === 'telemetry')
    await store.run(
      `INSERT INTO file_months SELECT ${fileId}, date_trunc('month', date)::DATE, count(*) FROM gm_stage WHERE len(errors) = 0 GROUP BY ALL`,
    );
  if (o.rowsRejected > 0) {
    o.sampleRejects = await store.all<RejectRow>(
      `SELECT row_no, column_name, value, reason FROM rejects WHERE file_id = $1 ORDER BY row_no NULLS FIRST, column_name LIMIT 20`,
      [fileId],
    );
    o.reasonCounts = await store.all<{ reason: string; n: number }>(
      `SELECT reason, count(*) AS n FROM rejects WHERE file_id = $1 GROUP BY reason ORDER BY n DESC, reason LIMIT 10`,
      [fileId],
    );
  }
}

/** Delete the rows of raw_in whose `columns` are all empty; returns how many. */
async function skipNonRecords(store: Store, columns: readonly string[], mapping: ReadonlyMap<string, string>): Promise<number> {
  const present = columns.filter((c) => mapping.has(c)).map((c) => `NULLIF(trim(${ident(mapping.get(c)!)}), '') IS NULL`);
  if (present.length === 0) return 0;
  return store.run(`DELETE FROM raw_in WHERE ${present.join(' AND ')}`);
}

/**
 * One file's result as lines for a person. Everything here that came from the file — its name,
 * sheet, extra headers, values, reasons quoting a line — is cleaned first (core/text.ts): these
 * lines go to the terminal, the daemon's log and the inbox's `.report.txt`.
 */
export function formatOutcome(o: FileOutcome): string {
  const lines: string[] = [];
  const name = cleanText(o.name, 120);
  const what = [
    o.kind ? KIND_ZH[o.kind] : undefined,
    o.format ? FORMAT_ZH[o.format as keyof typeof FORMAT_ZH] : undefined,
    o.encoding ? ENCODING_ZH[o.encoding as keyof typeof ENCODING_ZH] : undefined,
    o.sheet ? `工作表“${cleanText(o.sheet, 40)}”` : undefined,
  ]
    .filter(Boolean)
    .join('，');
  lines.push(`【${STATUS_ZH[o.status]}】${name}${what ? `（${what}）` : ''}`);
  if (o.status === 'duplicate' || o.status === 'failed') lines.push(`  ${cleanText(o.message ?? '', 600)}`);
  else
    lines.push(
      `  读取 ${o.rowsRead} 行，导入 ${o.rowsLoaded} 行，拒收 ${o.rowsRejected} 行${o.rowsSkipped ? `（另有 ${o.rowsSkipped} 行未填写决定，已跳过）` : ''}`,
    );
  if (o.extras.length) lines.push(`  未识别的列（未保存）：${o.extras.map((x) => cleanText(x, 40)).join('、')}`);
  for (const w of o.warnings) lines.push(`  注意：${cleanText(w, 300)}`);
  if (o.reasonCounts.length) {
    lines.push('  拒收原因：');
    for (const r of o.reasonCounts) lines.push(`    ${cleanText(r.reason, 200)}：${r.n} 处`);
  }
  for (const r of o.sampleRejects.slice(0, 10)) {
    const where = r.row_no === null ? '整个文件' : `第 ${r.row_no} 行`;
    const col = r.column_name ? `，列 ${colLabel(o.kind, r.column_name)}` : '';
    const val = r.value !== null ? `，值“${cleanText(r.value)}”` : '';
    lines.push(`    ${name} ${where}${col}${val}：${cleanText(r.reason, 200)}`);
  }
  if (o.rowsRejected > 10) lines.push(`    ……其余拒收明细见 govmon export rejects`);
  return lines.join('\n');
}

function colLabel(kind: Kind | undefined, name: string): string {
  const c = kind ? CONTRACT[kind].columns.find((x) => x.name === name) : undefined;
  return c ? `${c.zh}（${c.name}）` : cleanText(name, 40);
}
