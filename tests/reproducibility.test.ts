// Reproducibility (docs/operations.md §9): the same inputs and profile, ingested and run twice in two fresh
// databases with the same "now", give byte-identical exports of every kind in every format (CSV,
// JSON, Parquet and XLSX — the XLSX writer's zip timestamps are fixed for that, and no export holds
// the wall-clock time of its run: the runs here start at their real, different times); re-running a month
// in the same database gives the same decisions under a new run id; and the decisions of an
// earlier run can still be exported, byte for byte, after new data has arrived and the month has
// been run again (`govmon export --run ID`).

import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Store } from '../pipelines/store/database.ts';
import { migrate } from '../pipelines/store/migrate.ts';
import { ingestFile, ingestPaths } from '../pipelines/ingest/ingest.ts';
import { runMonth } from '../pipelines/run/month.ts';
import { evaluateYear } from '../pipelines/run/year.ts';
import { loadProfile } from '../pipelines/profiles.ts';
import { EXPORTS, writeExport, type Period } from '../dashboards/exports/write.ts';
import { addMonths, lastFullMonth } from '../core/clock.ts';
import { sampleCity } from './fixtures/sample-cache.ts';
import { tempDir } from './helpers.ts';
import { cli, parseCsv, walk } from './fixtures/reliability.ts';

const MONTH = lastFullMonth(new Date());
const FORMATS = ['csv', 'json', 'parquet', 'xlsx'] as const;
const profile = loadProfile('default');

let root: string;
let sample: Awaited<ReturnType<typeof sampleCity>>;
// One fixed "now" for both databases (the today of every deadline rule). The runs keep the real
// wall clock; the ingest clock is fixed too, because the rejects export lists when each file was
// ingested — the one wall-clock time an export carries, a fact of the ingest, not of the inputs.
const NOW = new Date(Math.floor(Date.now() / 1000) * 1000);

interface Built {
  db: string;
  exports: string;
  monthRun: number;
  yearRun: number;
}

function periodOf(kind: string, evalYear: number): Period {
  const spec = EXPORTS[kind];
  return spec.period === 'year' ? { year: evalYear } : kind === 'rejects' ? {} : { month: MONTH };
}

/** Every export kind in every format of the current runs, into `dir`. */
async function exportAll(store: Store, dir: string, evalYear: number): Promise<void> {
  for (const kind of Object.keys(EXPORTS))
    for (const ext of FORMATS) await writeExport(store, kind, periodOf(kind, evalYear), path.join(dir, `${kind}.${ext}`));
}

async function build(name: string): Promise<Built> {
  const dir = path.join(root, name);
  const db = path.join(dir, 'g.duckdb');
  const store = await Store.open(db);
  try {
    await migrate(store);
    await ingestPaths(store, sample.files, { now: NOW, clock: () => NOW });
    await runMonth(store, { month: addMonths(MONTH, -1), profile, now: NOW });
    const m = await runMonth(store, { month: MONTH, profile, now: NOW });
    const y = await evaluateYear(store, { year: sample.planted.evalYear, profile, now: NOW });
    await exportAll(store, path.join(dir, 'exports'), sample.planted.evalYear);
    return { db, exports: path.join(dir, 'exports'), monthRun: m.runId, yearRun: y.runId };
  } finally {
    store.close();
  }
}

let a: Built;
let b: Built;

beforeAll(async () => {
  root = tempDir('govmon-repro-');
  sample = await sampleCity({ outDir: path.join(root, 'sample'), endMonth: MONTH, systems: 150 });
  a = await build('a');
  b = await build('b');
});

afterAll(() => {
  fs.rmSync(root, { recursive: true, force: true });
});

/** The rows of a CSV export without its run_id column (for comparing two runs of one database). */
function withoutRunId(file: string): string[][] {
  const [header, ...rows] = parseCsv(fs.readFileSync(file, 'utf8').replace(/^\uFEFF/, ''));
  const i = header.indexOf('run_id');
  expect(i).toBeGreaterThanOrEqual(0);
  return [header, ...rows].map((r) => r.filter((_, k) => k !== i));
}

