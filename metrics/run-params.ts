// The parameters of a run, read from a profile: the one row of `run_params` the SQL models read
// as `p.<name>` (docs/metrics.md). Pure: pipelines/run/params.ts writes them into the database.

import { monthEnd, monthStart } from '../core/clock.ts';
import type { Profile } from './profiles/schema.ts';

/** One run parameter: its column in run_params, SQL type and value. */
export type Param = [name: string, type: 'DATE' | 'DOUBLE' | 'INTEGER' | 'VARCHAR', value: string | number | null];

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
