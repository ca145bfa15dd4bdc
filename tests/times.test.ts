// Times a person reads (docs/operations.md): every one is Beijing time, and every one is when the thing
// really happened. "Now" — the today of the deadline rules — is passed in and recorded as a run's
// as_of; the wall clock (when a file was ingested, a run started, a site was built) is a separate
// clock, so a demo that passes one "now" to thirty steps still records thirty real times.

import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestPaths } from '../pipelines/ingest/ingest.ts';
import { runMonth } from '../pipelines/run/month.ts';
import { statusReport } from '../pipelines/status.ts';
import { buildDashboard } from '../dashboards/site/build.ts';
import type { Store } from '../pipelines/store/database.ts';
import { NOW, openTestStore } from './helpers.ts';
import { DEFAULT_PROFILE, months, system, toCsv, SYSTEM_COLUMNS, TELEMETRY_COLUMNS } from './fixtures/annual/city.ts';
import { writeFile } from './helpers.ts';

/** A wall clock that reads the given UTC instants one after the other. */
function ticking(...isos: string[]): () => Date {
  let i = 0;
  return () => new Date(isos[Math.min(i++, isos.length - 1)]);
}

let env: Awaited<ReturnType<typeof openTestStore>>;
let store: Store;

beforeAll(async () => {
  env = await openTestStore();
  store = env.store;
  const ids = ['A', 'B'];
  const reg = writeFile(
    env.dir,
    'systems.csv',
    toCsv(
      SYSTEM_COLUMNS,
      ids.map((id) => system(id)),
    ),
  );
  const tel = writeFile(
    env.dir,
    'telemetry.csv',
    toCsv(
      TELEMETRY_COLUMNS,
      ids.flatMap((id) => months(id, ['2026-09', '2026-10'])),
    ),
  );
  // NOW is 2026-11-22 10:00 in Beijing; the files were really ingested on 7 December at 20:58:53 and 20:59:10
  const r = await ingestPaths(store, [reg, tel], {
    now: NOW,
    archiveDir: env.archiveDir,
    clock: ticking('2026-12-07T12:58:53Z', '2026-12-07T12:59:10Z'),
  });
  expect(r.exitCode).toBe(0);
});

afterAll(() => {
  store?.close();
  if (env) fs.rmSync(env.dir, { recursive: true, force: true });
});

describe('the wall clock and the "now" of the rules', () => {
  it('stamps each ingested file with the wall clock, not with "now"', async () => {
    expect(await store.all("SELECT file_name, strftime(ingested_at, '%Y-%m-%d %H:%M:%S') AS t FROM files ORDER BY file_id")).toEqual([
      { file_name: 'systems.csv', t: '2026-12-07 20:58:53' },
      { file_name: 'telemetry.csv', t: '2026-12-07 20:59:10' },
    ]);
  });

  it('records a run’s real start (started_at) apart from the today its rules used (as_of)', async () => {
    const a = await runMonth(store, { month: '2026-09', profile: DEFAULT_PROFILE, now: NOW, clock: ticking('2026-12-07T13:00:01Z') });
    const b = await runMonth(store, { month: '2026-10', profile: DEFAULT_PROFILE, now: NOW, clock: ticking('2026-12-07T13:00:05Z') });
    expect(
      await store.all(
        `SELECT run_id, strftime(started_at, '%Y-%m-%d %H:%M:%S') AS started, strftime(as_of, '%Y-%m-%d %H:%M:%S') AS as_of
         FROM runs WHERE run_id IN ($1, $2) ORDER BY run_id`,
        [a.runId, b.runId],
      ),
    ).toEqual([
      { run_id: a.runId, started: '2026-12-07 21:00:01', as_of: '2026-11-22 10:00:00' },
      { run_id: b.runId, started: '2026-12-07 21:00:05', as_of: '2026-11-22 10:00:00' },
    ]);
  });

  it('by default takes the system clock: runs made one after the other with one "now" carry their own real times', async () => {
    const before = Date.now();
    const a = await runMonth(store, { month: '2026-09', profile: DEFAULT_PROFILE, now: NOW });
    const b = await runMonth(store, { month: '2026-10', profile: DEFAULT_PROFILE, now: NOW });
    const after = Date.now();
    const rows = await store.all<{ started_at: string; finished_at: string; as_of: string }>(
      'SELECT started_at, finished_at, as_of FROM runs WHERE run_id IN ($1, $2) ORDER BY run_id',
      [a.runId, b.runId],
    );
    const t = (s: string) => new Date(s).getTime();
    for (const r of rows) {
      expect(t(r.started_at)).toBeGreaterThanOrEqual(before - 1000);
      expect(t(r.started_at)).toBeLessThanOrEqual(after + 1000);
      expect(t(r.as_of)).toBe(NOW.getTime());
    }
    // the second run began after the first one ended
    expect(t(rows[1].started_at)).toBeGreaterThanOrEqual(t(rows[0].finished_at) - 1);
  });
});

describe('what a person reads, in Beijing time', () => {
  it('govmon status: the files’ and runs’ real times, said to be Beijing time', async () => {
    const text = await statusReport(store, { now: NOW });
    expect(text).toContain('最近导入的文件（导入时间为北京时间）：');
    expect(text).toContain('2026-12-07 20:58:53 systems.csv');
    expect(text).toContain('最近的运行（开始时间为北京时间）：');
    expect(text).toMatch(/#\d+ 2026-12-07 21:00:05 月度运行 2026-10/);
  });

  it('the dashboard: the build time in the footer and the run time on the elimination page, Beijing time, never UTC', async () => {
    const r = await runMonth(store, { month: '2026-10', profile: DEFAULT_PROFILE, now: NOW, clock: ticking('2026-12-07T13:10:00Z') });
    const out = path.join(env.dir, 'site');
    await buildDashboard(store, { month: '2026-10', outDir: out, now: NOW, clock: ticking('2026-12-07T13:12:30Z') });
    const index = fs.readFileSync(path.join(out, 'index.html'), 'utf8');
    expect(index).toContain(`由 govmon 生成于 2026-12-07 21:12（北京时间）· 2026-10 月度运行编号 ${r.runId}`);
    const elimination = fs.readFileSync(path.join(out, 'elimination.html'), 'utf8');
    expect(elimination).toContain(`运行编号：${r.runId} ｜ 运行时间：2026-12-07 21:10:00（北京时间）`);
    for (const f of fs.readdirSync(out).filter((x) => x.endsWith('.html')))
      expect(fs.readFileSync(path.join(out, f), 'utf8'), f).not.toMatch(/UTC/);
  });
});
