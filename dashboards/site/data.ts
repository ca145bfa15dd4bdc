// What the site shows, read once from the store: the current run of the month (month_runs) and
// its results, the twelve months up to it, the latest annual evaluation of a year ≤ the month's
// year, and the registry. Classified systems are dropped here, in every query, by the registry's
// current flag — so no page, data file or chart can show one (docs/inputs.md §2.1, docs/operations.md §9).

import { UserError } from '../../core/errors.ts';
import { addMonths, isMonth, monthStart } from '../../core/clock.ts';
import type { Results, Row } from '../../pipelines/read.ts';
import type { ConditionName } from '../../metrics/profiles/schema.ts';

/** A predicate on `system_id` that holds for every system that is not classified now. */
const VISIBLE = `system_id NOT IN (SELECT system_id FROM systems_current WHERE coalesce(classified, false))`;

export interface RunInfo {
  runId: number;
  period: string;
  profile: string | null;
  profileSha256: string | null;
  startedAt: string;
  trigger: string;
  status: string;
  inputFiles: number;
  /** the month had not ended: the day its results run to */
  asOf: string | null;
}

export interface SystemInfo {
  system_id: string;
  system_name: string;
  department: string;
  stage: string;
  go_live_date: string | null;
  initial_acceptance_date: string | null;
  final_acceptance_date: string | null;
  security_level: number | null;
  vcpu: number | null;
  memory_gb: number | null;
  storage_gb: number | null;
  cloud_cost_annual: number | null;
  om_budget_annual: number | null;
  key_project: boolean | null;
  exempt_until: string | null;
  exempt_reason: string | null;
  /** docs/inputs.md §2.7: 使用月份 as written, 全市性系统, 直接面向基层民生, 所属区县 */
  active_months: string | null;
  citywide: boolean | null;
  serves_public: boolean | null;
  county: string | null;
}

/** A season suggested for a system without one (docs/metrics.md §4.2; res_season_suggestions). */
export interface SeasonSuggestion {
  system_id: string;
  season_months: number[];
  recent_share_pct: number;
  earlier_share_pct: number;
  months_of_data: number;
}

/** One county's share of a system's cloud cost, or a system whose plan or population is missing (res_cost_shares). */
export interface CostShareRow {
  system_id: string;
  system_name: string;
  department: string;
  year: number;
  basis: 'population' | 'plan';
  status: 'shared' | 'missing_plan' | 'missing_population';
  county: string | null;
  share_pct: number | null;
  plan_share_pct: number | null;
  population: number | null;
  population_year: number | null;
  cost: string | null;
  amount: string | null;
  remainder: string | null;
}

export type MetricRow = Row & {
  system_id: string;
  month: string;
  days_in_month: number;
} & Record<ConditionName, boolean> &
  Record<`streak_${ConditionName}`, number>;

export interface NoticeCondition {
  condition: ConditionName;
  streak: number;
  warned: boolean;
}

export interface NoticeRow {
  system_id: string;
  system_name: string;
  department: string;
  month: string;
  status: 'issued' | 'open' | 'resolved' | 'escalated';
  issued_month: string;
  months_open: number;
  deadline: string | null;
  conditions: NoticeCondition[];
  citations: string[];
  /** a decision's note on the notice (docs/decisions.md §5.7) */
  decision_note: 'rectified' | 'rectified_not_held' | 'reply_rejected' | null;
  decision_id: string | null;
  decision_document_no: string | null;
  decision_date: string | null;
  decided_by: string | null;
  decision_reason: string | null;
}

export interface EvidenceMonth {
  month: string;
  [metric: string]: string | number | boolean | null;
}

