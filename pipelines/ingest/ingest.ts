// `govmon ingest`: files and folders in, validated rows stored, rejects kept (docs/inputs.md §3).
// Per file: archive by SHA-256 → same bytes seen before? no-op → sniff format, encoding, headers,
// kind → one transaction that stores every valid row and every reject, or nothing at all.
// Large CSV telemetry takes a fast path (DuckDB's typed reader, then one SQL check of what it
// read); any doubt — a cast the reader refused, a rule broken — rolls back to the general path,
// which stages every row as text and says, per value, why it was refused.

import fs from 'node:fs';
import path from 'node:path';
import { UnusableFileError, UserError } from '../../core/errors.ts';
import { shanghaiDate, systemClock, type Clock } from '../../core/clock.ts';
import type { Log } from '../../core/log.ts';
import type { Store } from '../store/database.ts';
import { ident, sqlString } from '../../core/sql.ts';
import { archiveFile, type Archived } from './archive.ts';
import { CONTRACT, KIND_ZH, detectKind, matchHeaders, type HeaderMatch, type Kind } from '../../metrics/contract.ts';
import { ENCODING_ZH } from './encoding.ts';
import { FORMAT_ZH, cleanup, csvColumns, csvOptions, loadRaw, sniff, sniffInStore, type Sniffed } from './readers.ts';
import { SQL_TYPE, stageSql, typedViolation } from './validate.ts';
import { withQueryProgress } from '../progress.ts';

export type FileStatus = 'loaded' | 'partial' | 'rejected' | 'failed' | 'duplicate';

export const STATUS_ZH: Record<FileStatus, string> = {
  loaded: '已导入',
  partial: '部分导入',
  rejected: '全部拒收',
  failed: '无法使用',
  duplicate: '重复文件（未改动）',
};

export interface RejectRow {
  row_no: number | null;
  column_name: string | null;
  value: string | null;
  reason: string;
}

export interface FileOutcome {
  path: string;
  name: string;
  fileId?: number;
  sha256?: string;
  kind?: Kind;
  format?: string;
  encoding?: string;
  sheet?: string;
  status: FileStatus;
  rowsRead: number;
  rowsLoaded: number;
  rowsRejected: number;
  extras: string[];
  message?: string;
  warnings: string[];
  duplicateOf?: number;
  /** the first rejects, for the printed summary */
  sampleRejects: RejectRow[];
  reasonCounts: { reason: string; n: number }[];
  fastPath: boolean;
  durationMs: number;
}

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
}

export interface IngestSummary {
  files: FileOutcome[];
  exitCode: 0 | 1 | 2;
}

const ACCEPTED_EXT = new Set(['.csv', '.txt', '.tsv', '.xlsx', '.parquet', '.json', '.ndjson', '.jsonl']);

/** Files of the given paths: files as given, folders walked, each folder's files in path-name order. */
export function expandPaths(paths: readonly string[]): string[] {
  const out: string[] = [];
  for (const p of paths) {
    let st: fs.Stats;
    try {
      st = fs.statSync(p);
    } catch {
      throw new UserError(`找不到文件或文件夹：${p}`);
    }
    if (st.isDirectory()) {
      const walk = (dir: string): string[] =>
        fs
          .readdirSync(dir, { withFileTypes: true })
          .filter((d) => !d.name.startsWith('.') && !d.name.startsWith('~$'))
          .flatMap((d) => {
            const full = path.join(dir, d.name);
            if (d.isDirectory()) return walk(full);
            return ACCEPTED_EXT.has(path.extname(d.name).toLowerCase()) ? [full] : [];
          });
      out.push(...walk(p).sort());
    } else out.push(p);
  }
  return out;
}

export function defaultArchiveDir(store: Store): string {
  return path.join(store.homeDir, 'archive');
}

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

function emptyOutcome(p: string): FileOutcome {
  return {
    path: p,
    name: path.basename(p),
    status: 'failed',
    rowsRead: 0,
    rowsLoaded: 0,
    rowsRejected: 0,
    extras: [],
    warnings: [],
    sampleRejects: [],
    reasonCounts: [],
    fastPath: false,
    durationMs: 0,
  };
}

