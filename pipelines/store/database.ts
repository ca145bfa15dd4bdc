// The store: one DuckDB database file per deployment. This module opens it (turning a lock held
// by another process into a clear Chinese message), converts result values to plain JS, and runs
// work in transactions.

import fs from 'node:fs';
import path from 'node:path';
import {
  type DuckDBConnection,
  DuckDBInstance,
  DuckDBTypeId,
  type DuckDBResultReader,
  type DuckDBValue,
  type DuckDBValueConverter,
  JSDuckDBValueConverter,
  JsonDuckDBValueConverter,
} from '@duckdb/node-api';
import { UserError } from '../../core/errors.ts';
import { sqlString } from '../../core/sql.ts';

export { DEFAULT_DB, dbPathFromEnv } from '../../core/paths.ts';

export type Row = Record<string, unknown>;
export type Params = DuckDBValue[] | Record<string, DuckDBValue>;

export interface OpenOptions {
  /** DuckDB memory limit, e.g. '8GB'; defaults to DuckDB's own (80% of RAM). */
  memoryLimit?: string;
  threads?: number;
  readOnly?: boolean;
}

/** The work was stopped on purpose (the daemon is shutting down); its transaction rolled back. */
export class AbortedError extends Error {
  constructor(reason: string) {
    super(`已中止：${reason}`);
    this.name = 'AbortedError';
  }
}

export class Store {
  readonly path: string;
  readonly instance: DuckDBInstance;
  readonly conn: DuckDBConnection;
  private closed = false;
  private aborted: string | null = null;
  /** false for a second connection (`connect`): closing it leaves the database open */
  private readonly ownsInstance: boolean;

  private constructor(p: string, instance: DuckDBInstance, conn: DuckDBConnection, ownsInstance = true) {
    this.path = p;
    this.instance = instance;
    this.conn = conn;
    this.ownsInstance = ownsInstance;
  }

  get inMemory(): boolean {
    return this.path === ':memory:';
  }

  /** Folder beside the database for archives, inbox and site (the database's own folder). */
  get homeDir(): string {
    return this.inMemory ? process.cwd() : path.dirname(path.resolve(this.path));
  }

  static async open(p: string, opts: OpenOptions = {}): Promise<Store> {
    const options: Record<string, string> = {};
    if (p !== ':memory:') {
      fs.mkdirSync(path.dirname(path.resolve(p)), { recursive: true });
      // Spill to disk beside the database rather than fail when a query outgrows memory (docs/operations.md §9).
      options.temp_directory = `${path.resolve(p)}.tmp`;
    }
    if (opts.memoryLimit) options.memory_limit = opts.memoryLimit;
    if (opts.threads) options.threads = String(opts.threads);
    if (opts.readOnly) options.access_mode = 'READ_ONLY';
    // No row-group compaction at checkpoints: DuckDB's parallel CSV reader appends a file as one
    // full row group and one of about 4,000 rows per 8 MB it reads, and by default every checkpoint
    // (the one on close included) rewrites runs of those to merge them — at 7.3 million rows about
    // 1.5 s of CPU after each ingest, and more at the next run's checkpoint. Scans cost the same
    // over the unmerged row groups, and the file is smaller (docs/performance.md). govmon deletes
    // almost nothing (the month aggregates it recomputes); a row group whose rows are all deleted is
    // still dropped.
    options.max_vacuum_tasks = '0';
    let instance: DuckDBInstance;
    try {
      instance = await DuckDBInstance.create(p, options);
    } catch (e) {
      throw translateOpenError(e, p);
    }
    const conn = await instance.connect();
    await conn.run("SET TimeZone = 'Asia/Shanghai'");
    return new Store(p, instance, conn);
  }

