// `govmon backup --out DIR` and `govmon restore DIR` (pipelines/store/backup.ts): the sample city,
// ingested, run and evaluated, goes out as Parquet (DuckDB EXPORT DATABASE) with its raw-file
// archive and comes back into a new database equal to it table by table and row by row (rowid
// order kept, so "the later row of a file wins" still holds), with the same exports, sequences
// that go on where they were, and an archive that still knows every file. A restore refuses a
// target that holds data unless --force, a damaged backup, and a target in use — leaving the
// target as it was.

import fs from 'node:fs';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Store } from '../pipelines/store/database.ts';
import { migrate } from '../pipelines/store/migrate.ts';
import { ingestFile, ingestPaths } from '../pipelines/ingest/ingest.ts';
import { runMonth } from '../pipelines/run/month.ts';
import { evaluateYear } from '../pipelines/run/year.ts';
import { loadProfile } from '../pipelines/profiles.ts';
import { writeExport } from '../dashboards/exports/write.ts';
import { lastFullMonth } from '../core/clock.ts';
import { sqlString } from '../core/sql.ts';
import { MANIFEST } from '../pipelines/store/backup.ts';
import { sampleCity } from './fixtures/sample-cache.ts';
import { sampled, tempDir } from './helpers.ts';
import {
  checkArchive,
  cli,
  expectCleanMessage,
  fingerprint,
  nextSequenceValues,
  prng,
  sleep,
  startCli,
  testSeed,
  walk,
} from './fixtures/reliability.ts';

const MONTH = lastFullMonth(new Date());
const NOW = new Date();
const profile = loadProfile('default');

let root: string;
let source: string;
let backup: string;
let evalYear: number;
let dupSystem: string;

async function fingerprintOf(db: string, volatile: Record<string, string[]> = {}): Promise<Record<string, string>> {
  const store = await Store.open(db);
  let fp: Record<string, string>;
  try {
    fp = await fingerprint(store, volatile);
    // and what the views make of the rows, order-dependent ties included
    for (const v of ['systems_current', 'telemetry_current', 'catalog_current', 'om_report_current', 'month_runs', 'year_runs'])
      fp[`rows of ${v}`] = String(await store.value(`SELECT coalesce(sum(hash(x)::HUGEINT), 0)::VARCHAR FROM ${v} x`));
  } finally {
    store.close();
  }
  // sequences by the value they give next (their reported last_value depends on the session)
  for (const k of Object.keys(fp)) if (k.startsWith('sequence ')) delete fp[k];
  return { ...fp, ...(await nextSequenceValues(db)) };
}

async function exportsOf(db: string, dir: string): Promise<Map<string, Buffer>> {
  const store = await Store.open(db, { readOnly: true });
  const out = new Map<string, Buffer>();
  try {
    for (const [kind, period] of [
      ['metrics', { month: MONTH }],
      ['elimination', { month: MONTH }],
      ['sharing', { month: MONTH }],
      ['scores', { year: evalYear }],
      ['budget', { year: evalYear }],
      ['rejects', {}],
    ] as const) {
      const f = path.join(dir, `${kind}.csv`);
      await writeExport(store, kind, period, f);
      out.set(kind, fs.readFileSync(f));
    }
  } finally {
    store.close();
  }
  return out;
}

beforeAll(async () => {
  root = tempDir('govmon-backup-');
  source = path.join(root, 'source', 'g.duckdb');
  backup = path.join(root, 'backup');
  const sample = await sampleCity({ outDir: path.join(root, 'sample'), endMonth: MONTH, systems: 150 });
  evalYear = sample.planted.evalYear;
  const store = await Store.open(source);
  try {
    await migrate(store);
    await ingestPaths(store, sample.files, { now: NOW });
    // One more file in which a key appears twice: the later row wins, by rowid.
    dupSystem = (await store.value<string>(`SELECT min(system_id) FROM systems_current WHERE stage = 'operation' AND NOT classified`))!;
    const dup = path.join(root, 'dup.csv');
    fs.writeFileSync(dup, `system_id,date,cpu_avg_pct,cpu_max_pct\n${dupSystem},${MONTH}-01,11,20\n${dupSystem},${MONTH}-01,77,90\n`);
    expect((await ingestFile(store, dup, { now: NOW })).status).toBe('loaded');
    await runMonth(store, { month: MONTH, profile, now: NOW });
    await evaluateYear(store, { year: evalYear, profile, now: NOW });
  } finally {
    store.close();
  }
});

afterAll(() => {
  fs.rmSync(root, { recursive: true, force: true });
});

