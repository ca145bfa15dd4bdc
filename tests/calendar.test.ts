// The compliance calendar (docs/decisions.md §5.6): each dated obligation of the active profile per system, its
// due date and its status (done / due / overdue) on the last day of the run month — with the
// default profile and with the Ningbo profile — and the `calendar` export (§7.2). Every expected
// date is worked out by hand in the comments beside it.
//
// Run month 2026-10: status on 2026-10-31. A due date on that very day is still `due`.
// Default profile: catalog 10 working days after initial acceptance (Shaoxing 第三十条);
// completion acceptance from go-live + 90 days to go-live + 365 days (Suqian 第二十九条);
// self-evaluation 12–24 months after going into operation (Nanchong 第四十四条: from the final
// acceptance, or the go-live date while there is none); annual O&M report of each of the last two
// complete years, 90 days after the year end (Suqian 第三十六条; the 90 days are bureau practice).

import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMonth } from '../pipelines/run/month.ts';
import { loadProfile } from '../pipelines/profiles.ts';
import { exportRows, writeExport } from '../dashboards/exports/write.ts';
import type { Row, Store } from '../pipelines/store/database.ts';
import { NOW, openTestStore } from './helpers.ts';
import {
  DEFAULT_PROFILE,
  buildCity,
  csvHeader,
  month,
  report,
  resource,
  system,
  type CatalogRow,
  type ReportRow,
  type SystemRow,
} from './fixtures/annual/city.ts';

const NINGBO = loadProfile('ningbo');

/** A system with no acceptance dates unless given (so only the obligations a test is about appear). */
const sys = (id: string, over: Omit<SystemRow, 'system_id'>) =>
  system(id, { initial_acceptance_date: null, final_acceptance_date: null, ...over });

const SYSTEMS: SystemRow[] = [
  // completion acceptance
  sys('CA_DUE', { stage: 'trial', go_live_date: '2026-03-02' }),
  sys('CA_OVER', { stage: 'trial', go_live_date: '2025-09-15' }),
  sys('CA_EDGE', { stage: 'trial', go_live_date: '2025-10-31' }),
  sys('CA_DONE', { go_live_date: '2025-01-06', final_acceptance_date: '2025-06-02' }),
  sys('CA_EARLY', { go_live_date: '2026-03-02', final_acceptance_date: '2026-04-01' }),
  sys('CA_LATE', { go_live_date: '2024-03-01', final_acceptance_date: '2025-04-01' }),
  // self-evaluation
  sys('SE_DONE', { go_live_date: '2023-09-01', final_acceptance_date: '2024-09-16' }),
  sys('SE_OVER', { go_live_date: '2023-03-01', final_acceptance_date: '2024-06-03' }),
  sys('SE_DUE', { go_live_date: '2025-03-02' }),
  sys('SE_NOSCORE', { go_live_date: '2023-09-01', final_acceptance_date: '2024-09-16' }),
  // annual reports
  sys('AR', { go_live_date: '2022-01-04', final_acceptance_date: '2023-06-01' }),
  sys('AR_LATE', { go_live_date: '2022-01-04', final_acceptance_date: '2023-06-01' }),
  // catalog (trial since 2026-06-01: completion acceptance due 2027-06-01, nothing else)
  sys('CAT_ON', { stage: 'trial', go_live_date: '2026-06-01', initial_acceptance_date: '2026-09-28' }),
  sys('CAT_LATE', { stage: 'trial', go_live_date: '2026-06-01', initial_acceptance_date: '2026-09-28' }),
  sys('CAT_NONE', { stage: 'trial', go_live_date: '2026-06-01', initial_acceptance_date: '2026-09-28' }),
  sys('CAT_DUE', { stage: 'trial', go_live_date: '2026-06-01', initial_acceptance_date: '2026-10-22' }),
  // never on the calendar
  sys('RET', { stage: 'retired', go_live_date: '2023-01-02', initial_acceptance_date: '2023-03-01', final_acceptance_date: '2023-06-01' }),
  sys('CLAS', { classified: true, go_live_date: '2023-01-02', initial_acceptance_date: '2023-03-01', final_acceptance_date: '2023-06-01' }),
  sys('CONSTR', { stage: 'construction', go_live_date: null }),
];

