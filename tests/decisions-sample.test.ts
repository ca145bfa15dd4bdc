// The sample city's decision register through govmon, against the generator's own computation of
// what §5.7 says must come out (apps/sample/decisions.ts): every decision status of October's
// elimination list, the exempted section, right-sizing after a reclaim, the notes on notices, what
// was reclaimed in August and October, the run's warning about a decision on no list. Then the
// round trip a bureau makes in Excel: the elimination XLSX exported, 决定 filled in two rows with
// exceljs (同意关停 with a 文号; 豁免 with a reason and 有效期至), ingested, the month run again —
// and the statuses and the exempted section change as §5.7 says.

import fs from 'node:fs';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Planted } from '../apps/sample/generate.ts';
import { ingestedSampleCity } from './fixtures/sample-cache.ts';
import { writeExport } from '../dashboards/exports/write.ts';
import { ingestFile } from '../pipelines/ingest/ingest.ts';
import { loadProfile } from '../pipelines/profiles.ts';
import { runMonth, type MonthRunResult } from '../pipelines/run/month.ts';
import type { Row, Store } from '../pipelines/store/database.ts';
import { NOW } from './helpers.ts';

const END = '2026-10';
const MONTHS = ['2026-08', '2026-09', '2026-10'];
const profile = loadProfile('default');

let s: Awaited<ReturnType<typeof ingestedSampleCity>>;
const store = (): Store => s.store;
let planted: Planted;
const runs: Record<string, MonthRunResult> = {};
const idOf = (key: string) => planted.cases.find((c) => c.tags[0] === key)!.system_id;
const current = (m: string) => `(SELECT run_id FROM month_runs WHERE month = '${m}')`;

beforeAll(async () => {
  // the sample city generated and ingested once per test run, copied (tests/fixtures/sample-cache.ts)
  s = await ingestedSampleCity({ endMonth: END });
  planted = s.sample.planted;
  for (const m of MONTHS) runs[m] = await runMonth(s.store, { month: m, profile, now: NOW, trigger: 'test' });
}, 300_000);

afterAll(() => {
  s?.store.close();
  if (s) fs.rmSync(s.dir, { recursive: true, force: true });
});

describe('the sample city’s decisions, as govmon concludes them', () => {
  it('gives every elimination row of October the decision status the generator expects', async () => {
    const got = await store().all<{ system_id: string; decision_status: string; decision_id: string | null }>(
      `SELECT system_id, decision_status, decision_id FROM res_elimination WHERE run_id = ${current(END)} ORDER BY system_id`,
    );
    expect(got.map((r) => ({ system_id: r.system_id, status: r.decision_status, decision_id: r.decision_id }))).toEqual(
      planted.decisions!.elimination,
    );
  });

  it('lists exactly the expected systems, and the exempted ones apart with the winning exemption', async () => {
    const rows = await store().all<Row>(
      `SELECT system_id, exempt, exempt_until, exempt_reason, exempt_source FROM res_elimination WHERE run_id = ${current(END)} ORDER BY system_id`,
    );
    expect(rows.filter((r) => !r.exempt).map((r) => r.system_id)).toEqual(planted.month.elimination.map((e) => e.system_id).sort());
    expect(rows.filter((r) => r.exempt).map((r) => [r.system_id, r.exempt_until, r.exempt_reason])).toEqual(
      planted.month.exempted.map((e) => [e.system_id, e.exempt_until, e.exempt_reason]),
    );
    expect(rows.find((r) => r.system_id === idOf('EXEMPT_A'))!.exempt_source).toBe('both');
    expect(rows.find((r) => r.system_id === idOf('EXEMPT_EXPIRED'))!.exempt_source).toBe('decision');
  });

  it('right-sizes on what is left after a reclaim', async () => {
    const rows = await store().all<Row>(
      `SELECT system_id, vcpu, recommended_vcpu, reclaim_vcpu, reclaim_cost_annual FROM res_rightsizing WHERE run_id = ${current(END)} ORDER BY system_id`,
    );
    expect(rows).toEqual(
      [...planted.month.rightsizing]
        .sort((a, b) => (a.system_id < b.system_id ? -1 : 1))
        .map((r) => ({
          system_id: r.system_id,
          vcpu: r.vcpu,
          recommended_vcpu: r.recommended_vcpu,
          reclaim_vcpu: r.reclaim_vcpu,
          reclaim_cost_annual: r.reclaim_cost_annual,
        })),
    );
  });

  it('puts the decisions’ notes on the notices', async () => {
    const rows = await store().all<Row>(
      `SELECT system_id, status, decision_note AS note, decision_id FROM res_notices
       WHERE run_id = ${current(END)} AND month = DATE '${END}-01' AND decision_note IS NOT NULL ORDER BY system_id`,
    );
    expect(rows).toEqual([...planted.decisions!.notices].sort((a, b) => (a.system_id < b.system_id ? -1 : 1)));
  });

  it('counts what was reclaimed in August and in October, each in its own month’s run', async () => {
    const got: Row[] = [];
    for (const m of MONTHS)
      got.push(
        ...(await store().all<Row>(
          `SELECT strftime(month, '%Y-%m') AS month, system_id, decision_id, vcpu, memory_gb, storage_gb, cloud_cost_annual
           FROM res_reclaimed WHERE run_id = ${current(m)} ORDER BY system_id`,
        )),
      );
    expect(got).toEqual(planted.decisions!.reclaimed);
  });

  it('warns, in October’s run, of the decision about a system on no list', async () => {
    expect(runs[END].counts.decisions_unmatched).toBe(planted.decisions!.unmatched.length);
    const message = await store().value<string>('SELECT message FROM runs WHERE run_id = $1', [runs[END].runId]);
    for (const id of planted.decisions!.unmatched) expect(message).toContain(`决定编号 ${id}`);
  });
});

