// The SQL models' own tests, dbt-style (metrics/model-sql.ts): each model of metrics/models/ declares
// in its header its key, its not-null columns and the accepted values of its code columns, and
// modelTests() turns each declaration into a query that returns the rows breaking it. Here every
// such query becomes a test, run on the tables the models build from the sample city (云川市) the
// way a run builds them (prepareRun + buildModels, inside a transaction that is rolled back): for
// the 2025 evaluation (December 2025), for October 2026 with the year in progress, and for October
// 2026 under the ningbo profile (other calendar windows, an elimination rule without citations).
// The parser itself is tested first, and the checks are shown to fail on a table built to break them.

import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LABELS } from '../metrics/labels.ts';
import { CONDITION_CODES } from '../metrics/profiles/schema.ts';
import { MODEL_FILE, modelTests, parseModel, type Model, type ModelTest } from '../metrics/model-sql.ts';
import { loadProfile } from '../pipelines/profiles.ts';
import { MODELS_DIR, buildModels, loadModels } from '../pipelines/run/models.ts';
import { prepareRun } from '../pipelines/run/params.ts';
import { evaluationBasis, evaluationParams } from '../metrics/run-params.ts';
import { dropTempTables } from '../pipelines/run/record.ts';
import { Store, type Row } from '../pipelines/store/database.ts';
import { NOW } from './helpers.ts';
import { ingestedSampleCity } from './fixtures/sample-cache.ts';

const MONTHLY = loadModels();
const ANNUAL = loadModels(path.join(MODELS_DIR, 'annual'));
const MODELS = [...MONTHLY, ...ANNUAL];

describe('parseModel(file, text)', () => {
  const text = [
    '-- mart_example',
    '-- grain: one row per system per month.',
    '--   prose: an indented line is prose, not a declaration',
    '-- key: system_id, month',
    '-- not_null: status,',
    '-- not_null: citations, month',
    '-- accepted: status in notice_status',
    "-- accepted: grade in (优, 良, '中')",
    '-- accepted: each reasons in budget_reason',
    '-- accepted: each conditions.condition in condition',
    "-- accepted: (split_part(obligation, ':', 1)) in obligation",
    '-- materialized: view (read once)',
    'SELECT 1',
    '-- key: not_read, comments inside the SQL are not the header',
  ].join('\n');
  const m = parseModel('99_mart_example.sql', text);

  it('reads the name, grain, key and materialization', () => {
    expect(m.name).toBe('mart_example');
    expect(m.grain).toBe('one row per system per month.');
    expect(m.key).toEqual(['system_id', 'month']);
    expect(m.materialized).toBe('view');
    expect(m.sql).toBe(text);
  });

  it('adds the key columns to the not-null columns, from every not_null line, once each', () => {
    expect(m.notNull).toEqual(['system_id', 'month', 'status', 'citations']);
  });

  it('reads accepted values from a label table or an explicit list, for a column, each list element, a field of each, or an expression', () => {
    expect(m.accepted).toEqual([
      { target: 'status', expr: 'status', each: false, field: null, table: 'notice_status', values: Object.keys(LABELS.notice_status) },
      { target: 'grade', expr: 'grade', each: false, field: null, table: null, values: ['优', '良', '中'] },
      {
        target: 'each reasons',
        expr: 'reasons',
        each: true,
        field: null,
        table: 'budget_reason',
        values: Object.keys(LABELS.budget_reason),
      },
      {
        target: 'each conditions.condition',
        expr: 'conditions',
        each: true,
        field: 'condition',
        table: 'condition',
        values: [...CONDITION_CODES],
      },
      {
        target: "(split_part(obligation, ':', 1))",
        expr: "(split_part(obligation, ':', 1))",
        each: false,
        field: null,
        table: 'obligation',
        values: Object.keys(LABELS.obligation),
      },
    ]);
  });

  it('renders placeholders before reading the header, so a header can list every condition', () => {
    const p = parseModel('98_x.sql', '-- x\n-- key: system_id\n-- not_null: {{condition_list}}\nSELECT 1');
    expect(p.notNull).toEqual(['system_id', 'no_data', 'inactive', 'low_util', 'unusable', 'security']);
  });

  it('defaults to a table without key, not-null columns or accepted values', () => {
    const p = parseModel('97_y.sql', '-- y\nSELECT 1');
    expect(p).toMatchObject({ name: 'y', grain: '', key: [], notNull: [], accepted: [], materialized: 'table' });
  });

  it('refuses a header it cannot read, naming the file', () => {
    const bad = (header: string) => () => parseModel('96_bad.sql', `-- bad\n${header}\nSELECT 1`);
    expect(bad('-- not-null: a')).not.toThrow(); // not a declaration word: prose
    expect(bad('-- notnull: a')).toThrow('model 96_bad.sql: unknown declaration "-- notnull:"');
    expect(bad('-- accepted: status in notice_statuses')).toThrow('"notice_statuses" is not a table of the label registry');
    expect(bad('-- accepted: status')).toThrow('should read "<column> in <label table>"');
    expect(bad('-- accepted: status in ()')).toThrow('lists no value');
    expect(bad('-- accepted: every reasons in budget_reason')).toThrow('"every reasons" is neither a column');
    expect(bad('-- key: system_id month')).toThrow('key: "system_id month" is not a column name');
    expect(() => parseModel('95_none.sql', 'SELECT 1')).toThrow('model 95_none.sql lacks its name comment');
  });

  it('reads every model of metrics/models/: each states its grain and key, named like its file', () => {
    const files = [
      ...fs.readdirSync(MODELS_DIR).filter((f) => MODEL_FILE.test(f)),
      ...fs.readdirSync(path.join(MODELS_DIR, 'annual')).filter((f) => MODEL_FILE.test(f)),
    ];
    expect(MODELS.map((x) => x.file).sort()).toEqual(files.sort());
    for (const x of MODELS) {
      expect(x.file, x.name).toBe(`${x.file.slice(0, 3)}${x.name}.sql`);
      expect(x.grain, x.name).toMatch(/^one row per /);
      expect(x.key.length, x.name).toBeGreaterThan(0);
    }
  });
});

