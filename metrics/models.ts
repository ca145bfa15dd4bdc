// The SQL models of the monthly run, layered as dbt does (stg → int → mart): each file in
// metrics/models/ is one model, named by its first comment line, with its grain stated. They are
// built in file order as temporary tables. Placeholders ({{aggregates}}, …) are filled from the
// metric and condition definitions (definitions.ts), so each metric has exactly one definition.

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Store } from '../pipelines/store/database.ts';
import { CONDITIONS, MONTHLY_METRICS } from './definitions.ts';
import { CONDITIONS as CONDITION_NAMES, type Profile } from './profiles/schema.ts';
import { citationLabel } from './profiles/measures.ts';
import { monthEnd, monthStart } from '../pipelines/clock.ts';

export const MODELS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'models');

export interface Model {
  file: string;
  name: string;
  grain: string;
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
  streak_names: () => CONDITION_NAMES.map((c) => `'streak_${c}'`).join(', '),
  streak_columns: () => CONDITION_NAMES.map((c) => `CAST(coalesce(streak_${c}, 0) AS INTEGER) AS streak_${c}`).join(', '),
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
      if (!name) throw new Error(`model ${f} lacks its name comment`);
      return { file: f, name, grain, sql: renderSql(text) };
    });
}

/** Parameters of a run as temporary tables the models read: run_params, condition_params, rule_citations. */
export async function setRunParams(store: Store, month: string, profile: Profile): Promise<void> {
  const mon = profile.monitoring;
  await store.run(`CREATE OR REPLACE TEMP TABLE run_params (
    month DATE, month_end DATE, first_month DATE,
    no_data_min_days_ratio DOUBLE, inactive_dau_max DOUBLE, inactive_requests_max DOUBLE,
    low_util_cpu_avg_max DOUBLE, low_util_cpu_p95_max DOUBLE, unusable_availability_max DOUBLE,
    rightsizing_p95_max DOUBLE, rightsizing_months INTEGER, rightsizing_target_p95 DOUBLE)`);
  await store.run(
    `INSERT INTO run_params SELECT $1::DATE, $2::DATE,
       (SELECT min(month) FROM file_months WHERE rows > 0),
       $3, $4, $5, $6, $7, $8, $9, $10, $11`,
    [
      monthStart(month),
      monthEnd(month),
      mon.no_data.min_days_ratio,
      mon.inactive.dau_max,
      mon.inactive.requests_max,
      mon.low_util.cpu_avg_max,
      mon.low_util.cpu_p95_max,
      mon.unusable.availability_max,
      profile.rightsizing.p95_max,
      profile.rightsizing.months,
      profile.rightsizing.target_p95,
    ],
  );
  await store.run(
    'CREATE OR REPLACE TEMP TABLE condition_params (condition VARCHAR, warn_months INTEGER, eliminate_months INTEGER, condition_order INTEGER)',
  );
  for (const [i, c] of CONDITION_NAMES.entries())
    await store.run('INSERT INTO condition_params VALUES ($1, $2, $3, $4)', [c, mon[c].warn_months, mon[c].eliminate_months, i]);
  await store.run('CREATE OR REPLACE TEMP TABLE rule_citations (rule VARCHAR, citation VARCHAR)');
  const rules: [string, Profile['rectification']][] = [
    ['rectification', profile.rectification],
    ['elimination', profile.elimination],
    ['rightsizing', profile.rightsizing],
    ...CONDITION_NAMES.map((c) => [`condition.${c}`, mon[c]] as [string, Profile['rectification']]),
  ];
  for (const [rule, r] of rules) {
    const labels = r.citations.length ? [...new Set(r.citations.map(citationLabel))] : ['数据局工作口径（办法未作规定）'];
    for (const l of labels) await store.run('INSERT INTO rule_citations VALUES ($1, $2)', [rule, l]);
  }
}

/** Build every model as a temporary table, in order. Returns the time each took (ms). */
export async function buildModels(store: Store, models = loadModels()): Promise<Record<string, number>> {
  const timings: Record<string, number> = {};
  for (const m of models) {
    const t0 = performance.now();
    try {
      await store.run(`CREATE OR REPLACE TEMP TABLE ${m.name} AS ${m.sql}`);
    } catch (e) {
      throw new Error(`model ${m.file} failed: ${(e as Error).message}`);
    }
    timings[m.name] = Math.round(performance.now() - t0);
  }
  return timings;
}