describe('the elimination XLSX filled in Excel and ingested back', () => {
  it('changes the statuses and the exempted section as the decisions say', async () => {
    const file = path.join(s.dir, 'elimination.xlsx');
    await writeExport(store(), 'elimination', { month: END }, file, { city: '云川市' });
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(file);
    const ws = wb.getWorksheet('淘汰退出清单')!;
    let h = 1;
    while (String(ws.getRow(h).getCell(1).value) !== '序号') h++;
    const header = (ws.getRow(h).values as ExcelJS.CellValue[]).map((v) => String(v ?? ''));
    const col = (name: string) => header.indexOf(name);
    const rowOf = (id: string) => {
      for (let r = h + 1; r <= ws.rowCount; r++) if (ws.getRow(r).getCell(col('系统编号')).value === id) return ws.getRow(r);
      throw new Error(`${id} not on the sheet`);
    };
    // as a person fills the sheet: UNUS3 approved for shutdown, INACT3 exempted
    const unus3 = rowOf(idOf('UNUS3'));
    unus3.getCell(col('决定')).value = '同意关停';
    unus3.getCell(col('生效日期')).value = new Date('2026-10-28T00:00:00Z');
    unus3.getCell(col('文号')).value = '云数局〔2026〕40号';
    unus3.getCell(col('决定人')).value = '刘建国';
    const inact3 = rowOf(idOf('INACT3'));
    inact3.getCell(col('决定')).value = '豁免';
    inact3.getCell(col('生效日期')).value = new Date('2026-10-29T00:00:00Z');
    inact3.getCell(col('有效期至')).value = new Date('2027-03-31T00:00:00Z');
    inact3.getCell(col('文号')).value = '云数局〔2026〕41号';
    inact3.getCell(col('决定人')).value = '刘建国';
    inact3.getCell(col('理由')).value = '承担年底数据汇交任务';
    const filled = path.join(s.dir, '淘汰退出清单-已填写.xlsx');
    await wb.xlsx.writeFile(filled);

    const o = await ingestFile(store(), filled, { now: NOW, archiveDir: s.archiveDir });
    expect([o.kind, o.sheet, o.status, o.rowsLoaded, o.rowsRejected]).toEqual(['decisions', '淘汰退出清单', 'loaded', 2, 0]);
    // the other list rows, and the notes and signature lines under the table, are no decision
    expect(o.rowsSkipped).toBeGreaterThan(planted.month.elimination.length - 2);
    expect(o.warnings).toEqual([]);

    await runMonth(store(), { month: END, profile, now: NOW, trigger: 'test' });
    const rows = Object.fromEntries(
      (
        await store().all<Row>(
          `SELECT system_id, exempt, decision_status, decision_document_no, exempt_reason FROM res_elimination WHERE run_id = ${current(END)}`,
        )
      ).map((r) => [r.system_id, r]),
    );
    expect(rows[idOf('UNUS3')]).toMatchObject({ exempt: false, decision_status: 'confirmed', decision_document_no: '云数局〔2026〕40号' });
    expect(rows[idOf('INACT3')]).toMatchObject({ exempt: true, decision_status: 'exempted', exempt_reason: '承担年底数据汇交任务' });

    // the list exported again: INACT3 has moved to the exempted sheet
    const again = path.join(s.dir, 'elimination-again.xlsx');
    await writeExport(store(), 'elimination', { month: END }, again);
    const wb2 = new ExcelJS.Workbook();
    await wb2.xlsx.readFile(again);
    const ids = (name: string) => {
      const w = wb2.getWorksheet(name)!;
      const out: string[] = [];
      w.eachRow((r) => out.push(String(r.getCell(2).value ?? '')));
      return out;
    };
    expect(ids('豁免')).toContain(idOf('INACT3'));
    expect(ids('淘汰退出清单')).not.toContain(idOf('INACT3'));
  });
});