  /**
   * Another connection to this open database, with transactions of its own (DuckDB allows one
   * writing process per file, and many connections inside it). The portal serves pages through
   * one and lends others to the scheduled jobs it runs (docs/operations.md, "the portal").
   * Closing it closes the connection only.
   */
  async connect(): Promise<Store> {
    const conn = await this.instance.connect();
    await conn.run("SET TimeZone = 'Asia/Shanghai'");
    return new Store(this.path, this.instance, conn, false);
  }

  async run(sql: string, params?: Params): Promise<number> {
    this.checkAborted(sql);
    const r = await this.conn.run(sql, params);
    return Number(r.rowsChanged);
  }

  async all<T = Row>(sql: string, params?: Params): Promise<T[]> {
    this.checkAborted(sql);
    const reader = await this.conn.runAndReadAll(sql, params);
    return toRows(reader) as T[];
  }

  /** COPY (query) TO file with DuckDB's COPY options (`FORMAT parquet`, …); the rows written. */
  async copy(query: string, file: string, options: string): Promise<number> {
    return this.run(`COPY (${query}) TO ${sqlString(file)} (${options})`);
  }

  /**
   * Stop the work under way (SIGTERM of the scheduler): the running query is interrupted and every
   * further statement but ROLLBACK fails, so the open transaction rolls back and nothing half-done
   * is committed.
   */
  abort(reason: string): void {
    this.aborted = reason;
    try {
      this.conn.interrupt();
    } catch {
      // nothing running
    }
  }

  get isAborted(): boolean {
    return this.aborted !== null;
  }

  private checkAborted(sql: string): void {
    if (this.aborted !== null && !/^\s*ROLLBACK\b/i.test(sql)) throw new AbortedError(this.aborted);
  }

  async one<T = Row>(sql: string, params?: Params): Promise<T | undefined> {
    return (await this.all<T>(sql, params))[0];
  }

  async value<T = unknown>(sql: string, params?: Params): Promise<T> {
    const r = await this.one<Row>(sql, params);
    return (r ? Object.values(r)[0] : undefined) as T;
  }

  /** Run `fn` in a transaction: committed if it returns, rolled back if it throws. */
  async tx<T>(fn: () => Promise<T>): Promise<T> {
    await this.run('BEGIN TRANSACTION');
    try {
      const out = await fn();
      await this.run('COMMIT');
      return out;
    } catch (e) {
      try {
        await this.conn.run('ROLLBACK');
      } catch {
        // the transaction may already be aborted by DuckDB; nothing to undo then
      }
      throw e;
    }
  }

  /**
   * A checkpoint (the write-ahead log written into the database file) on a connection of its own,
   * while this one goes on reading: the work the next commit past the log's threshold, or the
   * close, would otherwise do on the way (docs/performance.md). Settle it before writing again.
   */
  async checkpointAside(): Promise<void> {
    if (this.inMemory) return;
    const conn = await this.instance.connect();
    try {
      await conn.run('CHECKPOINT');
    } finally {
      conn.closeSync();
    }
  }

  /**
   * Hand back to the system the memory DuckDB's allocator keeps after the queries that used it
   * have finished: after reading a month's results for the dashboard, about 0.5 GB at 20,000
   * systems that would otherwise stay resident. DuckDB flushes its allocator when the memory
   * limit is set, so it is set to the value it has, as DuckDB reports it (to a tenth of a GiB;
   * docs/performance.md).
   */
  async releaseMemory(): Promise<void> {
    const limit = await this.value<string>("SELECT current_setting('memory_limit')");
    await this.run(`SET memory_limit = ${sqlString(limit)}`);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.conn.closeSync();
    if (this.ownsInstance) this.instance.closeSync();
  }
}

function translateOpenError(e: unknown, p: string): Error {
  const msg = e instanceof Error ? e.message : String(e);
  const lock = /Could not set lock on file.*?(?:PID (\d+))?/s.exec(msg);
  if (lock) {
    const pid = /PID (\d+)/.exec(msg)?.[1];
    return new UserError(
      `数据库 ${p} 正被另一个 govmon 进程${pid ? `（PID ${pid}）` : ''}使用（例如定时任务守护进程），请待其完成后重试，或停止该进程。`,
      1,
    );
  }
  if (/not a valid DuckDB database|Unable to open database|IO Error/i.test(msg)) {
    return new UserError(`无法打开数据库 ${p}：${msg.split('\n')[0]}`, 1);
  }
  return e instanceof Error ? e : new Error(msg);
}

