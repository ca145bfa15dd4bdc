// The sample city (apps/sample): deterministic bytes, the formats a bureau really sends, and a
// full ingest that loads everything except exactly the planted invalid rows. The planted
// expectations themselves are checked against hand-derived outcomes of the key cases (end month
// 2026-10, so m+1 = 2026-11-30, m+2 = 2026-12-31, m+3 = 2027-01-31; evaluation year 2025).

import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { isUtf8 } from 'node:buffer';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SEED, PLANTED_FILE, type Planted, type RejectKind } from '../apps/sample/generate.ts';
import { CONTRACT } from '../metrics/contract.ts';
import type { IngestSummary } from '../pipelines/ingest/ingest.ts';
import { runMonth } from '../pipelines/run/month.ts';
import { evaluateYear } from '../pipelines/run/year.ts';
import { loadProfile } from '../pipelines/profiles.ts';
import { buildCity } from '../apps/sample/city.ts';
import { buildCatalog } from '../apps/sample/catalog.ts';
import { sharingAt } from '../apps/sample/expected.ts';
import { buildProgram } from '../apps/cli/program.ts';
import type { Store } from '../pipelines/store/database.ts';
import { NOW, tempDir } from './helpers.ts';
import { ingestedSampleCity, sampleCity } from './fixtures/sample-cache.ts';

const END = '2026-10';
const root = tempDir('govmon-sample-');
const dirA = path.join(root, 'a');
const dirB = path.join(root, 'b');
let planted: Planted;

beforeAll(async () => {
  // The first copy: generateSampleCity({ outDir, endMonth: END }), called once per test run for the
  // files that share the sample city (tests/fixtures/sample-cache.ts), copied here.
  planted = (await sampleCity({ outDir: dirA, endMonth: END })).planted;
  // The second copy goes through the command, as `govmon sample` writes it, in this process.
  const program = buildProgram();
  await program.parseAsync(['node', 'govmon', '-q', 'sample', '--out', dirB, '--end-month', END, '--seed', String(DEFAULT_SEED)], {
    from: 'node',
  });
});

afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

const sha = (p: string) => crypto.createHash('sha256').update(fs.readFileSync(p)).digest('hex');
const listing = (dir: string) => fs.readdirSync(dir).sort();
/** The system of a planted case, by its key (the first tag). */
const idOf = (key: string): string => {
  const c = planted.cases.find((x) => x.tags[0] === key);
  if (!c) throw new Error(`no planted case ${key}`);
  return c.system_id;
};

