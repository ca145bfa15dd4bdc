// What the decision register changes on the monthly run (docs/decisions.md §5.7), computed by hand:
// each kind of decision on the next run of its month and of the month after, a revocation, a
// decision about a system on no list (stored, warned), exemptions from the registry and the
// register (the later until wins, both kept), an ended notice keeping its deadline, the allocation
// less what was reclaimed, what was reclaimed (已收回), and the budget of a shut-down system.
//
// The city (defaults: in operation, 4 vCPU, 8 GB, 100 GB, 12 000 yuan a year; healthy unless said),
// telemetry November 2025 – May 2026:
//   X   idle from 2026-01 → elimination from March (inactive 3);  confirm_shutdown 03-20, shutdown_done 04-10
//   E   idle from 2026-01;  exempt by decision 03-05 … 04-30
//   B   idle from 2026-01;  registry exempt until 03-31 (R1);  decision exempt 03-01 … 05-31 (R2)
//   B2  idle from 2026-01;  registry exempt until 12-31 (R3);  decision exempt 03-01 … 03-31 (R4)
//   V   idle from 2026-01;  exempt by decision 03-02 … 12-31, revoked 04-15
//   R   8 vCPU, 100 000 yuan, CPU peaks 30 every day (P95 30 → right-sizing);  reclaimed 4 vCPU, 2 GB on 04-10
//   N   down (availability 80) in March and April;  rectified 03-25
//   J   one open vulnerability in March and April;  reject_reply 04-08
//   H   healthy;  confirm_shutdown 03-10 — on no list
//   Z   idle November–December 2025;  shutdown_done 2025-12-15

import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FileOutcome } from '../pipelines/ingest/ingest.ts';
import { ingestFile } from '../pipelines/ingest/ingest.ts';
import { evaluateYear } from '../pipelines/run/year.ts';
import { recordDecision } from '../pipelines/decisions/record.ts';
import { decisionEffect, describeEffect } from '../pipelines/decisions/effect.ts';
import type { Row, Store } from '../pipelines/store/database.ts';
import { NOW, openTestStore, writeFile } from './helpers.ts';
import {
  DEFAULT_PROFILE,
  DOWN,
  IDLE,
  VULN,
  buildCity,
  eliminationOf,
  months,
  rightsizingOf,
  runMonths,
  system,
} from './fixtures/monthly/city.ts';

const ALL = ['2025-11', '2025-12', '2026-01', '2026-02', '2026-03', '2026-04', '2026-05'];
const IDLE_MONTHS = ALL.slice(2);
const HEADER =
  'decision_id,system_id,decision,effective_date,until,document_no,decided_by,reason,revokes,reclaimed_vcpu,reclaimed_memory_gb';

let s: Awaited<ReturnType<typeof openTestStore>>;
const store = (): Store => s.store;
let first: FileOutcome;
let second: FileOutcome;
let runs: Record<string, Awaited<ReturnType<typeof runMonths>>[number]> = {};

async function ingestDecisions(name: string, lines: string[]): Promise<FileOutcome> {
  const p = writeFile(s.dir, name, [HEADER, ...lines].join('\n') + '\n');
  return ingestFile(store(), p, { now: NOW, archiveDir: s.archiveDir });
}

const run = async (m: string) => {
  runs[m] = (await runMonths(store(), [m]))[0];
  return runs[m];
};

async function noticeOf(m: string, id: string): Promise<Row | undefined> {
  return store().one(
    `SELECT status, deadline, decision_note, decision_id, decision_reason FROM res_notices
     WHERE run_id = (SELECT run_id FROM month_runs WHERE month = $1) AND month = CAST($1 || '-01' AS DATE) AND system_id = $2`,
    [m, id],
  );
}

