// Validation as SQL, generated from the input contract. For each column: how its text becomes a
// typed value (parse), and why a value is refused (a Chinese reason). The same fragments serve the
// general path (a staging table with one error list per row) and the fast path for large CSV
// telemetry (a count of violations over the rows DuckDB's typed reader already inserted).

import { CONTRACT, type Column, type Kind, type KindSpec } from '../../metrics/contract.ts';
import { ident, sqlString } from '../../core/sql.ts';

const r = (c: Column) => ident(`r_${c.name}`);
const t = (c: Column) => ident(c.name);

/** SQL turning the trimmed text `x` of a column into its typed value (NULL when it does not parse). */
export function parseExpr(col: Column, x: string): string {
  switch (col.type) {
    case 'text':
      return x;
    case 'int':
      // thousands separators as in numbers: Excel writes a count formatted #,##0 as "20,340" in a CSV
      return `gm_parse_int(CASE WHEN regexp_full_match(${x}, '[+-]?[0-9]{1,3}(,[0-9]{3})+(\\.0*)?') THEN replace(${x}, ',', '') ELSE ${x} END)`;
    case 'number':
      return `gm_parse_number(${x})`;
    case 'pct':
      return `gm_parse_pct(${x})`;
    case 'date':
      return `gm_parse_date(${x})`;
    case 'bool':
      return `gm_parse_bool(${x})`;
    case 'enum':
      return `CASE lower(${x}) ${(col.values ?? [])
        .flatMap((v) => [
          `WHEN ${sqlString(v.code.toLowerCase())} THEN ${sqlString(v.code)}`,
          `WHEN ${sqlString(v.label)} THEN ${sqlString(v.code)}`,
        ])
        .join(' ')} END`;
  }
}

export const SQL_TYPE: Record<Column['type'], string> = {
  text: 'VARCHAR',
  int: 'BIGINT',
  number: 'DOUBLE',
  pct: 'DOUBLE',
  date: 'DATE',
  bool: 'BOOLEAN',
  enum: 'VARCHAR',
};

/** Why a non-empty text did not parse. */
function parseReason(col: Column, x: string): string {
  switch (col.type) {
    case 'int':
      return sqlString('不是整数');
    case 'number':
      return sqlString('不是有效数字');
    case 'pct':
      return sqlString('不是有效的百分比数值（如 45.2 或 45.2%）');
    case 'date':
      return `CASE WHEN gm_date_shape(${x}) THEN '日期不存在（如 2 月 30 日）' ELSE '日期格式无法识别，应为 YYYY-MM-DD 或 YYYY/MM/DD' END`;
    case 'bool':
      return sqlString('应为 是/否（true/false、1/0、Y/N）');
    case 'enum':
      return sqlString(`不是可识别的取值，应为：${(col.values ?? []).map((v) => `${v.label}（${v.code}）`).join('、')}`);
    case 'text':
      return 'NULL';
  }
}

export function rangeText(col: Column): string {
  if (col.min !== undefined && col.max !== undefined) return `超出范围：应在 ${col.min} 到 ${col.max} 之间`;
  if (col.min === 0) return '不能为负数';
  if (col.min !== undefined) return `不能小于 ${col.min}`;
  return `不能大于 ${col.max}`;
}

/** The largest value of DuckDB's INTEGER, the type of the counts in the raw tables. */
export const INT_MAX = 2147483647;

export interface CheckContext {
  /** today in Asia/Shanghai, 'YYYY-MM-DD' */
  today: string;
  /** SQL boolean telling that the row's system_id is in the registry (for refSystem columns) */
  refOk?: string;
  /** the reason when `refOk` does not hold (default: not in the registry) */
  refReason?: string;
}

/** The named SQL parameter that carries the uploader's department (docs/outputs.md §7.5). */
export const DEPARTMENT_PARAM = 'gm_department';

/**
 * Why a row of a department's upload names a system that is not its own. One reason for "not in
 * the registry" and "another department's", so an upload cannot tell whether another
 * department's system id exists.
 */
