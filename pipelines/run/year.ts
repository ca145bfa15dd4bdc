// `govmon evaluate --year Y`: the annual score of every system in operation, the self-evaluation
// check, next year's budget recommendation per system and per department (docs/decisions.md §5.4, §5.5), and
// the data-sharing and calendar state at the end of the year. The monthly models are built for
// December of Y (or, for a year in progress, its last full month) and the annual models on top.
// Run before the year's O&M reports are due, the evaluation is provisional (预评价, §5.5a): the
// report of Y−1 stands in, judged with the windows of Y−1; a later final evaluation replaces it.

import path from 'node:path';
import { UserError } from '../../core/errors.ts';
import { lastFullMonth, type Clock } from '../../core/clock.ts';
import type { Log } from '../../core/log.ts';
import type { Store } from '../store/database.ts';
import type { LoadedProfile } from '../profiles.ts';
import { MODELS_DIR, buildModels, loadModels } from './models.ts';
import { calendarFallbackYears, prepareRun } from './params.ts';
import { evaluationBasis, evaluationParams, type EvaluationBasis } from '../../metrics/run-params.ts';
import { createProgress } from '../progress.ts';
import { StepTimer, executeRun, type RunTrigger } from './record.ts';
import { inputFiles } from './month.ts';

export interface YearRunOptions {
  year: number;
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

export interface YearCounts {
  /** 预评价, and the year whose O&M report was read */
  provisional: boolean;
  report_year: number;
  scored: number;
  report_missing: number;
  inflation: number;
  grades: Record<string, number>;
  budget: Record<string, number>;
  departments_suspended: number;
  om_budget_annual: number;
  recommended_om_budget: number;
}

export interface YearRunResult {
  runId: number;
  year: number;
  asOfMonth: string;
  basis: EvaluationBasis;
  counts: YearCounts;
  durationMs: number;
}

/** The run log's word on a provisional evaluation (docs/decisions.md §5.5a). */
export function provisionalNote(b: EvaluationBasis): string {
  return `预评价：${b.year} 年度运维报表应于 ${b.reportDueDate} 前报送，尚未到期；以 ${b.reportYear} 年度报表代替，等保测评、密评按 ${b.reportYear} 年度的时间窗口判断；报表到期后请重新评价（正式评价将取代本次预评价）`;
}

/** The month whose end counts as "the end of Y": December, or the last full month of a year in progress. */
export function asOfMonth(year: number, now: Date): string {
  const last = lastFullMonth(now);
  const dec = `${year}-12`;
  if (last < `${year}-01`) throw new UserError(`${year} 年尚无完整月份的数据可供评价`);
  return last < dec ? last : dec;
}

export async function evaluateYear(store: Store, opts: YearRunOptions): Promise<YearRunResult> {
  if (!Number.isInteger(opts.year) || opts.year < 2000 || opts.year > 2100) throw new UserError(`年份无效：${opts.year}`);
  const month = asOfMonth(opts.year, opts.now);
  const basis = evaluationBasis(opts.year, opts.profile.profile, opts.now);
  const start = {
    job: 'year',
    period: String(opts.year),
    profile: opts.profile,
    now: opts.now,
    clock: opts.clock,
    trigger: opts.trigger ?? 'cli',
  } as const;
  const run = await executeRun(store, start, async (runId) => {
    const t = new StepTimer();
    await t.step('prepare', () => prepareRun(store, month, opts.profile.profile, opts.now, evaluationParams(basis)));
    const bar = createProgress(`${opts.year} 年度评价`, 1, opts.progress ?? false);
    Object.assign(
      t.timings,
      await buildModels(store, [...loadModels(), ...loadModels(path.join(MODELS_DIR, 'annual'))], (name, i, n) => bar.update(i / n, name)),
    );
    bar.stop();
    const warnings = (await calendarFallbackYears(store)).map((y) => `${y} 年不在法定节假日日历中，工作日按周一至周五计算`);
    if (month !== `${opts.year}-12`) warnings.push(`${opts.year} 年尚未结束，按截至 ${month} 的数据评价`);
    if (basis.provisional) warnings.push(provisionalNote(basis));
    for (const w of warnings) opts.log?.warn(w);
    await store.run('INSERT INTO res_evaluations VALUES ($1, $2, $3::DATE, $4, $5, $6::DATE)', [
      runId,
      opts.year,
      `${month}-01`,
      basis.provisional,
      basis.reportYear,
      basis.reportDueDate,
    ]);
    const persist = [
      ['res_scores', 'mart_scores'],
      ['res_budget', 'mart_budget'],
      ['res_departments', 'mart_departments'],
      ['res_calendar', 'mart_calendar'],
      ['res_cost_shares', 'int_cost_shares'],
    ];
    await t.step('persist', async () => {
      for (const [table, model] of persist) await store.run(`INSERT INTO ${table} BY NAME SELECT ${runId} AS run_id, * FROM ${model}`);
      await store.run(
        `INSERT INTO res_sharing BY NAME SELECT ${runId} AS run_id, * FROM int_sharing WHERE month = (SELECT month FROM run_params)`,
      );
    });
    const counts = await t.step('counts', async () => ({
      provisional: basis.provisional,
      report_year: basis.reportYear,
      ...(await countsOf(store, runId)),
    }));
    return { result: counts, counts, inputs: await inputFiles(store, month), warnings, timings: t.timings };
  });
  return { runId: run.runId, year: opts.year, asOfMonth: month, basis, counts: run.result, durationMs: run.durationMs };
}

async function countsOf(store: Store, runId: number): Promise<Omit<YearCounts, 'provisional' | 'report_year'>> {
  const base = (await store.one<{
    scored: number;
    report_missing: number;
    inflation: number;
    om_budget_annual: number;
    recommended_om_budget: number;
  }>(
    `SELECT count(*) AS scored, count(*) FILTER (WHERE report_missing) AS report_missing, count(*) FILTER (WHERE inflation) AS inflation,
       (SELECT coalesce(gm_sum(om_budget_annual), 0) FROM res_budget WHERE run_id = $1) AS om_budget_annual,
       (SELECT coalesce(gm_sum(recommended_om_budget), 0) FROM res_budget WHERE run_id = $1) AS recommended_om_budget
     FROM res_scores WHERE run_id = $1`,
    [runId],
  ))!;
  const grades = Object.fromEntries(
    (
      await store.all<{ grade: string; n: number }>('SELECT grade, count(*) AS n FROM res_scores WHERE run_id = $1 GROUP BY grade', [runId])
    ).map((r) => [r.grade, r.n]),
  );
  const budget = Object.fromEntries(
    (
      await store.all<{ r: string; n: number }>('SELECT recommendation AS r, count(*) AS n FROM res_budget WHERE run_id = $1 GROUP BY 1', [
        runId,
      ])
    ).map((r) => [r.r, r.n]),
  );
  const departments_suspended = await store.value<number>(
    'SELECT count(*) FROM res_departments WHERE run_id = $1 AND suspend_new_projects',
    [runId],
  );
  return { ...base, grades, budget, departments_suspended };
}