const CATALOG: CatalogRow[] = [
  resource('CAT_ON', 'ON-1', { cataloged_date: '2026-10-16', last_aggregated_date: '2026-10-31' }),
  resource('CAT_LATE', 'LATE-1', { cataloged_date: '2026-10-19', last_aggregated_date: '2026-10-31' }),
];

const REPORTS: ReportRow[] = [
  report('CA_DONE', 2025), // submitted 2026-01-15
  report('SE_DONE', 2025), // submitted 2026-01-15
  report('SE_OVER', 2024), // submitted 2025-01-15
  report('SE_NOSCORE', 2025, { self_score: null }),
  report('AR', 2024, { submitted_date: '2025-03-31' }),
  report('AR_LATE', 2024),
  report('AR_LATE', 2025, { submitted_date: '2026-04-15' }),
];

let env: Awaited<ReturnType<typeof openTestStore>>;
let store: Store;
let defaultRun: number;
let ningboRun: number;
let decemberRun: number;

type Calendar = Record<string, Row>;
let C: Calendar; // default, 2026-10
let N: Calendar; // ningbo, 2026-10
let DEC: Calendar; // default, 2025-12

/** The calendar of a run, keyed `system/obligation`. */
async function calendarOf(runId: number): Promise<Calendar> {
  const rows = await store.all('SELECT * FROM res_calendar WHERE run_id = $1 ORDER BY system_id, obligation', [runId]);
  return Object.fromEntries(rows.map((r) => [`${r.system_id}/${r.obligation}`, r]));
}

const obligationsOf = (cal: Calendar, id: string) =>
  Object.keys(cal)
    .filter((k) => k.startsWith(`${id}/`))
    .map((k) => k.slice(id.length + 1));

const entry = (r: Row | undefined) =>
  r && { window_start: r.window_start, due_date: r.due_date, done_date: r.done_date, status: r.status, note: r.note };

beforeAll(async () => {
  env = await openTestStore();
  store = env.store;
  // telemetry from December 2025, so both run months have sharing rows (the catalog deadline)
  await buildCity(store, env, {
    systems: SYSTEMS,
    catalog: CATALOG,
    reports: REPORTS,
    telemetry: [...month('AR', '2025-12', {}, 1), ...month('AR', '2026-10', {}, 1)],
  });
  decemberRun = (await runMonth(store, { month: '2025-12', profile: DEFAULT_PROFILE, now: NOW })).runId;
  // the Ningbo run first, so the default run is the current run of 2026-10 for the export
  ningboRun = (await runMonth(store, { month: '2026-10', profile: NINGBO, now: NOW })).runId;
  defaultRun = (await runMonth(store, { month: '2026-10', profile: DEFAULT_PROFILE, now: NOW })).runId;
  C = await calendarOf(defaultRun);
  N = await calendarOf(ningboRun);
  DEC = await calendarOf(decemberRun);
});

afterAll(() => {
  store?.close();
  if (env) fs.rmSync(env.dir, { recursive: true, force: true });
});

describe('runMonth(store, { month: "2026-10" }) — which obligations a system has (default profile)', () => {
  it('lists no obligation of retired, classified or construction systems', () => {
    for (const id of ['RET', 'CLAS', 'CONSTR']) expect(obligationsOf(C, id)).toEqual([]);
  });

  it('gives a trial system its completion acceptance and catalog only', () => {
    expect(obligationsOf(C, 'CA_DUE')).toEqual(['completion_acceptance']);
    expect(obligationsOf(C, 'CAT_ON')).toEqual(['catalog', 'completion_acceptance']);
  });

  it('gives a system in operation its completion acceptance, self-evaluation and the reports of the years since its final acceptance', () => {
    // CA_DONE: final acceptance 2025-06-02 → only the 2025 report (the last complete years are 2024 and 2025)
    expect(obligationsOf(C, 'CA_DONE')).toEqual(['annual_report:2025', 'completion_acceptance', 'self_evaluation']);
    expect(obligationsOf(C, 'AR')).toEqual(['annual_report:2024', 'annual_report:2025', 'completion_acceptance', 'self_evaluation']);
  });

  it('cites the article of each obligation', () => {
    expect(C['CAT_ON/catalog'].citations).toEqual(['《绍兴市市级政务信息化项目管理办法》第三十条']);
    expect(C['CA_DUE/completion_acceptance'].citations).toEqual(['《宿迁市市级信息化项目管理办法》第二十九条']);
    expect(C['SE_DUE/self_evaluation'].citations).toEqual(['《南充市市级政务信息化项目管理办法（试行）》第四十四条']);
    expect(C['AR/annual_report:2025'].citations).toEqual(['《宿迁市市级信息化项目管理办法》第三十六条']);
  });
});