describe('generateSampleCity({ outDir, endMonth })', () => {
  it('writes the same bytes for the same seed and end month', () => {
    expect(listing(dirB)).toEqual(listing(dirA));
    for (const f of listing(dirA)) expect(sha(path.join(dirB, f)), f).toBe(sha(path.join(dirA, f)));
  });

  it('keeps its expectations in a dot file that ingest skips, next to the data files', () => {
    expect(planted.plantedFile).toBe(PLANTED_FILE);
    expect(fs.existsSync(path.join(dirA, '.planted.json'))).toBe(true);
    expect(listing(dirA).filter((f) => !f.startsWith('.'))).toEqual(planted.files);
    expect(planted.files[0]).toBe('01_信息系统目录.csv');
    expect([planted.firstMonth, planted.endMonth, planted.months, planted.evalYear]).toEqual(['2024-11', END, 24, 2025]);
    // a report for every year a system has been in operation: from the first go-live (about eight years before the data) to 2025
    expect(planted.reportYears[planted.reportYears.length - 1]).toBe(2025);
    expect(planted.reportYears.length).toBeGreaterThanOrEqual(8);
    expect(planted.reportYears).toEqual(Array.from({ length: planted.reportYears.length }, (_, i) => planted.reportYears[0] + i));
  });

  it('builds a city of 400 systems in about 30 departments', () => {
    expect(planted.systems.total).toBe(400);
    expect(planted.systems.departments).toBeGreaterThanOrEqual(30);
    expect(planted.systems.by_stage.operation).toBeGreaterThan(350);
    expect(planted.classified.length).toBe(5);
  });

  it('writes the registry in GBK with CRLF, Chinese headers, labels and 是/否, some dates as YYYY/MM/DD', () => {
    const bytes = fs.readFileSync(path.join(dirA, '01_信息系统目录.csv'));
    expect(isUtf8(bytes)).toBe(false);
    const text = iconv.decode(bytes, 'gb18030');
    const lines = text.split('\r\n');
    expect(lines[0]).toBe(CONTRACT.systems.columns.map((c) => c.zh).join(','));
    expect(text.includes('\n') && !/[^\r]\n/.test(text)).toBe(true);
    expect(lines.slice(1).some((l) => l.includes(',运行,'))).toBe(true);
    expect(lines.slice(1).some((l) => l.includes(',已停用,'))).toBe(true);
    expect(lines.slice(1).some((l) => /,[是否],[是否],/.test(l))).toBe(true);
    expect(lines.slice(1).some((l) => /,\d{4}\/\d{2}\/\d{2},/.test(l))).toBe(true);
    expect(lines.slice(1).some((l) => /,\d{4}-\d{2}-\d{2},/.test(l))).toBe(true);
  });

  it('sends telemetry in every format: CSV with English headers, CSV with BOM, Chinese headers and %, Parquet, a corrected re-export', () => {
    const telemetry = planted.files.filter((f) => f.startsWith('03_'));
    expect(telemetry.length).toBe(25);
    const head = (f: string) => fs.readFileSync(path.join(dirA, f)).subarray(0, 4096);
    const plain = telemetry.filter((f) => f.endsWith('.csv') && head(f).toString('utf8').startsWith('system_id,date,'));
    expect(plain.length).toBe(21); // 20 months and the corrected re-export
    const bom = telemetry.filter((f) => head(f)[0] === 0xef && head(f)[1] === 0xbb && head(f)[2] === 0xbf);
    expect(bom).toEqual(['03_运行监测_2025-04.csv']);
    const bomText = head(bom[0]).toString('utf8').slice(1);
    expect(bomText.startsWith(CONTRACT.telemetry.columns.map((c) => c.zh).join(','))).toBe(true);
    expect(bomText).toMatch(/\d%,/);
    expect(bomText).toContain('\r\n');
    const parquet = telemetry.filter((f) => head(f).subarray(0, 4).toString('latin1') === 'PAR1');
    expect(parquet).toEqual(['03_运行监测_2024-12.parquet', '03_运行监测_2025-07.parquet', '03_运行监测_2026-02.parquet']);
    expect(telemetry).toContain('03_运行监测_2026-09_更正.csv');
    expect(telemetry.indexOf('03_运行监测_2026-09_更正.csv')).toBe(telemetry.indexOf('03_运行监测_2026-09.csv') + 1);
  });

  it('sends the registry update, catalog and O&M reports as XLSX with fixed dates, and a catalog supplement as NDJSON', async () => {
    const sheets: Record<string, string> = {
      '02_信息系统目录_更新.xlsx': '信息系统目录',
      '04_数据资源目录_2026-10.xlsx': '数据资源目录',
      '05_年度运维报表_2025.xlsx': '年度运维服务情况报表',
    };
    for (const [f, sheet] of Object.entries(sheets)) {
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.readFile(path.join(dirA, f));
      expect(wb.worksheets.map((w) => w.name)).toEqual([sheet]);
      expect(wb.created.toISOString()).toBe('2026-11-03T02:00:00.000Z');
    }
    const nd = fs.readFileSync(path.join(dirA, '04_数据资源目录_补充.ndjson'), 'utf8').trim().split('\n');
    expect(nd.every((l) => JSON.parse(l).system_id)).toBe(true);
  });

  it('sends the catalog as the platform exports it, every month: 23 CSV files and the end month as XLSX', () => {
    const catalog = planted.files.filter((f) => f.startsWith('04_'));
    const months = Array.from({ length: 24 }, (_, i) => {
      const d = new Date(Date.UTC(2024, 10 + i, 1));
      return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
    });
    expect(catalog).toEqual([
      ...months.slice(0, -1).map((m) => `04_数据资源目录_${m}.csv`),
      '04_数据资源目录_2026-10.xlsx',
      '04_数据资源目录_补充.ndjson',
    ]);
    // a later month's export holds every resource of the earlier one (nothing is dropped), with
    // aggregation dates on or before its own month end
    const rows = (m: string) =>
      fs
        .readFileSync(path.join(dirA, `04_数据资源目录_${m}.csv`), 'utf8')
        .trim()
        .split('\n')
        .slice(1)
        .map((l) => l.split(','));
    const first = rows('2024-11');
    const later = rows('2025-11');
    expect(first[0].length).toBe(CONTRACT.catalog.columns.length);
    const ids = new Set(later.map((r) => r[1]));
    expect(first.every((r) => ids.has(r[1]))).toBe(true);
    expect(later.length).toBeGreaterThan(first.length);
    expect(later.every((r) => r[6] === '' || r[6] <= '2025-11-30')).toBe(true);
    expect(first.every((r) => r[6] === '' || r[6] <= '2024-11-30')).toBe(true);
  });

  it('plants one invalid row of every rejection kind', () => {
    const kinds: RejectKind[] = [
      'required_empty',
      'not_number',
      'not_integer',
      'bad_date_format',
      'impossible_date',
      'future_date',
      'out_of_range',
      'negative',
      'cpu_max_lt_avg',
      'goals_met_gt_total',
      'exempt_reason_missing',
      'unknown_enum',
      'bad_bool',
      'unknown_system',
      'too_many_columns',
      'too_few_columns',
      'plan_sum_not_100',
    ];
    expect(new Set(planted.rejects.map((r) => r.kind))).toEqual(new Set(kinds));
    const unknownIn = new Set(planted.rejects.filter((r) => r.kind === 'unknown_system').map((r) => r.file.slice(0, 2)));
    expect(unknownIn).toEqual(new Set(['03', '04', '05']));
  });

  it('plants against the default profile', () => {
    const d = JSON.parse(fs.readFileSync(new URL('../metrics/profiles/default.json', import.meta.url), 'utf8'));
    const t = planted.thresholds as Record<string, Record<string, unknown>>;
    for (const c of ['no_data', 'inactive', 'low_util', 'unusable', 'security'] as const)
      for (const [k, v] of Object.entries(t[c])) expect(d.monitoring[c][k], `${c}.${k}`).toEqual(v);
    expect([d.rightsizing.p95_max, d.rightsizing.months, d.rightsizing.target_p95]).toEqual([40, 3, 60]);
    expect(d.sharing.min_pct).toBe((t.sharing as { min_pct: number }).min_pct);
    expect(d.sharing.windows).toEqual((t.sharing as { windows: unknown }).windows);
    expect(d.catalog_deadline.working_days).toBe(10);
    expect(d.inflation.margin).toBe(15);
    expect(d.calendar.self_evaluation).toMatchObject(t.self_evaluation);
    expect(d.calendar.annual_report).toMatchObject(t.annual_report);
    expect(d.calendar.completion_acceptance).toMatchObject(t.completion_acceptance);
  });
});

