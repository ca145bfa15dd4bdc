// The parameters of a run, read from a profile: the one row of `run_params` the SQL models read
// as `p.<name>` (docs/metrics.md). Pure: pipelines/run/params.ts writes them into the database.

import { monthEnd, monthStart, shanghaiDate } from '../core/clock.ts';
import type { Profile } from './profiles/schema.ts';

/** One run parameter: its column in run_params, SQL type and value. */
export type Param = [name: string, type: 'BOOLEAN' | 'DATE' | 'DOUBLE' | 'INTEGER' | 'VARCHAR', value: string | number | boolean | null];

export function profileParams(month: string, p: Profile): Param[] {
  const mon = p.monitoring;
  const sc = p.scoring;
  const cal = p.calendar;
  return [
    ['month', 'DATE', monthStart(month)],
    ['month_end', 'DATE', monthEnd(month)],
    ['no_data_min_days_ratio', 'DOUBLE', mon.no_data.min_days_ratio],
    ['inactive_dau_max', 'DOUBLE', mon.inactive.dau_max],
    ['inactive_requests_max', 'DOUBLE', mon.inactive.requests_max],
    ['low_util_cpu_avg_max', 'DOUBLE', mon.low_util.cpu_avg_max],
    ['low_util_cpu_p95_max', 'DOUBLE', mon.low_util.cpu_p95_max],
    ['unusable_availability_max', 'DOUBLE', mon.unusable.availability_max],
    ['rightsizing_p95_max', 'DOUBLE', p.rightsizing.p95_max],
    ['rightsizing_months', 'INTEGER', p.rightsizing.months],
    ['rightsizing_target_p95', 'DOUBLE', p.rightsizing.target_p95],
    ['sharing_min_pct', 'DOUBLE', p.sharing.min_pct],
    ['catalog_working_days', 'INTEGER', p.catalog_deadline.working_days],
    ['season_min_months', 'INTEGER', p.seasonal.min_months],
    ['season_min_share_pct', 'DOUBLE', p.seasonal.min_share_pct],
    ['season_max_months', 'INTEGER', p.seasonal.max_months],
    ['cost_share_threshold_yuan', 'DOUBLE', p.cost_sharing?.threshold_yuan ?? null],
    ['self_eval_anchor', 'VARCHAR', cal.self_evaluation?.anchor ?? null],
    ['self_eval_from_months', 'INTEGER', cal.self_evaluation?.from_months ?? null],
    ['self_eval_to_months', 'INTEGER', cal.self_evaluation?.to_months ?? null],
    ['report_due_days', 'INTEGER', cal.annual_report?.due_days_after_year_end ?? null],
    ['acceptance_min_days', 'INTEGER', cal.completion_acceptance?.min_days ?? null],
    ['acceptance_max_days', 'INTEGER', cal.completion_acceptance?.max_days ?? null],
    ['sc_availability_points', 'DOUBLE', sc.availability.points],
    ['sc_availability_floor', 'DOUBLE', sc.availability.floor_pct],
    ['sc_availability_full', 'DOUBLE', sc.availability.full_pct],
    ['sc_incidents_points', 'DOUBLE', sc.incidents.points],
    ['sc_incidents_per', 'DOUBLE', sc.incidents.per_incident],
    ['sc_utilization_points', 'DOUBLE', sc.utilization.points],
    ['sc_utilization_floor', 'DOUBLE', sc.utilization.floor_pct],
    ['sc_utilization_full', 'DOUBLE', sc.utilization.full_pct],
    ['sc_budget_points', 'DOUBLE', sc.budget_execution.points],
    ['sc_budget_low', 'DOUBLE', sc.budget_execution.band_low],
    ['sc_budget_high', 'DOUBLE', sc.budget_execution.band_high],
    ['sc_budget_falloff', 'DOUBLE', sc.budget_execution.falloff],
    ['sc_goals_points', 'DOUBLE', sc.goals.points],
    ['sc_activity_points', 'DOUBLE', sc.activity.points],
    ['sc_sharing_points', 'DOUBLE', sc.sharing.points],
    ['sc_sharing_dup_penalty', 'DOUBLE', sc.sharing.duplicate_penalty],
    ['sc_graded_points', 'DOUBLE', sc.security.graded_protection],
    ['sc_crypto_points', 'DOUBLE', sc.security.crypto],
    ['sc_vuln_points', 'DOUBLE', sc.security.vulnerabilities],
    ['sc_lookback_years', 'INTEGER', sc.security.lookback_years],
    ['sc_integration_points', 'DOUBLE', sc.integration.points],
    ['sc_integration_max', 'DOUBLE', sc.integration.max_points],
    ['grade_excellent', 'DOUBLE', sc.grades.excellent],
    ['grade_good', 'DOUBLE', sc.grades.good],
    ['grade_pass', 'DOUBLE', sc.grades.pass],
    ['inflation_margin', 'DOUBLE', p.inflation.margin],
    ['reduce_factor', 'DOUBLE', p.budget.reduce_factor],
    ['dept_open_months', 'INTEGER', p.budget.department_suspension.open_months],
  ];
}

/** What an evaluation of a year stands on (docs/decisions.md §5.5a). */
export interface EvaluationBasis {
  year: number;
  /** 预评价: run on or before the day the O&M reports of the year are due */
  provisional: boolean;
  /** the year whose O&M report is read: the year, or the year before for a provisional evaluation */
  reportYear: number;
  /** the day the reports of the year are due (YYYY-MM-DD, in the year after) */
  reportDueDate: string;
}

/**
 * An evaluation of `year` run on `now` (Asia/Shanghai) is provisional while the year's reports are
 * not yet due — on the profile's due day of the next year or before (a year in progress always is).
 * The report of the year before then stands in, and every rule reading a document's date is judged
 * with the windows shifted back one year, as it was for that year.
 */
export function evaluationBasis(year: number, p: Profile, now: Date): EvaluationBasis {
  const reportDueDate = `${year + 1}-${p.provisional_evaluation.report_due}`;
  const provisional = shanghaiDate(now) <= reportDueDate;
  return { year, provisional, reportYear: provisional ? year - 1 : year, reportDueDate };
}

/** The evaluation's own run parameters (`p.eval_*` in the annual models). */
export function evaluationParams(b: EvaluationBasis): Param[] {
  return [
    ['eval_provisional', 'BOOLEAN', b.provisional],
    ['eval_report_year', 'INTEGER', b.reportYear],
    ['eval_report_due', 'DATE', b.reportDueDate],
  ];
}