describe('govmon backup --out DIR', () => {
  it('writes every table as Parquet with DuckDB’s schema.sql and load.sql, a manifest, and the raw-file archive', async () => {
    const r = await cli(['--db', source, 'backup', '--out', backup]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/已备份数据库/);
    const files = fs.readdirSync(backup).sort();
    for (const f of [
      'schema.sql',
      'load.sql',
      MANIFEST,
      'archive',
      'raw_telemetry.parquet',
      'files.parquet',
      'runs.parquet',
      'res_metrics.parquet',
      'schema_migrations.parquet',
    ])
      expect(files).toContain(f);
    const manifest = JSON.parse(fs.readFileSync(path.join(backup, MANIFEST), 'utf8'));
    expect(manifest.tables.raw_telemetry).toBeGreaterThan(10_000);
    // the archive holds every file the database refers to, each under its own hash
    const store = await Store.open(source, { readOnly: true });
    const shas = (await store.all<{ sha256: string }>('SELECT DISTINCT sha256 FROM files')).map((x) => x.sha256);
    store.close();
    const archived = checkArchive(path.join(backup, 'archive'));
    expect(archived.bad).toEqual([]);
    expect([...archived.files.keys()].sort()).toEqual(shas.sort());
  });

  it('refuses a folder that is not empty', async () => {
    const r = await cli(['--db', source, 'backup', '--out', backup]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^错误：备份文件夹 .+ 已存在且不为空/);
    expect(expectCleanMessage(r.stderr)).toEqual([]);
  });

  it('can be imported by DuckDB alone (IMPORT DATABASE), without govmon', async () => {
    const inst = await DuckDBInstance.create(':memory:');
    const c = await inst.connect();
    try {
      await c.run(`IMPORT DATABASE ${sqlString(backup)}`);
      const n = (await c.runAndReadAll('SELECT count(*)::INTEGER AS n FROM telemetry_current')).getRowObjects()[0].n;
      expect(n).toBeGreaterThan(10_000);
    } finally {
      c.closeSync();
      inst.closeSync();
    }
  });
});