describe('the planted expectations of the end month (hand-derived)', () => {
  const rect = (key: string) => planted.month.rectification.find((x) => x.system_id === idOf(key));
  const on = (list: readonly { system_id: string }[], key: string) => list.some((x) => x.system_id === idOf(key));

  it('puts each condition on the rectification list with its status and deadline', () => {
    const expected: [string, string[], 'issued' | 'open', string][] = [
      ['INACT1', ['inactive'], 'issued', '2026-12-31'],
      ['INACT_BOUND', ['inactive'], 'issued', '2026-12-31'],
      ['INACT2', ['inactive'], 'open', '2026-11-30'],
      ['LOW3', ['low_util'], 'issued', '2027-01-31'],
      ['LOW5', ['low_util'], 'open', '2026-11-30'],
      ['UNUS1', ['unusable'], 'issued', '2026-12-31'],
      ['SEC1', ['security'], 'issued', '2026-12-31'],
      ['SEC2', ['security'], 'open', '2026-11-30'],
      ['NODATA2', ['no_data'], 'issued', '2026-12-31'],
      ['NODATA3', ['no_data'], 'open', '2026-12-31'],
      ['NODATA_SEC', ['no_data', 'security'], 'issued', '2026-12-31'],
      ['RESET', ['inactive'], 'open', '2026-11-30'],
      ['MULTI', ['inactive', 'low_util'], 'open', '2026-11-30'],
      ['EXEMPT_RECT', ['unusable'], 'issued', '2026-12-31'],
      ['CORR', ['unusable'], 'issued', '2026-12-31'],
      // declared seasons (docs/metrics.md §4.2): 8-10 idle in September and October, the next in-season month is August 2027;
      // 6-8 idle in July and August, paused since: the next in-season month is June 2027
      ['SEASON_IN', ['inactive'], 'open', '2027-08-31'],
      ['SEASON_PAUSED', ['inactive'], 'open', '2027-06-30'],
    ];
    for (const [key, conditions, status, deadline] of expected) expect(rect(key), key).toMatchObject({ conditions, status, deadline });
    expect(planted.month.rectification.length).toBe(expected.length);
    expect(rect('RESET')!.streaks).toEqual({ inactive: 2 });
    expect(rect('MULTI')!.streaks).toEqual({ inactive: 2, low_util: 4 });
    expect(rect('SEASON_PAUSED')!.streaks).toEqual({ inactive: 2 });
  });

  it('eliminates, escalates, exempts and resolves exactly the planted systems', () => {
    const elim = Object.fromEntries(planted.month.elimination.map((x) => [x.system_id, x.conditions]));
    // EXEMPT_EXPIRED: its registry exemption ended on 2026-10-15, but decision YC-JD-007 exempts it
    // until 2027-04-30 (docs/decisions.md §5.7): exempted, not eliminated
    expect(elim).toEqual({
      [idOf('INACT3')]: ['inactive'],
      [idOf('INACT4')]: ['inactive'],
      [idOf('LOW6')]: ['low_util'],
      [idOf('LOW7')]: ['low_util'],
      [idOf('UNUS3')]: ['unusable'],
      [idOf('SEC3')]: ['security'],
      [idOf('MULTI_ELIM')]: ['unusable'],
    });
    expect(planted.month.escalated.map((x) => x.system_id).sort()).toEqual(
      ['INACT3', 'LOW6', 'UNUS3', 'SEC3', 'MULTI_ELIM', 'EXEMPT_A'].map(idOf).sort(),
    );
    expect(planted.month.exempted.map((x) => x.system_id).sort()).toEqual(['EXEMPT_A', 'EXEMPT_B', 'EXEMPT_EXPIRED'].map(idOf).sort());
    expect(planted.month.resolved.map((x) => x.system_id).sort()).toEqual(['RESOLVED', 'SEC_RESOLVED'].map(idOf).sort());
  });

  it('recommends right-sizing where P95 stayed below 40 % for 3 months', () => {
    const rs = Object.fromEntries(planted.month.rightsizing.map((x) => [x.system_id, [x.vcpu, x.recommended_vcpu]]));
    expect(rs).toEqual({
      [idOf('RS1')]: [16, 10],
      [idOf('RS2')]: [32, 11],
      [idOf('RS3')]: [4, 1],
      [idOf('RS4')]: [12, 6],
      [idOf('LOW3')]: [8, 1],
      // 14 of its 16 vCPU reclaimed in August (YC-JD-001): ceil(2 × 6 / 60) = 1
      [idOf('LOW5')]: [2, 1],
      [idOf('LOW_HALF')]: [8, 2],
      [idOf('MULTI')]: [16, 2],
      [idOf('EXEMPT_B')]: [8, 1],
    });
  });

  it('keeps the threshold cases, classified, retired, trial and construction systems off every list', () => {
    const lists = [
      planted.month.rectification,
      planted.month.elimination,
      planted.month.exempted,
      planted.month.resolved,
      planted.month.escalated,
      planted.month.rightsizing,
    ];
    for (const key of [
      'INACT_301',
      'INACT_NULL_USERS',
      'LOW2',
      'LOW_RESET',
      'UNUS_BOUND',
      'SEC_FIXED',
      'NODATA1',
      'NODATA_HALF',
      'DUPROW',
      'RS_NEAR',
      'RS_BOUND',
      'RS_EQ',
      'RS_OLD',
      'NEW',
      'SEASON_OFF',
      'SEASON_SUGGEST',
      'CS_PUB',
      'CS_NOPLAN',
    ])
      for (const l of lists) expect(on(l, key), key).toBe(false);
    const never = ['CLS1', 'CLS2', 'CLS3', 'CLS4', 'CLS5', 'RET1', 'RET_UPD', 'TRIAL1', 'TRIAL2', 'CONS1'].map(idOf);
    for (const id of never) expect(planted.month.never_listed).toContain(id);
    expect(planted.classified.map((c) => c.system_id).sort()).toEqual(['CLS1', 'CLS2', 'CLS3', 'CLS4', 'CLS5'].map(idOf).sort());
    expect(planted.month.rows_start).toContainEqual({ system_id: idOf('NEW'), first_month: '2025-02' });
  });

  it('computes data sharing at the end of the month and of the evaluation year', () => {
    const m = planted.sharing.month;
    expect(m.as_of).toBe('2026-10-31');
    expect(m.failure.sort()).toEqual(['UNCAT', 'LOWCOMP', 'STALE', 'DUP'].map(idOf).sort());
    const row = (key: string) => m.rows.find((r) => r.system_id === idOf(key))!;
    expect(row('LOWCOMP')).toMatchObject({ shareable: 10, timely: 4, completeness_pct: 40 });
    expect(row('TIMELY')).toMatchObject({ shareable: 6, timely: 6, completeness_pct: 100, sharing_failure: false });
    expect(row('STALE')).toMatchObject({ shareable: 6, timely: 0, completeness_pct: 0 });
    expect(row('NOT_SHAREABLE')).toMatchObject({ shareable: 0, completeness_pct: null, sharing_failure: false });
    expect(row('UNCAT')).toMatchObject({ cataloged: 0, uncataloged: true });
    expect(m.catalog_overdue.map((x) => x.system_id).sort()).toEqual(['UNCAT', 'CAT_LATE'].map(idOf).sort());
    // initial acceptance 2025-09-30; National Day 10-01..10-08 off, Saturday 10-11 worked: the 10th working day is 10-21
    expect(m.catalog_overdue.find((x) => x.system_id === idOf('CAT_LATE'))).toMatchObject({
      initial_acceptance_date: '2025-09-30',
      deadline: '2025-10-21',
      first_cataloged_date: '2025-10-22',
    });
    expect(row('CAT_ONTIME').catalog_overdue).toBe(false);
    const y = planted.sharing.year;
    expect(y.as_of).toBe('2025-12-31');
    // At the end of 2025 the monthly exports give each resource its aggregation of that time: the
    // timely and the stale systems were both on time then (each aggregated every window's days).
    expect(y.failure.sort()).toEqual(['UNCAT', 'LOWCOMP', 'DUP'].map(idOf).sort());
  });

  it('flags the evaluation year cases', () => {
    const y = planted.year;
    expect(y.year).toBe(2025);
    expect(y.report_missing.sort()).toEqual(['RM1', 'RM2'].map(idOf).sort());
    expect(y.security_missing).toContain(idOf('SEC_MISS'));
    expect(y.security_missing).not.toContain(idOf('SEC_PREV'));
    expect(y.security_missing).not.toContain(idOf('SEC_L1'));
    expect(y.crypto_missing.sort()).toEqual(['CRYPTO_MISS', 'CRYPTO_OLD', 'RM1', 'RM2'].map(idOf).sort());
    expect(y.inflated.map((x) => x.system_id)).toEqual([idOf('INFL')]);
    expect(y.inflated[0].self_score).toBe(95);
    expect(y.inflated[0].score).toBeLessThan(60);
    expect(y.no_final_acceptance.sort()).toEqual(['NFA1', 'NFA2'].map(idOf).sort());
  });
});