describe('the same inputs and profile, twice', () => {
  it('give byte-identical exports of every kind in CSV, JSON, Parquet and XLSX in two fresh databases', () => {
    const files = walk(a.exports).map((f) => path.relative(a.exports, f));
    expect(files.length).toBe(Object.keys(EXPORTS).length * FORMATS.length);
    expect(walk(b.exports).map((f) => path.relative(b.exports, f))).toEqual(files);
    expect(a.monthRun).toBe(b.monthRun);
    const differ = files.filter((f) => !fs.readFileSync(path.join(a.exports, f)).equals(fs.readFileSync(path.join(b.exports, f))));
    expect(differ).toEqual([]);
    // and they hold decisions, not empty lists
    expect(fs.readFileSync(path.join(a.exports, 'elimination.csv'), 'utf8').split('\n').length).toBeGreaterThan(3);
  });

  it('re-running the month in the same database gives the same decisions under a new run id', async () => {
    const again = path.join(root, 'a', 'again');
    const store = await Store.open(a.db);
    try {
      const r = await runMonth(store, { month: MONTH, profile, now: NOW });
      expect(r.runId).not.toBe(a.monthRun);
      for (const kind of ['metrics', 'rectification', 'elimination', 'rightsizing', 'sharing', 'calendar'])
        await writeExport(store, kind, { month: MONTH }, path.join(again, `${kind}.csv`));
      // the earlier run is still there, by its id
      await writeExport(store, 'elimination', { runId: a.monthRun }, path.join(again, 'elimination-first.csv'));
    } finally {
      store.close();
    }
    for (const kind of ['metrics', 'rectification', 'elimination', 'rightsizing', 'sharing', 'calendar'])
      expect(withoutRunId(path.join(again, `${kind}.csv`)), kind).toEqual(withoutRunId(path.join(a.exports, `${kind}.csv`)));
    expect(
      fs.readFileSync(path.join(again, 'elimination-first.csv')).equals(fs.readFileSync(path.join(a.exports, 'elimination.csv'))),
    ).toBe(true);
  });
});

describe('govmon export --run ID after new data', () => {
  it('exports the earlier run’s decisions byte for byte, while the current run shows the new data', async () => {
    // New data: a corrected export for the month in which one listed system was in use after all.
    const eliminated = fs
      .readFileSync(path.join(b.exports, 'elimination.csv'), 'utf8')
      .replace(/^\uFEFF/, '')
      .split('\n')
      .slice(1)
      .filter((l) => l && /,false,/.test(l))
      .map((l) => l.split(',')[0]);
    expect(eliminated.length).toBeGreaterThan(0);
    const id = eliminated[0];
    const [y, m] = MONTH.split('-').map(Number);
    const days = new Date(Date.UTC(y, m, 0)).getUTCDate();
    const correction = path.join(root, 'correction.csv');
    fs.writeFileSync(
      correction,
      'system_id,date,cpu_avg_pct,cpu_max_pct,mem_avg_pct,storage_used_gb,active_users,requests,availability_pct,open_high_vulns\n' +
        Array.from({ length: days }, (_, i) => `${id},${MONTH}-${String(i + 1).padStart(2, '0')},35,80,50,10,120,9000,99.9,0`).join('\n') +
        '\n',
    );
    // ingested, the month run again and the year evaluated again, in this process (the command under
    // test is `govmon export`)
    const store = await Store.open(b.db);
    try {
      expect((await ingestFile(store, correction, { now: NOW })).status).toBe('loaded');
      const rerun = await runMonth(store, { month: MONTH, profile, now: NOW });
      expect(rerun.runId).toBeGreaterThan(b.monthRun);
      const reeval = await evaluateYear(store, { year: sample.planted.evalYear, profile, now: NOW });
      expect(reeval.runId).toBeGreaterThan(b.yearRun);
    } finally {
      store.close();
    }

    const out = path.join(root, 'b', 'earlier');
    const earlier = (kind: string, ext: string, run: number) =>
      cli(['--db', b.db, 'export', kind, '--run', String(run), '--out', path.join(out, `${kind}.${ext}`)]);
    for (const [kind, run] of [
      ['elimination', b.monthRun],
      ['rectification', b.monthRun],
      ['metrics', b.monthRun],
      ['budget', b.yearRun],
    ] as const) {
      const r = await earlier(kind, 'csv', run);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain(`运行编号 ${run}`);
      expect(fs.readFileSync(path.join(out, `${kind}.csv`)).equals(fs.readFileSync(path.join(b.exports, `${kind}.csv`))), kind).toBe(true);
    }
    const x = await earlier('elimination', 'xlsx', b.monthRun);
    expect(x.code, x.stderr).toBe(0);
    expect(fs.readFileSync(path.join(out, 'elimination.xlsx')).equals(fs.readFileSync(path.join(b.exports, 'elimination.xlsx')))).toBe(
      true,
    );

    // The current run has taken the correction: the system is no longer on the elimination list.
    const current = path.join(root, 'b', 'current-elimination.csv');
    expect((await cli(['--db', b.db, 'export', 'elimination', '--month', MONTH, '--out', current])).code).toBe(0);
    expect(fs.readFileSync(current, 'utf8')).not.toMatch(new RegExp(`^${id},`, 'm'));
    expect(fs.readFileSync(path.join(out, 'elimination.csv'), 'utf8')).toMatch(new RegExp(`^(\\uFEFF)?${id},`, 'm'));
  });
});
