// The SQL models of the monthly run, layered as dbt does (stg → int → mart): each file in
// metrics/models/ is one model, named by its first comment line, with its grain stated. They are
// built in file order as temporary tables. Placeholders ({{aggregates}}, …) are filled from the
// metric and condition definitions (definitions.ts), so each metric has exactly one definition.

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Store } from '../pipelines/store/database.ts';
import { CONDITIONS, MONTHLY_METRICS } from './definitions.ts';
import { CONDITIONS as CONDITION_NAMES, type Profile, type Rule } from './profiles/schema.ts';
import { buildWorkCalendar } from './workdays.ts';
import { citationLabel } from './profiles/measures.ts';
import { monthEnd, monthStart } from '../pipelines/clock.ts';
import { refreshTelemetryCache } from './telemetry-cache.ts';

export const MODELS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'models');

export interface Model {
  file: string;
  name: string;
  grain: string;
  /** `table` (the default: a temporary table), or `view` for a model read once downstream */
  materialized: 'table' | 'view';
  sql: string;
}

const wrapCondition = (name: string) => {
  const c = CONDITIONS.find((x) => x.name === name)!;
  return `coalesce(${c.sql}, false) AS ${name}`;
};

const evidenceMetrics = [...new Set(['days_reported', ...CONDITIONS.flatMap((c) => c.evidence)])];

/** The text substituted for each placeholder. */
export const PLACEHOLDERS: Readonly<Record<string, () => string>> = {
  aggregates: () =>
    MONTHLY_METRICS.filter((m) => m.stage === 'aggregate')
      .map((m) => `${m.sql} AS ${m.name}`)
      .join(',\n    '),
  derived: () =>
    MONTHLY_METRICS.filter((m) => m.stage === 'derived')
      .map((m) => `${m.sql} AS ${m.name}`)
      .join(',\n  '),
  no_data: () => wrapCondition('no_data'),
  other_conditions: () =>
    CONDITIONS.filter((c) => c.name !== 'no_data')
      .map((c) => wrapCondition(c.name))
      .join(',\n  '),
  condition_list: () => CONDITION_NAMES.join(', '),
  streak_windows: () => CONDITION_NAMES.map((c) => `max(CASE WHEN NOT ${c} THEN month END) OVER w AS gm_off_${c}`).join(',\n    '),
  streak_values: () =>
    CONDITION_NAMES.map(
      (c) => `CAST(CASE WHEN ${c} THEN datediff('month', coalesce(gm_off_${c}, CAST(gm_first - INTERVAL 1 MONTH AS DATE)), month) ELSE 0 END AS INTEGER) AS streak_${c}`,
    ).join(',\n  '),
  condition_pairs_select: () => CONDITION_NAMES.map((c) => `c.${c}, s.streak_${c}`).join(', '),
  condition_pairs: () => CONDITION_NAMES.map((c) => `(${c}, streak_${c}) AS ${c}`).join(', '),
  evidence_struct: () =>
    `{'month': strftime(m.month, '%Y-%m'), ${evidenceMetrics.map((e) => `'${e}': m.${e}`).join(', ')}, ${CONDITION_NAMES.map((c) => `'${c}': m.${c}`).join(', ')}}`,
};

export function renderSql(sql: string): string {
  return sql.replace(/\{\{\s*(\w+)\s*\}\}/g, (_, k: string) => {
    const f = PLACEHOLDERS[k];
    if (!f) throw new Error(`unknown placeholder {{${k}}}`);
    return f();
  });
}

export function loadModels(dir = MODELS_DIR): Model[] {
  return fs
    .readdirSync(dir)
    .filter((f) => /^\d{2}_.+\.sql$/.test(f))
    .sort()
    .map((f) => {
      const text = fs.readFileSync(path.join(dir, f), 'utf8');
      const name = /^--\s*(\w+)/.exec(text)?.[1];
      const grain = /--\s*grain:\s*(.+)/.exec(text)?.[1] ?? '';
      const materialized = /--\s*materialized:\s*view\b/.test(text) ? 'view' : 'table';
      if (!name) throw new Error(`model ${f} lacks its name comment`);
      return { file: f, name, grain, materialized, sql: renderSql(text) };
    });
}

/** One run parameter: its column in run_params, SQL type and value. */
type Param = [name: string, type: 'DATE' | 'DOUBLE' | 'INTEGER' | 'VARCHAR', value: string | number | null];