export interface EliminationRow {
  system_id: string;
  system_name: string;
  department: string;
  conditions: { condition: ConditionName; streak: number; from_month: string }[];
  evidence: EvidenceMonth[];
  citations: string[];
  vcpu: number | null;
  memory_gb: number | null;
  storage_gb: number | null;
  cloud_cost_annual: number | null;
  exempt: boolean;
  exempt_until: string | null;
  exempt_reason: string | null;
  /** docs/decisions.md §5.7: pending | confirmed | exempted | shut_down, and the decision it rests on */
  decision_status: string;
  decision_id: string | null;
  decision_document_no: string | null;
  decision_date: string | null;
  decided_by: string | null;
  exempt_source: string | null;
  registry_exempt_until: string | null;
  registry_exempt_reason: string | null;
  exempt_decision_id: string | null;
  exempt_decision_until: string | null;
  exempt_document_no: string | null;
  exempt_decided_by: string | null;
}

/** A decision of the register (docs/inputs.md §2.6), with its revocation. */
export interface DecisionRow {
  decision_id: string;
  system_id: string;
  decision: string;
  effective_date: string;
  until: string | null;
  document_no: string | null;
  decided_by: string;
  reason: string | null;
  revokes: string | null;
  reclaimed_vcpu: number | null;
  reclaimed_memory_gb: number | null;
  reclaimed_storage_gb: number | null;
  revoked_by: string | null;
  revoked_date: string | null;
}

/** What a decision of the month took back (已收回). */
export interface ReclaimedRow {
  system_id: string;
  decision_id: string;
  decision: string;
  effective_date: string;
  vcpu: number | null;
  memory_gb: number | null;
  storage_gb: number | null;
  cloud_cost_annual: number | null;
}

export interface RightsizingRow {
  system_id: string;
  system_name: string;
  department: string;
  vcpu: number;
  max_p95_pct: number;
  recommended_vcpu: number;
  reclaim_vcpu: number;
  cloud_cost_annual: number | null;
  reclaim_cost_annual: number | null;
  citations: string[];
}

export interface SharingRow {
  system_id: string;
  system_name: string;
  department: string;
  stage: string;
  month: string;
  cataloged: number;
  shareable: number;
  aggregated: number;
  timely: number;
  duplicates: number;
  completeness_pct: number | null;
  uncataloged: boolean;
  sharing_failure: boolean;
  catalog_due_date: string | null;
  catalog_overdue: boolean;
}

export interface CalendarRow {
  system_id: string;
  system_name: string;
  department: string;
  obligation: string;
  window_start: string | null;
  due_date: string | null;
  done_date: string | null;
  status: 'done' | 'due' | 'overdue';
  note: string | null;
  citations: string[];
}

/** One month of the list trends: null where the month has no run. */
export interface ListTrend {
  month: string;
  run_id: number | null;
  rectification: number;
  elimination: number | null;
  exempted: number | null;
  reclaim_vcpu: number | null;
  reclaim_cost_annual: number | null;
  /** 已收回 in the month (docs/decisions.md §5.7) */
  reclaimed_vcpu: number | null;
  reclaimed_cost_annual: number | null;
}

export type ScoreRow = Row & {
  system_id: string;
  system_name: string;
  department: string;
  year: number;
  score: number;
  grade: string;
  self_score: number | null;
  inflation: boolean;
  report_missing: boolean;
};

export interface BudgetRow {
  system_id: string;
  system_name: string;
  department: string;
  year: number;
  recommendation: 'fund' | 'reduce' | 'suspend' | 'withhold';
  recommended_om_budget: number | null;
  recommended_cloud_cost: number | null;
  reasons: string[];
  citations: string[];
  om_budget_annual: number | null;
  cloud_cost_annual: number | null;
  score: number | null;
  grade: string | null;
}

export interface DepartmentRow {
  department: string;
  year: number;
  systems: number;
  withheld_for_sharing: number;
  longest_open_months: number;
  sharing_systems: string[];
  long_open_systems: string[];
  om_budget_annual: number | null;
  recommended_om_budget: number | null;
  mean_score: number | null;
  suspend_new_projects: boolean;
  reasons: string[];
  citations: string[];
}

