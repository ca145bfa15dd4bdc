// Run a month — the one function the CLI, the daemon, the demo, the bench and the portal call
// (docs/architecture.md): the monthly run (pipelines/run/month.ts), then, each optional, the
// month's exports, its documents and its dashboard. The run commits before its outputs are
// written, so an output that fails leaves the run recorded and can be written again.

import path from 'node:path';
import type { Store } from '../../pipelines/store/database.ts';
import { runMonth, type MonthRunOptions, type MonthRunResult } from '../../pipelines/run/month.ts';
import { MONTH_EXPORTS, writePeriodExports } from '../../dashboards/exports/period.ts';
import { siteJob, type SiteJobResult } from './site.ts';
import type { BuildProgress } from '../../dashboards/site/build.ts';

export interface MonthJobOptions extends MonthRunOptions {
  /** the exports' root folder (the month's go to <root>/<YYYY-MM>/); none when absent */
  exportsRoot?: string;
  /** the sites' root folder (the month's site goes to <root>/<YYYY-MM>/); none when absent */
  siteRoot?: string;
  onSiteProgress?: (p: BuildProgress) => void;
}

export interface MonthJobResult {
  run: MonthRunResult;
  exportsDir?: string;
  site?: SiteJobResult;
}

export async function monthJob(store: Store, o: MonthJobOptions): Promise<MonthJobResult> {
  const run = await runMonth(store, o);
  const out: MonthJobResult = { run };
  if (o.exportsRoot) out.exportsDir = await writePeriodExports(store, o.exportsRoot, { month: o.month }, MONTH_EXPORTS);
  if (o.siteRoot)
    out.site = await siteJob(store, {
      month: o.month,
      outDir: path.join(o.siteRoot, o.month),
      profile: o.profile,
      now: o.now,
      log: o.log,
      trigger: o.trigger,
      onProgress: o.onSiteProgress,
    });
  return out;
}