export async function ingestFile(store: Store, p: string, opts: IngestOptions): Promise<FileOutcome> {
  const t0 = performance.now();
  const o = emptyOutcome(p);
  let arch: Archived;
  try {
    arch = await archiveFile(p, opts.archiveDir ?? defaultArchiveDir(store));
  } catch (e) {
    o.message = `无法读取文件：${(e as NodeJS.ErrnoException).code === 'ENOENT' ? '文件不存在' : (e as Error).message}`;
    o.durationMs = performance.now() - t0;
    return o;
  }
  o.sha256 = arch.sha256;

  if (!opts.force) {
    // the time as the people reading the message live it, not UTC
    const prior = await store.one<{ file_id: number; ingested_at: string; status: string }>(
      `SELECT file_id, strftime(timezone('Asia/Shanghai', ingested_at), '%Y-%m-%d %H:%M:%S') AS ingested_at, status
       FROM files WHERE sha256 = $1 AND status IN ('loaded', 'partial', 'rejected')
       ORDER BY file_id LIMIT 1`,
      [arch.sha256],
    );
    if (prior) {
      o.status = 'duplicate';
      o.duplicateOf = prior.file_id;
      o.message = `相同内容已于 ${prior.ingested_at} 导入（文件编号 ${prior.file_id}），本次未做任何改动`;
      o.durationMs = performance.now() - t0;
      return o;
    }
  }

  let s: Sniffed | undefined;
  try {
    s = await sniff(arch.archivePath, o.name, arch.utf8Valid, opts.kind);
    o.format = s.format;
    o.encoding = s.encoding;
    o.sheet = s.sheet;
    o.warnings.push(...s.warnings);
    await sniffInStore(store, s);
    const match = resolveKind(s.headers, opts.kind, s.sheetKind && { sheet: s.sheet!, kind: s.sheetKind });
    o.kind = match.kind;
    o.extras = match.extras;
    const fileId = await store.value<number>("SELECT nextval('file_id_seq')");
    o.fileId = fileId;
    const today = shanghaiDate(opts.now);
    let done = false;
    await withQueryProgress(store, `导入 ${o.name}`, opts.progress ?? false, async () => {
      if ((s!.format === 'csv' || s!.format === 'parquet') && match.kind === 'telemetry') {
        done = await store
          .tx(async () => {
            const ok = await fastTelemetry(store, s!, match, fileId, today, o);
            if (!ok) throw new FallBack();
            await recordFile(store, o, arch, (opts.clock ?? systemClock)(), t0);
            return true;
          })
          .catch((e) => {
            if (e instanceof FallBack) return false;
            throw e;
          });
      }
      if (!done) {
        await store.tx(async () => {
          await generalPath(store, s!, match, fileId, today, o);
          await recordFile(store, o, arch, (opts.clock ?? systemClock)(), t0);
        });
      }
    });
  } catch (e) {
    const paths = [arch.archivePath, ...(s ? [s.readPath, ...s.temps] : [])];
    if (!(e instanceof UserError)) {
      // A DuckDB error about the file's content (a corrupt Parquet page, a JSON syntax error deep
      // in the file) is the file's problem, not a bug: report it as an unusable file.
      if (!isContentError(e, paths)) throw e;
    }
    o.status = 'failed';
    o.message = e instanceof UserError ? e.message : contentMessage(e, paths, o.name);
    o.rowsLoaded = 0;
    o.rowsRejected = 0;
    await store.tx(async () => {
      o.fileId ??= await store.value<number>("SELECT nextval('file_id_seq')");
      await recordFile(store, o, arch, (opts.clock ?? systemClock)(), t0);
      await store.run('INSERT INTO rejects VALUES ($1, $2, NULL, NULL, NULL, $3)', [o.fileId, o.kind ?? null, o.message!]);
    });
  } finally {
    cleanup(s);
    await dropTemps(store);
  }
  o.durationMs = performance.now() - t0;
  return o;
}