describe('modelTests(model)', () => {
  // A table built to break each kind of check, with the offending rows worked out by hand.
  const model = parseModel(
    '99_t.sql',
    [
      '-- t',
      '-- key: id, month',
      '-- not_null: status',
      '-- accepted: status in notice_status',
      '-- accepted: each reasons in (a, b)',
      '-- accepted: each conditions.condition in condition',
      "-- accepted: (split_part(code, ':', 1)) in obligation",
      'SELECT 1',
    ].join('\n'),
  );
  let store: Store;
  const rows: Record<string, Row[]> = {};
  beforeAll(async () => {
    store = await Store.open(':memory:');
    await store.run(`CREATE TEMP TABLE t AS SELECT * FROM (VALUES
      ('A', DATE '2026-01-01', 'issued', ['a'], [{'condition': 'no_data'}], 'catalog'),
      ('A', DATE '2026-01-01', 'open', ['a', 'c'], [{'condition': 'idle'}], 'annual_report:2025'),
      ('A', DATE '2026-02-01', NULL, NULL, [], 'reports:2025'),
      ('B', DATE '2026-01-01', 'closed', [NULL, 'b'], NULL, NULL)
    ) AS v(id, month, status, reasons, conditions, code)`);
    for (const t of modelTests(model)) rows[t.title] = await store.all(t.sql);
  });
  afterAll(() => store.close());

  it('makes one test for the key, one per not-null column and one per accepted declaration', () => {
    expect(modelTests(model).map((t) => `${t.kind}: ${t.title}`)).toEqual([
      'unique: key (id, month) is unique',
      'not_null: id is never NULL',
      'not_null: month is never NULL',
      'not_null: status is never NULL',
      'accepted: status in notice_status',
      'accepted: each reasons in (a, b)',
      'accepted: each conditions.condition in condition',
      "accepted: (split_part(code, ':', 1)) in obligation",
    ]);
  });

  it('returns the duplicated keys with their count', () => {
    expect(rows['key (id, month) is unique']).toEqual([{ id: 'A', month: '2026-01-01', rows: 2 }]);
  });

  it('returns the keys of the rows with a NULL where none may be', () => {
    expect(rows['id is never NULL']).toEqual([]);
    expect(rows['status is never NULL']).toEqual([{ id: 'A', month: '2026-02-01' }]);
  });

  it('returns the values outside the accepted ones, NULL not counting', () => {
    expect(rows['status in notice_status']).toEqual([{ value: 'closed' }]);
    expect(rows['each reasons in (a, b)']).toEqual([{ value: 'c' }]);
    expect(rows['each conditions.condition in condition']).toEqual([{ value: 'idle' }]);
    expect(rows["(split_part(code, ':', 1)) in obligation"]).toEqual([{ value: 'reports' }]);
  });
});

