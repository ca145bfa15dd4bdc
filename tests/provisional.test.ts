// The provisional evaluation (预评价, docs/decisions.md §5.5a) on a small synthetic city. An evaluation
// of year Y run on or before the day Y's O&M reports are due (the profile's report_due of Y+1, by
// default 03-31, in Beijing time) reads the report of Y−1 and judges its assessment dates with the
// windows of Y−1; it says so in the run log, the exports (a column, the XLSX sheet name and 说明),
// the CLI and the dashboard; a final evaluation replaces it as the current one without deleting it.
//
// The city (default profile, graded-protection and crypto windows: the report's year and the one
// before; every system otherwise scores full marks and is funded):
//   PREV   2025 report: graded protection 2024-06-25, crypto 2024-09-01 (the YC-MZ-001);
//          2024 report: assessed 2024-05-20 / 2024-06-10.
//   OLD    2025 report: graded protection 2023-12-31 (before 2024), crypto 2025-06-10.
//   NEW25  went live 2025-03-03; only a 2025 report (assessed 2025-05-20 / 2025-06-10).
//   MISS25 only a 2024 report (assessed 2024-05-20 / 2024-06-10): no 2025 report.
//   IDLE   no users and no requests in January–March 2026, healthy before and after.
// Telemetry: every day from 2025-12 to 2026-10, healthy unless said otherwise.

import fs from 'node:fs';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluateYear } from '../pipelines/run/year.ts';
import { runMonth } from '../pipelines/run/month.ts';
import { loadProfile } from '../pipelines/profiles.ts';
import { writeExport } from '../dashboards/exports/write.ts';
import { buildDashboard } from '../dashboards/site/build.ts';
import { yearJob } from '../apps/jobs/year.ts';
import type { Store } from '../pipelines/store/database.ts';
import { NOW, openTestStore, writeFile } from './helpers.ts';
import { DEFAULT_PROFILE, IDLE, buildCity, bySystem, csvRows, months, report, resource, system } from './fixtures/annual/city.ts';
import { cli, ingestInProcess } from './fixtures/reliability.ts';

const MONTHS = ['2025-12', ...Array.from({ length: 10 }, (_, i) => `2026-${String(i + 1).padStart(2, '0')}`)];
const sh = (s: string) => new Date(`${s}+08:00`);

let env: Awaited<ReturnType<typeof openTestStore>>;
let store: Store;

beforeAll(async () => {
  env = await openTestStore('g.duckdb');
  store = env.store;
  const ids = ['PREV', 'OLD', 'NEW25', 'MISS25', 'IDLE'];
  await buildCity(store, env, {
    systems: ids.map((id) =>
      system(
        id,
        id === 'NEW25' ? { go_live_date: '2025-03-03', initial_acceptance_date: '2025-02-20', final_acceptance_date: '2025-06-30' } : {},
      ),
    ),
    telemetry: ids.flatMap((id) =>
      id === 'IDLE'
        ? [...months(id, MONTHS.slice(0, 1)), ...months(id, MONTHS.slice(1, 4), IDLE), ...months(id, MONTHS.slice(4))]
        : months(id, MONTHS),
    ),
    catalog: ids.map((id) => resource(id, `R-${id}`, { update_cycle: 'yearly', last_aggregated_date: '2025-12-20' })),
    reports: [
      report('PREV', 2024),
      report('PREV', 2025, { security_assessment_date: '2024-06-25', crypto_assessment_date: '2024-09-01' }),
      report('OLD', 2025, { security_assessment_date: '2023-12-31' }),
      report('NEW25', 2025),
      report('MISS25', 2024),
      report('IDLE', 2025),
    ],
  });
});

afterAll(() => {
  store?.close();
  if (env) fs.rmSync(env.dir, { recursive: true, force: true });
});

