// The SQL models of the monthly run, layered as dbt does (stg → int → mart): each file in
// metrics/models/ is one model, named by its first comment line, with its grain, key, not-null
// columns and accepted values declared in its header and checked by generated tests, as dbt's
// schema tests are (modelTests; tests/models.test.ts; docs/metrics.md). Placeholders
// ({{aggregates}}, …) are filled from the metric and condition definitions (definitions.ts), so
// each metric has exactly one definition. Pure: the files are read by pipelines/run/models.ts.

import { CONDITIONS, MONTHLY_METRICS, SEASONAL_CONDITIONS } from './definitions.ts';
import { CONDITION_CODES, type ConditionName } from './profiles/schema.ts';
import { LABELS, type LabelKind } from './labels.ts';
import { sqlString } from '../core/sql.ts';

export interface Model {
  file: string;
  name: string;
  grain: string;
  /** the columns that identify a row (`-- key: a, b`; `b?` when b may be NULL); empty for a model without one */
  key: string[];
  /** the columns that are never NULL: the key's and those of `-- not_null: a, b` */
  notNull: string[];
  /** the accepted values of code columns (`-- accepted: …`) */
  accepted: Accepted[];
  /** `table` (the default: a temporary table), or `view` for a model read once downstream */
  materialized: 'table' | 'view';
  sql: string;
}

/**
 * `-- accepted: <target> in <values>`. The target is a column (`status`), every element of a list
 * column (`each reasons`), a field of every element of a list of structs (`each conditions.condition`),
 * or a SQL expression over a row in parentheses (`(split_part(obligation, ':', 1))`). The values
 * are a table of the label registry (`in notice_status`: every code the model can produce has a
 * Chinese label) or an explicit list (`in (优, 良, 中, 差)`). NULL is not a value: not_null says
 * whether it may occur.
 */
export interface Accepted {
  /** the left side as written */
  target: string;
  /** the SQL, over one row of the model, of the value(s) checked (a list for `each`) */
  expr: string;
  each: boolean;
  /** the field of a struct value, for `each conditions.condition` */
  field: string | null;
  /** the label table the values come from, or null for an explicit list */
  table: LabelKind | null;
  values: string[];
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
  streak_list: () => CONDITION_CODES.map((c) => `streak_${c}`).join(', '),
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

/** Levenshtein distance, for telling a misspelt declaration (`-- acepted:`) from prose (`-- on:`). */
function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length];
}

/** Header declarations a model may make (`-- <word>: …`, one space after the dashes). */
const DECLARATIONS = ['grain', 'key', 'not_null', 'accepted', 'materialized'] as const;

/**
 * A model from its file name and text: name, grain, key, not-null columns, accepted values and
 * materialization from its comment header (the comment lines before the SQL). Placeholders are
 * rendered first, so a header may list `{{condition_list}}`. Pure: throws on a header it cannot read.
 */
export function parseModel(file: string, text: string): Model {
  const sql = renderSql(text);
  const lines = sql.split('\n');
  const sqlStart = lines.findIndex((l) => !l.startsWith('--'));
  const header = sqlStart === -1 ? lines : lines.slice(0, sqlStart);
  const name = /^--\s*(\w+)/.exec(header[0] ?? '')?.[1];
  if (!name) throw new Error(`model ${file} lacks its name comment`);
  const fail = (msg: string): never => {
    throw new Error(`model ${file}: ${msg}`);
  };
  const decl: Record<(typeof DECLARATIONS)[number], string[]> = { grain: [], key: [], not_null: [], accepted: [], materialized: [] };
  for (const line of header) {
    const m = /^-- ([a-z_]+):(.*)$/.exec(line);
    if (!m) continue;
    if (!(DECLARATIONS as readonly string[]).includes(m[1])) {
      // prose that happens to start a line with `word:` is prose; a misspelt declaration is an error
      if (DECLARATIONS.some((d) => editDistance(d, m[1]) <= 2))
        fail(`unknown declaration "-- ${m[1]}:" (known: ${DECLARATIONS.join(', ')})`);
      continue;
    }
    decl[m[1] as (typeof DECLARATIONS)[number]].push(m[2].trim());
  }
  const columns = (texts: string[], what: string) =>
    texts
      .flatMap((l) => l.split(','))
      .map((s) => s.trim())
      .filter(Boolean)
      .map((c) => (/^\w+$/.test(c) ? c : fail(`${what}: "${c}" is not a column name`)));
  // a key column marked `?` may be NULL (one row per system with a NULL county, say); the others are never NULL
  const keyed = decl.key
    .flatMap((l) => l.split(','))
    .map((s) => s.trim())
    .filter(Boolean);
  const key = columns(
    keyed.map((c) => c.replace(/\?$/, '')),
    'key',
  );
  const nullableKey = new Set(keyed.filter((c) => c.endsWith('?')).map((c) => c.slice(0, -1)));
  return {
    file,
    name,
    grain: decl.grain[0] ?? '',
    key,
    notNull: [...new Set([...key.filter((c) => !nullableKey.has(c)), ...columns(decl.not_null, 'not_null')])],
    accepted: decl.accepted.map((a) => parseAccepted(a, fail)),
    materialized: decl.materialized.some((m) => /^view\b/.test(m)) ? 'view' : 'table',
    sql,
  };
}

