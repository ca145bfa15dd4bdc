// Run a month — the one function the CLI, the daemon, the demo, the bench and the portal call
// (docs/architecture.md): the monthly run (pipelines/run/month.ts), then, each optional, the
// month's exports, its documents (docs/outputs.md §7.4) and its dashboard. The run commits before its outputs are
// written, so an output that fails leaves the run recorded and can be written again.

import path from 'node:path';
import type { Store } from '../../pipelines/store/database.ts';
import { runMonth, type MonthRunOptions, type MonthRunResult } from '../../pipelines/run/month.ts';
import { MONTH_EXPORTS, replaceDirAtomically, writePeriodExports } from '../../dashboards/exports/period.ts';
import type { NoticeFile } from '../../dashboards/documents/notices.ts';
import { shanghaiDate } from '../../core/clock.ts';
import type { SiteJobResult } from './site.ts';
import type { BuildProgress } from '../../dashboards/site/build.ts';
import { StepTimer, addRunTimings } from '../../pipelines/run/record.ts';

export interface MonthJobOptions extends MonthRunOptions {
  /** the exports' root folder (the month's go to <root>/<YYYY-MM>/); none when absent */
  exportsRoot?: string;
  /** the documents' root folder (the month's go to <root>/<YYYY-MM>/, docs/outputs.md §7.4); none when absent */
  documentsRoot?: string;
  /** the sites' root folder (the month's site goes to <root>/<YYYY-MM>/); none when absent */
  siteRoot?: string;
  /** the city named in the titles of the lists (govmon.config.json `city`) */
  city?: string;
  /** the issuing authority and 文号 prefix of the documents */
  issuer?: string;
  docPrefix?: string;
  onSiteProgress?: (p: BuildProgress) => void;
}

export interface MonthJobResult {
  run: MonthRunResult;
  exportsDir?: string;
  documents?: { dir: string; files: NoticeFile[] };
  site?: SiteJobResult;
}

export async function monthJob(store: Store, o: MonthJobOptions): Promise<MonthJobResult> {
  const run = await runMonth(store, o);
  const out: MonthJobResult = { run };
  // DuckDB writes the run's results from its log into the database file while the outputs are
  // read and written (one checkpoint less to wait for after them; if it fails, the next commit or
  // the close checkpoints as always)
  const checkpoint = store.checkpointAside().catch(() => undefined);
  // the outputs are timed too, and their times added to the run's row (docs/performance.md)
  const t = new StepTimer();
  try {
    await writeOutputs(store, o, out, t);
  } finally {
    await checkpoint;
    await addRunTimings(store, run.runId, t.timings);
    Object.assign(run.timings, t.timings);
  }
  return out;
}

async function writeOutputs(store: Store, o: MonthJobOptions, out: MonthJobResult, t: StepTimer): Promise<void> {
  if (o.exportsRoot) {
    const root = o.exportsRoot;
    out.exportsDir = await t.step('exports', () => writePeriodExports(store, root, { month: o.month }, MONTH_EXPORTS, { city: o.city }));
  }
  if (o.documentsRoot) {
    const dir = path.join(o.documentsRoot, o.month);
    let files: NoticeFile[] = [];
    // docx and the dashboard are loaded only when asked for: most runs write neither, and their
    // modules would cost every run's start-up (docs/performance.md)
    const { writeMonthDocuments } = await import('../../dashboards/documents/notices.ts');
    // the folder is the month's documents only: replaced whole, so a document of a system that has
    // left the lists does not linger from an earlier run
    await t.step('documents', () =>
      replaceDirAtomically(dir, async (tmp) => {
        files = (
          await writeMonthDocuments(store, {
            month: o.month,
            outDir: tmp,
            date: shanghaiDate(o.now),
            issuer: o.issuer,
            docPrefix: o.docPrefix,
            profile: o.profile,
          })
        ).map((f) => ({ ...f, file: path.join(dir, path.basename(f.file)) }));
      }),
    );
    out.documents = { dir, files };
  }
  if (o.siteRoot) {
    const siteOpts = {
      month: o.month,
      outDir: path.join(o.siteRoot, o.month),
      profile: o.profile,
      now: o.now,
      log: o.log,
      trigger: o.trigger,
      onProgress: o.onSiteProgress,
      city: o.city,
    };
    const { siteJob } = await import('./site.ts');
    out.site = await t.step('dashboard', () => siteJob(store, siteOpts));
  }
}
