// The run log (table `runs`): every monthly run, annual evaluation, dashboard build and scheduled
// job, with its inputs (file hashes), the profile's name and content hash, counts, duration and
// status — so any decision can be traced to what it was computed from and reproduced. A run's
// started_at is when it really ran (the wall clock); as_of is the "today" its rules were judged on.

import { systemClock, type Clock } from '../../core/clock.ts';
import type { Store } from '../store/database.ts';
import type { LoadedProfile } from '../profiles.ts';

export type RunTrigger = 'cli' | 'schedule' | 'catch-up' | 'demo' | 'test' | 'inbox';
export type RunStatus = 'running' | 'ok' | 'warnings' | 'failed' | 'skipped' | 'aborted';

export interface RunStart {
  job: string;
  period?: string;
  profile?: LoadedProfile;
  /** the "today" of the run's deadline rules, recorded as as_of */
  now: Date;
  trigger: RunTrigger;
  /** the wall clock that stamps started_at; defaults to the system clock */
  clock?: Clock;
}

export async function startRun(store: Store, r: RunStart): Promise<number> {
  const runId = await store.value<number>("SELECT nextval('run_id_seq')");
  await store.run(
    `INSERT INTO runs (run_id, job, period, profile, profile_sha256, trigger, status, started_at, as_of)
     VALUES ($1, $2, $3, $4, $5, $6, 'running', $7::TIMESTAMPTZ, $8::TIMESTAMPTZ)`,
    [
      runId,
      r.job,
      r.period ?? null,
      r.profile?.profile.name ?? null,
      r.profile?.sha256 ?? null,
      r.trigger,
      (r.clock ?? systemClock)().toISOString(),
      r.now.toISOString(),
    ],
  );
  return runId;
}

export async function finishRun(
  store: Store,
  runId: number,
  f: { status: RunStatus; counts?: unknown; inputs?: unknown; durationMs: number; message?: string; timings?: StepTimings },
): Promise<void> {
  await store.run(
    `UPDATE runs SET status = $2, counts = $3::JSON, input_files = $4::JSON, duration_ms = $5, message = $6,
       finished_at = started_at + to_milliseconds($5), timings = $7::JSON
     WHERE run_id = $1`,
    [
      runId,
      f.status,
      JSON.stringify(f.counts ?? null),
      JSON.stringify(f.inputs ?? null),
      Math.round(f.durationMs),
      f.message ?? null,
      f.timings ? JSON.stringify(f.timings) : null,
    ],
  );
}

/** How long each step of a run took, in milliseconds, in step order (runs.timings, migration 0012). */
export type StepTimings = Record<string, number>;

/** Times the steps of a run: `await t.step('name', () => work())`; `t.timings` holds the result. */
export class StepTimer {
  readonly timings: StepTimings = {};
  async step<T>(name: string, work: () => Promise<T>): Promise<T> {
    const t0 = performance.now();
    try {
      return await work();
    } finally {
      this.timings[name] = (this.timings[name] ?? 0) + Math.round(performance.now() - t0);
    }
  }
}

/**
 * Add the timings of what was done after a run committed (its exports, documents, dashboard) to
 * its row: those outputs are written outside the run's transaction, so they are recorded after it.
 */
export async function addRunTimings(store: Store, runId: number, timings: StepTimings): Promise<void> {
  if (!Object.keys(timings).length) return;
  await store.run(`UPDATE runs SET timings = json_merge_patch(coalesce(timings, '{}'::JSON), $2::JSON) WHERE run_id = $1`, [
    runId,
    JSON.stringify(timings),
  ]);
}

/** The recorded timings of a run (empty for a run recorded before migration 0012). */
export async function runTimings(store: Store, runId: number): Promise<StepTimings> {
  const t = await store.value<string | null>('SELECT CAST(timings AS VARCHAR) FROM runs WHERE run_id = $1', [runId]);
  return t ? (JSON.parse(t) as StepTimings) : {};
}

/** After a failed run was rolled back: one row saying so, in its own transaction. */
export async function recordFailedRun(store: Store, r: RunStart & { error: unknown; durationMs: number }): Promise<void> {
  const message = (r.error instanceof Error ? r.error.message : String(r.error)).split('\n')[0].slice(0, 500);
  try {
    await store.tx(async () => {
      const runId = await startRun(store, r);
      await finishRun(store, runId, { status: 'failed', durationMs: r.durationMs, message });
    });
  } catch {
    // the database itself is failing; the caller reports the original error
  }
}

export interface ExecutedRun<T> {
  runId: number;
  result: T;
  durationMs: number;
}

/**
 * Run `body` as one recorded run: the runs row and every result are committed together, so a
 * crash leaves the database as before the run; a failure is rolled back and then logged on its
 * own. Temporary model tables are dropped in any case.
 */
export async function executeRun<T>(
  store: Store,
  start: RunStart,
  body: (runId: number) => Promise<{ result: T; counts: unknown; inputs: unknown; warnings?: string[]; timings?: StepTimings }>,
): Promise<ExecutedRun<T>> {
  const t0 = performance.now();
  // one wall-clock start for the run's row, and for the row that says it failed
  const begun = (start.clock ?? systemClock)();
  start = { ...start, clock: () => begun };
  try {
    return await store.tx(async () => {
      const runId = await startRun(store, start);
      const out = await body(runId);
      const durationMs = Math.round(performance.now() - t0);
      await finishRun(store, runId, {
        status: out.warnings?.length ? 'warnings' : 'ok',
        counts: out.counts,
        inputs: out.inputs,
        durationMs,
        message: out.warnings?.join('；'),
        timings: out.timings,
      });
      return { runId, result: out.result, durationMs };
    });
  } catch (e) {
    await recordFailedRun(store, { ...start, error: e, durationMs: performance.now() - t0 });
    throw e;
  } finally {
    await dropTempTables(store);
  }
}

/** Drop every temporary table (the models build theirs fresh each run). */
export async function dropTempTables(store: Store): Promise<void> {
  const temps = await store.all<{ name: string; type: string }>(
    `SELECT table_name AS name, 'TABLE' AS type FROM duckdb_tables() WHERE temporary
     UNION ALL SELECT view_name, 'VIEW' FROM duckdb_views() WHERE temporary`,
  );
  for (const t of temps) await store.run(`DROP ${t.type} IF EXISTS temp.main."${t.name.replace(/"/g, '""')}"`).catch(() => undefined);
}