class FallBack extends Error {}

function firstLine(e: unknown): string {
  return String(e instanceof Error ? e.message : e)
    .split('\n')[0]
    .replace(/^[A-Za-z ]*Error: /, '');
}

/** A DuckDB error caused by the file's bytes (not by the machine: an IO error must name the file). */
function isContentError(e: unknown, paths: string[]): boolean {
  const m = e instanceof Error ? e.message : String(e);
  if (/IO Error/i.test(m)) return paths.some((p) => m.includes(p));
  return /(Invalid Input Error|Conversion Error|Parser Error|Invalid Error|Malformed JSON|CSV Error|Parquet|INTERNAL Error: .*parquet)/i.test(
    m,
  );
}

/** The reason a file could not be read, in Chinese, with the reader's detail (its own name, not the archive path). */
function contentMessage(e: unknown, paths: string[], name: string): string {
  let detail = firstLine(e);
  for (const p of paths) detail = detail.split(p).join(name);
  const m = e instanceof Error ? e.message : String(e);
  const what = /segment statistics update/i.test(m)
    ? '文件中有一条超过 10,000 字节、且无法解析的记录（例如引号未闭合），读取器无法逐行拒收'
    : /json/i.test(m)
      ? 'JSON 格式错误（可能不完整或含有语法错误）'
      : /parquet|magic bytes|thrift/i.test(m)
        ? 'Parquet 文件损坏或不完整'
        : /csv/i.test(m)
          ? 'CSV 文件无法解析'
          : '文件内容无法读取';
  return `${what}，整个文件未导入。详细信息：${detail.slice(0, 300)}`;
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
  ])
    await store.run(`DROP TABLE IF EXISTS temp.main.${t}`).catch(() => undefined);
}

/**
 * The kind of a file: forced with --kind, else detected from its headers — or, for an XLSX sheet
 * named like a kind (信息系统目录), that kind, so that unknown headers are reported as such instead
 * of the file going unrecognised.
 */
