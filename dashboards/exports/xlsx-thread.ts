// The XLSX lists of a run's exports are written on a worker thread (docs/performance.md): ExcelJS
// is JavaScript, and on the main thread each list held up the statements that drive DuckDB's CSV
// writing. The worker gets a list's rows (structured clone: plain rows, no functions; the export
// kind by name) and writes the file as writeXlsxExport would here. If the worker cannot start or
// dies (no compiled build, a restricted runtime), what it had not written is written here.
// A list the worker fails to write is an error like any other: it is not written a second time.

import { Worker } from 'node:worker_threads';
import { workerScript } from '../../core/paths.ts';
import { UserError } from '../../core/errors.ts';
import { writeXlsxExport, type ExportResult, type XlsxData } from './write.ts';

const WORKER = workerScript(import.meta.url, 'dashboards/exports/xlsx-worker.js');

/** A list as it crosses to the worker: its export kind by name. */
export interface XlsxJob {
  id: number;
  kind: string;
  data: Omit<XlsxData, 'spec'>;
  file: string;
}

export type XlsxReply = { id: number; result: ExportResult } | { id: number; error: { message: string; name: string; exitCode?: number } };

/** The error a reply carries, as it would have been thrown here. */
export function replyError(e: { message: string; name: string; exitCode?: number }): Error {
  if (e.exitCode !== undefined) {
    const u = new UserError(e.message, e.exitCode);
    u.name = e.name;
    return u;
  }
  const err = new Error(e.message);
  err.name = e.name;
  return err;
}

interface Pending {
  data: XlsxData;
  file: string;
  resolve: (r: ExportResult) => void;
  reject: (e: unknown) => void;
}

export class XlsxThread {
  private worker: Worker | null;
  private readonly pending = new Map<number, Pending>();
  private next = 1;
  private closed = false;

  /** `script`: the worker's script (a test names one that does not exist, to see the lists written here instead) */
  constructor(script = WORKER) {
    try {
      this.worker = new Worker(script, { execArgv: [] });
    } catch {
      this.worker = null;
      return;
    }
    this.worker.on('message', (m: XlsxReply) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if ('result' in m) p.resolve(m.result);
      else p.reject(replyError(m.error));
    });
    // the worker could not start or died: what it holds is written here (unless it was stopped)
    const lost = () => {
      this.worker = null;
      const left = [...this.pending.values()];
      this.pending.clear();
      for (const p of left)
        if (this.closed) p.reject(new Error('XLSX worker stopped before the file was written'));
        else writeXlsxExport(p.data, p.file).then(p.resolve, p.reject);
    };
    this.worker.once('error', lost);
    this.worker.once('exit', lost);
  }

  /** Write a prepared list (prepareXlsxExport) to `file`. */
  write(data: XlsxData, file: string): Promise<ExportResult> {
    if (this.closed) return Promise.reject(new Error('XLSX worker already stopped'));
    if (!this.worker) return writeXlsxExport(data, file);
    const { spec, ...rest } = data;
    const job: XlsxJob = { id: this.next++, kind: spec.kind, data: rest, file };
    return new Promise<ExportResult>((resolve, reject) => {
      this.pending.set(job.id, { data, file, resolve, reject });
      this.worker!.postMessage(job);
    });
  }

  /** Stop the worker. A caller awaits its lists first; a list still pending is then rejected, not written. */
  async close(): Promise<void> {
    this.closed = true;
    const w = this.worker;
    this.worker = null;
    if (w) await w.terminate();
  }
}