export interface YearData {
  year: number;
  run: RunInfo;
  /** the month whose end the evaluation stands on (December, or the last full month of a year in progress) */
  asOfMonth: string | null;
  /** 预评价 (docs/decisions.md §5.5a): run before the year's reports were due; null for a run recorded before it was told */
  provisional: boolean | null;
  /** the year whose O&M report the evaluation read, and the day the year's reports are due */
  reportYear: number | null;
  reportDueDate: string | null;
  scores: ScoreRow[];
  budget: BudgetRow[];
  departments: DepartmentRow[];
}

export interface SiteData {
  month: string;
  /** the twelve months up to and including `month` */
  months: string[];
  run: RunInfo;
  systems: SystemInfo[];
  metrics: MetricRow[];
  notices: NoticeRow[];
  elimination: EliminationRow[];
  rightsizing: RightsizingRow[];
  sharing: SharingRow[];
  calendar: CalendarRow[];
  trends: ListTrend[];
  /** season suggestions of the month (docs/metrics.md §4.2): shown on the system page and on notices */
  seasonSuggestions: SeasonSuggestion[];
  /** the cost sharing of the month's year (docs/decisions.md §5.8) */
  costShares: CostShareRow[];
  /** the decision register (every decision, revoked ones too, of the visible systems), in arrival order */
  decisions: DecisionRow[];
  /** what decisions of the month took back */
  reclaimed: ReclaimedRow[];
  year: YearData | null;
  /** systems in this run's results that the registry marks classified now (the month needs a re-run) */
  classifiedSinceRun: number;
}

async function runInfo(store: Results, runId: number): Promise<RunInfo> {
  const r = await store.one<Row>(
    `SELECT run_id, period, profile, profile_sha256, started_at, trigger, status, coalesce(json_array_length(input_files), 0) AS inputs,
       counts->>'as_of' AS as_of
     FROM runs WHERE run_id = $1`,
    [runId],
  );
  if (!r) throw new Error(`run ${runId} vanished`);
  return {
    runId,
    period: String(r.period),
    profile: (r.profile as string | null) ?? null,
    profileSha256: (r.profile_sha256 as string | null) ?? null,
    startedAt: String(r.started_at),
    trigger: String(r.trigger),
    status: String(r.status),
    inputFiles: Number(r.inputs),
    asOf: (r.as_of as string | null) ?? null,
  };
}

