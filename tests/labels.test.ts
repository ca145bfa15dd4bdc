// The one label registry (metrics/labels.ts): every code a person can meet has a Chinese label there,
// and nowhere else. Fails when a code a model can produce has no label — whether the sample city
// happens to produce it or not: the codes come from the models' `-- accepted:` declarations, from
// the string literals the models' SQL writes into those columns, from the input contract's enums and
// from the profile schema's conditions. The SQL form of a label (labelSql) is evaluated in DuckDB and
// compared with the JavaScript form; and no page, export or command spells a registry label itself.

import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTRACT } from '../metrics/contract.ts';
import { LABELS, type LabelKind, type LabelTable, label, labelSql, obligationLabel, obligationLabelSql } from '../metrics/labels.ts';
import type { Accepted, Model } from '../metrics/model-sql.ts';
import { CONDITION_CODES, Monitoring } from '../metrics/profiles/schema.ts';
import { MODELS_DIR, loadModels } from '../pipelines/run/models.ts';
import { Store } from '../pipelines/store/database.ts';
import { rootPath } from '../core/paths.ts';
import { sqlString } from '../core/sql.ts';

const MODELS = [...loadModels(), ...loadModels(path.join(MODELS_DIR, 'annual'))];
const KINDS = Object.keys(LABELS) as LabelKind[];
const HAN = /\p{Script=Han}/u;

let store: Store;
beforeAll(async () => {
  store = await Store.open(':memory:');
});
afterAll(() => store.close());

// ── What the models' SQL writes into a declared column ──────────────────────────────────────────

/** SQL as tokens: string literals, words, single punctuation marks (comments dropped). */
function tokens(sql: string): string[] {
  return sql.replace(/--[^\n]*/g, ' ').match(/'(?:[^']|'')*'|\w+|[^\s\w]/g) ?? [];
}

/**
 * The string literals a model's SQL can write into `column`: in each select item aliased
 * `AS column`, a literal that is the whole item, that follows THEN or ELSE, or that is the
 * fallback of a coalesce. (Literals compared against — `WHEN x = 'a'` — are not values.)
 */
function producedLiterals(sql: string, column: string): string[] {
  const t = tokens(sql);
  const out = new Set<string>();
  for (let i = 1; i < t.length; i++) {
    if (t[i - 1].toUpperCase() !== 'AS' || t[i] !== column) continue;
    // walk back to the start of the select item: a comma or SELECT at depth 0, or an open bracket
    let depth = 0;
    let start = i - 1;
    for (let j = i - 2; j >= 0; j--) {
      const w = t[j].toUpperCase();
      if (w === ')' || w === ']' || w === 'END') depth++;
      else if (w === '(' || w === '[' || w === 'CASE') depth--;
      if (depth < 0 || (depth === 0 && (w === ',' || w === 'SELECT' || w === 'DISTINCT'))) break;
      start = j;
    }
    const item = t.slice(start, i - 1);
    item.forEach((tok, k) => {
      if (!tok.startsWith("'")) return;
      const before = (item[k - 1] ?? '').toUpperCase();
      const fallback = item[0]?.toLowerCase() === 'coalesce' && before === ',' && item[k + 1] === ')' && k + 2 === item.length;
      if (item.length === 1 || before === 'THEN' || before === 'ELSE' || fallback) out.add(tok.slice(1, -1).replace(/''/g, "'"));
    });
  }
  return [...out].sort();
}

/** The column an accepted declaration reads: the column itself, or the one column its expression names. */
function columnOf(a: Accepted): string {
  if (!a.expr.startsWith('(')) return a.expr;
  const t = tokens(a.expr);
  const cols = t.filter((w, k) => /^[a-z_]\w*$/i.test(w) && t[k + 1] !== '(');
  if (cols.length !== 1) throw new Error(`accepted ${a.target}: cannot tell which column it reads`);
  return cols[0];
}

/** Does one value the SQL writes satisfy the declaration? Evaluated in DuckDB, so an expression target applies. */
async function accepts(a: Accepted, literal: string): Promise<string | null> {
  const value = a.each ? sqlString(literal) : a.expr;
  const v = await store.value<string | null>(`SELECT CAST(${value} AS VARCHAR) FROM (SELECT ${sqlString(literal)} AS ${columnOf(a)})`);
  return v !== null && a.values.includes(v) ? null : v;
}

describe('producedLiterals(sql, column)', () => {
  it('finds whole-item, THEN, ELSE and coalesce-fallback literals of the aliased column, not compared ones', () => {
    const sql = `WITH a AS (SELECT 'x' AS code, CASE WHEN k = 'no' THEN 'y' WHEN k IN ('also no') THEN 'z' ELSE 'w' END AS code FROM t)
      SELECT coalesce(c.code, 'v') AS code, [CASE WHEN f THEN 'u' END] AS code, 'n' || k AS code, 'm' AS other FROM a -- 'comment' AS code`;
    expect(producedLiterals(sql, 'code')).toEqual(['u', 'v', 'w', 'x', 'y', 'z']);
  });
});