describe('evaluateYear(store, { year: 2026 }) on 2026-11-22 — a year in progress is provisional', () => {
  let runId: number;
  beforeAll(async () => {
    runId = (await evaluateYear(store, { year: 2026, profile: DEFAULT_PROFILE, now: NOW })).runId;
  });

  it('reads the 2025 reports and judges their assessment dates with the windows of 2025 (2024–2025), not 2025–2026', async () => {
    const S = await bySystem(store, 'res_scores', runId);
    // PREV: 2024-06-25 and 2024-09-01 lie in 2024–2025: 5 + 5 (with 2025–2026 both would be 0)
    expect([S.PREV.pts_graded_protection, S.PREV.pts_crypto, S.PREV.report_missing]).toEqual([5, 5, false]);
    // OLD: 2023-12-31 lies before 2024, as it did for 2025
    expect([S.OLD.pts_graded_protection, S.OLD.pts_crypto]).toEqual([0, 5]);
    // every row says it is provisional and which report it read
    for (const r of Object.values(S)) expect([r.provisional, r.report_year]).toEqual([true, 2025]);
  });

  it('withholds only where the 2025 report itself falls short: PREV is funded, OLD and MISS25 (no 2025 report) are withheld', async () => {
    const B = await bySystem(store, 'res_budget', runId);
    expect(Object.fromEntries(Object.entries(B).map(([id, b]) => [id, [b.recommendation, b.reasons]]))).toEqual({
      // IDLE was inactive in January–March 2026 only: funded at the end of October
      IDLE: ['fund', []],
      // no report: its indicators score 0 (100 − 10 − 10 − 15 − 5 − 5 − 5 = 50, 差)
      MISS25: ['withhold', ['security_noncompliant', 'grade_poor']],
      NEW25: ['fund', []],
      OLD: ['withhold', ['security_noncompliant']],
      PREV: ['fund', []],
    });
    expect(B.PREV.year).toBe(2027);
    for (const b of Object.values(B)) expect([b.provisional, b.report_year]).toEqual([true, 2025]);
  });

  it('records what it stands on, and says 预评价 and the report year in the run log', async () => {
    expect(
      await store.all(
        "SELECT year, strftime(as_of_month, '%Y-%m') AS m, provisional, report_year, strftime(report_due_date, '%Y-%m-%d') AS due FROM res_evaluations WHERE run_id = $1",
        [runId],
      ),
    ).toEqual([{ year: 2026, m: '2026-10', provisional: true, report_year: 2025, due: '2027-03-31' }]);
    const run = (await store.one<{ status: string; message: string; counts: string }>(
      'SELECT status, message, CAST(counts AS VARCHAR) AS counts FROM runs WHERE run_id = $1',
      [runId],
    ))!;
    expect(run.status).toBe('warnings');
    expect(run.message).toContain(
      '预评价：2026 年度运维报表应于 2027-03-31 前报送，尚未到期；以 2025 年度报表代替，等保测评、密评按 2025 年度的时间窗口判断',
    );
    expect(JSON.parse(run.counts)).toMatchObject({ provisional: true, report_year: 2025 });
  });
});

