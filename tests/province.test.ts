// The province roll-up (docs/province.md §10) with the two sample cities: each published as
// Hive-partitioned Parquet with a manifest, read back by an independent reader (hyparquet, pure
// JavaScript) with the same row counts and no classified system in any file; rolled up into a
// province database whose per-city figures equal each city's own overview; a second publish of a
// month replaces its partitions; a tampered file is refused by its manifest hash. Also checks the
// sample city's seasonal and cost-sharing results against its planted expectations.

import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { parquetMetadata, parquetReadObjects } from 'hyparquet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Planted } from '../apps/sample/generate.ts';
import { loadProfile } from '../pipelines/profiles.ts';
import { runMonth } from '../pipelines/run/month.ts';
import { Store } from '../pipelines/store/database.ts';
import { publishMonth, type Manifest } from '../dashboards/publish/publish.ts';
import { rollup } from '../pipelines/province/rollup.ts';
import { loadSiteData } from '../dashboards/site/data.ts';
import { buildContext } from '../dashboards/site/context.ts';
import { computeKpis } from '../dashboards/site/kpis.ts';
import { NOW, tempDir } from './helpers.ts';
import { runSampleCity } from './fixtures/sample-cache.ts';

const END = '2026-10';
const PREV = '2026-09';
const PROFILE = loadProfile('default');

interface City {
  code: string;
  store: Store;
  dir: string;
  planted: Planted;
}
const cities: City[] = [];
let work = '';
let pub = '';
const manifests: Record<string, Manifest> = {};

/**
 * A city generated and ingested, PREV and END run and its evaluation year evaluated (the default
 * profile, at NOW): built once per test run and shared (tests/fixtures/sample-cache.ts; 云川市 of 150
 * systems ingested is also the models test's), this file's own copy of the database.
 */
async function makeCity(code: string, opts: { seed?: number; systems: number; city?: string; idPrefix?: string }): Promise<City> {
  const t = await runSampleCity({ endMonth: END, ...opts }, [PREV, END], `${code}.duckdb`);
  return { code, store: t.store, dir: t.dir, planted: t.sample.planted };
}

const files = (dir: string): string[] =>
  fs.readdirSync(dir, { recursive: true, withFileTypes: true }).flatMap((e) => (e.isFile() ? [path.join(e.parentPath, e.name)] : []));

const readParquet = async (file: string) => {
  const b = fs.readFileSync(file);
  const buf = b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
  return { rows: Number(parquetMetadata(buf).num_rows), objects: await parquetReadObjects({ file: buf }) };
};

beforeAll(async () => {
  work = tempDir('govmon-province-');
  pub = path.join(work, 'published');
  cities.push(await makeCity('YC', { systems: 150 }));
  cities.push(await makeCity('HS', { seed: 7, systems: 160, city: '河晟市', idPrefix: 'HS' }));
  for (const c of cities)
    for (const m of [PREV, END])
      manifests[`${c.code}/${m}`] = await publishMonth(c.store, { month: m, outDir: pub, city: c.code, now: NOW, version: '0.0.0-test' });
}, 600_000);

