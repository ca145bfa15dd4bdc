// Before the models are built: the run's parameters, the telemetry aggregates brought up to date,
// the first month of telemetry, the citations of every rule, the working-day calendar.

import { shanghaiDate } from '../../core/clock.ts';
import type { Store } from '../store/database.ts';
import type { Profile } from '../../metrics/profiles/schema.ts';
import { CONDITION_CODES } from '../../metrics/profiles/schema.ts';
import { profileParams, type Param } from '../../metrics/run-params.ts';
import { citationLabels, ruleEntries } from '../../metrics/profiles/rules.ts';
import { buildWorkCalendar } from './work-calendar.ts';
import { refreshTelemetryCache } from './telemetry-cache.ts';

/**
 * Everything the models read before they are built: the parameter tables, the telemetry aggregates
 * brought up to date, the first month of telemetry, the citations and the working-day calendar.
 */
export async function prepareRun(store: Store, month: string, profile: Profile, now: Date, extra: readonly Param[] = []): Promise<void> {
  await writeParamTables(store, month, profile, extra);
  await setAsOfDate(store, now);
  await refreshTelemetryCache(store, now);
  await setFirstMonth(store);
  await writeRuleCitations(store, profile);
  await buildRunCalendar(store, month);
}

/** run_params (one row: `p.<name>` in the models, with a run's `extra` ones), condition_params and cycle_windows. */
export async function writeParamTables(store: Store, month: string, profile: Profile, extra: readonly Param[] = []): Promise<void> {
  const params = [...profileParams(month, profile), ...extra];
  await store.run(
    `CREATE OR REPLACE TEMP TABLE run_params (${params.map(([n, t]) => `${n} ${t}`).join(', ')}, first_month DATE, as_of_date DATE)`,
  );
  await store.run(
    `INSERT INTO run_params SELECT ${params.map(([, t], i) => `CAST($${i + 1} AS ${t})`).join(', ')}, NULL, NULL`,
    params.map(([, , v]) => v),
  );
  await store.run(
    'CREATE OR REPLACE TEMP TABLE condition_params (condition VARCHAR, warn_months INTEGER, eliminate_months INTEGER, condition_order INTEGER)',
  );
  for (const [i, c] of CONDITION_CODES.entries())
    await store.run('INSERT INTO condition_params VALUES ($1, $2, $3, $4)', [
      c,
      profile.monitoring[c].warn_months,
      profile.monitoring[c].eliminate_months,
      i,
    ]);
  await store.run('CREATE OR REPLACE TEMP TABLE cycle_windows (update_cycle VARCHAR, window_days INTEGER)');
  for (const [cycle, days] of Object.entries(profile.sharing.windows))
    await store.run('INSERT INTO cycle_windows VALUES ($1, $2)', [cycle, days]);
}

/**
 * run_params.as_of_date: the last day the run month counts — its last day, or today (Asia/Shanghai)
 * while the month has not ended, so that the days still to come are not counted as missing
 * (no_data, docs/metrics.md §4.1).
 */
export async function setAsOfDate(store: Store, now: Date): Promise<void> {
  await store.run('UPDATE run_params SET as_of_date = least(month_end, $1::DATE)', [shanghaiDate(now)]);
}

/**
 * run_params.first_month: the first month of telemetry in the database, classified systems'
 * telemetry excluded (docs/inputs.md): from the month aggregates when a month ≤ the run month has
 * any (no scan of the raw rows), else from the raw rows.
 */
export async function setFirstMonth(store: Store): Promise<void> {
  const visible = '(SELECT system_id FROM systems_current WHERE NOT coalesce(classified, false))';
  await store.run(
    `UPDATE run_params SET first_month = (SELECT min(a.month) FROM agg_telemetry_monthly a SEMI JOIN ${visible} s ON s.system_id = a.system_id
       WHERE a.month <= (SELECT month FROM run_params))`,
  );
  if ((await store.value('SELECT first_month FROM run_params')) === null)
    await store.run(
      `UPDATE run_params SET first_month = (SELECT CAST(date_trunc('month', min(t.date)) AS DATE) FROM raw_telemetry t SEMI JOIN ${visible} s ON s.system_id = t.system_id)`,
    );
}

/** rule_citations: the citation labels of every rule a decision can cite. */
export async function writeRuleCitations(store: Store, profile: Profile): Promise<void> {
  await store.run('CREATE OR REPLACE TEMP TABLE rule_citations (rule VARCHAR, citation VARCHAR)');
  for (const [rule, r] of ruleEntries(profile))
    for (const l of citationLabels(r)) await store.run('INSERT INTO rule_citations VALUES ($1, $2)', [rule, l]);
}

/** The working-day calendar, spanning every initial acceptance date and the run month. */
export async function buildRunCalendar(store: Store, month: string): Promise<void> {
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