beforeAll(async () => {
  s = await openTestStore();
  await buildCity(
    s.store,
    s,
    [
      system('X'),
      system('E'),
      system('B', { exempt_until: '2026-03-31', exempt_reason: 'R1' }),
      system('B2', { exempt_until: '2026-12-31', exempt_reason: 'R3' }),
      system('V'),
      system('R', { vcpu: 8, cloud_cost_annual: 100000 }),
      system('N'),
      system('J'),
      system('H'),
      system('Z'),
    ],
    [
      ...['X', 'E', 'B', 'B2', 'V'].flatMap((id) => [...months(id, ALL.slice(0, 2)), ...months(id, IDLE_MONTHS, IDLE)]),
      ...months('R', ALL, { cpu_avg_pct: 10, cpu_max_pct: 30 }),
      ...months('N', ['2025-11', '2025-12', '2026-01', '2026-02', '2026-05']),
      ...months('N', ['2026-03', '2026-04'], DOWN),
      ...months('J', ['2025-11', '2025-12', '2026-01', '2026-02', '2026-05']),
      ...months('J', ['2026-03', '2026-04'], VULN),
      ...months('H', ALL),
      ...months('Z', ALL.slice(0, 2), IDLE),
      ...months('Z', ALL.slice(2)),
    ],
  );
  runs = {};
  for (const m of ['2026-01', '2026-02', '2026-03']) await run(m);
  first = await ingestDecisions('decisions-march.csv', [
    'XC,X,confirm_shutdown,2026-03-20,,临数局〔2026〕21号,王立新,,,,',
    'EE,E,exempt,2026-03-05,2026-04-30,临数局〔2026〕22号,王立新,换届保障,,,',
    'BE,B,exempt,2026-03-01,2026-05-31,临数局〔2026〕23号,王立新,R2,,,',
    'B2E,B2,exempt,2026-03-01,2026-03-31,临数局〔2026〕24号,王立新,R4,,,',
    'VE,V,exempt,2026-03-02,2026-12-31,临数局〔2026〕25号,王立新,迁移过渡,,,',
    'NR,N,rectified,2026-03-25,,,李明,,,,',
    'HC,H,confirm_shutdown,2026-03-10,,临数局〔2026〕26号,王立新,,,,',
    'ZS,Z,shutdown_done,2025-12-15,,临数局〔2025〕30号,王立新,,,,',
  ]);
  await run('2026-03');
  second = await ingestDecisions('decisions-april.csv', [
    'XS,X,shutdown_done,2026-04-10,,,王立新,,,,',
    'VR,V,revoke,2026-04-15,,临数局〔2026〕31号,李明,漏洞未按承诺修复,VE,,',
    'RR,R,reclaimed,2026-04-10,,,王立新,,,4,2',
    'JR,J,reject_reply,2026-04-08,,,李明,整改说明未附漏洞修复报告,,,',
  ]);
  for (const m of ['2026-04', '2026-05']) await run(m);
}, 120_000);

afterAll(() => {
  s?.store.close();
  if (s) fs.rmSync(s.dir, { recursive: true, force: true });
});

describe('decisions at ingest', () => {
  it('stores a decision about a system on no list and warns (exit code 2); the others match their lists', () => {
    expect([first.status, first.rowsLoaded, first.rowsRejected]).toEqual(['loaded', 8, 0]);
    // H is healthy: on neither February's nor March's elimination list. Z's months (2025-11, 2025-12)
    // were never run, so nothing is known to check it against.
    expect(first.warnings).toEqual([
      '第 8 行：系统 H 的“同意关停”决定（决定编号 HC，生效日期 2026-03-10）——该系统不在2026年2月和2026年3月的淘汰退出清单上；决定已登记，请核对',
    ]);
    expect([second.status, second.rowsLoaded, second.warnings]).toEqual(['loaded', 4, []]);
  });

  it('warns again in the run of the decision’s month, which records the warning', async () => {
    expect(runs['2026-03'].counts.decisions_unmatched).toBe(1);
    const r = await store().one<{ status: string; message: string }>('SELECT status, message FROM runs WHERE run_id = $1', [
      runs['2026-03'].runId,
    ]);
    expect(r).toMatchObject({ status: 'warnings' });
    expect(r!.message).toContain('系统 H 的“同意关停”决定（决定编号 HC');
    expect(runs['2026-04'].counts.decisions_unmatched).toBe(0);
  });
});