function profileParams(month: string, p: Profile): Param[] {
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

/** Every rule of the profile that a decision can cite, by the key the models use. */
export function ruleEntries(p: Profile): [string, Rule][] {
  const b = p.budget;
  const cal = p.calendar;
  return [
    ['rectification', p.rectification],
    ['elimination', p.elimination],
    ['rightsizing', p.rightsizing],
    ['sharing', p.sharing],
    ['catalog_deadline', p.catalog_deadline],
    ['scoring', p.scoring],
    ['inflation', p.inflation],
    ['budget', b],
    ['budget.withhold_elimination', b.withhold_elimination],
    ['budget.withhold_no_acceptance', b.withhold_no_acceptance],
    ['budget.withhold_security', b.withhold_security],
    ['budget.withhold_sharing', b.withhold_sharing],
    ['budget.withhold_poor_open', b.withhold_poor_open],
    ['budget.suspend', b.suspend],
    ['budget.reduce', b.reduce],
    ['budget.department_suspension', b.department_suspension],
    ...(cal.self_evaluation ? ([['calendar.self_evaluation', cal.self_evaluation]] as [string, Rule][]) : []),
    ...(cal.annual_report ? ([['calendar.annual_report', cal.annual_report]] as [string, Rule][]) : []),
    ...(cal.completion_acceptance ? ([['calendar.completion_acceptance', cal.completion_acceptance]] as [string, Rule][]) : []),
    ...CONDITION_NAMES.map((c) => [`condition.${c}`, p.monitoring[c]] as [string, Rule]),
  ];
}

/** Citation labels of a rule; a bureau practice says so instead of citing. */
export function citationLabels(r: Rule): string[] {
  return r.citations.length ? [...new Set(r.citations.map(citationLabel))] : [PRACTICE_LABEL];
}

export const PRACTICE_LABEL = '数据局工作口径（办法未作规定）';

/**
 * Parameters of a run as temporary tables the models read: run_params (one row), condition_params,
 * cycle_windows, rule_citations; and the working-day calendar.
 */
export async function setRunParams(store: Store, month: string, profile: Profile, now: Date): Promise<void> {
  const params = profileParams(month, profile);
  await store.run(
    `CREATE OR REPLACE TEMP TABLE run_params (${params.map(([n, t]) => `${n} ${t}`).join(', ')}, first_month DATE)`,
  );
  await store.run(`INSERT INTO run_params SELECT ${params.map(([, t], i) => `CAST($${i + 1} AS ${t})`).join(', ')}, NULL`, params.map(([, , v]) => v));
  // the month aggregates up to the run month, then the first month of telemetry in the database,
  // classified systems' telemetry excluded (§2.1): from the aggregates when a month ≤ the run
  // month has any (no scan of the raw rows), else from the raw rows
  await refreshTelemetryCache(store, now);
  const visible = `(SELECT system_id FROM systems_current WHERE NOT coalesce(classified, false))`;
  await store.run(
    `UPDATE run_params SET first_month = (SELECT min(a.month) FROM agg_telemetry_monthly a SEMI JOIN ${visible} s ON s.system_id = a.system_id
       WHERE a.month <= (SELECT month FROM run_params))`,
  );
  if ((await store.value('SELECT first_month FROM run_params')) === null)
    await store.run(
      `UPDATE run_params SET first_month = (SELECT CAST(date_trunc('month', min(t.date)) AS DATE) FROM raw_telemetry t SEMI JOIN ${visible} s ON s.system_id = t.system_id)`,
    );
  await store.run(
    'CREATE OR REPLACE TEMP TABLE condition_params (condition VARCHAR, warn_months INTEGER, eliminate_months INTEGER, condition_order INTEGER)',
  );
  for (const [i, c] of CONDITION_NAMES.entries())
    await store.run('INSERT INTO condition_params VALUES ($1, $2, $3, $4)', [c, profile.monitoring[c].warn_months, profile.monitoring[c].eliminate_months, i]);
  await store.run('CREATE OR REPLACE TEMP TABLE cycle_windows (update_cycle VARCHAR, window_days INTEGER)');
  for (const [cycle, days] of Object.entries(profile.sharing.windows))
    await store.run('INSERT INTO cycle_windows VALUES ($1, $2)', [cycle, days]);
  await store.run('CREATE OR REPLACE TEMP TABLE rule_citations (rule VARCHAR, citation VARCHAR)');
  for (const [rule, r] of ruleEntries(profile))
    for (const l of citationLabels(r)) await store.run('INSERT INTO rule_citations VALUES ($1, $2)', [rule, l]);
  // The working-day calendar spans every initial acceptance date and the run month.
  const span = await store.one<{ lo: number | null; hi: number | null }>(
    'SELECT min(year(initial_acceptance_date)) AS lo, max(year(initial_acceptance_date)) AS hi FROM systems_current',
  );
  const runYear = Number(month.slice(0, 4));
  await buildWorkCalendar(store, Math.min(span?.lo ?? runYear, runYear), Math.max((span?.hi ?? runYear) + 1, runYear));
}

/**
 * Years the official calendar does not cover in which a working-day deadline was actually counted
 * (from the day after an initial acceptance to its catalog deadline): those fell back to
 * Monday–Friday and the run says so. Read after the models are built.
 */
export async function calendarFallbackYears(store: Store): Promise<number[]> {
  const rows = await store.all<{ y: number }>(
    `SELECT DISTINCT year(w.date) AS y
     FROM (SELECT DISTINCT y.initial_acceptance_date AS d0, s.catalog_due_date AS d1
           FROM int_sharing s JOIN stg_systems y USING (system_id)
           WHERE y.initial_acceptance_date IS NOT NULL) d
     JOIN work_calendar w ON w.date > d.d0 AND (d.d1 IS NULL OR w.date <= d.d1)
     WHERE NOT w.covered AND w.date <= coalesce(d.d1, d.d0 + INTERVAL 60 DAY)
     ORDER BY 1`,
  );
  return rows.map((r) => r.y);
}

/** Build every model as a temporary table, in order. Returns the time each took (ms). */
export async function buildModels(
  store: Store,
  models = loadModels(),
  onStep?: (name: string, done: number, total: number) => void,
): Promise<Record<string, number>> {
  const timings: Record<string, number> = {};
  for (const [i, m] of models.entries()) {
    onStep?.(m.name, i, models.length);
    const t0 = performance.now();
    try {
      await store.run(`CREATE OR REPLACE TEMP ${m.materialized === 'view' ? 'VIEW' : 'TABLE'} ${m.name} AS ${m.sql}`);
    } catch (e) {
      throw new Error(`model ${m.file} failed: ${(e as Error).message}`);
    }
    timings[m.name] = Math.round(performance.now() - t0);
  }
  return timings;
}