export function notOwnReason(department: string): string {
  return `系统编号不是本单位（${department}）在系统目录中的系统，不能由本单位报送`;
}

/**
 * Reasons that only need the typed value (range, future date, unknown system): `NULL` when fine.
 * Used by both paths.
 */
export function typedReason(col: Column, v: string, ctx: CheckContext): string {
  const parts: string[] = [];
  if (col.min !== undefined || col.max !== undefined) {
    const conds = [col.min !== undefined ? `${v} < ${col.min}` : '', col.max !== undefined ? `${v} > ${col.max}` : ''].filter(Boolean);
    parts.push(`WHEN ${conds.join(' OR ')} THEN ${sqlString(rangeText(col))}`);
  }
  // The raw tables keep counts as INTEGER: a larger value rejects the row instead of failing the file.
  if (col.type === 'int' && (col.max === undefined || col.max > INT_MAX))
    parts.push(`WHEN ${v} > ${INT_MAX} THEN ${sqlString(`数值过大（不能超过 ${INT_MAX}）`)}`);
  if (col.notFuture) parts.push(`WHEN ${v} > DATE ${sqlString(ctx.today)} THEN ${sqlString(`日期晚于今天（${ctx.today}）`)}`);
  if (col.refSystem && ctx.refOk)
    parts.push(
      `WHEN NOT (${ctx.refOk}) THEN ${ctx.refReason ? sqlString(ctx.refReason) : "'系统编号不在系统目录中（请先导入或更新系统目录）'"}`,
    );
  return parts.length ? `CASE ${parts.join(' ')} END` : 'NULL';
}

/** Full reason for a column from its text and typed value. */
export function columnReason(col: Column, ctx: CheckContext): string {
  const raw = r(col);
  const typed = t(col);
  return `CASE
    WHEN ${raw} IS NULL THEN ${col.required ? "'必填字段为空'" : 'NULL'}
    WHEN ${typed} IS NULL THEN ${parseReason(col, raw)}
    ELSE ${typedReason(col, typed, ctx)} END`;
}

/**
 * SELECT producing one row per input row with: row_no, r_<col> (trimmed text), <col> (typed), and
 * `errors`, a list of {column, value, reason}. `mapping` gives the raw_in column for each
 * canonical column present in the file. With `department` (an upload through the portal), a row
 * about a system that is not that department's is rejected: the query then takes the department
 * as the named parameter `$gm_department` (DEPARTMENT_PARAM).
 */
export function stageSql(kind: Kind, mapping: ReadonlyMap<string, string>, ctx: { today: string; department?: string }): string {
  const spec: KindSpec = CONTRACT[kind];
  const needsRef = spec.columns.some((c) => c.refSystem);
  const dept = ctx.department !== undefined;
  const src = spec.columns
    .map((c) => {
      const from = mapping.get(c.name);
      return `${from ? `NULLIF(trim(${ident(from)}), '')` : 'NULL::VARCHAR'} AS ${r(c)}`;
    })
    .join(',\n      ');
  const typed = spec.columns.map((c) => `CAST(${parseExpr(c, r(c))} AS ${SQL_TYPE[c.type]}) AS ${t(c)}`).join(',\n      ');
  const refOk = needsRef ? (dept ? 'gm_own_ok' : 'gm_ref_ok') : undefined;
  const refReason = dept ? notOwnReason(ctx.department!) : undefined;
  const errs = [
    ...spec.columns.map(
      (c) => `{'column': ${sqlString(c.name)}, 'value': ${r(c)}, 'reason': ${columnReason(c, { today: ctx.today, refOk, refReason })}}`,
    ),
    ...spec.rules.map((rule) => {
      const col = spec.columns.find((c) => c.name === rule.column)!;
      return `{'column': ${sqlString(rule.column)}, 'value': ${r(col)}, 'reason': CASE WHEN coalesce(${rule.broken}, false) THEN ${sqlString(rule.reason)} END}`;
    }),
  ];
  return `WITH src AS (
    SELECT row_no,
      ${src}
    FROM raw_in
  ), typed AS (
    SELECT src.*,
      ${typed}
    FROM src
  ), reffed AS (
    SELECT typed.*${needsRef ? ', (ref.system_id IS NOT NULL) AS gm_ref_ok' : ''}${
      needsRef && dept ? `, coalesce(ref.department = $${DEPARTMENT_PARAM}, false) AS gm_own_ok` : ''
    }
    FROM typed${needsRef ? ' LEFT JOIN (SELECT system_id, department FROM systems_current) ref ON ref.system_id = typed.system_id' : ''}
  ), checked AS (
    SELECT reffed.*,
      list_filter([
        ${errs.join(',\n        ')}
      ], lambda e: e.reason IS NOT NULL) AS errors
    FROM reffed
  )${setRulesSql(spec)}`;
}