describe('evaluateYear(store, { year: 2025 }) around the due date 2026-03-31 (Beijing time)', () => {
  let early: number;
  let final: number;
  let again: number;
  beforeAll(async () => {
    // 23:59:59 on 31 March in Beijing is still on the due day; a second later it is 1 April
    early = (await evaluateYear(store, { year: 2025, profile: DEFAULT_PROFILE, now: sh('2026-03-31T23:59:59') })).runId;
    final = (await evaluateYear(store, { year: 2025, profile: DEFAULT_PROFILE, now: sh('2026-04-01T00:00:00') })).runId;
    // a provisional run made after the final one (a clock set back) does not displace it
    again = (await evaluateYear(store, { year: 2025, profile: DEFAULT_PROFILE, now: sh('2026-02-01T09:00:00') })).runId;
  });

  it('is provisional on the due day, reading the 2024 reports; final from the next day, reading 2025', async () => {
    const P = await bySystem(store, 'res_scores', early);
    const F = await bySystem(store, 'res_scores', final);
    // MISS25 has a 2024 report only: present for the provisional evaluation, missing for the final one
    expect([P.MISS25.report_missing, P.MISS25.provisional, P.MISS25.report_year]).toEqual([false, true, 2024]);
    expect([F.MISS25.report_missing, F.MISS25.provisional, F.MISS25.report_year]).toEqual([true, false, 2025]);
    // NEW25 went live in 2025: no 2024 report to stand in
    expect([P.NEW25.report_missing, F.NEW25.report_missing]).toEqual([true, false]);
    // PREV's 2024 report (assessed 2024) judged for 2024: 2023–2024
    expect([P.PREV.pts_graded_protection, P.PREV.pts_crypto]).toEqual([5, 5]);
  });

  it('makes the final evaluation the current one of 2025; the provisional ones stay, exportable by run id', async () => {
    expect(await store.value('SELECT run_id FROM year_runs WHERE year = 2025')).toBe(final);
    const file = path.join(env.dir, 'budget-current.csv');
    await writeExport(store, 'budget', { year: 2025 }, file);
    expect(new Set(csvRows(file).map((r) => `${r.provisional}/${r.report_year}/${r.run_id}`))).toEqual(new Set([`false/2025/${final}`]));
    for (const id of [early, again]) {
      const f = path.join(env.dir, `budget-${id}.csv`);
      await writeExport(store, 'budget', { runId: id }, f);
      expect(new Set(csvRows(f).map((r) => `${r.provisional}/${r.report_year}/${r.run_id}`))).toEqual(new Set([`true/2024/${id}`]));
    }
  });

  it('names a provisional XLSX export as such: the sheet, and 评价类型 on the 说明 sheet', async () => {
    const f = path.join(env.dir, 'budget-early.xlsx');
    await writeExport(store, 'budget', { runId: early }, f);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(f);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['下一年度经费建议（预评价）', '说明']);
    const notes = Object.fromEntries(
      wb
        .getWorksheet('说明')!
        .getSheetValues()
        .filter(Boolean)
        .map((r) => [(r as ExcelJS.CellValue[])[1], (r as ExcelJS.CellValue[])[2]]),
    );
    expect(notes['评价类型']).toBe(
      '预评价：2025 年度运维报表应于 2026-03-31 前报送，评价时尚未到期，以 2024 年度报表代替（等保测评、密评按 2024 年度的时间窗口判断）；报表到期后的正式评价将取代本结果',
    );
    expect(notes['数据截至']).toBe('2025-12 月末');
    // the signed list's title block: its title says 预评价, its run line the report year used
    const ws = wb.worksheets[0];
    expect(String(ws.getCell('A1').value)).toMatch(/（预评价）$/);
    expect(String(ws.getCell('A3').value)).toContain('以 2024 年度报表代替');
    await writeExport(store, 'budget', { runId: final }, path.join(env.dir, 'budget-final.xlsx'));
    const fin = new ExcelJS.Workbook();
    await fin.xlsx.readFile(path.join(env.dir, 'budget-final.xlsx'));
    expect(fin.worksheets[0].name).toBe('下一年度经费建议');
  });

  it('takes the due day from the profile: with report_due 04-30, 15 April is still provisional', async () => {
    const later = writeFile(
      env.dir,
      'later.json',
      JSON.stringify({ name: 'later', title: '4 月 30 日报送', extends: 'default', provisional_evaluation: { report_due: '04-30' } }),
    );
    const r = await evaluateYear(store, { year: 2025, profile: loadProfile(later), now: sh('2026-04-15T10:00:00') });
    expect(r.basis).toEqual({ year: 2025, provisional: true, reportYear: 2024, reportDueDate: '2026-04-30' });
  });
});

describe('yearJob and the dashboard of a provisional evaluation', () => {
  it('writes a provisional evaluation’s exports to <YYYY>-预评价/, a final one’s to <YYYY>/', async () => {
    const root = path.join(env.dir, 'exports');
    const p = await yearJob(store, { year: 2026, profile: DEFAULT_PROFILE, now: NOW, exportsRoot: root });
    expect(path.basename(p.exportsDir!)).toBe('2026-预评价');
    const f = await yearJob(store, { year: 2025, profile: DEFAULT_PROFILE, now: NOW, exportsRoot: root });
    expect(path.basename(f.exportsDir!)).toBe('2025');
    expect(fs.readdirSync(root).sort()).toEqual(['2025', '2026-预评价']);
  });

  it('says 预评价 and the report year on the scores and budget page, the department and the system page', async () => {
    await runMonth(store, { month: '2026-10', profile: DEFAULT_PROFILE, now: NOW });
    const out = path.join(env.dir, 'site-2026-10');
    await buildDashboard(store, { month: '2026-10', outDir: out, now: NOW });
    const annual = fs.readFileSync(path.join(out, 'annual.html'), 'utf8');
    expect(annual).toContain('<h1>2026 年度绩效预评价与 2027 年度经费建议（预评价）</h1>');
    expect(annual).toContain('data-provisional="2025"');
    expect(annual).toContain('本结果以 <strong>2025 年度运维报表</strong>代替');
    expect(annual).toContain('2027 年度经费建议（预评价，依据 2025 年度运维报表）');
    const dept = fs.readdirSync(path.join(out, 'departments')).map((f) => fs.readFileSync(path.join(out, 'departments', f), 'utf8'));
    expect(dept.some((d) => d.includes('2026 年度预评价：部门建议'))).toBe(true);
    const systems = fs.readdirSync(path.join(out, 'systems')).map((f) => fs.readFileSync(path.join(out, 'systems', f), 'utf8'));
    const prev = systems.find((s) => s.includes('<p class="doc-meta">PREV '))!;
    expect(prev).toContain('2026 年度绩效预评价与 2027 年度经费建议');
    expect(prev).toContain('预评价（以 2025 年度运维报表代替）');
  });
});