describe('the planted seasons and cost sharing (hand-derived)', () => {
  it('suggests the season of the undeclared two-year pattern only: July to September', () => {
    expect(planted.seasons.suggested).toEqual([{ system_id: idOf('SEASON_SUGGEST'), months: [7, 8, 9] }]);
  });

  it('shares 2026 by the 2025 population and by the plans, to the fen, summing to each cost', () => {
    const c = planted.costshare;
    expect([c.year, c.population_year]).toEqual([2026, 2025]);
    const of = (key: string) => c.rows.filter((r) => r.system_id === idOf(key)).map((r) => [r.county, r.amount]);
    // 555,555,555 fen × 33.33 % = 185,166,666.48 → 185,166,666 (twice); × 33.34 % = 185,222,222.04 → 185,222,222; 1 fen left → 川东区
    expect(of('CS_PLAN2')).toEqual([
      ['云中区', '1851666.66'],
      ['川东区', '1852222.23'],
      ['市本级', '1851666.66'],
    ]);
    // 40 % and 6 × 10 % of 1,234,567,890 fen: exact
    expect(of('CS_PLAN').find(([county]) => county === '市本级')).toEqual(['市本级', '4938271.56']);
    const sum = (key: string) =>
      c.rows.filter((r) => r.system_id === idOf(key)).reduce((a, r) => a + Math.round(Number(r.amount) * 100), 0);
    expect([sum('CS_PUB'), sum('CS_PLAN'), sum('CS_PLAN2')]).toEqual([860_000_000, 1_234_567_890, 555_555_555]);
    expect(of('CS_PUB').length).toBe(6);
    expect(c.missing).toEqual(
      ['CS_BADPLAN', 'CS_NOPLAN']
        .map((k) => ({ system_id: idOf(k), status: 'missing_plan' }))
        .sort((a, b) => (a.system_id < b.system_id ? -1 : 1)),
    );
  });
});

