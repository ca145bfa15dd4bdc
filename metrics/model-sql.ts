// The SQL models of the monthly run, layered as dbt does (stg → int → mart): each file in
// metrics/models/ is one model, named by its first comment line, with its grain and key stated
// (docs/metrics.md). Placeholders ({{aggregates}}, …) are filled from the metric and condition
// definitions (definitions.ts), so each metric has exactly one definition. Pure: the files are
// read by pipelines/run/models.ts.

import { CONDITIONS, MONTHLY_METRICS, SEASONAL_CONDITIONS } from './definitions.ts';
import { CONDITION_CODES, type ConditionName } from './profiles/schema.ts';

export interface Model {
  file: string;
  name: string;
  grain: string;
  /** the columns that identify a row (`-- key: a, b`); empty for a model without one */
  key: string[];
  /** `table` (the default: a temporary table), or `view` for a model read once downstream */
  materialized: 'table' | 'view';
  sql: string;
}

// A seasonal condition does not hold in a month outside the system's declared season (docs/metrics.md §4.2).
const wrapCondition = (name: string) => {
  const c = CONDITIONS.find((x) => x.name === name)!;
  return c.seasonal ? `coalesce(NOT m.off_season AND (${c.sql}), false) AS ${name}` : `coalesce(${c.sql}, false) AS ${name}`;
};

const seasonal = (c: string) => SEASONAL_CONDITIONS.includes(c as ConditionName);

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
  condition_list: () => CONDITION_CODES.join(', '),
  // A plain condition's streak runs from the last month it did not hold. A seasonal one counts
  // in-season months only (gm_ord: in-season months so far): an off-season month neither adds to
  // it nor resets it, so there the streak stays what it was in the last in-season month.
  streak_windows: () =>
    CONDITION_CODES.map((c) =>
      seasonal(c)
        ? `max(CASE WHEN NOT off_season AND NOT ${c} THEN gm_ord END) OVER w AS gm_brk_${c}`
        : `max(CASE WHEN NOT ${c} THEN month END) OVER w AS gm_off_${c}`,
    ).join(',\n    '),
  streak_values: () =>
    CONDITION_CODES.map((c) =>
      seasonal(c)
        ? `CAST(CASE WHEN NOT off_season AND NOT ${c} THEN 0 ELSE gm_ord - coalesce(gm_brk_${c}, 0) END AS INTEGER) AS streak_${c}`
        : `CAST(CASE WHEN ${c} THEN datediff('month', coalesce(gm_off_${c}, CAST(gm_first - INTERVAL 1 MONTH AS DATE)), month) ELSE 0 END AS INTEGER) AS streak_${c}`,
    ).join(',\n  '),
  seasonal_conditions: () => SEASONAL_CONDITIONS.map((c) => `'${c}'`).join(', '),
  condition_pairs_select: () => CONDITION_CODES.map((c) => `c.${c}, s.streak_${c}`).join(', '),
  condition_pairs: () => CONDITION_CODES.map((c) => `(${c}, streak_${c}) AS ${c}`).join(', '),
  evidence_struct: () =>
    `{'month': strftime(m.month, '%Y-%m'), ${evidenceMetrics.map((e) => `'${e}': m.${e}`).join(', ')}, ${CONDITION_CODES.map((c) => `'${c}': m.${c}`).join(', ')}}`,
};

export function renderSql(sql: string): string {
  return sql.replace(/\{\{\s*(\w+)\s*\}\}/g, (_, k: string) => {
    const f = PLACEHOLDERS[k];
    if (!f) throw new Error(`unknown placeholder {{${k}}}`);
    return f();
  });
}

/** A model from its file name and text: name, grain, key and materialization from its comment header. */
export function parseModel(file: string, text: string): Model {
  const name = /^--\s*(\w+)/.exec(text)?.[1];
  const grain = /--\s*grain:\s*(.+)/.exec(text)?.[1] ?? '';
  const key = (/--\s*key:\s*(.+)/.exec(text)?.[1] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const materialized = /--\s*materialized:\s*view\b/.test(text) ? 'view' : 'table';
  if (!name) throw new Error(`model ${file} lacks its name comment`);
  return { file, name, grain, key, materialized, sql: renderSql(text) };
}

/** Model files are `NN_name.sql`, built in file-name order. */
export const MODEL_FILE = /^\d{2}_.+\.sql$/;