// ── The declarations of every model, on the sample city ─────────────────────────────────────────

const END = '2026-10';
const BUILDS = [
  { name: 'default, 2025-12 (the 2025 evaluation)', profile: 'default', month: '2025-12' },
  { name: 'default, 2026-10 (2026 in progress)', profile: 'default', month: END },
  { name: 'ningbo, 2026-10', profile: 'ningbo', month: END },
] as const;

interface Outcome {
  /** rows of each model */
  counts: Record<string, number>;
  /** offending rows of each check, by model and title */
  failures: Record<string, Row[]>;
}
const outcomes = new Map<string, Outcome>();
const at = (m: Model, t: ModelTest) => `${m.name}: ${t.title}`;

let root: string;
beforeAll(async () => {
  // the sample city of 150 systems generated and ingested once per test run, this file's own copy
  // of the database (tests/fixtures/sample-cache.ts)
  const { store, dir } = await ingestedSampleCity({ endMonth: END, systems: 150 });
  root = dir;
  try {
    for (const b of BUILDS) {
      const outcome: Outcome = { counts: {}, failures: {} };
      // As a run does (pipelines/run/year.ts), but rolled back: the checks read the temporary tables.
      await store.run('BEGIN TRANSACTION');
      try {
        const profile = loadProfile(b.profile).profile;
        // the annual models read the evaluation's own parameters (docs/decisions.md §5.5a)
        await prepareRun(store, b.month, profile, NOW, evaluationParams(evaluationBasis(Number(b.month.slice(0, 4)), profile, NOW)));
        await buildModels(store, MODELS);
        for (const m of MODELS) {
          outcome.counts[m.name] = Number(await store.value(`SELECT count(*) FROM ${m.name}`));
          for (const t of modelTests(m)) outcome.failures[at(m, t)] = await store.all(t.sql);
        }
      } finally {
        await store.run('ROLLBACK');
        await dropTempTables(store);
      }
      outcomes.set(b.name, outcome);
    }
  } finally {
    store.close();
  }
});

afterAll(() => {
  if (root) fs.rmSync(root, { recursive: true, force: true });
});

for (const m of MODELS)
  describe(`${m.name} (${m.file}): ${m.grain}`, () => {
    // in some build at least: a model may be empty by design in one (no cost sharing under a
    // profile whose measure is silent, no season suggestion before two years of data)
    it('has rows to check in the sample city', () => {
      const counts = BUILDS.map((b) => `${b.name}: ${outcomes.get(b.name)!.counts[m.name]}`);
      expect(Math.max(...BUILDS.map((b) => outcomes.get(b.name)!.counts[m.name])), counts.join('; ')).toBeGreaterThan(0);
    });
    for (const t of modelTests(m))
      it(t.title, () => {
        for (const b of BUILDS) expect(outcomes.get(b.name)!.failures[at(m, t)], `${b.name}: ${t.sql}`).toEqual([]);
      });
  });