describe('the planted decisions (hand-derived, docs/decisions.md §5.7)', () => {
  const d = () => planted.decisions!;

  it('writes the register as a CSV with Chinese headers and labels, ingested after the other inputs', () => {
    expect(d().file).toBe('08_处置决定.csv');
    expect(planted.files.at(-1)).toBe('08_处置决定.csv');
    const text = fs.readFileSync(path.join(dirA, d().file), 'utf8');
    expect(text.startsWith('\uFEFF决定编号,系统编号,决定,生效日期,有效期至,文号,决定人,理由,撤销的决定编号,收回vCPU')).toBe(true);
    expect(text).toContain(',同意关停,2026-10-12,');
    expect(d().rows.map((r) => r.decision_id)).toEqual(Array.from({ length: 12 }, (_, i) => `YC-JD-${String(i + 1).padStart(3, '0')}`));
  });

  it('gives each elimination row of October its decision status', () => {
    expect(Object.fromEntries(d().elimination.map((x) => [x.system_id, [x.status, x.decision_id]]))).toEqual({
      [idOf('INACT3')]: ['pending', null],
      [idOf('INACT4')]: ['confirmed', 'YC-JD-008'],
      [idOf('LOW6')]: ['pending', null],
      [idOf('LOW7')]: ['shut_down', 'YC-JD-012'],
      [idOf('UNUS3')]: ['pending', null],
      // exempted on 10-03, the exemption revoked on 10-16 (YC-JD-009)
      [idOf('SEC3')]: ['pending', null],
      [idOf('MULTI_ELIM')]: ['pending', null],
      [idOf('EXEMPT_A')]: ['exempted', 'YC-JD-005'],
      [idOf('EXEMPT_B')]: ['exempted', null],
      [idOf('EXEMPT_EXPIRED')]: ['exempted', 'YC-JD-007'],
    });
    // EXEMPT_A: the registry's exemption ends 2026-10-31, the decision's 2027-01-31: the later wins
    expect(planted.month.exempted.find((x) => x.system_id === idOf('EXEMPT_A'))).toMatchObject({
      exempt_until: '2027-01-31',
      exempt_reason: '换届选举保障任务延长',
    });
  });

  it('notes the decisions on notices, re-opening a rectification that did not hold', () => {
    expect(Object.fromEntries(d().notices.map((x) => [x.system_id, [x.status, x.note]]))).toEqual({
      [idOf('SEC2')]: ['open', 'rectified_not_held'],
      [idOf('NODATA3')]: ['open', 'rectified'],
      [idOf('MULTI')]: ['open', 'reply_rejected'],
    });
  });

  it('counts what was reclaimed in its month, and warns of the decision about a system on no list', () => {
    expect(d().reclaimed.map((r) => [r.month, r.system_id, r.vcpu])).toEqual([
      ['2026-08', idOf('LOW5'), 14],
      ['2026-10', idOf('LOW7'), planted.month.elimination.find((e) => e.system_id === idOf('LOW7'))!.vcpu],
    ]);
    expect(d().unmatched).toEqual(['YC-JD-006']);
    expect(planted.cases.find((c) => c.tags[0] === 'DECISION_UNMATCHED')!.description).toContain('导入和月度运行给出警告');
  });
});