describe('runMonth(store, { month: "2026-10" }) — completion acceptance: go-live + 90 days to go-live + 365 days', () => {
  it('is due while the window is open', () => {
    // go-live 2026-03-02: + 90 = 05-31 (29 days to 03-31, 30 to 04-30, 31 to 05-31); + 365 = 2027-03-02
    expect(entry(C['CA_DUE/completion_acceptance'])).toEqual({
      window_start: '2026-05-31',
      due_date: '2027-03-02',
      done_date: null,
      status: 'due',
      note: null,
    });
  });

  it('is overdue a year after go-live without final acceptance', () => {
    // go-live 2025-09-15: + 90 = 2025-12-14; + 365 = 2026-09-15 < 2026-10-31
    expect(entry(C['CA_OVER/completion_acceptance'])).toEqual({
      window_start: '2025-12-14',
      due_date: '2026-09-15',
      done_date: null,
      status: 'overdue',
      note: null,
    });
  });

  it('is still due when the due date is the last day of the month', () => {
    // go-live 2025-10-31 + 365 = 2026-10-31 = the month end
    expect(entry(C['CA_EDGE/completion_acceptance'])).toMatchObject({ due_date: '2026-10-31', status: 'due' });
  });

  it('is done by a final acceptance inside the window', () => {
    // go-live 2025-01-06: + 90 = 2025-04-06 (25 days to 01-31, 28 to 02-28, 31 to 03-31, 6 to 04-06); + 365 = 2026-01-06
    expect(entry(C['CA_DONE/completion_acceptance'])).toEqual({
      window_start: '2025-04-06',
      due_date: '2026-01-06',
      done_date: '2025-06-02',
      status: 'done',
      note: null,
    });
  });

  it('notes a final acceptance before the minimum trial period as early', () => {
    // go-live 2026-03-02, window from 2026-05-31; final acceptance 2026-04-01 (30 days of trial)
    expect(entry(C['CA_EARLY/completion_acceptance'])).toEqual({
      window_start: '2026-05-31',
      due_date: '2027-03-02',
      done_date: '2026-04-01',
      status: 'done',
      note: 'early',
    });
  });

  it('notes a final acceptance after the maximum as late', () => {
    // go-live 2024-03-01 + 365 = 2025-03-01 (February 2025 has 28 days); final acceptance 2025-04-01
    expect(entry(C['CA_LATE/completion_acceptance'])).toMatchObject({
      due_date: '2025-03-01',
      done_date: '2025-04-01',
      status: 'done',
      note: 'late',
    });
  });
});

describe('runMonth(store, { month: "2026-10" }) — self-evaluation 12–24 months after going into operation', () => {
  it('is done by a report with a self-score submitted inside the window', () => {
    // final acceptance 2024-09-16: window 2025-09-16 … 2026-09-16; 2025 report submitted 2026-01-15
    expect(entry(C['SE_DONE/self_evaluation'])).toEqual({
      window_start: '2025-09-16',
      due_date: '2026-09-16',
      done_date: '2026-01-15',
      status: 'done',
      note: null,
    });
  });

  it('is overdue when the only report was submitted before the window opened', () => {
    // final acceptance 2024-06-03: window 2025-06-03 … 2026-06-03; 2024 report submitted 2025-01-15, too early
    expect(entry(C['SE_OVER/self_evaluation'])).toEqual({
      window_start: '2025-06-03',
      due_date: '2026-06-03',
      done_date: null,
      status: 'overdue',
      note: null,
    });
  });

  it('does not count a report without a self-score', () => {
    expect(entry(C['SE_NOSCORE/self_evaluation'])).toMatchObject({ due_date: '2026-09-16', done_date: null, status: 'overdue' });
  });

  it('counts from the go-live date while there is no final acceptance', () => {
    // go-live 2025-03-02: window 2026-03-02 … 2027-03-02
    expect(entry(C['SE_DUE/self_evaluation'])).toEqual({
      window_start: '2026-03-02',
      due_date: '2027-03-02',
      done_date: null,
      status: 'due',
      note: null,
    });
  });
});