function parseAccepted(text: string, fail: (msg: string) => never): Accepted {
  const m = /^(.+?)\s+in\s+(\w+|\(.*\))$/.exec(text);
  if (!m) return fail(`accepted: "${text}" should read "<column> in <label table>" or "<column> in (a, b)"`);
  const [, target, set] = m;
  const path = /^(each\s+)?(\w+)(?:\.(\w+))?$/.exec(target);
  const expr = /^\(.+\)$/.test(target) ? target : null;
  if (!path && !expr) fail(`accepted: "${target}" is neither a column, "each <list column>[.field]" nor a (SQL expression)`);
  let table: LabelKind | null = null;
  let values: string[];
  if (set.startsWith('(')) {
    values = set
      .slice(1, -1)
      .split(',')
      .map((v) => v.trim().replace(/^'(.*)'$/, '$1'))
      .filter(Boolean);
    if (!values.length) fail(`accepted: "${text}" lists no value`);
  } else {
    if (!Object.hasOwn(LABELS, set)) fail(`accepted: "${set}" is not a table of the label registry (metrics/labels.ts)`);
    table = set as LabelKind;
    values = Object.keys(LABELS[table]);
  }
  return { target, expr: path ? path[2] : expr!, each: Boolean(path?.[1]), field: path?.[3] ?? null, table, values };
}

/** A check of a model's declarations, run on its built table: `sql` returns the offending rows (none = pass). */
export interface ModelTest {
  model: string;
  kind: 'unique' | 'not_null' | 'accepted';
  /** what holds, for a test's name */
  title: string;
  sql: string;
}

/** The generated tests of a model, dbt-style: the key is unique, not-null columns hold no NULL, accepted values hold. */
export function modelTests(m: Model): ModelTest[] {
  const tests: ModelTest[] = [];
  const key = m.key.join(', ');
  if (m.key.length)
    tests.push({
      model: m.name,
      kind: 'unique',
      title: `key (${key}) is unique`,
      sql: `SELECT ${key}, count(*) AS rows FROM ${m.name} GROUP BY ${key} HAVING count(*) > 1 ORDER BY rows DESC, ${key} LIMIT 10`,
    });
  for (const c of m.notNull)
    tests.push({
      model: m.name,
      kind: 'not_null',
      title: `${c} is never NULL`,
      sql: `SELECT ${key || '*'} FROM ${m.name} WHERE ${c} IS NULL LIMIT 10`,
    });
  for (const a of m.accepted) {
    const value = a.field ? `struct_extract(v, ${sqlString(a.field)})` : 'v';
    tests.push({
      model: m.name,
      kind: 'accepted',
      title: `${a.target} in ${a.table ?? `(${a.values.join(', ')})`}`,
      sql: `SELECT DISTINCT CAST(${value} AS VARCHAR) AS value
        FROM (SELECT ${a.each ? `unnest(${a.expr})` : a.expr} AS v FROM ${m.name})
        WHERE ${value} IS NOT NULL AND CAST(${value} AS VARCHAR) NOT IN (${a.values.map(sqlString).join(', ')})
        ORDER BY 1 LIMIT 10`,
    });
  }
  return tests;
}

/** Model files are `NN_name.sql`, built in file-name order. */
export const MODEL_FILE = /^\d{2}_.+\.sql$/;
