// Crash safety of the decision register (docs/inputs.md §2.6, docs/operations.md §9): `govmon decide`
// and the ingest of a decisions file are killed with SIGKILL at random points (a seeded PRNG,
// GOVMON_TEST_SEED replays it), counted from the moment the child has the database open. After each
// kill the database, reopened, is exactly as before — the register without the decision — or, when
// the kill came after the commit, as after it; never a half-written register. `decide` commits its
// one-row file, then previews the month inside a transaction it rolls back: a kill during the
// preview leaves the decision recorded and nothing else.

import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Store } from '../pipelines/store/database.ts';
import { migrate } from '../pipelines/store/migrate.ts';
import { ingestFile } from '../pipelines/ingest/ingest.ts';
import { runMonth } from '../pipelines/run/month.ts';
import { loadProfile } from '../pipelines/profiles.ts';
import { generateBenchCity } from '../apps/bench/city.ts';
import { lastFullMonth, monthEnd, shanghaiDate } from '../core/clock.ts';
import { tempDir } from './helpers.ts';
import { RAW_ORDER, VOLATILE, fingerprint, inParallel, prng, sleep, startCli, testSeed, whenOpened } from './fixtures/reliability.ts';

const POINTS = 10;
const SYSTEMS = 400;
const MONTH = lastFullMonth(new Date());
const TODAY = shanghaiDate(new Date());

let root: string;
let base: string;
let decisionsCsv: string;
const dbOf = (dir: string) => path.join(dir, 'g.duckdb');

/** Fingerprints of a database freshly opened: exact, and without times, folders and sequences. */
async function fingerprintOf(dbFile: string): Promise<{ exact: Record<string, string>; loose: Record<string, string> }> {
  const store = await Store.open(dbFile);
  try {
    const strip = (fp: Record<string, string>) => Object.fromEntries(Object.entries(fp).filter(([k]) => !k.startsWith('sequence ')));
    return { exact: strip(await fingerprint(store)), loose: strip(await fingerprint(store, VOLATILE, RAW_ORDER)) };
  } finally {
    store.close();
  }
}

async function killAfter(args: string[], dbFile: string, delay: number): Promise<boolean> {
  const { child, done } = startCli(args);
  let ended = false;
  void done.then(() => (ended = true));
  await whenOpened(child.pid!, dbFile, () => ended);
  await sleep(delay);
  child.kill('SIGKILL');
  return (await done).signal === 'SIGKILL';
}

/** How long the uninterrupted command holds the database, and its exit code. */
async function reference(args: string[], dbFile: string): Promise<{ window: number; code: number | null; stderr: string }> {
  const { child, done } = startCli(args);
  let ended = false;
  void done.then(() => (ended = true));
  const opened = await whenOpened(child.pid!, dbFile, () => ended);
  const t0 = performance.now();
  const r = await done;
  return { window: opened !== null ? performance.now() - t0 + 100 : r.ms, code: r.code, stderr: r.stderr };
}

beforeAll(async () => {
  root = tempDir('govmon-crash-decisions-');
  const city = await generateBenchCity({
    dir: path.join(root, 'city'),
    systems: SYSTEMS,
    days: 31,
    lastDate: monthEnd(MONTH),
    parquet: false,
  });
  // a decisions file of a decision for every system: big enough to be killed in the middle of
  decisionsCsv = path.join(root, 'decisions.csv');
  const rows = Array.from(
    { length: SYSTEMS },
    (_, i) => `JD-${i},S${String(i).padStart(7, '0')},exempt,${TODAY},2099-12-31,临数局〔2026〕${i}号,王立新,批量豁免测试`,
  );
  fs.writeFileSync(decisionsCsv, `decision_id,system_id,decision,effective_date,until,document_no,decided_by,reason\n${rows.join('\n')}\n`);
  base = path.join(root, 'base');
  fs.mkdirSync(base, { recursive: true });
  const store = await Store.open(dbOf(base));
  try {
    await migrate(store);
    for (const f of [city.systemsCsv, city.telemetryCsv])
      expect((await ingestFile(store, f, { now: new Date(), archiveDir: path.join(base, 'archive') })).status).toBe('loaded');
    await runMonth(store, { month: MONTH, profile: loadProfile('default'), now: new Date(), trigger: 'test' });
  } finally {
    store.close();
  }
}, 300_000);

afterAll(() => {
  fs.rmSync(root, { recursive: true, force: true });
});

async function killsLeaveBeforeOrAfter(name: string, args: (dir: string) => string[]): Promise<string[]> {
  const copy = (n: string) => {
    const dir = path.join(root, n);
    fs.cpSync(base, dir, { recursive: true });
    return dir;
  };
  const { exact: before } = await fingerprintOf(dbOf(base));
  const ref = copy(`${name}-ref`);
  const r = await reference(args(ref), dbOf(ref));
  expect([0, 2], r.stderr).toContain(r.code);
  const { loose: after } = await fingerprintOf(dbOf(ref));
  expect(after['table raw_decisions']).not.toBe(before['table raw_decisions']);

  const rand = prng(testSeed(`${name} kill points`));
  const delays = Array.from({ length: POINTS }, () => Math.round(rand() * r.window));
  const outcomes: string[] = [];
  await inParallel(POINTS, 2, async (i) => {
    const dir = copy(`${name}-kill-${i}`);
    const killed = await killAfter(args(dir), dbOf(dir), delays[i]);
    const now = await fingerprintOf(dbOf(dir));
    const same = (a: Record<string, string>, b: Record<string, string>) => JSON.stringify(a) === JSON.stringify(b);
    const state = same(now.exact, before) ? 'before' : same(now.loose, after) ? 'after' : 'MIXED';
    outcomes[i] = `${delays[i]}ms:${killed ? 'killed' : 'exited'}:${state}`;
    const differ = Object.keys(before).filter((k) => now.exact[k] !== before[k] && now.loose[k] !== after[k]);
    expect(state, `kill ${i} after ${delays[i]} ms: neither before nor after (${differ.join(', ')})`).not.toBe('MIXED');
    fs.rmSync(dir, { recursive: true, force: true });
  });
  console.log(`${name} (holds the database ${Math.round(r.window)} ms): ${outcomes.join(' ')}`);
  return outcomes;
}

describe('the decision register under SIGKILL', () => {
  it(`govmon decide killed at ${POINTS} points leaves the register as before, or with the decision recorded`, async () => {
    const outcomes = await killsLeaveBeforeOrAfter('decide', (dir) => [
      '--db',
      dbOf(dir),
      'decide',
      'S0000000',
      '同意关停',
      '--date',
      TODAY,
      '--by',
      '王立新',
      '--doc',
      '临数局〔2026〕99号',
    ]);
    expect(outcomes.some((o) => o.includes('killed'))).toBe(true);
  }, 600_000);

  it(`the ingest of a decisions file killed at ${POINTS} points leaves the register as before, or with every decision of the file`, async () => {
    const outcomes = await killsLeaveBeforeOrAfter('decisions-ingest', (dir) => ['--db', dbOf(dir), 'ingest', decisionsCsv]);
    expect(outcomes.some((o) => o.includes('killed:before'))).toBe(true);
  }, 600_000);
});