// ── Every code a model can produce has a label ──────────────────────────────────────────────────

const declared = MODELS.flatMap((m: Model) => m.accepted.map((a) => ({ model: m, a })));

describe('the codes the models can produce', () => {
  it('are declared on every code column the outputs label', () => {
    const has = (model: string, target: string, table: LabelKind) =>
      declared.some((d) => d.model.name === model && d.a.target === target && d.a.table === table);
    expect(has('mart_notices', 'status', 'notice_status')).toBe(true);
    expect(has('mart_notices', 'each conditions.condition', 'condition')).toBe(true);
    expect(has('mart_elimination', 'each conditions.condition', 'condition')).toBe(true);
    expect(has('mart_budget', 'recommendation', 'recommendation')).toBe(true);
    expect(has('mart_budget', 'each reasons', 'budget_reason')).toBe(true);
    expect(has('mart_departments', 'each reasons', 'budget_reason')).toBe(true);
    expect(has('mart_calendar', 'status', 'calendar_status')).toBe(true);
    expect(has('mart_calendar', 'note', 'calendar_note')).toBe(true);
    expect(has('mart_calendar', "(split_part(obligation, ':', 1))", 'obligation')).toBe(true);
    expect(has('stg_systems', 'cost_source', 'cost_source')).toBe(true);
  });

  it('are read from the SQL of the columns whose codes the SQL writes (the scan sees them)', () => {
    const seen = (model: string, column: string) => producedLiterals(MODELS.find((m) => m.name === model)!.sql, column);
    // worked out by reading the models
    expect(seen('int_system_status', 'notice_status')).toEqual(['escalated', 'issued', 'open', 'resolved']);
    expect(seen('mart_budget', 'recommendation')).toEqual(['fund', 'reduce', 'suspend', 'withhold']);
    expect(seen('mart_budget', 'reasons')).toEqual([
      'eliminated',
      'grade_fair',
      'grade_poor',
      'no_final_acceptance',
      'open_rectification',
      'poor_with_open_rectification',
      'rightsizing',
      'security_noncompliant',
      'sharing_failure',
      'shut_down',
    ]);
    expect(seen('mart_departments', 'reasons')).toEqual(['long_open_rectification', 'sharing_withhold']);
    expect(seen('mart_calendar', 'status')).toEqual(['done', 'due', 'overdue']);
    // ('annual_report:' || year is not a literal value: tests/models.test.ts checks it on the data)
    expect(seen('mart_calendar', 'obligation')).toEqual([
      'catalog',
      'completion_acceptance',
      'cost_plan',
      'population:',
      'self_evaluation',
    ]);
    expect(seen('mart_scores', 'grade')).toEqual(['优', '良', '中', '差'].sort());
    expect(seen('stg_systems', 'cost_source')).toEqual(['registry']);
  });

  // (a field of a list of structs — conditions[].condition — comes from data, condition_params, not from literals)
  for (const { model, a } of declared.filter((d) => !d.a.field))
    it(`${model.name}: every value its SQL writes into ${a.target} is accepted (${a.table ?? a.values.join(', ')})`, async () => {
      const bad: string[] = [];
      for (const lit of producedLiterals(model.sql, columnOf(a))) if ((await accepts(a, lit)) !== null) bad.push(lit);
      expect(bad, `${model.file}: values not in ${a.table ?? 'the list'}`).toEqual([]);
    });

  it('have a label: an explicit accepted list holds Chinese values or codes of a label table', () => {
    const codes = new Set(KINDS.flatMap((k) => Object.keys(LABELS[k])));
    for (const { model, a } of declared.filter((d) => d.a.table === null))
      for (const v of a.values) expect(HAN.test(v) || codes.has(v), `${model.file}: ${a.target} value ${v}`).toBe(true);
  });

  it('include every enum value of the input contract, labelled as the contract labels it', () => {
    for (const spec of Object.values(CONTRACT))
      for (const col of spec.columns.filter((c) => c.values)) {
        expect(KINDS, `${spec.kind}.${col.name}`).toContain(col.name);
        for (const v of col.values!) expect(label(col.name as LabelKind, v.code), `${spec.kind}.${col.name} ${v.code}`).toBe(v.label);
      }
  });

  it("include every condition of the profile schema, in the schema's order", () => {
    expect(Object.keys(Monitoring.shape)).toEqual([...CONDITION_CODES]);
    expect(Object.keys(LABELS.condition)).toEqual([...CONDITION_CODES]);
  });
});

// ── The tables themselves ───────────────────────────────────────────────────────────────────────