/**
 * The set rules of a kind (docs/inputs.md §2.7): over the rows that passed every other check, per
 * group; a broken group adds its reason to each of those rows. Without set rules, the rows as they are.
 */
function setRulesSql(spec: KindSpec): string {
  const rules = spec.setRules ?? [];
  if (rules.length === 0) return '\n  SELECT * FROM checked';
  const flags = rules.map(
    (rule, i) => `gm_set_${i} AS (
    SELECT row_no, ${rule.broken} AS broken, ${rule.reason} AS reason
    FROM checked WHERE len(errors) = 0
    WINDOW gm_set AS (PARTITION BY ${rule.partitionBy.map(ident).join(', ')})
  )`,
  );
  const added = rules.map((rule, i) => {
    const col = spec.columns.find((c) => c.name === rule.column)!;
    return `CASE WHEN coalesce(f${i}.broken, false) THEN [{'column': ${sqlString(rule.column)}, 'value': c.${r(col)}, 'reason': f${i}.reason}] ELSE [] END`;
  });
  return `, ${flags.join(', ')}
  SELECT c.* REPLACE (${added.reduce((acc, x) => `list_concat(${acc}, ${x})`, 'c.errors')} AS errors)
  FROM checked c ${rules.map((_, i) => `LEFT JOIN gm_set_${i} f${i} USING (row_no)`).join(' ')}`;
}

/**
 * For rows already typed by DuckDB's reader (fast path): the SQL predicate that holds when a row
 * breaks any rule. `alias.system_id` must be joinable to the registry via `gm_ref_ok`.
 */
export function typedViolation(kind: Kind, ctx: { today: string; refOk?: string; textChecks?: boolean }): string {
  const spec = CONTRACT[kind];
  const conds: string[] = [];
  for (const c of spec.columns) {
    if (c.required) conds.push(`${t(c)} IS NULL`);
    const reason = typedReason(c, t(c), { today: ctx.today, refOk: c.refSystem ? ctx.refOk : undefined });
    if (reason !== 'NULL') conds.push(`(${reason}) IS NOT NULL`);
  }
  // Infinity and NaN parse as DOUBLE in the reader; the general path refuses them ('不是有效数字').
  // A column bounded on both sides needs no test of its own: ±Infinity is outside any range, and
  // DuckDB orders NaN above every number, so `x > max` holds for it.
  for (const c of spec.columns.filter((x) => x.type === 'number' || x.type === 'pct'))
    if (c.min === undefined || c.max === undefined) conds.push(`NOT isfinite(${t(c)})`);
  // Text the general path would trim must not differ from what was stored (left out where the
  // caller checks the distinct values instead: far fewer than the rows).
  if (ctx.textChecks !== false) for (const c of spec.columns.filter((x) => x.type === 'text')) conds.push(`${t(c)} <> trim(${t(c)})`);
  for (const rule of spec.rules) conds.push(`coalesce(${rule.broken}, false)`);
  return conds.join('\n    OR ');
}
