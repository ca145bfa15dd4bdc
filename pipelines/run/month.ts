// `govmon run --month YYYY-MM`: metrics, conditions, streaks, the rectification and elimination
// lists and right-sizing of one month (docs/metrics.md §4, docs/decisions.md §5.1, §5.2). Everything is recomputed from the
// stored inputs, so months can be run in any order and a re-run gives the same decisions. The
// run and its results are one transaction: a crash leaves the database as before the run.

import { UserError } from '../../core/errors.ts';
import { isMonth, monthStart, shanghaiDate, type Clock } from '../../core/clock.ts';
import type { Log } from '../../core/log.ts';
import type { Store } from '../store/database.ts';
import type { LoadedProfile } from '../profiles.ts';
import { buildModels, loadModels } from './models.ts';
import { calendarFallbackYears, prepareRun } from './params.ts';
import { createProgress } from '../progress.ts';
import { executeRun, type RunTrigger } from './record.ts';

export interface MonthRunOptions {
  month: string;
  profile: LoadedProfile;
  /** the "today" of the rules, recorded as the run's as_of */
  now: Date;
  /** the wall clock of the run's start; defaults to the system clock */
  clock?: Clock;
  log?: Log;
  trigger?: RunTrigger;
  /** show a progress bar (terminal only) */
  progress?: boolean;
}

export interface MonthRunResult {
  runId: number;
  month: string;
  counts: MonthCounts;
  timings: Record<string, number>;
  durationMs: number;
}

export interface MonthCounts {
  systems: number;
  no_data: number;
  rectification: number;
  notices_resolved: number;
  notices_escalated: number;
  elimination: number;
  exempted: number;
  rightsizing: number;
  reclaim_vcpu: number;
  reclaim_cost_annual: number;
}

export function checkMonth(month: string, now: Date): void {
  if (!isMonth(month)) throw new UserError(`月份格式应为 YYYY-MM：${month}`);
  if (month > shanghaiDate(now).slice(0, 7)) throw new UserError(`不能运行未来的月份：${month}`);
}

export async function runMonth(store: Store, opts: MonthRunOptions): Promise<MonthRunResult> {
  checkMonth(opts.month, opts.now);
  const start = {
    job: 'month',
    period: opts.month,
    profile: opts.profile,
    now: opts.now,
    clock: opts.clock,
    trigger: opts.trigger ?? 'cli',
  } as const;
  const run = await executeRun(store, start, async (runId) => {
    await prepareRun(store, opts.month, opts.profile.profile, opts.now);
    const bar = createProgress(`${opts.month} 月度运行`, 1, opts.progress ?? false);
    const timings = await buildModels(store, loadModels(), (name, i, n) => bar.update(i / n, name));
    bar.stop();
    const warnings = (await calendarFallbackYears(store)).map((y) => `${y} 年不在法定节假日日历中，工作日按周一至周五计算`);
    for (const w of warnings) opts.log?.warn(w);
    await persist(store, runId);
    const counts = await countsOf(store, runId);
    return { result: { counts, timings }, counts, inputs: await inputFiles(store, opts.month), warnings };
  });
  return { runId: run.runId, month: opts.month, counts: run.result.counts, timings: run.result.timings, durationMs: run.durationMs };
}

async function persist(store: Store, runId: number): Promise<void> {
  // Metrics and sharing are kept for the 12 months that end with the run month (what the month's
  // exports and dashboard show); the models compute every month since the first, for the streaks.
  const shown = `month >= CAST((SELECT month FROM run_params) - INTERVAL 11 MONTH AS DATE)`;
  await store.run(`INSERT INTO res_metrics BY NAME SELECT ${runId} AS run_id, * FROM mart_metrics WHERE ${shown}`);
  await store.run(`INSERT INTO res_notices BY NAME SELECT ${runId} AS run_id, * FROM mart_notices`);
  await store.run(`INSERT INTO res_elimination BY NAME SELECT ${runId} AS run_id, * FROM mart_elimination`);
  await store.run(`INSERT INTO res_rightsizing BY NAME SELECT ${runId} AS run_id, * FROM mart_rightsizing`);
  await store.run(`INSERT INTO res_sharing BY NAME SELECT ${runId} AS run_id, * FROM int_sharing WHERE ${shown}`);
  await store.run(`INSERT INTO res_calendar BY NAME SELECT ${runId} AS run_id, * FROM mart_calendar`);
}

async function countsOf(store: Store, runId: number): Promise<MonthCounts> {
  return (await store.one<MonthCounts>(
    `WITH p AS (SELECT month FROM run_params)
     SELECT
       (SELECT count(*) FROM res_metrics WHERE run_id = $1 AND month = (SELECT month FROM p)) AS systems,
       (SELECT count(*) FROM res_metrics WHERE run_id = $1 AND month = (SELECT month FROM p) AND no_data) AS no_data,
       (SELECT count(*) FROM res_notices WHERE run_id = $1 AND month = (SELECT month FROM p) AND status IN ('issued', 'open')) AS rectification,
       (SELECT count(*) FROM res_notices WHERE run_id = $1 AND month = (SELECT month FROM p) AND status = 'resolved') AS notices_resolved,
       (SELECT count(*) FROM res_notices WHERE run_id = $1 AND month = (SELECT month FROM p) AND status = 'escalated') AS notices_escalated,
       (SELECT count(*) FROM res_elimination WHERE run_id = $1 AND NOT exempt) AS elimination,
       (SELECT count(*) FROM res_elimination WHERE run_id = $1 AND exempt) AS exempted,
       (SELECT count(*) FROM res_rightsizing WHERE run_id = $1) AS rightsizing,
       (SELECT coalesce(sum(reclaim_vcpu), 0) FROM res_rightsizing WHERE run_id = $1)
         + (SELECT coalesce(sum(vcpu), 0) FROM res_elimination WHERE run_id = $1 AND NOT exempt) AS reclaim_vcpu,
       (SELECT coalesce(gm_sum(reclaim_cost_annual), 0) FROM res_rightsizing WHERE run_id = $1)
         + (SELECT coalesce(gm_sum(cloud_cost_annual), 0) FROM res_elimination WHERE run_id = $1 AND NOT exempt) AS reclaim_cost_annual`,
    [runId],
  ))!;
}

/** The input files a month's results rest on: registry, catalog and report files, and the telemetry files of months ≤ m. */
export async function inputFiles(store: Store, month: string): Promise<{ file_id: number; sha256: string; name: string }[]> {
  return store.all(
    `SELECT file_id, sha256, file_name AS name FROM files
     WHERE status IN ('loaded', 'partial') AND (
       kind IN ('systems', 'catalog', 'om_report')
       OR file_id IN (SELECT file_id FROM file_months WHERE month <= $1::DATE))
     ORDER BY file_id`,
    [monthStart(month)],
  );
}