export async function loadSiteData(store: Results, month: string): Promise<SiteData> {
  if (!isMonth(month)) throw new UserError(`月份格式应为 YYYY-MM：${month}`);
  const runId = await store.value<number | null>('SELECT run_id FROM month_runs WHERE month = $1', [month]);
  if (!runId) throw new UserError(`${month} 尚无月度运行结果，请先执行 govmon run --month ${month}`);
  const first = addMonths(month, -11);
  const months = Array.from({ length: 12 }, (_, i) => addMonths(first, i));
  const from = monthStart(first);
  const run = await runInfo(store, runId);

  const systems = await store.all<SystemInfo>(
    `SELECT system_id, system_name, department, stage, go_live_date, initial_acceptance_date, final_acceptance_date,
       security_level, vcpu, memory_gb, storage_gb, cloud_cost_annual, om_budget_annual, key_project, exempt_until, exempt_reason,
       active_months, citywide, serves_public, county
     FROM systems_current WHERE NOT coalesce(classified, false) ORDER BY department, system_id`,
  );

  const metrics = await store.all<MetricRow>(
    `SELECT strftime(month, '%Y-%m') AS month, * EXCLUDE (month, run_id)
     FROM res_metrics WHERE run_id = $1 AND month >= $2::DATE AND ${VISIBLE} ORDER BY system_id, month`,
    [runId, from],
  );

  const notices = await store.all<NoticeRow>(
    `SELECT system_id, system_name, department, strftime(month, '%Y-%m') AS month, status,
       strftime(issued_month, '%Y-%m') AS issued_month, months_open, deadline, conditions, citations,
       decision_note, decision_id, decision_document_no, decision_date, decided_by, decision_reason
     FROM res_notices WHERE run_id = $1 AND ${VISIBLE} ORDER BY system_id, month`,
    [runId],
  );

  const elimination = (
    await store.all<Row>(
      `SELECT system_id, system_name, department,
         list_transform(conditions, lambda x: {'condition': x.condition, 'streak': x.streak, 'from_month': strftime(x.from_month, '%Y-%m')}) AS conditions,
         CAST(evidence AS VARCHAR) AS evidence, citations, vcpu, memory_gb, storage_gb, cloud_cost_annual, exempt, exempt_until, exempt_reason,
         coalesce(decision_status, 'pending') AS decision_status, decision_id, decision_document_no, decision_date, decided_by,
         exempt_source, registry_exempt_until, registry_exempt_reason, exempt_decision_id, exempt_decision_until, exempt_document_no, exempt_decided_by
       FROM res_elimination WHERE run_id = $1 AND ${VISIBLE} ORDER BY exempt, department, system_id`,
      [runId],
    )
  ).map((r) => ({ ...r, evidence: r.evidence ? (JSON.parse(String(r.evidence)) as EvidenceMonth[]) : [] }) as unknown as EliminationRow);

  const rightsizing = await store.all<RightsizingRow>(
    `SELECT system_id, system_name, department, vcpu, max_p95_pct, recommended_vcpu, reclaim_vcpu, cloud_cost_annual, reclaim_cost_annual, citations
     FROM res_rightsizing WHERE run_id = $1 AND ${VISIBLE} ORDER BY reclaim_vcpu DESC, system_id`,
    [runId],
  );

  const sharing = await store.all<SharingRow>(
    `SELECT system_id, system_name, department, stage, strftime(month, '%Y-%m') AS month, cataloged, shareable, aggregated, timely,
       duplicates, completeness_pct, uncataloged, sharing_failure, catalog_due_date, catalog_overdue
     FROM res_sharing WHERE run_id = $1 AND month >= $2::DATE AND ${VISIBLE} ORDER BY system_id, month`,
    [runId, from],
  );

  const calendar = await store.all<CalendarRow>(
    `SELECT system_id, system_name, department, obligation, window_start, due_date, done_date, status, note, citations
     FROM res_calendar WHERE run_id = $1 AND ${VISIBLE}
     ORDER BY CASE status WHEN 'overdue' THEN 1 WHEN 'due' THEN 2 ELSE 3 END, due_date NULLS LAST, system_id, obligation`,
    [runId],
  );

  // The elimination list and what it reclaims, month by month, from each month's own current run
  // (a month that was never run stays empty); rectification from the notice history of this run.
  const trends = await store.all<ListTrend>(
    `WITH months AS (
       SELECT strftime(CAST(unnest(generate_series($2::DATE::TIMESTAMP, $3::DATE::TIMESTAMP, INTERVAL 1 MONTH)) AS DATE), '%Y-%m') AS month
     ), runs AS (
       SELECT m.month, r.run_id FROM months m LEFT JOIN month_runs r USING (month)
     ), elim AS (
       -- what can still be reclaimed: listed, not exempt, not shut down already (that is reclaimed)
       SELECT r.month,
         count(e.system_id) FILTER (WHERE NOT e.exempt) AS elimination,
         count(e.system_id) FILTER (WHERE e.exempt) AS exempted,
         coalesce(sum(e.vcpu) FILTER (WHERE NOT e.exempt AND e.decision_status IS DISTINCT FROM 'shut_down'), 0) AS vcpu,
         coalesce(sum(e.cloud_cost_annual) FILTER (WHERE NOT e.exempt AND e.decision_status IS DISTINCT FROM 'shut_down'), 0) AS cost
       FROM runs r LEFT JOIN res_elimination e ON e.run_id = r.run_id AND e.${VISIBLE}
       GROUP BY r.month
     ), rs AS (
       SELECT r.month, coalesce(sum(x.reclaim_vcpu), 0) AS vcpu, coalesce(sum(x.reclaim_cost_annual), 0) AS cost
       FROM runs r LEFT JOIN res_rightsizing x ON x.run_id = r.run_id AND x.${VISIBLE}
       GROUP BY r.month
     ), back AS (
       SELECT r.month, coalesce(sum(x.vcpu), 0) AS vcpu, coalesce(sum(x.cloud_cost_annual), 0) AS cost
       FROM runs r LEFT JOIN res_reclaimed x ON x.run_id = r.run_id AND x.${VISIBLE}
       GROUP BY r.month
     ), rect AS (
       SELECT strftime(month, '%Y-%m') AS month, count(*) AS n FROM res_notices
       WHERE run_id = $1 AND status IN ('issued', 'open') AND ${VISIBLE} GROUP BY ALL
     )
     SELECT r.month, r.run_id, coalesce(rect.n, 0) AS rectification,
       CASE WHEN r.run_id IS NOT NULL THEN elim.elimination END AS elimination,
       CASE WHEN r.run_id IS NOT NULL THEN elim.exempted END AS exempted,
       CASE WHEN r.run_id IS NOT NULL THEN elim.vcpu + rs.vcpu END AS reclaim_vcpu,
       CASE WHEN r.run_id IS NOT NULL THEN elim.cost + rs.cost END AS reclaim_cost_annual,
       CASE WHEN r.run_id IS NOT NULL THEN back.vcpu END AS reclaimed_vcpu,
       CASE WHEN r.run_id IS NOT NULL THEN back.cost END AS reclaimed_cost_annual
     FROM runs r JOIN elim USING (month) JOIN rs USING (month) JOIN back USING (month) LEFT JOIN rect USING (month)
     ORDER BY r.month`,
    [runId, from, monthStart(month)],
  );

  const seasonSuggestions = await store.all<SeasonSuggestion>(
    `SELECT system_id, season_months, recent_share_pct, earlier_share_pct, months_of_data
     FROM res_season_suggestions WHERE run_id = $1 AND ${VISIBLE} ORDER BY system_id`,
    [runId],
  );
  // amounts as text: exact to the fen, as stored (DECIMAL)
  const costShares = await store.all<CostShareRow>(
    `SELECT system_id, system_name, department, year, basis, status, county, share_pct, plan_share_pct, population, population_year,
       CAST(cost AS VARCHAR) AS cost, CAST(amount AS VARCHAR) AS amount, CAST(remainder AS VARCHAR) AS remainder
     FROM res_cost_shares WHERE run_id = $1 AND ${VISIBLE} ORDER BY status <> 'shared', department, system_id, county`,
    [runId],
  );
  // the register as a person reads it: every decision of a visible system, with its revocation
  const decisions = await store.all<DecisionRow>(
    `SELECT decision_id, system_id, decision, effective_date, until, document_no, decided_by, reason, revokes,
       reclaimed_vcpu, reclaimed_memory_gb, reclaimed_storage_gb, revoked_by, revoked_date
     FROM decision_register WHERE ${VISIBLE} ORDER BY arrival`,
  );
  const reclaimed = await store.all<ReclaimedRow>(
    `SELECT system_id, decision_id, decision, effective_date, vcpu, memory_gb, storage_gb, cloud_cost_annual
     FROM res_reclaimed WHERE run_id = $1 AND ${VISIBLE} ORDER BY effective_date, system_id`,
    [runId],
  );

  const year = await loadYear(store, Number(month.slice(0, 4)));
  const classifiedSinceRun = await store.value<number>(
    `SELECT count(DISTINCT system_id) FROM (
       SELECT system_id FROM res_metrics WHERE run_id = $1 UNION ALL SELECT system_id FROM res_notices WHERE run_id = $1
       UNION ALL SELECT system_id FROM res_elimination WHERE run_id = $1 UNION ALL SELECT system_id FROM res_rightsizing WHERE run_id = $1
       UNION ALL SELECT system_id FROM res_reclaimed WHERE run_id = $1
       UNION ALL SELECT system_id FROM res_sharing WHERE run_id = $1 UNION ALL SELECT system_id FROM res_calendar WHERE run_id = $1
       UNION ALL SELECT system_id FROM res_cost_shares WHERE run_id = $1
       UNION ALL SELECT system_id FROM res_scores WHERE run_id = $2 UNION ALL SELECT system_id FROM res_budget WHERE run_id = $2
     ) WHERE NOT (${VISIBLE})`,
    [runId, year?.run.runId ?? -1],
  );
  return {
    month,
    months,
    run,
    systems,
    metrics,
    notices,
    elimination,
    rightsizing,
    sharing,
    calendar,
    trends,
    seasonSuggestions,
    costShares,
    decisions,
    reclaimed,
    year,
    classifiedSinceRun,
  };
}

