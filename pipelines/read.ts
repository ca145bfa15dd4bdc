// The read API of the pipeline: all that the outputs (dashboards/: exports, documents, site) may
// take from this floor. They read the result tables (`res_*`, `runs`, `month_runs`, `year_runs`,
// `systems_current`, documented in docs/outputs.md) through `Results` — queries and COPY, never a
// write — find the run a period's outputs rest on, and read the definitions a run used (the SQL
// models as built, the profile by name). Nothing else of pipelines/ is imported above it; the
// import-boundary check (.dependency-cruiser.cjs) holds that.

import path from 'node:path';
import { UserError } from '../core/errors.ts';
import type { Model } from '../metrics/model-sql.ts';
import type { Params, Row } from './store/database.ts';
import { MODELS_DIR, loadModels } from './run/models.ts';

export type { Params, Row };
export { loadProfile, type LoadedProfile } from './profiles.ts';

/** Read-only access to the store's result tables. A `Store` is one. */
export interface Results {
  all<T = Row>(sql: string, params?: Params): Promise<T[]>;
  one<T = Row>(sql: string, params?: Params): Promise<T | undefined>;
  value<T = unknown>(sql: string, params?: Params): Promise<T>;
  /** COPY (query) TO file with DuckDB's COPY options; the rows written */
  copy(query: string, file: string, options: string): Promise<number>;
  /** give back the memory DuckDB keeps from finished queries (Store.releaseMemory) */
  releaseMemory?(): Promise<void>;
}

/** A period of outputs: a month, a year, or a given run. */
export interface Period {
  month?: string;
  year?: number;
  runId?: number;
}

/** The SQL models as a run builds them: the monthly ones and the evaluation's (for 指标口径). */
export function runModels(): { monthly: Model[]; annual: Model[] } {
  return { monthly: loadModels(), annual: loadModels(path.join(MODELS_DIR, 'annual')) };
}

/** The current monthly run of `period.month`, or the run `period.runId` after checking it is one. */
export async function currentMonthRun(r: Results, period: Period): Promise<number> {
  if (period.runId !== undefined) {
    const run = await r.one<{ job: string; period: string; status: string }>('SELECT job, period, status FROM runs WHERE run_id = $1', [
      period.runId,
    ]);
    if (run?.job !== 'month') throw new UserError(`运行编号 ${period.runId} 不是月度运行`);
    if (period.month && run.period !== period.month)
      throw new UserError(`运行编号 ${period.runId} 是 ${run.period} 的月度运行，不是 ${period.month}`);
    if (!['ok', 'warnings'].includes(run.status)) throw new UserError(`运行编号 ${period.runId} 未成功完成`);
    return period.runId;
  }
  if (!period.month) throw new UserError('请用 --month YYYY-MM 指定月份');
  const id = await r.value<number | null>('SELECT run_id FROM month_runs WHERE month = $1', [period.month]);
  if (!id) throw new UserError(`${period.month} 尚无月度运行结果，请先执行 govmon run --month ${period.month}`);
  return id;
}

/** A monthly run of a month that had not ended: the day its results run to (本月尚未结束，截至 …), else null. */
export async function monthRunAsOf(r: Results, runId: number): Promise<string | null> {
  return (await r.value<string | null>(`SELECT counts->>'as_of' FROM runs WHERE run_id = $1 AND job = 'month'`, [runId])) ?? null;
}

export { incompleteMonthNote } from './run/month.ts';

/** The current evaluation of `period.year`, or the run `period.runId` after checking it is one. */
export async function currentYearRun(r: Results, period: Period): Promise<number> {
  if (period.runId !== undefined) {
    const run = await r.one<{ job: string; period: string; status: string }>('SELECT job, period, status FROM runs WHERE run_id = $1', [
      period.runId,
    ]);
    if (run?.job !== 'year') throw new UserError(`运行编号 ${period.runId} 不是年度评价`);
    if (!['ok', 'warnings'].includes(run.status)) throw new UserError(`运行编号 ${period.runId} 未成功完成`);
    return period.runId;
  }
  if (!period.year) throw new UserError('请用 --year YYYY 指定年度');
  const id = await r.value<number | null>('SELECT run_id FROM year_runs WHERE year = $1', [period.year]);
  if (!id) throw new UserError(`${period.year} 年尚无年度评价结果，请先执行 govmon evaluate --year ${period.year}`);
  return id;
}

/** A month (monthly run) or a year (evaluation run). */
export async function currentMonthOrYearRun(r: Results, period: Period): Promise<number> {
  if (period.runId !== undefined) {
    const job = await r.value<string | null>('SELECT job FROM runs WHERE run_id = $1', [period.runId]);
    return job === 'year' ? currentYearRun(r, period) : currentMonthRun(r, period);
  }
  if (period.month) return currentMonthRun(r, period);
  if (period.year) return currentYearRun(r, period);
  throw new UserError('请用 --month YYYY-MM 或 --year YYYY 指定期间');
}