describe('LABELS', () => {
  it('holds a non-empty Chinese label for every code of every table', () => {
    for (const k of KINDS) {
      const entries = Object.entries(LABELS[k] as LabelTable);
      expect(entries.length, k).toBeGreaterThan(0);
      for (const [code, zh] of entries) {
        expect(code.trim(), `${k}`).not.toBe('');
        expect(zh, `${k}.${code}`).toBe(zh.trim());
        expect(HAN.test(zh), `${k}.${code}: ${zh}`).toBe(true);
      }
    }
  });

  it('gives different codes of a table different labels (a reader could not tell them apart)', () => {
    for (const k of KINDS) {
      const zh = Object.values(LABELS[k] as LabelTable);
      expect(new Set(zh).size, k).toBe(zh.length);
    }
  });
});

describe('labelSql(kind, expr) and label(kind, code)', () => {
  it('agree on every code of every table, evaluated in DuckDB', async () => {
    for (const k of KINDS) {
      const codes = Object.keys(LABELS[k]);
      const rows = await store.all<{ code: string; zh: string | null }>(
        `SELECT code, ${labelSql(k, 'code')} AS zh FROM (VALUES ${codes.map((c) => `(${sqlString(c)})`).join(', ')}) AS t(code) ORDER BY code`,
      );
      expect(rows, k).toEqual(codes.map((code) => ({ code, zh: label(k, code) })).sort((a, b) => (a.code < b.code ? -1 : 1)));
    }
  });

  it('differ only on a code without a label: NULL in SQL, the code itself in JavaScript', async () => {
    expect(await store.value(`SELECT ${labelSql('notice_status', "'closed'")}`)).toBeNull();
    expect(label('notice_status', 'closed')).toBe('closed');
    expect(label('notice_status', null)).toBe('');
  });

  it('obligationLabelSql(x) agrees with obligationLabel(o), a yearly report included', async () => {
    const codes = [...Object.keys(LABELS.obligation).filter((o) => o !== 'annual_report'), 'annual_report:2025', 'unknown'];
    for (const o of codes) expect(await store.value(`SELECT ${obligationLabelSql(sqlString(o))}`), o).toBe(obligationLabel(o));
    expect(obligationLabel('annual_report:2025')).toBe('2025 年度运维服务情况报表');
  });
});

// ── Nobody else spells a registry label ─────────────────────────────────────────────────────────

/**
 * The tables whose labels only metrics/labels.ts may spell. Not guarded, though read from the
 * registry all the same: update_cycle (每日, 每月 are everyday words of prose and schedules) and
 * obligation (年度运维服务情况报表 is also the name of the om_report form).
 */
const GUARDED: LabelKind[] = ['notice_status', 'recommendation', 'calendar_status', 'calendar_note', 'budget_reason'];
const SCANNED = ['dashboards', 'apps', 'pipelines'];
const SOURCE = /\.(ts|js|css|html)$/;

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' ? [] : sourceFiles(p);
    return SOURCE.test(e.name) ? [p] : [];
  });
}

/**
 * Where `text` spells a label as a word of its own: not inside a longer Chinese word (核减运维经费
 * is prose; `核减 ${n}` or '核减' names the code).
 */
function labelSpellings(text: string, labels: readonly { kind: string; code: string; zh: string }[]): string[] {
  const found: string[] = [];
  text.split('\n').forEach((line, i) => {
    for (const l of labels) {
      for (let at = line.indexOf(l.zh); at !== -1; at = line.indexOf(l.zh, at + 1)) {
        const before = line[at - 1] ?? '';
        const after = line[at + l.zh.length] ?? '';
        if (!HAN.test(before) && !HAN.test(after)) found.push(`${i + 1}: ${l.zh} (${l.kind}.${l.code})`);
      }
    }
  });
  return found;
}

describe('the label strings of the registry', () => {
  const labels = GUARDED.flatMap((kind) => Object.entries(LABELS[kind] as LabelTable).map(([code, zh]) => ({ kind, code, zh })));

  it('are told apart from prose: a label inside a longer Chinese word does not count', () => {
    const found = labelSpellings("const a = '转入淘汰';\n本月核减运维经费\nlog(`全额安排 %d、核减 %d`)\n<b>已逾期</b>", labels);
    expect(found).toEqual([
      '1: 转入淘汰 (notice_status.escalated)',
      '3: 全额安排 (recommendation.fund)',
      '3: 核减 (recommendation.reduce)',
      '4: 已逾期 (calendar_status.overdue)',
    ]);
  });

  it(`appear in no source of ${SCANNED.join('/, ')}/ (read them with label() or labelSql())`, () => {
    const found = SCANNED.flatMap((d) => sourceFiles(rootPath(d))).flatMap((f) =>
      labelSpellings(fs.readFileSync(f, 'utf8'), labels).map((x) => `${path.relative(rootPath(), f)}:${x}`),
    );
    expect(found).toEqual([]);
  });
});