describe('runMonth(store, { month }) — annual O&M reports of the last complete years, due 90 days after the year end', () => {
  it('is done by a report submitted on the due date', () => {
    // 2024-12-31 + 90 days = 2025-03-31 (31 to 01-31, 28 to 02-28, 31 to 03-31)
    expect(entry(C['AR/annual_report:2024'])).toEqual({
      window_start: '2024-01-01',
      due_date: '2025-03-31',
      done_date: '2025-03-31',
      status: 'done',
      note: null,
    });
  });

  it('is overdue without a report after the due date', () => {
    // 2025-12-31 + 90 = 2026-03-31 < 2026-10-31
    expect(entry(C['AR/annual_report:2025'])).toEqual({
      window_start: '2025-01-01',
      due_date: '2026-03-31',
      done_date: null,
      status: 'overdue',
      note: null,
    });
  });

  it('notes a report submitted after the due date as late', () => {
    expect(entry(C['AR_LATE/annual_report:2025'])).toMatchObject({
      due_date: '2026-03-31',
      done_date: '2026-04-15',
      status: 'done',
      note: 'late',
    });
  });

  it('counts the run year itself as complete in a December run', () => {
    // run month 2025-12 (status on 2025-12-31): the last complete years are 2024 and 2025;
    // the 2025 report is due 2026-03-31, not yet
    expect(obligationsOf(DEC, 'AR').filter((o) => o.startsWith('annual_report'))).toEqual(['annual_report:2024', 'annual_report:2025']);
    expect(entry(DEC['AR/annual_report:2025'])).toMatchObject({ due_date: '2026-03-31', status: 'due' });
    expect(entry(DEC['AR/annual_report:2024'])).toMatchObject({ done_date: '2025-03-31', status: 'done' });
  });
});

describe('runMonth(store, { month: "2026-10" }) — catalog within 10 working days after initial acceptance', () => {
  it('is done when the first resource is cataloged on the due date', () => {
    // 2026-09-28: 09-29 (1), 09-30 (2), National Day 10-01 … 10-07 off, 10-08 (3), 10-09 (4),
    // Sat 10-10 make-up (5), 10-12 (6) … 10-16 (10)
    expect(entry(C['CAT_ON/catalog'])).toEqual({
      window_start: '2026-09-28',
      due_date: '2026-10-16',
      done_date: '2026-10-16',
      status: 'done',
      note: null,
    });
  });

  it('notes a catalog after the due date as late', () => {
    expect(entry(C['CAT_LATE/catalog'])).toMatchObject({ due_date: '2026-10-16', done_date: '2026-10-19', status: 'done', note: 'late' });
  });

  it('is overdue with nothing cataloged after the due date', () => {
    expect(entry(C['CAT_NONE/catalog'])).toMatchObject({ due_date: '2026-10-16', done_date: null, status: 'overdue' });
  });

  it('is due when the deadline lies after the month end', () => {
    // 2026-10-22 (Thu): Fri 10-23 (1), Mon 10-26 … Fri 10-30 (2–6), Mon 11-02 … Thu 11-05 (7–10)
    expect(entry(C['CAT_DUE/catalog'])).toMatchObject({ due_date: '2026-11-05', status: 'due' });
  });
});