describe('the planted next-year budget (hand-derived, from the end of 2025)', () => {
  const row = (key: string) => planted.budget.rows.find((r) => r.system_id === idOf(key))!;
  const deptOf = (key: string) => planted.cases.find((c) => c.tags[0] === key)!.department;

  it('applies the first matching rule and lists every matching reason', () => {
    expect(planted.budget.year).toBe(2026);
    const expected: [string, string, string[]][] = [
      ['BUD_ELIM_DEC', 'withhold', ['eliminated']],
      ['NFA1', 'withhold', ['no_final_acceptance']],
      ['SEC_MISS', 'withhold', ['security_noncompliant']],
      ['CRYPTO_MISS', 'withhold', ['security_noncompliant']],
      ['UNCAT', 'withhold', ['sharing_failure']],
      ['LOWCOMP', 'withhold', ['sharing_failure']],
      ['BUD_POOR_OPEN', 'withhold', ['poor_with_open_rectification', 'open_rectification', 'grade_poor']],
      ['RM1', 'withhold', ['security_noncompliant', 'grade_poor']],
      ['BUD_OPEN_DEC', 'suspend', ['open_rectification']],
      ['BUD_LONG_OPEN', 'suspend', ['open_rectification']],
      ['INFL', 'suspend', ['grade_poor']],
      ['BUD_FAIR', 'reduce', ['grade_fair']],
      ['BUD_RIGHTSIZE', 'reduce', ['rightsizing']],
    ];
    for (const [key, recommendation, reasons] of expected) expect(row(key), key).toMatchObject({ recommendation, reasons });
    expect(row('BUD_FAIR').recommended_om_budget).toBeGreaterThan(0);
    expect(row('BUD_OPEN_DEC').recommended_om_budget).toBe(0);
    const notFunded = planted.budget.rows.filter((r) => r.recommendation !== 'fund');
    expect(notFunded.every((r) => planted.cases.some((c) => c.system_id === r.system_id))).toBe(true);
  });

  it('suspends new projects of departments with a sharing withhold or a rectification open for more than 6 months', () => {
    const dept = new Map(planted.budget.departments_suspended.map((d) => [d.department, d.reasons]));
    expect(dept.get(deptOf('BUD_LONG_OPEN'))).toContain('long_open_rectification');
    for (const key of ['UNCAT', 'LOWCOMP', 'DUP']) expect(dept.get(deptOf(key)), key).toContain('sharing_withhold');
  });
});

describe('the planted compliance calendar of the end month (hand-derived)', () => {
  it('is overdue only where a case was planted: the missing 2025 reports, the missing final acceptances, the empty catalog', () => {
    const got = planted.calendar.overdue.map((x) => [
      planted.cases.find((c) => c.system_id === x.system_id)?.tags[0],
      x.obligation,
      x.due_date,
    ]);
    expect(got.sort()).toEqual(
      [
        // the 2025 report was due 90 days after the year, on 2026-03-31
        ['RM1', 'annual_report:2025', '2026-03-31'],
        ['RM2', 'annual_report:2025', '2026-03-31'],
        // RM1's self-evaluation window (12–24 months after its final acceptance) held only its 2025 report
        [
          'RM1',
          'self_evaluation',
          planted.calendar.overdue.find((x) => x.system_id === idOf('RM1') && x.obligation === 'self_evaluation')!.due_date,
        ],
        // in operation without a final acceptance: due at most 365 days after going live, years ago
        ['NFA1', 'completion_acceptance', planted.calendar.overdue.find((x) => x.system_id === idOf('NFA1'))!.due_date],
        ['NFA2', 'completion_acceptance', planted.calendar.overdue.find((x) => x.system_id === idOf('NFA2'))!.due_date],
        ['UNCAT', 'catalog', planted.calendar.overdue.find((x) => x.system_id === idOf('UNCAT'))!.due_date],
        // citywide, over the cost-sharing threshold, without a valid plan: due by going live (docs/decisions.md §5.8)
        ['CS_NOPLAN', 'cost_plan', planted.calendar.overdue.find((x) => x.system_id === idOf('CS_NOPLAN'))!.due_date],
        ['CS_BADPLAN', 'cost_plan', planted.calendar.overdue.find((x) => x.system_id === idOf('CS_BADPLAN'))!.due_date],
      ].sort(),
    );
    expect(
      planted.calendar.overdue.find((x) => x.system_id === idOf('RM1') && x.obligation === 'self_evaluation')!.due_date < '2026-10-31',
    ).toBe(true);
  });
});

describe('the planted provisional evaluation of 2026 (预评价, as of 2026-10, the 2025 reports standing in)', () => {
  const rec = (key: string) => planted.provisional.rows.find((r) => r.system_id === idOf(key))!;

  it('withholds only for planted reasons: the elimination list of October, the 2025 report cases, no final acceptance, sharing', () => {
    expect([
      planted.provisional.year,
      planted.provisional.report_year,
      planted.provisional.as_of_month,
      planted.provisional.budget_year,
    ]).toEqual([2026, 2025, '2026-10', 2027]);
    const withheld = planted.provisional.rows.filter((r) => r.recommendation === 'withhold').map((r) => r.system_id);
    expect(withheld.sort()).toEqual(
      [
        // (EXEMPT_EXPIRED is not: its registry exemption ran out, but a decision of 10 October exempts
        // it again — docs/decisions.md §5.7 — so it is off the list at the month end)
        ...['INACT3', 'INACT4', 'LOW6', 'LOW7', 'UNUS3', 'SEC3', 'MULTI_ELIM'],
        ...['SEC_MISS', 'CRYPTO_MISS', 'CRYPTO_OLD', 'RM1', 'RM2'],
        ...['NFA1', 'NFA2'],
        ...['UNCAT', 'LOWCOMP', 'STALE', 'DUP'],
      ]
        .map(idOf)
        .sort(),
    );
    // SEC_PREV's 2025 report: assessed in 2024, inside 2024–2025 as it was judged for 2025 (not 2025–2026)
    expect(rec('SEC_PREV').recommendation).toBe('fund');
    expect(rec('RM1')).toMatchObject({
      recommendation: 'withhold',
      reasons: ['security_noncompliant', 'grade_poor'],
      report_missing: true,
    });
    const notFunded = planted.provisional.rows.filter((r) => r.recommendation !== 'fund');
    expect(notFunded.every((r) => planted.cases.some((c) => c.system_id === r.system_id))).toBe(true);
  });
});

