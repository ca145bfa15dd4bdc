// Build a month's dashboard and record the build in the run log (docs/outputs.md): the site itself
// is an output (dashboards/site/build.ts) that only reads; the record is written here.

import type { Log } from '../../core/log.ts';
import { systemClock, type Clock } from '../../core/clock.ts';
import type { LoadedProfile } from '../../metrics/profiles/schema.ts';
import type { Store } from '../../pipelines/store/database.ts';
import { finishRun, recordFailedRun, startRun, type RunTrigger } from '../../pipelines/run/record.ts';
import { buildDashboard, type BuildProgress, type BuildResult } from '../../dashboards/site/build.ts';

export interface SiteJobOptions {
  month: string;
  outDir: string;
  /** the profile shown; default: the one the month was run with */
  profile?: LoadedProfile;
  now: Date;
  /** the wall clock of the build (its footer and run record); defaults to the system clock */
  clock?: Clock;
  log?: Log;
  trigger?: RunTrigger;
  onProgress?: (p: BuildProgress) => void;
  /** the city named in the titles of the XLSX downloads */
  city?: string;
}

export type SiteJobResult = BuildResult;

export async function siteJob(store: Store, o: SiteJobOptions): Promise<SiteJobResult> {
  const t0 = performance.now();
  const trigger = o.trigger ?? 'cli';
  // the run is recorded after the build, stamped with the time it began
  const begun = (o.clock ?? systemClock)();
  const clock = () => begun;
  try {
    const r = await buildDashboard(store, {
      month: o.month,
      outDir: o.outDir,
      profile: o.profile,
      now: o.now,
      clock,
      log: o.log,
      onProgress: o.onProgress,
      city: o.city,
    });
    await store.tx(async () => {
      const runId = await startRun(store, { job: 'dashboard', period: o.month, profile: r.profile, now: o.now, trigger, clock });
      await finishRun(store, runId, {
        status: r.warnings.length ? 'warnings' : 'ok',
        counts: r.counts,
        inputs: r.inputs,
        durationMs: r.ms,
        message: r.warnings.length ? r.warnings.join('；') : undefined,
      });
    });
    return r;
  } catch (e) {
    await recordFailedRun(store, {
      job: 'dashboard',
      period: o.month,
      profile: o.profile,
      now: o.now,
      trigger,
      clock,
      error: e,
      durationMs: performance.now() - t0,
    });
    throw e;
  }
}