describe('the elimination list and its decision status', () => {
  it('March: X confirmed with its document; E, B, B2, V exempt, from the register, the registry or both', async () => {
    const e = await eliminationOf(store(), '2026-03');
    expect(Object.keys(e).sort()).toEqual(['B', 'B2', 'E', 'V', 'X']);
    expect(e.X).toMatchObject({
      exempt: false,
      decision_status: 'confirmed',
      decision_id: 'XC',
      decision_document_no: '临数局〔2026〕21号',
      decision_date: '2026-03-20',
      decided_by: '王立新',
    });
    expect(e.E).toMatchObject({ exempt: true, decision_status: 'exempted', exempt_source: 'decision', exempt_until: '2026-04-30' });
    expect(e.E).toMatchObject({ exempt_reason: '换届保障', decision_id: 'EE', exempt_document_no: '临数局〔2026〕22号' });
    // B: registry until 03-31, decision until 05-31 → the decision's, later, wins; both kept
    expect(e.B).toMatchObject({
      exempt: true,
      exempt_source: 'both',
      exempt_until: '2026-05-31',
      exempt_reason: 'R2',
      registry_exempt_until: '2026-03-31',
      registry_exempt_reason: 'R1',
      exempt_decision_until: '2026-05-31',
    });
    // B2: registry until 12-31 outlasts the decision's 03-31 → the registry's wins
    expect(e.B2).toMatchObject({
      exempt_source: 'both',
      exempt_until: '2026-12-31',
      exempt_reason: 'R3',
      exempt_decision_until: '2026-03-31',
    });
    // V: the revocation (04-15) was not yet effective at the end of March
    expect(e.V).toMatchObject({ exempt: true, decision_status: 'exempted', exempt_decision_id: 'VE' });
    expect(runs['2026-03'].counts).toMatchObject({ elimination: 1, exempted: 4 });
  });

  it('April: X shut down; E and B exempt by decision, B2 by the registry only; V back on the list, pending', async () => {
    const e = await eliminationOf(store(), '2026-04');
    expect(e.X).toMatchObject({ decision_status: 'shut_down', decision_id: 'XS', decision_date: '2026-04-10' });
    expect(e.E).toMatchObject({ exempt: true, exempt_source: 'decision' });
    expect(e.B).toMatchObject({ exempt: true, exempt_source: 'decision', exempt_until: '2026-05-31' });
    expect(e.B2).toMatchObject({ exempt: true, exempt_source: 'registry', exempt_until: '2026-12-31', exempt_decision_id: null });
    expect(e.V).toMatchObject({ exempt: false, decision_status: 'pending', decision_id: null });
    expect(runs['2026-04'].counts).toMatchObject({ elimination: 2, exempted: 3 });
  });

  it('May: X retired — no metrics row, not listed; E’s exemption ended (04-30 < 05-31)', async () => {
    const e = await eliminationOf(store(), '2026-05');
    expect(Object.keys(e).sort()).toEqual(['B', 'B2', 'E', 'V']);
    expect(e.E).toMatchObject({ exempt: false, decision_status: 'pending' });
    expect(e.B).toMatchObject({ exempt: true, exempt_until: '2026-05-31' });
    const months = await store().all<{ m: string }>(
      `SELECT strftime(month, '%Y-%m') AS m FROM res_metrics WHERE run_id = $1 AND system_id = 'X' ORDER BY month`,
      [runs['2026-05'].runId],
    );
    // the months up to the shutdown keep their rows; the months after it have none
    expect(months.map((r) => r.m)).toEqual(['2025-11', '2025-12', '2026-01', '2026-02', '2026-03', '2026-04']);
    const sharing = await store().all<{ m: string }>(
      `SELECT strftime(month, '%Y-%m') AS m FROM res_sharing WHERE run_id = $1 AND system_id = 'X' ORDER BY month DESC LIMIT 1`,
      [runs['2026-05'].runId],
    );
    expect(sharing).toEqual([{ m: '2026-04' }]);
    expect(
      await store().value<number>(`SELECT count(*) FROM res_calendar WHERE run_id = $1 AND system_id = 'X'`, [runs['2026-05'].runId]),
    ).toBe(0);
  });

  it('re-running March after the April decisions gives March’s answer (the register as at the end of March)', async () => {
    const before = await eliminationOf(store(), '2026-03');
    await run('2026-03');
    const after = await eliminationOf(store(), '2026-03');
    expect(after).toEqual(before);
  });
});

