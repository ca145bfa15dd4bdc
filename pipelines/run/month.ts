// `govmon run --month YYYY-MM`: metrics, conditions, streaks, the rectification and elimination
// lists and right-sizing of one month (docs/metrics.md §4, docs/decisions.md §5.1, §5.2), with what the decision register
// makes of them (§5.7). Everything is recomputed from the stored inputs, so months can be run in
// any order and a re-run gives the same decisions. The run and its results are one transaction: a
// crash leaves the database as before the run.

import { UserError } from '../../core/errors.ts';
import { addMonths, isMonth, monthStart, shanghaiDate, type Clock } from '../../core/clock.ts';
import type { Log } from '../../core/log.ts';
import type { Store } from '../store/database.ts';
import type { LoadedProfile } from '../profiles.ts';
import { buildModels, loadModels } from './models.ts';
import { calendarFallbackYears, prepareRun } from './params.ts';
import { createProgress } from '../progress.ts';
import { StepTimer, dropTempTables, executeRun, type RunTrigger } from './record.ts';
import { unmatchedDecisions, unmatchedText } from '../decisions/matching.ts';

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
  /** the month has not ended: the day (Asia/Shanghai) its results run to — every output says so */
  asOf?: string;
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
  /** 可收回: the elimination list (not exempt, not shut down yet) and right-sizing */
  reclaim_vcpu: number;
  reclaim_cost_annual: number;
  /** 已收回: what decisions of the month took back (docs/decisions.md §5.7) */
  reclaimed_vcpu: number;
  reclaimed_cost_annual: number;
  /** decisions of the month about systems on none of the lists they decide on */
  decisions_unmatched: number;
  /** only for a month that has not ended: the day its results run to */
  as_of?: string;
}

/** The day a run of `month` runs to when the month has not ended yet (today in Asia/Shanghai), else undefined. */
export function monthAsOf(month: string, now: Date): string | undefined {
  const today = shanghaiDate(now);
  return today.slice(0, 7) === month ? today : undefined;
}

/** 本月尚未结束，截至 … — said by every output of a month that has not ended. */
export function incompleteMonthNote(asOf: string): string {
  return `本月尚未结束，截至 ${asOf}（北京时间）：本月结果只计到这一天，尚未到来的日子不算监测数据缺失；月末之后请重新运行本月`;
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
    const t = new StepTimer();
    await t.step('prepare', () => prepareRun(store, opts.month, opts.profile.profile, opts.now));
    const bar = createProgress(`${opts.month} 月度运行`, 1, opts.progress ?? false);
    Object.assign(t.timings, await buildModels(store, loadModels(), (name, i, n) => bar.update(i / n, name)));
    bar.stop();
    const warnings = (await calendarFallbackYears(store)).map((y) => `${y} 年不在法定节假日日历中，工作日按周一至周五计算`);
    await t.step('persist', () => persist(store, runId));
    const unmatched = await t.step('decisions_check', () => unmatchedThisMonth(store, runId, opts.month));
    warnings.push(...unmatched.map((u) => unmatchedText(u)));
    for (const w of warnings) opts.log?.warn(w);
    const asOf = monthAsOf(opts.month, opts.now);
    const counts = await t.step('counts', async () => ({
      ...(await countsOf(store, runId)),
      decisions_unmatched: unmatched.length,
      ...(asOf ? { as_of: asOf } : {}),
    }));
    const inputs = await inputFiles(store, opts.month);
    return { result: { counts, timings: t.timings }, counts, inputs, warnings, timings: t.timings };
  });
  return {
    runId: run.runId,
    month: opts.month,
    asOf: run.result.counts.as_of,
    counts: run.result.counts,
    timings: run.result.timings,
    durationMs: run.durationMs,
  };
}

/**
 * The models of `month` built as a run would build them now, `read` from, then rolled back: nothing
 * is recorded (no run, no results, not even the telemetry cache). What `govmon decide` shows of a
 * decision before the month is run again.
 */
export async function previewMonth<T>(
  store: Store,
  opts: { month: string; profile: LoadedProfile; now: Date },
  read: (store: Store) => Promise<T>,
): Promise<T> {
  checkMonth(opts.month, opts.now);
  await store.run('BEGIN TRANSACTION');
  try {
    await prepareRun(store, opts.month, opts.profile.profile, opts.now);
    await buildModels(store, loadModels());
    return await read(store);
  } finally {
    try {
      await store.conn.run('ROLLBACK');
    } catch {
      // already rolled back by DuckDB
    }
    await dropTempTables(store);
  }
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
  await store.run(`INSERT INTO res_cost_shares BY NAME SELECT ${runId} AS run_id, * FROM int_cost_shares`);
  await store.run(`INSERT INTO res_season_suggestions BY NAME SELECT ${runId} AS run_id, * FROM int_season_suggestions`);
  await store.run(`INSERT INTO res_reclaimed BY NAME SELECT ${runId} AS run_id, * FROM mart_reclaimed`);
}

/** The decisions of the run month about systems on none of the lists they decide on (this month's or last month's). */
async function unmatchedThisMonth(store: Store, runId: number, month: string) {
  await store.run(
    `CREATE OR REPLACE TEMP TABLE gm_decision_check AS
     SELECT NULL::BIGINT AS row_no, d.decision_id, d.system_id, d.decision, d.effective_date,
       list_filter([${runId}, r.run_id], lambda x: x IS NOT NULL) AS run_ids,
       list_filter([CASE WHEN r.run_id IS NOT NULL THEN $2 END, $1], lambda x: x IS NOT NULL) AS months
     FROM stg_decisions d LEFT JOIN month_runs r ON r.month = $2
     WHERE d.month = (SELECT month FROM run_params)`,
    [month, addMonths(month, -1)],
  );
  return unmatchedDecisions(store);
}

async function countsOf(store: Store, runId: number): Promise<Omit<MonthCounts, 'decisions_unmatched'>> {
  return (await store.one<Omit<MonthCounts, 'decisions_unmatched'>>(
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
         + (SELECT coalesce(sum(vcpu), 0) FROM res_elimination WHERE run_id = $1 AND NOT exempt AND decision_status <> 'shut_down') AS reclaim_vcpu,
       (SELECT coalesce(gm_sum(reclaim_cost_annual), 0) FROM res_rightsizing WHERE run_id = $1)
         + (SELECT coalesce(gm_sum(cloud_cost_annual), 0) FROM res_elimination WHERE run_id = $1 AND NOT exempt AND decision_status <> 'shut_down')
         AS reclaim_cost_annual,
       (SELECT coalesce(gm_sum(vcpu), 0) FROM res_reclaimed WHERE run_id = $1) AS reclaimed_vcpu,
       (SELECT coalesce(gm_sum(cloud_cost_annual), 0) FROM res_reclaimed WHERE run_id = $1) AS reclaimed_cost_annual`,
    [runId],
  ))!;
}

/** The input files a month's results rest on: registry, catalog and report files, and the telemetry files of months ≤ m. */
export async function inputFiles(store: Store, month: string): Promise<{ file_id: number; sha256: string; name: string }[]> {
  return store.all(
    `SELECT file_id, sha256, file_name AS name FROM files
     WHERE status IN ('loaded', 'partial') AND (
       kind IN ('systems', 'catalog', 'om_report', 'population', 'cost_plan')
       OR file_id IN (SELECT file_id FROM file_months WHERE month <= $1::DATE))
     ORDER BY file_id`,
    [monthStart(month)],
  );
}