afterAll(() => {
  for (const c of cities) {
    c.store.close();
    fs.rmSync(c.dir, { recursive: true, force: true });
  }
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

describe('publishMonth(store, { month, outDir, city })', () => {
  it('writes DIR/<table>/city=<CODE>/month=<YYYY-MM>/part-0.parquet and a manifest with each file’s SHA-256', () => {
    const m = manifests[`YC/${END}`];
    expect(m.files.map((f) => f.table)).toEqual([
      'metrics',
      'notices',
      'elimination',
      'rightsizing',
      'sharing',
      'costshare',
      'scores',
      'budget',
    ]);
    for (const f of m.files) {
      expect(f.path).toBe(`${f.table}/city=YC/month=${END}/part-0.parquet`);
      expect(fs.existsSync(path.join(pub, f.path))).toBe(true);
    }
    expect([m.run_id, m.year, m.profile, m.profile_sha256, m.govmon_version]).toEqual([
      expect.any(Number),
      2025,
      'default',
      PROFILE.sha256,
      '0.0.0-test',
    ]);
    const onDisk = JSON.parse(fs.readFileSync(path.join(pub, '_manifest', 'city=YC', `month=${END}`, 'manifest.json'), 'utf8'));
    expect(onDisk).toEqual(m);
  });

  it('is read by an independent Parquet reader (hyparquet) with the manifest’s row counts, and the store’s', async () => {
    const c = cities[0];
    const runId = manifests[`YC/${END}`].run_id;
    const counts: Record<string, number> = {
      metrics: await c.store.value<number>(`SELECT count(*) FROM res_metrics WHERE run_id = $1 AND month = '${END}-01'`, [runId]),
      costshare: await c.store.value<number>('SELECT count(*) FROM res_cost_shares WHERE run_id = $1', [runId]),
      elimination: await c.store.value<number>('SELECT count(*) FROM res_elimination WHERE run_id = $1', [runId]),
    };
    for (const f of manifests[`YC/${END}`].files) {
      const r = await readParquet(path.join(pub, f.path));
      expect(r.rows, f.path).toBe(f.rows);
      expect(r.objects.length, f.path).toBe(f.rows);
      if (counts[f.table] !== undefined) expect(f.rows, f.table).toBe(counts[f.table]);
    }
    expect(counts.metrics).toBeGreaterThan(100);
  });

  it('puts no classified system in any published file', async () => {
    const secret = new Set(cities.flatMap((c) => c.planted.classified.flatMap((x) => [x.system_id, x.system_name])));
    expect(secret.size).toBeGreaterThan(0);
    let checked = 0;
    for (const f of files(pub).filter((x) => x.endsWith('.parquet'))) {
      for (const row of (await readParquet(f)).objects)
        for (const v of Object.values(row)) if (typeof v === 'string') expect(secret.has(v), `${f}: ${v}`).toBe(false);
      checked++;
    }
    expect(checked).toBe(2 * 2 * 8);
  });
});

describe('rollup([dirs], { dbPath })', () => {
  it('gives each city the figures of its own overview', async () => {
    const db = path.join(work, 'province.duckdb');
    const r = await rollup({ dirs: [pub], dbPath: db, now: NOW });
    expect([r.cities, r.months]).toEqual([
      ['HS', 'YC'],
      [PREV, END],
    ]);
    const province = await Store.open(db, { readOnly: true });
    try {
      for (const c of cities) {
        const data = await loadSiteData(c.store, END);
        const meta = {
          month: END,
          runId: data.run.runId,
          profileName: 'default',
          profileSha256: PROFILE.sha256,
          builtAt: NOW.toISOString(),
        };
        const k = computeKpis(buildContext(data, PROFILE.profile, null, meta, {}));
        const p = (await province.one<Record<string, number>>('SELECT * FROM province_overview WHERE city = $1 AND month = $2', [
          c.code,
          END,
        ]))!;
        expect([p.monitored, p.flagged, p.rectification, p.elimination, p.exempted, p.reclaim_vcpu, p.sharing_failures], c.code).toEqual([
          k.monitored,
          k.flagged,
          k.rectification,
          k.elimination,
          k.exempted,
          k.reclaimVcpu,
          k.sharingFailures,
        ]);
        expect(p.reclaim_cost_annual, c.code).toBeCloseTo(k.reclaimCostAnnual, 6);
        expect(p.sharing_completeness_pct, c.code).toBeCloseTo(k.sharingCompletenessPct!, 9);
        const grades = Object.fromEntries(['优', '良', '中', '差'].map((g) => [g, data.year!.scores.filter((s) => s.grade === g).length]));
        expect([p.grade_excellent, p.grade_good, p.grade_fair, p.grade_poor]).toEqual([
          grades['优'],
          grades['良'],
          grades['中'],
          grades['差'],
        ]);
        expect(p.monitored).toBeGreaterThan(100);
      }
    } finally {
      province.close();
    }
  });

  it('refuses a file that does not match its manifest, naming the file', async () => {
    const copy = path.join(work, 'tampered');
    fs.cpSync(pub, copy, { recursive: true });
    const victim = path.join(copy, 'elimination', 'city=HS', `month=${END}`, 'part-0.parquet');
    fs.appendFileSync(victim, Buffer.from([0]));
    await expect(rollup({ dirs: [copy], dbPath: path.join(work, 'tampered.duckdb'), now: NOW })).rejects.toThrow(
      `文件 ${victim} 的 SHA-256 与发布清单不符`,
    );
    expect(fs.existsSync(path.join(work, 'tampered.duckdb'))).toBe(false);
  });

  it('refuses to overwrite a city database', async () => {
    await expect(rollup({ dirs: [pub], dbPath: path.join(cities[0].dir, 'YC.duckdb'), now: NOW })).rejects.toThrow(
      /不是 govmon rollup 生成的省级汇总数据库/,
    );
  });
});

describe('publishing a month again', () => {
  it('replaces the partitions: a stray file goes, new results come, nothing is counted twice', async () => {
    const c = cities[0];
    const part = path.join(pub, 'elimination', 'city=YC', `month=${END}`);
    fs.writeFileSync(path.join(part, 'part-1.parquet'), 'stale');
    const before = manifests[`YC/${END}`].files.find((f) => f.table === 'elimination')!.rows;
    // the month run again under Shaoxing's measure: low utilisation is never eliminated there
    await runMonth(c.store, { month: END, profile: loadProfile('shaoxing'), now: NOW, trigger: 'test' });
    const m = await publishMonth(c.store, { month: END, outDir: pub, city: 'YC', now: NOW, version: '0.0.0-test' });
    expect(fs.readdirSync(part)).toEqual(['part-0.parquet']);
    const after = m.files.find((f) => f.table === 'elimination')!.rows;
    expect(after).toBeLessThan(before);
    expect((await readParquet(path.join(part, 'part-0.parquet'))).rows).toBe(after);
    expect(m.profile).toBe('shaoxing');
    const r = await rollup({ dirs: [pub], dbPath: path.join(work, 'province.duckdb'), now: NOW });
    const province = await Store.open(r.dbPath, { readOnly: true });
    try {
      const n = await province.value<number>(`SELECT count(*) FROM elimination WHERE city = 'YC' AND month = '${END}'`);
      expect(n).toBe(after);
      expect(await province.value<number>(`SELECT count(*) FROM manifests WHERE city = 'YC'`)).toBe(2);
    } finally {
      province.close();
    }
  });

  it('works from the command line: govmon rollup DIR --db FILE writes the database and the province page', () => {
    const db = path.join(work, 'cli', 'province.duckdb');
    const out = execFileSync(process.execPath, ['bin/govmon.js', 'rollup', pub, '--db', db], { encoding: 'utf8' });
    expect(out).toContain('省级汇总：2 个城市');
    const page = fs.readFileSync(path.join(work, 'cli', 'province', 'index.html'), 'utf8');
    expect(page).toContain('各市最新月份');
    expect(page).toContain(`data-v="HS">HS</td>`);
  });
});

describe('the sample city’s seasons and cost sharing', () => {
  it('suggests exactly the planted seasons and shares costs exactly as planted', async () => {
    const c = cities[0];
    const run = `(SELECT run_id FROM month_runs WHERE month = '${END}')`;
    const s = await c.store.all<{ system_id: string; season_months: number[] }>(
      `SELECT system_id, season_months FROM res_season_suggestions WHERE run_id = ${run} ORDER BY system_id`,
    );
    expect(s.map((x) => ({ system_id: x.system_id, months: x.season_months }))).toEqual(c.planted.seasons.suggested);
    expect(s.length).toBe(1);
    const k = await c.store.all<Record<string, unknown>>(
      `SELECT system_id, county, basis, CAST(amount AS VARCHAR) AS amount FROM res_cost_shares WHERE run_id = ${run} AND status = 'shared' ORDER BY system_id, county`,
    );
    expect(k).toEqual(c.planted.costshare.rows.map(({ system_id, county, basis, amount }) => ({ system_id, county, basis, amount })));
    const missing = await c.store.all<Record<string, unknown>>(
      `SELECT system_id, status FROM res_cost_shares WHERE run_id = ${run} AND status <> 'shared' ORDER BY system_id`,
    );
    expect(missing).toEqual(c.planted.costshare.missing);
  });
});