describe('runMonth(store, { month: "2026-10", profile: ningbo })', () => {
  it('uses the Ningbo parameters: trial at least 6 months (183 days), no maximum; self-evaluation within 12 months of completion acceptance', () => {
    expect(NINGBO.profile.calendar.completion_acceptance).toMatchObject({ min_days: 183, max_days: null });
    expect(NINGBO.profile.calendar.self_evaluation).toMatchObject({ anchor: 'final_acceptance', from_months: 0, to_months: 12 });
    expect(NINGBO.profile.catalog_deadline).toMatchObject({ basis: 'practice', working_days: 10 });
  });

  it('opens completion acceptance 183 days after go-live and sets no due date, so it is never overdue', () => {
    // 2026-03-02 + 183: 29 to 03-31, 30 to 04-30, 31 to 05-31, 30 to 06-30, 31 to 07-31, 31 to 08-31, 1 → 09-01
    expect(entry(N['CA_DUE/completion_acceptance'])).toEqual({
      window_start: '2026-09-01',
      due_date: null,
      done_date: null,
      status: 'due',
      note: null,
    });
    // overdue under the default profile (one year), only due under Ningbo
    expect(entry(N['CA_OVER/completion_acceptance'])).toMatchObject({ due_date: null, status: 'due' });
  });

  it('notes as early a final acceptance that the default profile accepts', () => {
    // go-live 2025-01-06 + 183: 25 to 01-31, 28 to 02-28, 31 to 03-31, 30 to 04-30, 31 to 05-31, 30 to 06-30, 8 → 07-08;
    // final acceptance 2025-06-02 < 07-08 (default: window from 2025-04-06, on time)
    expect(entry(N['CA_DONE/completion_acceptance'])).toMatchObject({
      window_start: '2025-07-08',
      done_date: '2025-06-02',
      status: 'done',
      note: 'early',
    });
    expect(C['CA_DONE/completion_acceptance'].note).toBeNull();
  });

  it('counts the self-evaluation from the completion acceptance: within 12 months', () => {
    // CA_DONE: final 2025-06-02 → window 2025-06-02 … 2026-06-02; report submitted 2026-01-15 → done
    expect(entry(N['CA_DONE/self_evaluation'])).toEqual({
      window_start: '2025-06-02',
      due_date: '2026-06-02',
      done_date: '2026-01-15',
      status: 'done',
      note: null,
    });
    // SE_DONE: final 2024-09-16 → window 2024-09-16 … 2025-09-16; report 2026-01-15 is outside → overdue
    expect(entry(N['SE_DONE/self_evaluation'])).toMatchObject({ due_date: '2025-09-16', done_date: null, status: 'overdue' });
  });

  it('sets no self-evaluation before completion acceptance', () => {
    // SE_DUE is in operation since 2025-03-02 without final acceptance: its 2025 report and its
    // completion acceptance, but no self-evaluation (the default profile counts from the go-live date)
    expect(obligationsOf(N, 'SE_DUE')).toEqual(['annual_report:2025', 'completion_acceptance']);
    expect(obligationsOf(C, 'SE_DUE')).toEqual(['annual_report:2025', 'completion_acceptance', 'self_evaluation']);
  });

  it('cites Ningbo where its measure rules, and labels the catalog deadline as bureau practice', () => {
    expect(N['CA_DUE/completion_acceptance'].citations).toEqual(['《宁波市本级信息化项目全生命周期管理办法》（十七）']);
    expect(N['CA_DONE/self_evaluation'].citations).toEqual(['《宁波市本级信息化项目全生命周期管理办法》（十九）']);
    expect(N['CAT_ON/catalog'].citations).toEqual(['数据局工作口径（办法未作规定）']);
    // the catalog deadline itself does not change: still 2026-10-16
    expect(entry(N['CAT_ON/catalog'])).toMatchObject({ due_date: '2026-10-16', status: 'done' });
  });
});

describe('exportRows / writeExport(store, "calendar", { month: "2026-10" })', () => {
  it('writes the §7.2 calendar columns first, in order', async () => {
    const file = path.join(env.dir, 'calendar.csv');
    await writeExport(store, 'calendar', { month: '2026-10' }, file);
    expect(csvHeader(file).slice(0, 5)).toEqual(['system_id', 'obligation', 'due_date', 'status', 'citation']);
  });

  it('exports every obligation of the current run of the month, with its due date, status and citation', async () => {
    const { rows } = await exportRows(store, 'calendar', { month: '2026-10' });
    expect(rows).toHaveLength(Object.keys(C).length);
    const ar = rows.find((r) => r.system_id === 'AR' && r.obligation === 'annual_report:2025')!;
    expect([ar.due_date, ar.status, ar.citation]).toEqual(['2026-03-31', 'overdue', '《宿迁市市级信息化项目管理办法》第三十六条']);
    // the default run is the current one: the default, not the Ningbo, completion-acceptance due date
    const ca = rows.find((r) => r.system_id === 'CA_OVER' && r.obligation === 'completion_acceptance')!;
    expect([ca.due_date, ca.status]).toEqual(['2026-09-15', 'overdue']);
  });
});