describe('the allocation less what was reclaimed, and what was reclaimed', () => {
  it('right-sizes R on 8 vCPU in March and on the 4 left after the reclaim from April', async () => {
    // March: ceil(8 × 30 / 60) = 4, reclaim 4, 100 000 × 4 / 8 = 50 000
    expect((await rightsizingOf(store(), '2026-03')).R).toMatchObject({
      vcpu: 8,
      recommended_vcpu: 4,
      reclaim_vcpu: 4,
      reclaim_cost_annual: 50000,
      reclaimed_vcpu: 0,
    });
    // April and May: 8 − 4 = 4 left; ceil(4 × 30 / 60) = 2, reclaim 2, 100 000 × 2 / 8 = 25 000
    for (const m of ['2026-04', '2026-05'])
      expect((await rightsizingOf(store(), m)).R, m).toMatchObject({
        vcpu: 4,
        recommended_vcpu: 2,
        reclaim_vcpu: 2,
        reclaim_cost_annual: 25000,
        reclaimed_vcpu: 4,
      });
  });

  it('counts X’s whole allocation and R’s reclaimed amounts as reclaimed in April, and nothing in March or May', async () => {
    const rows = await store().all(
      `SELECT system_id, decision_id, decision, vcpu, memory_gb, storage_gb, cloud_cost_annual FROM res_reclaimed WHERE run_id = $1 ORDER BY system_id`,
      [runs['2026-04'].runId],
    );
    expect(rows).toEqual([
      { system_id: 'R', decision_id: 'RR', decision: 'reclaimed', vcpu: 4, memory_gb: 2, storage_gb: null, cloud_cost_annual: 50000 },
      { system_id: 'X', decision_id: 'XS', decision: 'shutdown_done', vcpu: 4, memory_gb: 8, storage_gb: 100, cloud_cost_annual: 12000 },
    ]);
    // 可收回 in April: V 4 (pending) + R 2 (right-sizing); X, shut down, is reclaimed, not reclaimable
    expect(runs['2026-04'].counts).toMatchObject({
      reclaim_vcpu: 6,
      reclaim_cost_annual: 12000 + 25000,
      reclaimed_vcpu: 8,
      reclaimed_cost_annual: 62000,
    });
    // March: X 4 + R 4; May: E 4 + V 4 + R 2
    expect(runs['2026-03'].counts).toMatchObject({ reclaim_vcpu: 8, reclaimed_vcpu: 0 });
    expect(runs['2026-05'].counts).toMatchObject({ reclaim_vcpu: 10, reclaimed_vcpu: 0 });
  });
});

describe('notices: a confirmed rectification and a refused reply', () => {
  it('shows N’s rectification as confirmed in March, re-opens it in April (still down), and keeps the deadline when it ends in May', async () => {
    // unusable from March: streak 1 reaches 3 in May → deadline 2026-05-31, March and April
    expect(await noticeOf('2026-03', 'N')).toMatchObject({
      status: 'issued',
      deadline: '2026-05-31',
      decision_note: 'rectified',
      decision_id: 'NR',
    });
    expect(await noticeOf('2026-04', 'N')).toMatchObject({ status: 'open', deadline: '2026-05-31', decision_note: 'rectified_not_held' });
    expect(await noticeOf('2026-05', 'N')).toMatchObject({ status: 'resolved', deadline: '2026-05-31', decision_note: 'rectified' });
  });

  it('shows J’s refused reply, with its reason, from April', async () => {
    expect(await noticeOf('2026-03', 'J')).toMatchObject({ status: 'issued', decision_note: null });
    expect(await noticeOf('2026-04', 'J')).toMatchObject({
      status: 'open',
      decision_note: 'reply_rejected',
      decision_id: 'JR',
      decision_reason: '整改说明未附漏洞修复报告',
    });
  });

  it('keeps the deadline of an escalated notice (X, E… in March: 2026-03-31)', async () => {
    // idle from January: inactive 1 in January reaches 3 in March → deadline 2026-03-31
    expect(await noticeOf('2026-03', 'X')).toMatchObject({ status: 'escalated', deadline: '2026-03-31' });
  });
});