describe('govmon evaluate (the CLI summary)', () => {
  it('says 预评价 and the report year it used', async () => {
    // the real clock decides: with reports of a year due on 31 December of the next year, the last
    // complete year is always provisional, whatever the date the test runs on
    const year = Number(new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric' }).format(new Date())) - 1;
    const profile = writeFile(
      env.dir,
      'late.json',
      JSON.stringify({ name: 'late', title: '次年年底报送', extends: 'default', provisional_evaluation: { report_due: '12-31' } }),
    );
    const dir = path.join(env.dir, 'cli');
    const db = path.join(dir, 'g.duckdb');
    fs.mkdirSync(dir, { recursive: true });
    const csv = (name: string, text: string) => writeFile(dir, name, text);
    csv(
      'a.csv',
      'system_id,system_name,department,stage,go_live_date,final_acceptance_date,security_level\nS1,系统一,市数据局,运行,2020-01-02,2020-06-01,2\n',
    );
    const days = Array.from({ length: 31 }, (_, i) => `S1,${year}-12-${String(i + 1).padStart(2, '0')},20,50,40,50,10,100,100,0`);
    csv(
      'b.csv',
      `system_id,date,cpu_avg_pct,cpu_max_pct,mem_avg_pct,storage_used_gb,active_users,requests,availability_pct,open_high_vulns\n${days.join('\n')}\n`,
    );
    csv(
      'c.csv',
      `system_id,year,submitted_date,security_assessment_date,crypto_assessment_date\nS1,${year - 1},${year}-01-15,${year - 1}-05-20,${year - 1}-06-10\n`,
    );
    // ingested as `govmon ingest` does, in this process: the command under test is `evaluate`
    expect(await ingestInProcess(db, [dir])).toBe(0);
    const r = await cli(['--db', db, '--profile', profile, 'evaluate', '--year', String(year)]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`${year} 年度预评价完成`);
    expect(r.stdout).toContain(
      `  预评价：${year} 年度运维报表应于 ${year + 1}-12-31 前报送，尚未到期，以 ${year - 1} 年度报表代替；报表到期后请重新评价`,
    );
    expect(r.stdout).toContain(`${year + 1} 年度经费建议（预评价）：`);
  });
});

describe('the system page of a system listed for elimination after the evaluation its budget advice comes from', () => {
  it('says that the advice predates the listing, and what the listing means for the budget', async () => {
    const own = await openTestStore();
    try {
      const ids = ['IDLE', 'OK'];
      const ms = ['2025-12', '2026-01', '2026-02', '2026-03'];
      await buildCity(own.store, own, {
        systems: ids.map((id) => system(id)),
        // IDLE: inactive January–March 2026, so it reaches the 3 eliminate months in March
        telemetry: ids.flatMap((id) =>
          id === 'IDLE' ? [...months(id, ms.slice(0, 1)), ...months(id, ms.slice(1), IDLE)] : months(id, ms),
        ),
        catalog: ids.map((id) => resource(id, `R-${id}`, { update_cycle: 'yearly', last_aggregated_date: '2025-12-20' })),
        reports: ids.map((id) => report(id, 2025)),
      });
      // the final 2025 evaluation (as of December 2025): IDLE is funded
      await evaluateYear(own.store, { year: 2025, profile: DEFAULT_PROFILE, now: sh('2026-04-10T09:00:00') });
      await runMonth(own.store, { month: '2026-03', profile: DEFAULT_PROFILE, now: sh('2026-04-10T09:00:00') });
      const out = path.join(own.dir, 'site');
      await buildDashboard(own.store, { month: '2026-03', outDir: out, now: NOW });
      const pages = fs.readdirSync(path.join(out, 'systems')).map((f) => fs.readFileSync(path.join(out, 'systems', f), 'utf8'));
      const idle = pages.find((p) => p.includes('<p class="doc-meta">IDLE '))!;
      const ok = pages.find((p) => p.includes('<p class="doc-meta">OK '))!;
      expect(idle).toContain('data-state="elimination"');
      expect(idle).toContain('<dt>经费建议</dt><dd><strong>全额安排</strong></dd>');
      expect(idle).toContain(
        '注意：以上经费建议来自2025 年度绩效评价（数据截至 2025-12 月末），早于本系统列入淘汰退出清单（2026-03），未反映列入清单。列入淘汰退出清单的系统不予安排运维经费（《宿迁市市级信息化项目管理办法》第六条），请以重新评价的结果为准。',
      );
      expect(ok).not.toContain('data-stale-advice');
    } finally {
      own.store.close();
      fs.rmSync(own.dir, { recursive: true, force: true });
    }
  });
});