const TIMESTAMPS: ReadonlySet<DuckDBTypeId> = new Set([
  DuckDBTypeId.TIMESTAMP,
  DuckDBTypeId.TIMESTAMP_TZ,
  DuckDBTypeId.TIMESTAMP_MS,
  DuckDBTypeId.TIMESTAMP_S,
]);
const EXACT_NUMBERS: ReadonlySet<DuckDBTypeId> = new Set([
  DuckDBTypeId.BIGINT,
  DuckDBTypeId.HUGEINT,
  DuckDBTypeId.UBIGINT,
  DuckDBTypeId.DECIMAL,
]);

/**
 * One value of a result as a plain row holds it: integers and decimals as numbers (from their
 * exact text), DATE as 'YYYY-MM-DD', timestamps as ISO text, anything else (text, booleans, lists,
 * structs) as @duckdb/node-api's JS conversion gives it.
 */
const plainValue: DuckDBValueConverter<unknown> = (value, type) => {
  if (value === null || value === undefined) return null;
  const t = type.typeId;
  if (t === DuckDBTypeId.DATE) return JsonDuckDBValueConverter(value, type, JsonDuckDBValueConverter);
  if (TIMESTAMPS.has(t)) return (JSDuckDBValueConverter(value, type, JSDuckDBValueConverter) as Date).toISOString();
  if (EXACT_NUMBERS.has(t)) return Number(JsonDuckDBValueConverter(value, type, JsonDuckDBValueConverter));
  if (t === DuckDBTypeId.DOUBLE || t === DuckDBTypeId.FLOAT) {
    // NaN and ±Infinity come as text
    const v = JsonDuckDBValueConverter(value, type, JsonDuckDBValueConverter);
    return typeof v === 'string' ? Number(v) : v;
  }
  return JSDuckDBValueConverter(value, type, JSDuckDBValueConverter);
};

/** Text types whose values repeat from row to row (ids, names, months): kept once per result. */
const SHARED_TEXT: ReadonlySet<DuckDBTypeId> = new Set([DuckDBTypeId.VARCHAR, DuckDBTypeId.DATE]);

/** Convert a result to plain rows: integers as numbers, DATE as 'YYYY-MM-DD', timestamps as ISO text. Each value is converted once. */
export function toRows(reader: DuckDBResultReader): Row[] {
  const names = reader.columnNames();
  // A text value that occurs again in the result is the same string, not a copy per row: 240,000
  // metric rows name 20,000 systems and 12 months (docs/performance.md).
  const seen = new Map<string, string>();
  const convert: DuckDBValueConverter<unknown> = (value, type, c) => {
    const v = plainValue(value, type, c);
    if (typeof v !== 'string' || !SHARED_TEXT.has(type.typeId) || v.length > 64) return v;
    const known = seen.get(v);
    if (known !== undefined) return known;
    seen.set(v, v);
    return v;
  };
  // keyed by column name (a name given twice: its first column, as @duckdb/node-api keys row objects)
  const first = names.flatMap((n, i) => (names.indexOf(n) === i ? [i] : []));
  // Each row is a copy of one object holding every key, then filled: V8 keeps such objects compact
  // (one shape for all rows). Keys added one by one to an empty object turn it into a hash table
  // past 16 or so: 1.8 KB instead of 0.4 KB for a row of 26 metrics (docs/performance.md).
  const shape: Row = Object.fromEntries(first.map((i) => [names[i], null]));
  return reader.convertRows(convert).map((values) => {
    const out: Row = { ...shape };
    for (const i of first) out[names[i]] = values[i] ?? null;
    return out;
  });
}
