// The life of one input file (docs/inputs.md §3), the same for every file whatever brought it — the
// ingest command, the daemon's inbox, a FOCUS bill, a Prometheus pull, a portal upload: archive the
// bytes under their SHA-256 → the same bytes seen before? a no-op that says when → the kind's
// loader parses and stores the rows in one transaction together with the file's record → or, if
// the file is unusable, one record and one reject saying why. Only the loader differs by kind
// (pipelines/ingest/ingest.ts for the four contract kinds, connectors/focus.ts for FOCUS).

import fs from 'node:fs';
import path from 'node:path';
import { systemClock, type Clock } from '../../core/clock.ts';
import { UserError } from '../../core/errors.ts';
import { cleanDetail } from '../../core/text.ts';
import type { Kind } from '../../metrics/contract.ts';
import type { Store } from '../store/database.ts';
import { archiveFile, type Archived } from './archive.ts';

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
  /** rows that are no record at all (decisions: a list row without a decision), skipped */
  rowsSkipped?: number;
  fastPath: boolean;
  durationMs: number;
}

export interface LifecycleOptions {
  /** ingest again even if the same bytes were ingested before */
  force?: boolean;
  archiveDir?: string;
  /** "today" for the rules (a date in the future is refused) */
  now: Date;
  /** the wall clock that stamps ingested_at; defaults to the system clock */
  clock?: Clock;
}

/** What a kind's loader gets: the archived file, its outcome to fill, and the file's transaction. */
export interface LoadContext {
  store: Store;
  arch: Archived;
  outcome: FileOutcome;
  /** the file's id (allocated once, on first call) */
  fileId(): Promise<number>;
  /** Run `fn`, then record the file, in one transaction: the rows and the record commit together. */
  commit<T>(fn: () => Promise<T>): Promise<T>;
  /** Paths the readers saw (archive, transcoded copies): a reader's error naming one names the file. */
  readPaths: string[];
}

export interface FileLoader {
  /** files.kind and rejects.kind when the outcome carries no contract kind (e.g. 'focus') */
  storedKind?: string;
  /** Parse and store the file; throw a UserError (or a DuckDB content error) when it is unusable. */
  load(ctx: LoadContext): Promise<void>;
  /** Always called at the end (temporary tables and files). */
  cleanup?(store: Store): Promise<void>;
}

export function defaultArchiveDir(store: Store): string {
  return path.join(store.homeDir, 'archive');
}

export function newOutcome(p: string): FileOutcome {
  return {
    path: p,
    name: path.basename(p),
    status: 'failed',
    rowsRead: 0,
    rowsLoaded: 0,
    rowsRejected: 0,
    rowsSkipped: 0,
    extras: [],
    warnings: [],
    sampleRejects: [],
    reasonCounts: [],
    fastPath: false,
    durationMs: 0,
  };
}

/** One file through its whole life, its rows parsed and stored by `loader`. */
export async function ingestWith(store: Store, p: string, opts: LifecycleOptions, loader: FileLoader): Promise<FileOutcome> {
  const t0 = performance.now();
  const o = newOutcome(p);
  let arch: Archived;
  try {
    arch = await archiveFile(p, opts.archiveDir ?? defaultArchiveDir(store));
  } catch (e) {
    o.message = `无法读取文件：${(e as NodeJS.ErrnoException).code === 'ENOENT' ? '文件不存在' : cleanDetail((e as Error).message)}`;
    o.durationMs = performance.now() - t0;
    return o;
  }
  o.sha256 = arch.sha256;

  if (!opts.force) {
    // the time as the people reading the message live it, not UTC
    const prior = await store.one<{ file_id: number; ingested_at: string }>(
      `SELECT file_id, strftime(timezone('Asia/Shanghai', ingested_at), '%Y-%m-%d %H:%M:%S') AS ingested_at
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

  const record = () => recordFile(store, o, arch, (opts.clock ?? systemClock)(), t0, loader.storedKind);
  const ctx: LoadContext = {
    store,
    arch,
    outcome: o,
    fileId: async () => (o.fileId ??= await store.value<number>("SELECT nextval('file_id_seq')")),
    commit: (fn) =>
      store.tx(async () => {
        const out = await fn();
        await record();
        return out;
      }),
    readPaths: [arch.archivePath],
  };
  try {
    await loader.load(ctx);
  } catch (e) {
    if (!(e instanceof UserError)) {
      // A DuckDB error about the file's content (a corrupt Parquet page, a JSON syntax error deep
      // in the file) is the file's problem, not a bug: report it as an unusable file.
      if (!isContentError(e, ctx.readPaths)) throw e;
    }
    o.status = 'failed';
    o.message = e instanceof UserError ? e.message : contentMessage(e, ctx.readPaths, o.name);
    o.rowsLoaded = 0;
    o.rowsRejected = 0;
    o.sampleRejects = [];
    o.reasonCounts = [];
    await store.tx(async () => {
      await ctx.fileId();
      await record();
      await store.run('INSERT INTO rejects VALUES ($1, $2, NULL, NULL, NULL, $3)', [
        o.fileId!,
        o.kind ?? loader.storedKind ?? null,
        o.message!,
      ]);
    });
  } finally {
    await loader.cleanup?.(store);
  }
  o.durationMs = performance.now() - t0;
  return o;
}

function firstLine(e: unknown): string {
  return String(e instanceof Error ? e.message : e)
    .split('\n')[0]
    .replace(/^[A-Za-z ]*Error: /, '');
}

/** A DuckDB error caused by the file's bytes (not by the machine: an IO error must name the file). */
export function isContentError(e: unknown, paths: string[]): boolean {
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
  // the reader's detail may quote the file's bytes: cleaned, never echoed raw
  return `${what}，整个文件未导入。详细信息：${cleanDetail(detail, 300)}`;
}

async function recordFile(store: Store, o: FileOutcome, arch: Archived, ingestedAt: Date, t0: number, storedKind?: string): Promise<void> {
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
      o.kind ?? storedKind ?? null,
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

const ACCEPTED_EXT = new Set(['.csv', '.txt', '.tsv', '.xlsx', '.parquet', '.json', '.ndjson', '.jsonl']);

/** Does a folder's file look like an input file (by its extension)? */
const isInputFile = (name: string): boolean => ACCEPTED_EXT.has(path.extname(name).toLowerCase());

/**
 * Files of the given paths: files as given, folders walked, each folder's files in path-name order
 * (hidden files and Office lock files `~$…` skipped; `accept` picks a folder's files by name).
 */
export function expandPaths(paths: readonly string[], accept: (name: string) => boolean = isInputFile): string[] {
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
            return accept(d.name) ? [full] : [];
          });
      out.push(...walk(p).sort());
    } else out.push(p);
  }
  return out;
}