export function resolveKind(headers: readonly string[], forced?: Kind, named?: { sheet: string; kind: Kind }): HeaderMatch {
  const shown =
    headers
      .filter((h) => h !== '')
      .slice(0, 12)
      .join('、') || '（无）';
  let m: HeaderMatch | undefined;
  const kind = forced ?? (named && !detectKind(headers) ? named.kind : undefined);
  if (kind) {
    m = matchHeaders(CONTRACT[kind], headers);
    if (m.missingRequired.length) {
      const missing = m.missingRequired.map((c) => `${CONTRACT[kind].columns.find((x) => x.name === c)!.zh}（${c}）`).join('、');
      if (forced) throw new UnusableFileError(`不是有效的“${KIND_ZH[kind]}”文件：缺少必填列 ${missing}；文件表头为：${shown}`);
      const unknown = m.extras.length ? `；无法识别的表头：${m.extras.slice(0, 12).join('、')}${m.extras.length > 12 ? ' 等' : ''}` : '';
      throw new UnusableFileError(
        `工作表“${named!.sheet}”按名称识别为“${KIND_ZH[kind]}”，但缺少必填列 ${missing}${unknown}（表头可用中文或英文列名，见 govmon template ${kind}）`,
      );
    }
  } else {
    m = detectKind(headers);
    if (!m)
      throw new UnusableFileError(
        `无法识别文件类型：表头与系统目录、运行监测数据、数据资源目录、年度运维报表都不匹配（可用 --kind 指定）；文件表头为：${shown}`,
      );
  }
  if (m.duplicates.length) throw new UnusableFileError(`表头重复：${m.duplicates.join('、')} 出现不止一次，无法确定使用哪一列`);
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
  const unknownIds = await store.value<number>(
    `SELECT count(*) FROM (SELECT DISTINCT system_id FROM raw_telemetry WHERE file_id = ${fileId}) f
     LEFT JOIN (SELECT DISTINCT system_id FROM systems_current) ref USING (system_id)
     WHERE ref.system_id IS NULL OR f.system_id <> trim(f.system_id)`,
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
async function generalPath(store: Store, s: Sniffed, match: HeaderMatch, fileId: number, today: string, o: FileOutcome): Promise<void> {
  const kind = match.kind;
  const spec = CONTRACT[kind];
  await loadRaw(store, s);
  const mapping = new Map([...match.mapped].map(([i, n]) => [n, `c${i}`]));
  await store.run(`CREATE OR REPLACE TEMP TABLE gm_stage AS ${stageSql(kind, mapping, { today })}`);
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
  if (o.rowsRead === 0) o.warnings.push('文件只有表头，没有数据行');
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

async function recordFile(store: Store, o: FileOutcome, arch: Archived, ingestedAt: Date, t0: number): Promise<void> {
  await store.run(
    `INSERT INTO files (file_id, sha256, source_path, file_name, size_bytes, kind, format, encoding, sheet, status,
       rows_read, rows_loaded, rows_rejected, extra_columns, message, archive_path, ingested_at, duration_ms)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14::VARCHAR[], $15, $16, $17::TIMESTAMPTZ, $18)`,
    [
      o.fileId!,
      arch.sha256,
      path.resolve(o.path),
      o.name,
      arch.sizeBytes,
      o.kind ?? null,
      o.format ?? null,
      o.encoding ?? null,
      o.sheet ?? null,
      o.status,
      o.rowsRead,
      o.rowsLoaded,
      o.rowsRejected,
      JSON.stringify(o.extras),
      o.message ?? (o.warnings.length ? o.warnings.join('；') : null),
      arch.archivePath,
      ingestedAt.toISOString(),
      Math.round(performance.now() - t0),
    ],
  );
}

/** One file's result as lines for a person. */
export function formatOutcome(o: FileOutcome): string {
  const lines: string[] = [];
  const what = [
    o.kind ? KIND_ZH[o.kind] : undefined,
    o.format ? FORMAT_ZH[o.format as keyof typeof FORMAT_ZH] : undefined,
    o.encoding ? ENCODING_ZH[o.encoding as keyof typeof ENCODING_ZH] : undefined,
    o.sheet ? `工作表“${o.sheet}”` : undefined,
  ]
    .filter(Boolean)
    .join('，');
  lines.push(`【${STATUS_ZH[o.status]}】${o.name}${what ? `（${what}）` : ''}`);
  if (o.status === 'duplicate' || o.status === 'failed') lines.push(`  ${o.message}`);
  else lines.push(`  读取 ${o.rowsRead} 行，导入 ${o.rowsLoaded} 行，拒收 ${o.rowsRejected} 行`);
  if (o.extras.length) lines.push(`  未识别的列（未保存）：${o.extras.join('、')}`);
  for (const w of o.warnings) lines.push(`  注意：${w}`);
  if (o.reasonCounts.length) {
    lines.push('  拒收原因：');
    for (const r of o.reasonCounts) lines.push(`    ${r.reason}：${r.n} 处`);
  }
  for (const r of o.sampleRejects.slice(0, 10)) {
    const where = r.row_no === null ? '整个文件' : `第 ${r.row_no} 行`;
    const col = r.column_name ? `，列 ${colLabel(o.kind, r.column_name)}` : '';
    const val = r.value !== null ? `，值“${truncate(r.value)}”` : '';
    lines.push(`    ${o.name} ${where}${col}${val}：${r.reason}`);
  }
  if (o.rowsRejected > 10) lines.push(`    ……其余拒收明细见 govmon export rejects`);
  return lines.join('\n');
}

function colLabel(kind: Kind | undefined, name: string): string {
  const c = kind ? CONTRACT[kind].columns.find((x) => x.name === name) : undefined;
  return c ? `${c.zh}（${c.name}）` : name;
}

function truncate(s: string, n = 60): string {
  return s.length > n ? s.slice(0, n) + '…' : s;
}