describe('the budget of a shut-down system', () => {
  it('withholds the O&M budget of a system shut down in the year, citing the decision, and does not score it the year after', async () => {
    const y25 = await evaluateYear(store(), { year: 2025, profile: DEFAULT_PROFILE, now: NOW, trigger: 'test' });
    const z = await store().one<Row>('SELECT * FROM res_budget WHERE run_id = $1 AND system_id = $2', [y25.runId, 'Z']);
    expect(z).toMatchObject({ recommendation: 'withhold', recommended_om_budget: 0, recommended_cloud_cost: 0 });
    expect((z!.reasons as string[])[0]).toBe('shut_down');
    expect(z!.citations).toContain('处置决定 ZS（临数局〔2025〕30号，2025-12-15 已关停）');
    const y26 = await evaluateYear(store(), { year: 2026, profile: DEFAULT_PROFILE, now: NOW, trigger: 'test' });
    const scored = (await store().all<{ system_id: string }>('SELECT system_id FROM res_scores WHERE run_id = $1', [y26.runId])).map(
      (r) => r.system_id,
    );
    expect(scored).not.toContain('Z');
    expect(scored).toContain('X');
    const x = await store().one<Row>('SELECT recommendation, reasons FROM res_budget WHERE run_id = $1 AND system_id = $2', [
      y26.runId,
      'X',
    ]);
    expect(x).toMatchObject({ recommendation: 'withhold' });
    expect((x!.reasons as string[])[0]).toBe('shut_down');
  });
});

describe('recordDecision(store, decision) and decisionEffect', () => {
  it('records one decision through the ingest and shows, without recording a run, what it changes in the latest month', async () => {
    const runsBefore = await store().value<number>('SELECT count(*) FROM runs');
    const r = await recordDecision(
      store(),
      { system_id: 'V', decision: '同意关停', effective_date: '2026-05-20', decided_by: '王立新', document_no: '临数局〔2026〕40号' },
      { now: NOW, archiveDir: s.archiveDir },
    );
    expect([r.recorded, r.exitCode, r.warnings]).toEqual([true, 0, []]);
    expect(r.decisionId).toMatch(/^D\d+-2$/);
    const effect = await decisionEffect(store(), { systemId: 'V', effectiveDate: '2026-05-20' }, { profile: DEFAULT_PROFILE, now: NOW });
    expect([effect.month, effect.applies]).toEqual(['2026-05', true]);
    expect(effect.changes).toEqual(['淘汰退出清单：待决定 → 已同意关停']);
    expect(describeEffect(effect, '2026-05-20')[0]).toContain('2026年5月');
    // the preview wrote nothing: no run, and the month's current run still says 待决定
    expect(await store().value<number>('SELECT count(*) FROM runs')).toBe(runsBefore);
    expect((await eliminationOf(store(), '2026-05')).V).toMatchObject({ decision_status: 'pending' });
  });

  it('refuses a decision the contract refuses, with the reasons, and stores nothing', async () => {
    const n = await store().value<number>('SELECT count(*) FROM raw_decisions');
    const r = await recordDecision(
      store(),
      { system_id: 'E', decision: 'exempt', effective_date: '2026-05-02', decided_by: '王立新' },
      { now: NOW, archiveDir: s.archiveDir },
    );
    expect([r.recorded, r.exitCode]).toEqual([false, 1]);
    expect(r.rejects.map((x) => [x.column_name, x.reason])).toEqual([
      ['document_no', '豁免、同意关停须填写文号'],
      ['reason', '豁免、整改说明不予认可、撤销决定须填写理由'],
      ['until', '豁免须填写有效期至'],
    ]);
    expect(await store().value<number>('SELECT count(*) FROM raw_decisions')).toBe(n);
  });

  it('says when a decision is dated after the latest run month', async () => {
    const effect = await decisionEffect(store(), { systemId: 'V', effectiveDate: '2026-06-02' }, { profile: DEFAULT_PROFILE, now: NOW });
    expect(effect.applies).toBe(false);
    expect(describeEffect(effect, '2026-06-02')).toEqual([
      '该决定生效日期 2026-06-02 晚于最近一次月度运行（2026年5月）的月末，将在 2026-06 的月度运行中生效。',
    ]);
  });
});