describe('govmon restore DIR', () => {
  const target = () => path.join(root, 'restored', 'g.duckdb');

  it('brings the sample city back: every table, row and row order, the views, the sequences and the exports', async () => {
    const r = await cli(['--db', target(), 'restore', backup]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/已从 .+ 恢复数据库/);
    // archive paths now point beside the restored database; everything else is identical
    expect(await fingerprintOf(target(), { files: ['archive_path'] })).toEqual(await fingerprintOf(source, { files: ['archive_path'] }));
    const store = await Store.open(target());
    try {
      const paths = await store.all<{ sha256: string; archive_path: string }>('SELECT sha256, archive_path FROM files');
      for (const p of paths) {
        expect(p.archive_path.startsWith(path.join(path.dirname(target()), 'archive') + path.sep)).toBe(true);
        expect(fs.existsSync(p.archive_path), p.archive_path).toBe(true);
      }
      // the later row of the same key in one file still wins
      expect(
        await store.value<number>(`SELECT cpu_avg_pct FROM telemetry_current WHERE system_id = $1 AND date = $2::DATE`, [
          dupSystem,
          `${MONTH}-01`,
        ]),
      ).toBe(77);
    } finally {
      store.close();
    }
    const a = await exportsOf(source, path.join(root, 'exports-source'));
    const b = await exportsOf(target(), path.join(root, 'exports-restored'));
    for (const [k, v] of a) expect(b.get(k)!.equals(v), k).toBe(true);
  });

  it('goes on where the database was: new file and run ids, the same bytes recognised as already ingested', async () => {
    const store = await Store.open(target());
    try {
      const maxFile = await store.value<number>('SELECT max(file_id) FROM files');
      const maxRun = await store.value<number>('SELECT max(run_id) FROM runs');
      const again = await ingestFile(store, path.join(root, 'dup.csv'), { now: NOW });
      expect(again.status).toBe('duplicate');
      const fresh = path.join(root, 'fresh.csv');
      fs.writeFileSync(fresh, `system_id,date,cpu_avg_pct\n${dupSystem},${MONTH}-02,55\n`);
      const o = await ingestFile(store, fresh, { now: NOW });
      expect(o.status).toBe('loaded');
      expect(o.fileId).toBeGreaterThan(maxFile);
      const run = await runMonth(store, { month: MONTH, profile, now: NOW });
      expect(run.runId).toBeGreaterThan(maxRun);
    } finally {
      store.close();
    }
  });

  it('refuses a target that holds data unless --force, and then replaces it', async () => {
    const before = await fingerprintOf(target());
    const r = await cli(['--db', target(), 'restore', backup]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^错误：目标数据库 .+ 已有数据（\d+ 行），恢复会替换全部内容；如确需替换，请加 --force/);
    expect(expectCleanMessage(r.stderr)).toEqual([]);
    expect(await fingerprintOf(target())).toEqual(before);
    const f = await cli(['--db', target(), 'restore', '--force', backup]);
    expect(f.code, f.stderr).toBe(0);
    expect(await fingerprintOf(target(), { files: ['archive_path'] })).toEqual(await fingerprintOf(source, { files: ['archive_path'] }));
  });

  it('refuses a damaged backup and a target in use, leaving the target as it was and no stray files', async () => {
    const damaged = path.join(root, 'damaged');
    fs.cpSync(backup, damaged, { recursive: true });
    const pq = path.join(damaged, 'raw_telemetry.parquet');
    fs.truncateSync(pq, Math.floor(fs.statSync(pq).size / 2));
    const before = await fingerprintOf(target());
    const listing = () => fs.readdirSync(path.dirname(target())).sort();
    const files = listing();
    const r = await cli(['--db', target(), 'restore', '--force', damaged]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^错误：备份 .+ 不完整或已损坏，未做任何恢复：raw_telemetry\.parquet（内容与清单不符）/);
    expect(await fingerprintOf(target())).toEqual(before);
    expect(listing()).toEqual(files);

    const notBackup = await cli(['--db', target(), 'restore', '--force', path.join(root, 'sample')]);
    expect(notBackup.code).toBe(1);
    expect(notBackup.stderr).toMatch(/不是 govmon 备份文件夹/);

    const holder = await Store.open(target());
    try {
      const busy = await cli(['--db', target(), 'restore', '--force', backup]);
      expect(busy.code).toBe(1);
      expect(busy.stderr).toMatch(/^错误：数据库 .+ 正被另一个 govmon 进程（PID \d+）使用/);
    } finally {
      holder.close();
    }
    expect(await fingerprintOf(target())).toEqual(before);
    expect(listing()).toEqual(files);
  });

  it('killed with SIGKILL at random points, leaves the target either as it was or fully restored', async () => {
    // A target holding other data (the lean restore of the next test would do; build one here).
    const t = path.join(root, 'kill-target', 'g.duckdb');
    const other = await Store.open(t);
    try {
      await migrate(other);
      const reg = path.join(root, 'other-systems.csv');
      fs.writeFileSync(reg, 'system_id,system_name,department,stage\nOTHER-1,另一个系统,市数据局,运行\n');
      expect((await ingestFile(other, reg, { now: NOW })).status).toBe('loaded');
    } finally {
      other.close();
    }
    const old = await fingerprintOf(t);
    const oldCopy = path.join(root, 'kill-target-old.duckdb');
    fs.copyFileSync(t, oldCopy);
    const restored = await fingerprintOf(source, { files: ['archive_path'] });
    const ref = await cli(['--db', path.join(root, 'kill-ref', 'g.duckdb'), 'restore', backup]);
    expect(ref.code, ref.stderr).toBe(0);
    const seed = testSeed('restore kill points');
    const rand = prng(seed);
    const outcomes: string[] = [];
    // 3 kills in `npm test`, 5 in `npm run test:full`
    for (let i = 0; i < sampled(3, 5); i++) {
      const delay = Math.round(rand() * ref.ms);
      const { child, done } = startCli(['--db', t, 'restore', '--force', backup]);
      await sleep(delay);
      child.kill('SIGKILL');
      await done;
      const now = await fingerprintOf(t, { files: ['archive_path'] });
      const state =
        JSON.stringify(await fingerprintOf(t)) === JSON.stringify(old)
          ? 'old'
          : JSON.stringify(now) === JSON.stringify(restored)
            ? 'restored'
            : 'MIXED';
      outcomes.push(`${delay}ms:${state}`);
      expect(state, `kill ${i} after ${delay} ms`).not.toBe('MIXED');
      if (state === 'restored') fs.copyFileSync(oldCopy, t); // the next kill starts from the old data again
    }
    console.log(`restore (${Math.round(ref.ms)} ms uninterrupted): ${outcomes.join(' ')}`);
    // Left-overs of a killed restore are its temporary file, never the target: a later restore succeeds.
    const done = await cli(['--db', t, 'restore', '--force', backup]);
    expect(done.code, done.stderr).toBe(0);
    expect(await fingerprintOf(t, { files: ['archive_path'] })).toEqual(restored);
  });

  it('leaves the archive out with --no-archive, and says so', async () => {
    const lean = path.join(root, 'lean');
    const r = await cli(['--db', source, 'backup', '--no-archive', '--out', lean]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/未包含（--no-archive）/);
    expect(fs.existsSync(path.join(lean, 'archive'))).toBe(false);
    const t = path.join(root, 'lean-restored', 'g.duckdb');
    expect((await cli(['--db', t, 'restore', lean])).code).toBe(0);
    // without an archive to restore, the file register keeps pointing at the original archive
    expect(await fingerprintOf(t)).toEqual(await fingerprintOf(source));
    expect(walk(path.join(path.dirname(t), 'archive'))).toEqual([]);
  });
});