/** The latest evaluated year up to `maxYear`, or null when none exists. */
async function loadYear(store: Results, maxYear: number): Promise<YearData | null> {
  const y = await store.one<{ year: number; run_id: number }>(
    'SELECT year, run_id FROM year_runs WHERE year <= $1 ORDER BY year DESC LIMIT 1',
    [maxYear],
  );
  if (!y) return null;
  const runId = y.run_id;
  const asOf = await store.value<string | null>(`SELECT strftime(max(month), '%Y-%m') FROM res_sharing WHERE run_id = $1`, [runId]);
  const scores = await store.all<ScoreRow>(
    `SELECT * EXCLUDE (run_id) FROM res_scores WHERE run_id = $1 AND ${VISIBLE} ORDER BY score DESC, system_id`,
    [runId],
  );
  const budget = await store.all<BudgetRow>(
    `SELECT * EXCLUDE (run_id) FROM res_budget WHERE run_id = $1 AND ${VISIBLE}
     ORDER BY CASE recommendation WHEN 'withhold' THEN 1 WHEN 'suspend' THEN 2 WHEN 'reduce' THEN 3 ELSE 4 END, department, system_id`,
    [runId],
  );
  // The department rows name systems; a classified one is taken out of those lists.
  const departments = await store.all<DepartmentRow>(
    `WITH c AS (SELECT coalesce(list(system_id), []) AS ids FROM systems_current WHERE coalesce(classified, false))
     SELECT d.* EXCLUDE (run_id, sharing_systems, long_open_systems),
       list_filter(coalesce(d.sharing_systems, []), lambda x: NOT list_contains(c.ids, x)) AS sharing_systems,
       list_filter(coalesce(d.long_open_systems, []), lambda x: NOT list_contains(c.ids, x)) AS long_open_systems
     FROM res_departments d, c WHERE d.run_id = $1 ORDER BY d.suspend_new_projects DESC, d.department`,
    [runId],
  );
  const basis = await store.one<{ provisional: boolean; report_year: number; report_due_date: string }>(
    `SELECT provisional, report_year, strftime(report_due_date, '%Y-%m-%d') AS report_due_date FROM res_evaluations WHERE run_id = $1`,
    [runId],
  );
  return {
    year: y.year,
    run: await runInfo(store, runId),
    asOfMonth: asOf,
    provisional: basis?.provisional ?? null,
    reportYear: basis?.report_year ?? null,
    reportDueDate: basis?.report_due_date ?? null,
    scores,
    budget,
    departments,
  };
}

/**
 * The site data of some systems only: every per-system table kept to their rows (the month, its
 * run, the trends and the departments' scores as they are). What a page-rendering thread gets
 * for its share (render-pool.ts), so that it does not hold a copy of the whole city.
 */
export function siteDataOf(data: SiteData, ids: ReadonlySet<string>): SiteData {
  const mine = <T extends { system_id: string }>(rows: readonly T[]) => rows.filter((r) => ids.has(r.system_id));
  return {
    ...data,
    systems: mine(data.systems),
    metrics: mine(data.metrics),
    notices: mine(data.notices),
    elimination: mine(data.elimination),
    rightsizing: mine(data.rightsizing),
    sharing: mine(data.sharing),
    calendar: mine(data.calendar),
    seasonSuggestions: mine(data.seasonSuggestions),
    costShares: mine(data.costShares),
    decisions: mine(data.decisions),
    reclaimed: mine(data.reclaimed),
    year: data.year ? { ...data.year, scores: mine(data.year.scores), budget: mine(data.year.budget) } : null,
  };
}
