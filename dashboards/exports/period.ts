// What a run leaves on disk for people: the month's lists and tables (CSV for machines, XLSX for
// people) under exports/<YYYY-MM>/, the year's under exports/<YYYY>/. Written to a temporary
// folder and renamed into place, so a folder is either complete or absent.

import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { currentMonthRun, incompleteMonthNote, monthRunAsOf, type Results } from '../../pipelines/read.ts';
import { prepareXlsxExport, writeExport, type ExportOptions, type Period } from './write.ts';
import { XlsxThread } from './xlsx-thread.ts';

export const MONTH_EXPORTS = [
  'metrics',
  'rectification',
  'elimination',
  'rightsizing',
  'reclaimed',
  'sharing',
  'calendar',
  'costshare',
] as const;
export const YEAR_EXPORTS = ['scores', 'budget', 'sharing', 'calendar', 'costshare'] as const;
/** The lists a person reads, signs or forwards also get an XLSX; the rest (one row per system,
 *  tens of thousands in a large city) are CSV, which any spreadsheet opens. */
export const XLSX_EXPORTS: ReadonlySet<string> = new Set(['rectification', 'elimination', 'rightsizing', 'scores', 'budget', 'costshare']);

/** The note beside the exports of a month that has not ended. */
export const INCOMPLETE_NOTE_FILE = '本月尚未结束.txt';

/** Replace `dir` atomically by what `fill(tmp)` writes into a sibling temporary folder. */
export async function replaceDirAtomically(dir: string, fill: (tmp: string) => Promise<void>): Promise<void> {
  const parent = path.dirname(path.resolve(dir));
  fs.mkdirSync(parent, { recursive: true });
  const tmp = path.join(parent, `.${path.basename(dir)}.tmp-${process.pid}-${crypto.randomBytes(4).toString('hex')}`);
  fs.mkdirSync(tmp);
  try {
    await fill(tmp);
    const old = fs.existsSync(dir) ? `${tmp}.old` : null;
    if (old) fs.renameSync(dir, old);
    fs.renameSync(tmp, dir);
    if (old) fs.rmSync(old, { recursive: true, force: true });
  } catch (e) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
}

export async function writePeriodExports(
  store: Results,
  exportsRoot: string,
  period: Period,
  kinds: readonly string[],
  opts: ExportOptions = {},
  /** the folder's name under the root; defaults to the month or the year */
  folder?: string,
): Promise<string> {
  const name = folder ?? period.month ?? String(period.year);
  const dir = path.join(exportsRoot, name);
  await replaceDirAtomically(dir, async (tmp) => {
    // The XLSX files are written on a worker thread (xlsx-thread.ts) while DuckDB goes on on its
    // own: DuckDB reads the lists' rows one statement at a time (one connection), then writes the
    // CSVs; each XLSX is handed to the worker as soon as its rows are read.
    const thread = kinds.some((k) => XLSX_EXPORTS.has(k)) ? new XlsxThread() : null;
    const sheets: Promise<unknown>[] = [];
    try {
      const duckdb = (async () => {
        for (const k of kinds)
          if (thread && XLSX_EXPORTS.has(k)) {
            const sheet = thread.write(await prepareXlsxExport(store, k, period, opts), path.join(tmp, `${k}.xlsx`));
            sheet.catch(() => undefined); // reported below, once DuckDB's part is done too
            sheets.push(sheet);
          }
        for (const k of kinds) await writeExport(store, k, period, path.join(tmp, `${k}.csv`));
      })();
      const read = await Promise.allSettled([duckdb]);
      // every XLSX is handed over once DuckDB's part has ended
      const written = await Promise.allSettled(sheets);
      for (const r of [...read, ...written]) if (r.status === 'rejected') throw r.reason;
    } finally {
      await thread?.close();
    }
    // A month that has not ended says so beside its lists (CSV has no place for a note; the XLSX
    // carry it on their 说明 sheet). A finished month's folder is as it always was.
    if (period.month) {
      const asOf = await monthRunAsOf(store, await currentMonthRun(store, period));
      if (asOf) fs.writeFileSync(path.join(tmp, INCOMPLETE_NOTE_FILE), `${incompleteMonthNote(asOf)}\n`);
    }
  });
  return dir;
}
