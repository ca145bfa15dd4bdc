// The run log (table `runs`): every monthly run, annual evaluation, dashboard build and scheduled
// job, with its inputs (file hashes), the profile's name and content hash, counts, duration and
// status — so any decision can be traced to what it was computed from and reproduced.

import type { Store } from '../store/database.ts';
import type { LoadedProfile } from '../../metrics/profiles/profiles.ts';

export type RunTrigger = 'cli' | 'schedule' | 'catch-up' | 'demo' | 'test' | 'inbox';
export type RunStatus = 'running' | 'ok' | 'warnings' | 'failed' | 'skipped';

export interface RunStart {
  job: string;
  period?: string;
  profile?: LoadedProfile;
  now: Date;
  trigger: RunTrigger;
}

export async function startRun(store: Store, r: RunStart): Promise<number> {
  const runId = await store.value<number>("SELECT nextval('run_id_seq')");
  await store.run(
    `INSERT INTO runs (run_id, job, period, profile, profile_sha256, trigger, status, started_at)
     VALUES ($1, $2, $3, $4, $5, $6, 'running', $7::TIMESTAMPTZ)`,
    [runId, r.job, r.period ?? null, r.profile?.profile.name ?? null, r.profile?.sha256 ?? null, r.trigger, r.now.toISOString()],
  );
  return runId;
}

export async function finishRun(
  store: Store,
  runId: number,
  f: { status: RunStatus; counts?: unknown; inputs?: unknown; durationMs: number; message?: string },
): Promise<void> {
  await store.run(
    `UPDATE runs SET status = $2, counts = $3::JSON, input_files = $4::JSON, duration_ms = $5, message = $6,
       finished_at = started_at + to_milliseconds($5)
     WHERE run_id = $1`,
    [runId, f.status, JSON.stringify(f.counts ?? null), JSON.stringify(f.inputs ?? null), Math.round(f.durationMs), f.message ?? null],
  );
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