describe('ingestPaths(store, [sample city folder])', () => {
  let store: Store;
  let summary: IngestSummary;
  let cleanupDir = '';

  beforeAll(async () => {
    // ingestPaths(store, [the folder of the files in dirA], { now: NOW, archiveDir }) into a new
    // database, called once per test run for the files that share the sample city: what it returned,
    // and a copy of the database it left (tests/fixtures/sample-cache.ts)
    const t = await ingestedSampleCity({ endMonth: END });
    store = t.store;
    cleanupDir = t.dir;
    summary = t.summary;
    for (const f of listing(dirA)) expect(sha(path.join(t.dir, 'sample', f)), f).toBe(sha(path.join(dirA, f)));
  });

  afterAll(() => {
    store?.close();
    fs.rmSync(cleanupDir, { recursive: true, force: true });
  });

  it('ingests every file, in path-name order, none failed', () => {
    expect(summary.files.map((f) => f.name)).toEqual(planted.files);
    expect(summary.files.filter((f) => !['loaded', 'partial'].includes(f.status))).toEqual([]);
    const partial = new Set(planted.rejects.map((r) => r.file));
    for (const f of summary.files) expect(f.status, f.name).toBe(partial.has(f.name) ? 'partial' : 'loaded');
    expect(summary.exitCode).toBe(2);
  });

  it('rejects exactly the planted invalid rows, each with its file, row and column', async () => {
    const got = await store.all<{ file_name: string; row_no: number; column_name: string | null; value: string | null; reason: string }>(
      `SELECT file_name, row_no, column_name, value, reason FROM rejects JOIN files USING (file_id) ORDER BY file_name, row_no`,
    );
    expect(got.map((r) => [r.file_name, r.row_no, r.column_name])).toEqual(planted.rejects.map((r) => [r.file, r.row, r.column]));
    const REASON: Record<RejectKind, RegExp> = {
      required_empty: /必填字段为空/,
      not_number: /不是有效数字/,
      not_integer: /不是整数/,
      bad_date_format: /日期格式无法识别/,
      impossible_date: /日期不存在/,
      future_date: /日期晚于今天/,
      out_of_range: /超出范围/,
      negative: /不能为负数/,
      cpu_max_lt_avg: /峰值使用率小于/,
      goals_met_gt_total: /已完成目标数大于/,
      exempt_reason_missing: /缺少豁免原因/,
      unknown_enum: /不是可识别的取值/,
      bad_bool: /是\/否/,
      unknown_system: /不在系统目录中/,
      too_many_columns: /列数多于表头/,
      too_few_columns: /列数少于表头/,
      plan_sum_not_100: /分摊比例合计为 90\.0000%/,
    };
    planted.rejects.forEach((p, i) => {
      expect(got[i].reason, `${p.file} row ${p.row}`).toMatch(REASON[p.kind]);
      // Parquet values come back as DuckDB prints them (20.0 for 20); text formats as written.
      if (p.column && !p.file.endsWith('.parquet')) expect(got[i].value, `${p.file} row ${p.row}`).toBe(p.value);
    });
  });

  it('loads everything else: the current rows match the planted counts', async () => {
    const n = await store.one<{ systems: number; telemetry: number; catalog: number; om_report: number }>(
      `SELECT (SELECT count(*) FROM systems_current) AS systems, (SELECT count(*) FROM telemetry_current) AS telemetry,
              (SELECT count(*) FROM catalog_current) AS catalog, (SELECT count(*) FROM om_report_current) AS om_report`,
    );
    expect(n).toEqual(planted.counts);
  });

  it('keeps the later version: registry update, corrected re-export, a row sent twice, the catalog supplement', async () => {
    const sys = async (key: string) =>
      (await store.one<Record<string, unknown>>('SELECT * FROM systems_current WHERE system_id = $1', [idOf(key)]))!;
    expect((await sys('RS2')).vcpu).toBe(32);
    expect((await sys('RET_UPD')).stage).toBe('retired');
    expect((await sys('EXEMPT_B')).exempt_until).toBe('2027-10-31');
    for (const k of ['REG_FIX1', 'REG_FIX2', 'REG_FIX3', 'REG_FIX4']) expect((await sys(k)).stage, k).toBe('operation');
    const corr = await store.one<{ a: number }>(
      `SELECT avg(availability_pct) AS a FROM telemetry_current WHERE system_id = $1 AND date BETWEEN '2026-09-01' AND '2026-09-30'`,
      [idOf('CORR')],
    );
    expect(corr!.a).toBeGreaterThan(99);
    const dup = await store.all<{ open_high_vulns: number }>(
      `SELECT open_high_vulns FROM telemetry_current WHERE system_id = $1 AND date = '2026-10-31'`,
      [idOf('DUPROW')],
    );
    expect(dup).toEqual([{ open_high_vulns: 0 }]);
    // the supplement's resources that carry an aggregation date, read in the file itself (the three
    // supplement systems are drawn at random among the background systems: seed-dependent), are
    // current with that date — the resource sent again included, whichever file its row is kept from
    const supplement = fs
      .readFileSync(path.join(dirA, '04_数据资源目录_补充.ndjson'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { system_id: string; resource_id: string; last_aggregated_date?: string | null })
      // (one line lacks its resource_id: a planted reject)
      .filter((r) => r.last_aggregated_date && r.resource_id);
    expect(supplement.length).toBeGreaterThan(0);
    for (const r of supplement) {
      const got = await store.value<string | null>(
        `SELECT strftime(last_aggregated_date, '%Y-%m-%d') FROM catalog_current WHERE system_id = $1 AND resource_id = $2`,
        [r.system_id, r.resource_id],
      );
      expect(got, r.resource_id).toBe(String(r.last_aggregated_date).slice(0, 10));
    }
  });

  it('stores telemetry that gives the planted metrics of the end month', async () => {
    const got = await store.all<Record<string, number | null> & { system_id: string }>(
      `SELECT system_id, count(DISTINCT date) AS days_reported, avg(cpu_avg_pct) AS cpu_avg_pct,
              quantile_cont(cpu_max_pct, 0.95) AS cpu_p95_pct, max(active_users) AS dau_max, sum(requests) AS requests_total,
              avg(availability_pct) AS availability_pct, arg_max(open_high_vulns, date) AS open_high_vulns
       FROM telemetry_current WHERE date BETWEEN '2026-10-01' AND '2026-10-31' GROUP BY system_id`,
    );
    const byId = new Map(got.map((r) => [r.system_id, r]));
    for (const e of planted.month.metrics) {
      const g = byId.get(e.system_id);
      if (e.days_reported === 0) {
        expect(g, e.system_id).toBeUndefined();
        continue;
      }
      for (const k of [
        'days_reported',
        'cpu_avg_pct',
        'cpu_p95_pct',
        'dau_max',
        'requests_total',
        'availability_pct',
        'open_high_vulns',
      ] as const) {
        const want = e[k];
        if (want === null) expect(g![k], `${e.system_id} ${k}`).toBeNull();
        else expect(g![k], `${e.system_id} ${k}`).toBeCloseTo(want, 9);
      }
    }
  });

  it('gives, run by govmon, the planted calendar, the month-by-month sharing and the provisional evaluation', async () => {
    const profile = loadProfile('default');
    const month = await runMonth(store, { month: END, profile, now: NOW });
    // the calendar of the end month: exactly the planted overdue obligations
    const overdue = await store.all<{ system_id: string; obligation: string; due_date: string }>(
      `SELECT system_id, obligation, strftime(due_date, '%Y-%m-%d') AS due_date FROM res_calendar
       WHERE run_id = $1 AND status = 'overdue' ORDER BY system_id, obligation`,
      [month.runId],
    );
    expect(overdue).toEqual(planted.calendar.overdue);
    // data sharing at every month end of the run's twelve months, against the generator's own history
    const city = buildCity({ endMonth: END, seed: DEFAULT_SEED, months: 24, systems: 400 });
    const catalog = buildCatalog(city);
    const got = await store.all<{ m: string; system_id: string; timely: number; sharing_failure: boolean }>(
      `SELECT strftime(month, '%Y-%m') AS m, system_id, timely, sharing_failure FROM res_sharing WHERE run_id = $1 ORDER BY 1, 2`,
      [month.runId],
    );
    const months = [...new Set(got.map((r) => r.m))];
    expect(months.length).toBe(12);
    for (const m of months) {
      const want = sharingAt(city, catalog, m);
      const mine = got.filter((r) => r.m === m);
      expect(
        mine.map((r) => [r.system_id, r.timely]),
        m,
      ).toEqual(want.rows.map((r) => [r.system_id, r.timely]).sort());
      expect(
        mine.filter((r) => r.sharing_failure).map((r) => r.system_id),
        m,
      ).toEqual([...want.failure].sort());
    }
    // the provisional evaluation of 2026, run in November 2026 (before the 2026 reports are due)
    const y = await evaluateYear(store, { year: 2026, profile, now: new Date('2026-11-15T02:00:00Z') });
    expect([y.basis.provisional, y.basis.reportYear, y.asOfMonth]).toEqual([true, 2025, END]);
    const budget = await store.all<{ system_id: string; recommendation: string; reasons: string[] }>(
      'SELECT system_id, recommendation, reasons FROM res_budget WHERE run_id = $1 ORDER BY system_id',
      [y.runId],
    );
    expect(budget).toEqual(
      [...planted.provisional.rows]
        .sort((a, b) => (a.system_id < b.system_id ? -1 : 1))
        .map((r) => ({ system_id: r.system_id, recommendation: r.recommendation, reasons: r.reasons })),
    );
  });
});
