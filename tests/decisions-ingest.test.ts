// The decision register as an input (docs/inputs.md §2.6): every rejection with its Chinese reason,
// row and column — the rules of the row (contract) and those that need the register or the registry
// (pipelines/ingest/decisions.ts) — ids assigned where empty, rows that are no decision skipped,
// and the register append-only: a later file adds rows, never changes one.

import { describe, expect, it } from 'vitest';
import { ingestFile } from '../pipelines/ingest/ingest.ts';
import { NOW, withStore, writeFile } from './helpers.ts';
import { loadRegistry, rejectsOf, storedRows } from './fixtures/ingest.ts';

const HEADER =
  'decision_id,system_id,decision,effective_date,until,document_no,decided_by,reason,revokes,reclaimed_vcpu,reclaimed_memory_gb,reclaimed_storage_gb';

describe('ingestFile(store, decisions.csv) — what the register refuses', () => {
  // S001: 16 vCPU, 64 GB, 1 024.5 GB storage (fixtures/ingest.ts). NOW is 2026-11-22.
  const lines = [
    /* 2 */ 'A1,S001,exempt,2026-10-01,2027-03-31,临数局〔2026〕1号,王立新,重大活动保障,,,,',
    /* 3 */ 'A2,S001,suspend,2026-10-01,,,王立新,,,,,',
    /* 4 */ 'A3,S001,豁免,2026-10-01,,临数局〔2026〕2号,王立新,理由,,,,',
    /* 5 */ 'A4,S001,exempt,2026-10-01,2027-01-01,,王立新,理由,,,,',
    /* 6 */ 'A5,S001,exempt,2026-10-01,2027-01-01,临数局〔2026〕3号,王立新,,,,,',
    /* 7 */ 'A6,S001,同意关停,2026-10-01,,,王立新,,,,,',
    /* 8 */ 'A7,S001,revoke,2026-10-05,,,王立新,更正,NOPE,,,',
    /* 9 */ 'A8,S001,reclaimed,2026-10-06,,,王立新,,,10,,',
    /* 10 */ 'A9,S001,reclaimed,2026-10-07,,,王立新,,,8,,',
    /* 11 */ 'A10,S001,confirm_shutdown,2026-11-23,,临数局〔2026〕4号,王立新,,,,,',
    /* 12 */ 'A11,S001,exempt,2026-10-01,2026-09-30,临数局〔2026〕5号,王立新,理由,,,,',
    /* 13 */ 'A1,S001,rectified,2026-10-02,,,王立新,,,,,',
    /* 14 */ 'A12,S404,rectified,2026-10-02,,,王立新,,,,,',
    /* 15 */ 'A13,S001,reject_reply,2026-10-02,,,,,,,,',
    /* 16 */ 'A14,S001,revoke,2026-10-08,,,李明,撤销豁免,A1,,,',
    /* 17 */ 'A15,S001,revoke,2026-10-09,,,李明,再撤销,A14,,,',
    /* 18 */ 'A16,S001,revoke,2026-10-09,,,李明,重复撤销,A1,,,',
    /* 19 */ 'A17,S002,revoke,2026-10-09,,,李明,撤销别的系统,A8,,,',
    /* 20 */ 'A18,S001,reclaimed,2026-10-09,,,王立新,,,,,',
    /* 21 */ 'A19,S001,confirm_shutdown,2026-10-09,,临数局〔2026〕6号,王立新,,,2,,',
    /* 22 */ 'A20,S001,reclaimed,2026-10-10,,,王立新,,,,70,',
  ];

  async function run() {
    return withStore(async (store, ctx) => {
      await loadRegistry(store, ctx);
      const p = writeFile(ctx.dir, 'decisions.csv', [HEADER, ...lines].join('\n') + '\n');
      const o = await ingestFile(store, p, { now: NOW, archiveDir: ctx.archiveDir });
      return { o, rejects: await rejectsOf(store, o.fileId!), stored: await storedRows(store, 'decisions') };
    });
  }

  it('stores the valid decisions and rejects every other row whole, each with its row, column and reason', async () => {
    const { o, rejects, stored } = await run();
    expect(o.kind).toBe('decisions');
    // rows 2 (exempt A1), 9 (8 of 16 vCPU), 16 (revoke of A1, an earlier row of the file)
    expect(stored.map((r) => r.decision_id)).toEqual(['A1', 'A14', 'A8']);
    expect([o.status, o.rowsRead, o.rowsLoaded, o.rowsRejected]).toEqual(['partial', 21, 3, 18]);
    expect(rejects).toEqual([
      {
        row_no: 3,
        column_name: 'decision',
        value: 'suspend',
        reason:
          '不是可识别的取值，应为：豁免（exempt）、同意关停（confirm_shutdown）、已关停（shutdown_done）、已收回资源（reclaimed）、确认整改完成（rectified）、整改说明不予认可（reject_reply）、撤销决定（revoke）',
      },
      { row_no: 4, column_name: 'until', value: null, reason: '豁免须填写有效期至' },
      { row_no: 5, column_name: 'document_no', value: null, reason: '豁免、同意关停须填写文号' },
      { row_no: 6, column_name: 'reason', value: null, reason: '豁免、整改说明不予认可、撤销决定须填写理由' },
      { row_no: 7, column_name: 'document_no', value: null, reason: '豁免、同意关停须填写文号' },
      { row_no: 8, column_name: 'revokes', value: 'NOPE', reason: '撤销的决定编号不存在（处置决定登记簿和本文件此前的行中都没有）' },
      // 10 + 8 (row 9, stored) would be 18 > 16; row 9 itself: 8 ≤ 16
      {
        row_no: 10,
        column_name: 'reclaimed_vcpu',
        value: '8',
        reason: '收回 vCPU 累计 18 个（含此前已收回 0 个），超过系统目录中已分配的 16 个',
      },
      { row_no: 11, column_name: 'effective_date', value: '2026-11-23', reason: '日期晚于今天（2026-11-22）' },
      { row_no: 12, column_name: 'until', value: '2026-09-30', reason: '有效期至早于生效日期' },
      { row_no: 13, column_name: 'decision_id', value: 'A1', reason: '决定编号在本文件中重复' },
      { row_no: 14, column_name: 'system_id', value: 'S404', reason: '系统编号不在系统目录中（请先导入或更新系统目录）' },
      { row_no: 15, column_name: 'decided_by', value: null, reason: '必填字段为空' },
      { row_no: 15, column_name: 'reason', value: null, reason: '豁免、整改说明不予认可、撤销决定须填写理由' },
      { row_no: 17, column_name: 'revokes', value: 'A14', reason: '撤销决定不能再被撤销；如需恢复，请重新登记原决定' },
      { row_no: 18, column_name: 'revokes', value: 'A1', reason: '该决定已被撤销（决定编号 A14）' },
      { row_no: 19, column_name: 'revokes', value: 'A8', reason: '撤销的决定属于另一个系统（S001）' },
      {
        row_no: 20,
        column_name: 'reclaimed_vcpu',
        value: null,
        reason: '已收回资源须填写收回的 vCPU、内存或存储（至少一项大于 0）',
      },
      { row_no: 21, column_name: 'reclaimed_vcpu', value: '2', reason: '收回数量只适用于“已收回资源”' },
      {
        row_no: 22,
        column_name: 'reclaimed_memory_gb',
        value: '70',
        reason: '收回内存累计 70 GB（含此前已收回 0 GB），超过系统目录中已分配的 64 GB',
      },
    ]);
  });

  it('counts what earlier files reclaimed (a revoked reclaim not), and refuses an id the register already holds', async () => {
    await withStore(async (store, ctx) => {
      await loadRegistry(store, ctx);
      const first = writeFile(
        ctx.dir,
        'a.csv',
        [
          HEADER,
          'B1,S001,reclaimed,2026-10-01,,,王立新,,,6,,',
          'B2,S001,reclaimed,2026-10-02,,,王立新,,,4,,',
          'B3,S001,revoke,2026-10-03,,,王立新,录错,B2,,,',
        ].join('\n') + '\n',
      );
      expect((await ingestFile(store, first, { now: NOW, archiveDir: ctx.archiveDir })).status).toBe('loaded');
      // 6 reclaimed and still counted, 4 revoked: 6 + 10 = 16 ≤ 16 loads; a further 1 would be 17
      const second = writeFile(
        ctx.dir,
        'b.csv',
        [
          HEADER,
          'B4,S001,reclaimed,2026-10-05,,,王立新,,,10,,',
          'B5,S001,reclaimed,2026-10-06,,,王立新,,,1,,',
          'B1,S001,rectified,2026-10-06,,,王立新,,,,,',
        ].join('\n') + '\n',
      );
      const o = await ingestFile(store, second, { now: NOW, archiveDir: ctx.archiveDir });
      expect(await rejectsOf(store, o.fileId!)).toEqual([
        {
          row_no: 3,
          column_name: 'reclaimed_vcpu',
          value: '1',
          reason: '收回 vCPU 累计 17 个（含此前已收回 6 个），超过系统目录中已分配的 16 个',
        },
        { row_no: 4, column_name: 'decision_id', value: 'B1', reason: '决定编号已在处置决定登记簿中，不能重复登记（更正请先撤销原决定）' },
      ]);
      // append-only: the earlier rows are as they were, in arrival order, the new one after them
      expect(
        (await store.all<{ decision_id: string }>('SELECT decision_id FROM raw_decisions ORDER BY rowid')).map((r) => r.decision_id),
      ).toEqual(['B1', 'B2', 'B3', 'B4']);
      expect(await store.one('SELECT revoked_by, revoked_date FROM decision_register WHERE decision_id = $1', ['B2'])).toEqual({
        revoked_by: 'B3',
        revoked_date: '2026-10-03',
      });
    });
  });

  it('assigns an id to a decision without one, D<file>-<row>, and skips list rows that carry no decision', async () => {
    await withStore(async (store, ctx) => {
      await loadRegistry(store, ctx);
      // as the elimination list comes back from Excel: ids and names filled, 决定 in one row only
      const p = writeFile(
        ctx.dir,
        '淘汰退出清单.csv',
        [
          '系统编号,系统名称,决定,生效日期,文号,决定人,理由',
          'S001,统一身份认证平台,同意关停,2026-11-05,临数局〔2026〕9号,王立新,',
          'S002,城市运行监测系统,,,,,',
          ',审核人：,,,,,',
        ].join('\n') + '\n',
      );
      const o = await ingestFile(store, p, { now: NOW, archiveDir: ctx.archiveDir });
      expect([o.status, o.rowsRead, o.rowsLoaded, o.rowsSkipped, o.extras]).toEqual(['loaded', 1, 1, 2, ['系统名称']]);
      expect(await storedRows(store, 'decisions')).toMatchObject([
        { decision_id: `D${o.fileId}-2`, system_id: 'S001', decision: 'confirm_shutdown', document_no: '临数局〔2026〕9号' },
      ]);
    });
  });
});
