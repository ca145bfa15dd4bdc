// `govmon run --month YYYY-MM`: metrics, conditions, streaks, the rectification and elimination
// lists and right-sizing of one month (SPEC §4, §5.1, §5.2). Everything is recomputed from the
// stored inputs, so months can be run in any order and a re-run gives the same decisions. The
// run and its results are one transaction: a crash leaves the database as before the run.

import { UserError } from '../errors.ts';
import { isMonth, monthStart, shanghaiDate } from '../clock.ts';
import type { Log } from '../log.ts';
import type { Store } from '../store/database.ts';
import type { LoadedProfile } from '../../metrics/profiles/profiles.ts';
import { buildModels, setRunParams } from '../../metrics/models.ts';
import { finishRun, recordFailedRun, startRun, type RunTrigger } from './record.ts';

export interface MonthRunOptions {
  month: string;
  profile: LoadedProfile;
  now: Date;
  log?: Log;
  trigger?: RunTrigger;
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
  const t0 = performance.now();
  try {
    return await store.tx(async () => {
      const runId = await startRun(store, { job: 'month', period: opts.month, profile: opts.profile, now: opts.now, trigger: opts.trigger ?? 'cli' });
      await setRunParams(store, opts.month, opts.profile.profile);
      const timings = await buildModels(store);
      await persist(store, runId);
      const counts = await countsOf(store, runId);
      const inputs = await inputFiles(store, opts.month);
      const durationMs = Math.round(performance.now() - t0);
      await finishRun(store, runId, { status: 'ok', counts, inputs, durationMs });
      return { runId, month: opts.month, counts, timings, durationMs };
    });
  } catch (e) {
    await recordFailedRun(store, { job: 'month', period: opts.month, profile: opts.profile, now: opts.now, trigger: opts.trigger ?? 'cli', error: e, durationMs: performance.now() - t0 });
    throw e;
  } finally {
    await dropModelTables(store);
  }
}

async function persist(store: Store, runId: number): Promise<void> {
  await store.run(`INSERT INTO res_metrics BY NAME SELECT ${runId} AS run_id, * FROM mart_metrics`);
  await store.run(`INSERT INTO res_notices BY NAME SELECT ${runId} AS run_id, * FROM mart_notices`);
  await store.run(`INSERT INTO res_elimination BY NAME SELECT ${runId} AS run_id, * FROM mart_elimination`);
  await store.run(`INSERT INTO res_rightsizing BY NAME SELECT ${runId} AS run_id, * FROM mart_rightsizing`);
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
       (SELECT coalesce(sum(reclaim_cost_annual), 0) FROM res_rightsizing WHERE run_id = $1)
         + (SELECT coalesce(sum(cloud_cost_annual), 0) FROM res_elimination WHERE run_id = $1 AND NOT exempt) AS reclaim_cost_annual`,
    [runId],
  ))!;
}

/** The input files a month's results rest on: the registry files and the telemetry files of months ≤ m. */
async function inputFiles(store: Store, month: string): Promise<{ file_id: number; sha256: string; name: string }[]> {
  return store.all(
    `SELECT file_id, sha256, file_name AS name FROM files
     WHERE status IN ('loaded', 'partial') AND (
       kind = 'systems'
       OR file_id IN (SELECT file_id FROM file_months WHERE month <= $1::DATE))
     ORDER BY file_id`,
    [monthStart(month)],
  );
}

const MODEL_TABLES = [
  'run_params', 'condition_params', 'rule_citations', 'stg_systems', 'int_system_months', 'int_telemetry_monthly',
  'int_metrics_monthly', 'int_conditions', 'int_condition_streaks', 'int_system_status', 'mart_metrics',
  'mart_notices', 'mart_elimination', 'mart_rightsizing',
];

async function dropModelTables(store: Store): Promise<void> {
  for (const t of MODEL_TABLES) await store.run(`DROP TABLE IF EXISTS temp.main.${t}`).catch(() => undefined);
}
