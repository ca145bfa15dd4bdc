// Evaluate a year — the one function every app calls (docs/architecture.md): the annual evaluation
// (pipelines/run/year.ts), then, optionally, the year's exports: exports/<YYYY>/ for a final
// evaluation, exports/<YYYY>-预评价/ for a provisional one, so that the final one does not
// overwrite what was sent out before it (docs/decisions.md §5.5a).

import type { Store } from '../../pipelines/store/database.ts';
import { evaluateYear, type YearRunOptions, type YearRunResult } from '../../pipelines/run/year.ts';
import { YEAR_EXPORTS, writePeriodExports } from '../../dashboards/exports/period.ts';
import { addRunTimings } from '../../pipelines/run/record.ts';

export interface YearJobOptions extends YearRunOptions {
  /** the exports' root folder (the year's go to <root>/<YYYY>/); none when absent */
  exportsRoot?: string;
  /** the city named in the titles of the XLSX lists (govmon.config.json `city`) */
  city?: string;
}

export interface YearJobResult {
  run: YearRunResult;
  exportsDir?: string;
}

export async function yearJob(store: Store, o: YearJobOptions): Promise<YearJobResult> {
  const run = await evaluateYear(store, o);
  const out: YearJobResult = { run };
  if (o.exportsRoot) {
    const t0 = performance.now();
    out.exportsDir = await writePeriodExports(
      store,
      o.exportsRoot,
      { year: o.year, runId: run.runId },
      YEAR_EXPORTS,
      { city: o.city },
      run.basis.provisional ? `${o.year}-预评价` : String(o.year),
    );
    await addRunTimings(store, run.runId, { exports: Math.round(performance.now() - t0) });
  }
  return out;
}
