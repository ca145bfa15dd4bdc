// Evaluate a year — the one function every app calls (docs/architecture.md): the annual evaluation
// (pipelines/run/year.ts), then, optionally, the year's exports: exports/<YYYY>/ for a final
// evaluation, exports/<YYYY>-预评价/ for a provisional one, so that the final one does not
// overwrite what was sent out before it (docs/decisions.md §5.5a).

import type { Log } from '../../core/log.ts';
import type { LoadedProfile } from '../../metrics/profiles/schema.ts';
import type { Store } from '../../pipelines/store/database.ts';
import type { RunTrigger } from '../../pipelines/run/record.ts';
import { evaluateYear, type YearRunResult } from '../../pipelines/run/year.ts';
import { YEAR_EXPORTS, writePeriodExports } from '../../dashboards/exports/period.ts';

export interface YearJobOptions {
  year: number;
  profile: LoadedProfile;
  now: Date;
  log?: Log;
  trigger?: RunTrigger;
  progress?: boolean;
  /** the exports' root folder (the year's go to <root>/<YYYY>/ or <root>/<YYYY>-预评价/); none when absent */
  exportsRoot?: string;
}

export interface YearJobResult {
  run: YearRunResult;
  exportsDir?: string;
}

export async function yearJob(store: Store, o: YearJobOptions): Promise<YearJobResult> {
  const run = await evaluateYear(store, {
    year: o.year,
    profile: o.profile,
    now: o.now,
    log: o.log,
    trigger: o.trigger,
    progress: o.progress,
  });
  const out: YearJobResult = { run };
  if (o.exportsRoot)
    out.exportsDir = await writePeriodExports(
      store,
      o.exportsRoot,
      { year: o.year, runId: run.runId },
      YEAR_EXPORTS,
      run.basis.provisional ? `${o.year}-预评价` : String(o.year),
    );
  return out;
}
