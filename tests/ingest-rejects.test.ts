// Rejected rows (docs/inputs.md §2, §3): each reason the validator or a reader gives, stored with the file,
// the row number a person sees (CSV and XLSX: the header is row 1; JSON: the record's position;
// NDJSON: the line), the column, the value as written and a Chinese reason. The rest of the file loads.

import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ingestFile } from '../pipelines/ingest/ingest.ts';
import { NOW, withStore, writeFile } from './helpers.ts';
import { csvText, loadRegistry, rejectsOf, storedRows, writeParquet, writeXlsx, type Row } from './fixtures/ingest.ts';

const STAGE_VALUES = '不是可识别的取值，应为：建设中（construction）、试运行（trial）、运行（operation）、已停用（retired）';
const UNKNOWN_SYSTEM = '系统编号不在系统目录中（请先导入或更新系统目录）';
const PCT_REASON = '不是有效的百分比数值（如 45.2 或 45.2%）';

describe('ingestFile(store, path) — rejects in a registry file', () => {
  const header = 'system_id,system_name,department,stage,go_live_date,security_level,vcpu,memory_gb,key_project,exempt_until,exempt_reason';
  const lines = [
    /* 2 */ 'S101,好系统,市数据局,运行,2024-01-02,2,4,8,是,,',
    /* 3 */ 'S102,,市数据局,运行,,,,,,,',
    /* 4 */ 'S103,甲,市数据局,running,,,,,,,',
    /* 5 */ 'S104,乙,市数据局,运行,2025-02-30,,,,,,',
    /* 6 */ 'S105,丙,市数据局,运行,2024年3月,,,,,,',
    /* 7 */ 'S106,丁,市数据局,运行,,5,,,,,',
    /* 8 */ 'S107,戊,市数据局,运行,,,-2,,,,',
    /* 9 */ 'S108,己,市数据局,运行,,,4.5,,,,',
    /* 10 */ 'S109,庚,市数据局,运行,,,,八,,,',
    /* 11 */ 'S110,辛,市数据局,运行,,,,,可能,,',
    /* 12 */ 'S111,壬,市数据局,运行,,,,,,2027-01-01,',
    /* 13 */ '   ,癸,市数据局,运行,,,,,,,',
    /* 14 */ 'S113,子,市数据局,,,,x,,,,',
  ];

  async function run() {
    return withStore(async (store, ctx) => {
      const p = writeFile(ctx.dir, 'registry.csv', [header, ...lines].join('\n') + '\n');
      const o = await ingestFile(store, p, { now: NOW, archiveDir: ctx.archiveDir });
      return {
        o,
        rejects: await rejectsOf(store, o.fileId!),
        stored: await storedRows(store, 'systems'),
        files: await store.all('SELECT * FROM files'),
      };
    });
  }

  it('loads the one good row and rejects the other 12 whole', async () => {
    const { o, stored, files } = await run();
    expect([o.status, o.rowsRead, o.rowsLoaded, o.rowsRejected]).toEqual(['partial', 13, 1, 12]);
    expect(stored.map((r) => r.system_id)).toEqual(['S101']);
    expect(files).toMatchObject([{ status: 'partial', rows_read: 13, rows_loaded: 1, rows_rejected: 12, kind: 'systems' }]);
  });

  it('rejects an empty required value, also one of spaces only, with its row and column', async () => {
    const { rejects } = await run();
    expect(rejects.filter((r) => r.reason === '必填字段为空')).toEqual([
      { row_no: 3, column_name: 'system_name', value: null, reason: '必填字段为空' },
      { row_no: 13, column_name: 'system_id', value: null, reason: '必填字段为空' },
      { row_no: 14, column_name: 'stage', value: null, reason: '必填字段为空' },
    ]);
  });

  it('rejects a value outside an enum, naming the allowed labels and codes', async () => {
    const { rejects } = await run();
    expect(rejects.filter((r) => r.row_no === 4)).toEqual([{ row_no: 4, column_name: 'stage', value: 'running', reason: STAGE_VALUES }]);
  });

  it('rejects an impossible date 2025-02-30 with its row and column', async () => {
    const { rejects } = await run();
    expect(rejects.filter((r) => r.row_no === 5)).toEqual([
      { row_no: 5, column_name: 'go_live_date', value: '2025-02-30', reason: '日期不存在（如 2 月 30 日）' },
    ]);
  });

  it('rejects a date in an unrecognised format', async () => {
    const { rejects } = await run();
    expect(rejects.filter((r) => r.row_no === 6)).toEqual([
      { row_no: 6, column_name: 'go_live_date', value: '2024年3月', reason: '日期格式无法识别，应为 YYYY-MM-DD 或 YYYY/MM/DD' },
    ]);
  });

  it('rejects a value out of range, a negative count, a non-integer, a non-number and a non-boolean', async () => {
    const { rejects } = await run();
    expect(rejects.filter((r) => r.row_no! >= 7 && r.row_no! <= 11)).toEqual([
      { row_no: 7, column_name: 'security_level', value: '5', reason: '超出范围：应在 1 到 4 之间' },
      { row_no: 8, column_name: 'vcpu', value: '-2', reason: '不能为负数' },
      { row_no: 9, column_name: 'vcpu', value: '4.5', reason: '不是整数' },
      { row_no: 10, column_name: 'memory_gb', value: '八', reason: '不是有效数字' },
      { row_no: 11, column_name: 'key_project', value: '可能', reason: '应为 是/否（true/false、1/0、Y/N）' },
    ]);
  });

  it('rejects exempt_until without exempt_reason under the exempt_reason column', async () => {
    const { rejects } = await run();
    expect(rejects.filter((r) => r.row_no === 12)).toEqual([
      { row_no: 12, column_name: 'exempt_reason', value: null, reason: '填写了豁免截止日期，但缺少豁免原因' },
    ]);
  });

  it('stores every bad value of a row that breaks two rules, and counts the row once', async () => {
    const { rejects, o } = await run();
    expect(rejects.filter((r) => r.row_no === 14)).toEqual([
      { row_no: 14, column_name: 'stage', value: null, reason: '必填字段为空' },
      { row_no: 14, column_name: 'vcpu', value: 'x', reason: '不是整数' },
    ]);
    expect(o.rowsRejected).toBe(12);
    expect(o.reasonCounts[0]).toEqual({ reason: '必填字段为空', n: 3 });
  });
});

describe('ingestFile(store, path) — rejects in a telemetry file', () => {
  const header = 'system_id,date,cpu_avg_pct,cpu_max_pct,availability_pct,active_users';
  const lines = [
    /* 2 */ 'S001,2026-11-22,10,20,99,5',
    /* 3 */ 'S001,2026-11-23,10,20,99,5',
    /* 4 */ 'S999,2026-11-01,10,20,99,5',
    /* 5 */ 'S001,2026-11-02,30,20,99,5',
    /* 6 */ 'S001,2026-11-03,abc,20,99,5',
    /* 7 */ 'S001,2026-11-04,10,20,100.5,5',
    /* 8 */ 'S001,,10,20,99,5',
    /* 9 */ 'S001,2026-11-06,10,20,99,5,7',
    /* 10 */ 'S001,2026-11-07,10',
    /* 11 */ 'S001,2026-11-08,10,20,99,-1',
  ];

  async function run(now = NOW) {
    return withStore(async (store, ctx) => {
      await loadRegistry(store, ctx);
      const p = writeFile(ctx.dir, 'tel.csv', [header, ...lines].join('\n') + '\n');
      const o = await ingestFile(store, p, { now, archiveDir: ctx.archiveDir });
      return { o, rejects: await rejectsOf(store, o.fileId!), stored: await storedRows(store, 'telemetry') };
    });
  }

  it('rejects each bad row with its line number, column, value and reason, and loads the good one', async () => {
    const { o, rejects, stored } = await run();
    expect(o.fastPath).toBe(false);
    expect([o.status, o.rowsRead, o.rowsLoaded, o.rowsRejected]).toEqual(['partial', 10, 1, 9]);
    expect(stored.map((r) => [r.system_id, r.date, r.cpu_avg_pct])).toEqual([['S001', '2026-11-22', 10]]);
    expect(rejects).toEqual([
      { row_no: 3, column_name: 'date', value: '2026-11-23', reason: '日期晚于今天（2026-11-22）' },
      { row_no: 4, column_name: 'system_id', value: 'S999', reason: UNKNOWN_SYSTEM },
      { row_no: 5, column_name: 'cpu_max_pct', value: '20', reason: 'CPU峰值使用率小于CPU平均使用率' },
      { row_no: 6, column_name: 'cpu_avg_pct', value: 'abc', reason: PCT_REASON },
      { row_no: 7, column_name: 'availability_pct', value: '100.5', reason: '超出范围：应在 0 到 100 之间' },
      { row_no: 8, column_name: 'date', value: null, reason: '必填字段为空' },
      { row_no: 9, column_name: null, value: 'S001,2026-11-06,10,20,99,5,7', reason: '该行的列数多于表头' },
      { row_no: 10, column_name: null, value: 'S001,2026-11-07,10', reason: '该行的列数少于表头' },
      { row_no: 11, column_name: 'active_users', value: '-1', reason: '不能为负数' },
    ]);
  });

  it('takes "today" in Asia/Shanghai: at 00:30 on 23 November there, 2026-11-23 is not in the future', async () => {
    // 2026-11-22 16:30 UTC is 2026-11-23 00:30 in Shanghai
    const { rejects } = await run(new Date('2026-11-22T16:30:00Z'));
    expect(rejects.filter((r) => r.column_name === 'date')).toEqual([
      { row_no: 8, column_name: 'date', value: null, reason: '必填字段为空' },
    ]);
  });

  it('rejects a last line whose quote is never closed, and loads the lines before it', async () => {
    await withStore(async (store, ctx) => {
      await loadRegistry(store, ctx);
      const text = 'system_id,date,cpu_avg_pct\nS001,2026-10-01,1\nS001,2026-10-02,2\nS001,"2026-10-03,3\n';
      const o = await ingestFile(store, writeFile(ctx.dir, 'q.csv', text), { now: NOW, archiveDir: ctx.archiveDir });
      expect([o.status, o.fastPath, o.rowsRead, o.rowsLoaded, o.rowsRejected]).toEqual(['partial', false, 3, 2, 1]);
      expect(await rejectsOf(store, o.fileId!)).toEqual([
        { row_no: 4, column_name: null, value: 'S001,"2026-10-03,3', reason: '引号不配对或引号后有多余字符' },
      ]);
      expect((await storedRows(store, 'telemetry')).map((r) => [r.date, r.cpu_avg_pct])).toEqual([
        ['2026-10-01', 1],
        ['2026-10-02', 2],
      ]);
    });
  });

  it('reads lone CR line breaks as DuckDB does: the header is the first line, and rejects keep their line numbers', async () => {
    await withStore(async (store, ctx) => {
      await loadRegistry(store, ctx);
      const text = 'system_id,date,cpu_avg_pct\rS001,2026-10-01,1\rS001,2026-10-02,101\rS001,2026-10-03,3\r';
      const o = await ingestFile(store, writeFile(ctx.dir, 'cr.csv', text), { now: NOW, archiveDir: ctx.archiveDir });
      expect([o.status, o.rowsRead, o.rowsLoaded, o.rowsRejected]).toEqual(['partial', 3, 2, 1]);
      expect(await rejectsOf(store, o.fileId!)).toMatchObject([{ row_no: 3, column_name: 'cpu_avg_pct', value: '101' }]);
      expect((await storedRows(store, 'telemetry')).map((r) => [r.date, r.cpu_avg_pct])).toEqual([
        ['2026-10-01', 1],
        ['2026-10-03', 3],
      ]);
    });
  });

  it('rejects a refused line longer than 10,000 bytes of Chinese text with its first 200 characters', async () => {
    await withStore(async (store, ctx) => {
      await loadRegistry(store, ctx);
      // 5,000 three-byte characters: DuckDB keeps 10,000 bytes of the refused line and cuts the
      // 3,334th character in two; the report must still come back, with the line's start.
      const long = '长'.repeat(5000);
      const text = `system_id,date,cpu_avg_pct\nS001,2026-10-01,1\nS001,2026-10-02,2,${long}\n`;
      const o = await ingestFile(store, writeFile(ctx.dir, 'long.csv', text), { now: NOW, archiveDir: ctx.archiveDir });
      expect([o.status, o.rowsRead, o.rowsLoaded, o.rowsRejected]).toEqual(['partial', 2, 1, 1]);
      expect(await rejectsOf(store, o.fileId!)).toEqual([
        { row_no: 3, column_name: null, value: `S001,2026-10-02,2,${long}`.slice(0, 200), reason: '该行的列数多于表头' },
      ]);
    });
  });

  it('loads a valid record longer than 10,000 bytes whole, in its place, and keeps the line numbers after it', async () => {
    await withStore(async (store, ctx) => {
      await loadRegistry(store, ctx);
      // A catalog row whose resource name is 6,000 Chinese characters (18,000 bytes) between ordinary
      // rows, a refused short row after it, and a long row with a bad value at the end.
      const name = '目'.repeat(5999) + '录';
      const text =
        [
          'system_id,resource_id,resource_name,share_type',
          'S001,R1,人口,unconditional',
          '',
          `S001,R2,"${name}",conditional`,
          'S001,R3,法人,none,多余',
          'S001,R4,"证照，电子",none',
          `S001,R5,${name},公开`,
        ].join('\r\n') + '\r\n';
      const o = await ingestFile(store, writeFile(ctx.dir, 'cat-long.csv', text), { now: NOW, archiveDir: ctx.archiveDir });
      expect([o.status, o.rowsRead, o.rowsLoaded, o.rowsRejected]).toEqual(['partial', 5, 3, 2]);
      expect(await rejectsOf(store, o.fileId!)).toEqual([
        { row_no: 5, column_name: null, value: 'S001,R3,法人,none,多余', reason: '该行的列数多于表头' },
        {
          row_no: 7,
          column_name: 'share_type',
          value: '公开',
          reason: '不是可识别的取值，应为：无条件共享（unconditional）、有条件共享（conditional）、不予共享（none）',
        },
      ]);
      const stored = await storedRows(store, 'catalog');
      expect(stored.map((r) => [r.resource_id, r.resource_name])).toEqual([
        ['R1', '人口'],
        ['R2', name],
        ['R4', '证照，电子'],
      ]);
    });
  });

  it('prints the rejects with file, row, column and value in the summary', async () => {
    const { o } = await run();
    const { formatOutcome } = await import('../pipelines/ingest/ingest.ts');
    const text = formatOutcome(o);
    expect(text).toContain('【部分导入】tel.csv（运行监测数据，CSV，UTF-8）');
    expect(text).toContain('读取 10 行，导入 1 行，拒收 9 行');
    expect(text).toContain('tel.csv 第 3 行，列 日期（date），值“2026-11-23”：日期晚于今天（2026-11-22）');
    expect(text).toContain('tel.csv 第 9 行，值“S001,2026-11-06,10,20,99,5,7”：该行的列数多于表头');
  });
});

describe('ingestFile(store, path) — rejects in catalog and om_report files', () => {
  it('rejects an unknown system and a value outside an enum in a catalog file', async () => {
    await withStore(async (store, ctx) => {
      await loadRegistry(store, ctx);
      const p = writeFile(
        ctx.dir,
        'cat.csv',
        csvText(
          ['系统编号', '资源编号', '共享属性', '更新周期'],
          [
            ['S001', 'R1', '无条件共享', '每日'],
            ['S404', 'R2', 'none', 'daily'],
            ['S001', 'R3', '公开', '每周'],
            ['S001', 'R4', 'conditional', 'hourly'],
          ],
        ),
      );
      const o = await ingestFile(store, p, { now: NOW, archiveDir: ctx.archiveDir });
      expect([o.status, o.rowsLoaded, o.rowsRejected]).toEqual(['partial', 1, 3]);
      expect(await rejectsOf(store, o.fileId!)).toEqual([
        { row_no: 3, column_name: 'system_id', value: 'S404', reason: UNKNOWN_SYSTEM },
        {
          row_no: 4,
          column_name: 'share_type',
          value: '公开',
          reason: '不是可识别的取值，应为：无条件共享（unconditional）、有条件共享（conditional）、不予共享（none）',
        },
        {
          row_no: 5,
          column_name: 'update_cycle',
          value: 'hourly',
          reason:
            '不是可识别的取值，应为：实时（realtime）、每日（daily）、每周（weekly）、每月（monthly）、每季度（quarterly）、每年（yearly）',
        },
      ]);
      expect(await storedRows(store, 'catalog')).toMatchObject([
        { system_id: 'S001', resource_id: 'R1', share_type: 'unconditional', update_cycle: 'daily' },
      ]);
    });
  });

  it('rejects goals_met > goals_total, a year out of range and an unknown system in an om_report file', async () => {
    await withStore(async (store, ctx) => {
      await loadRegistry(store, ctx);
      const p = writeFile(
        ctx.dir,
        'om.csv',
        csvText(
          ['system_id', 'year', 'submitted_date', 'goals_total', 'goals_met', 'integration_points'],
          [
            ['S001', '2025', '2026-01-10', '5', '5', '5'],
            ['S002', '2025', '2026-01-10', '3', '4', '1'],
            ['S001', '1999', '2026-01-10', '', '', ''],
            ['S777', '2025', '2026-01-10', '', '', ''],
            ['S002', '2024', '2026-01-10', '', '', '6'],
          ],
        ),
      );
      const o = await ingestFile(store, p, { now: NOW, archiveDir: ctx.archiveDir });
      expect([o.status, o.rowsLoaded, o.rowsRejected]).toEqual(['partial', 1, 4]);
      expect(await rejectsOf(store, o.fileId!)).toEqual([
        { row_no: 3, column_name: 'goals_met', value: '4', reason: '已完成目标数大于绩效目标数' },
        { row_no: 4, column_name: 'year', value: '1999', reason: '超出范围：应在 2000 到 2100 之间' },
        { row_no: 5, column_name: 'system_id', value: 'S777', reason: UNKNOWN_SYSTEM },
        { row_no: 6, column_name: 'integration_points', value: '6', reason: '超出范围：应在 0 到 5 之间' },
      ]);
    });
  });
});

describe('ingestFile(store, path) — row numbers in other formats', () => {
  it('numbers NDJSON rejects by line, counting blank lines, and rejects a line that is not JSON or not an object', async () => {
    await withStore(async (store, ctx) => {
      await loadRegistry(store, ctx);
      const text = [
        /* 1 */ '{"system_id":"S001","date":"2026-10-01","cpu_avg_pct":5}',
        /* 2 */ '',
        /* 3 */ '{"system_id":"S001","date":"2026-10-02","cpu_avg_pct":"5%%"}',
        /* 4 */ '{"system_id":"S001","date":"2026-10-03",',
        /* 5 */ '[1, 2]',
        /* 6 */ '"S001"',
        /* 7 */ '{"system_id":"S001","date":"2026-10-04","cpu_avg_pct":"7.5%"}',
      ].join('\n');
      const o = await ingestFile(store, writeFile(ctx.dir, 'tel.ndjson', text + '\n'), { now: NOW, archiveDir: ctx.archiveDir });
      expect([o.status, o.format, o.rowsRead, o.rowsLoaded, o.rowsRejected]).toEqual(['partial', 'ndjson', 6, 2, 4]);
      expect(await rejectsOf(store, o.fileId!)).toEqual([
        { row_no: 3, column_name: 'cpu_avg_pct', value: '5%%', reason: PCT_REASON },
        { row_no: 4, column_name: null, value: '{"system_id":"S001","date":"2026-10-03",', reason: '该行不是有效的 JSON' },
        { row_no: 5, column_name: null, value: '[1, 2]', reason: '该记录不是 JSON 对象' },
        { row_no: 6, column_name: null, value: '"S001"', reason: '该记录不是 JSON 对象' },
      ]);
      expect((await storedRows(store, 'telemetry')).map((r) => [r.date, r.cpu_avg_pct])).toEqual([
        ['2026-10-01', 5],
        ['2026-10-04', 7.5],
      ]);
    });
  });

  it('numbers JSON array rejects by the position of the record and rejects a record that is not an object', async () => {
    await withStore(async (store, ctx) => {
      await loadRegistry(store, ctx);
      const records = [
        { system_id: 'S001', date: '2026-10-01', requests: 10 },
        42,
        { system_id: 'S001', date: '2026-10-02', requests: 1.5 },
        { system_id: 'S001', date: '2026-10-03', requests: 30 },
      ];
      const o = await ingestFile(store, writeFile(ctx.dir, 'tel.json', JSON.stringify(records, null, 1)), {
        now: NOW,
        archiveDir: ctx.archiveDir,
      });
      expect([o.status, o.format, o.rowsRead, o.rowsLoaded, o.rowsRejected]).toEqual(['partial', 'json', 4, 2, 2]);
      expect(await rejectsOf(store, o.fileId!)).toEqual([
        { row_no: 2, column_name: null, value: '42', reason: '该记录不是 JSON 对象' },
        { row_no: 3, column_name: 'requests', value: '1.5', reason: '不是整数' },
      ]);
    });
  });

  it('numbers XLSX rejects by the spreadsheet row, below a title row and across empty rows', async () => {
    await withStore(async (store, ctx) => {
      await loadRegistry(store, ctx);
      const p = await writeXlsx(path.join(ctx.dir, 'tel.xlsx'), [
        {
          name: '运行监测',
          rows: [
            /* 1 */ ['2026 年 10 月运行监测数据'],
            /* 2 */ ['系统编号', '日期', 'CPU平均使用率', 'CPU峰值使用率'],
            /* 3 */ ['S001', new Date('2026-10-01T00:00:00Z'), 5, 10],
            /* 4 */ [],
            /* 5 */ ['S001', new Date('2026-10-02T00:00:00Z'), 50, 10],
            /* 6 */ ['S404', new Date('2026-10-03T00:00:00Z'), 1, 2],
          ],
        },
      ]);
      const o = await ingestFile(store, p, { now: NOW, archiveDir: ctx.archiveDir });
      expect([o.status, o.sheet, o.rowsRead, o.rowsLoaded, o.rowsRejected]).toEqual(['partial', '运行监测', 3, 1, 2]);
      expect(await rejectsOf(store, o.fileId!)).toEqual([
        { row_no: 5, column_name: 'cpu_max_pct', value: '10', reason: 'CPU峰值使用率小于CPU平均使用率' },
        { row_no: 6, column_name: 'system_id', value: 'S404', reason: UNKNOWN_SYSTEM },
      ]);
    });
  });

  it('numbers Parquet rejects by the data row (the first row is 1)', async () => {
    await withStore(async (store, ctx) => {
      await loadRegistry(store, ctx);
      const rows: Row[] = [
        { system_id: 'S001', date: '2026-10-01', cpu_avg_pct: 5, cpu_max_pct: 10 },
        { system_id: 'S001', date: '2026-10-02', cpu_avg_pct: 101, cpu_max_pct: 102 },
        { system_id: 'S001', date: '2026-10-03', cpu_avg_pct: 5, cpu_max_pct: 6 },
      ];
      const p = await writeParquet(path.join(ctx.dir, 't.parquet'), 'telemetry', 'en', rows);
      const o = await ingestFile(store, p, { now: NOW, archiveDir: ctx.archiveDir });
      expect([o.status, o.rowsLoaded, o.rowsRejected]).toEqual(['partial', 2, 1]);
      expect(await rejectsOf(store, o.fileId!)).toEqual([
        { row_no: 2, column_name: 'cpu_avg_pct', value: '101.0', reason: '超出范围：应在 0 到 100 之间' },
        { row_no: 2, column_name: 'cpu_max_pct', value: '102.0', reason: '超出范围：应在 0 到 100 之间' },
      ]);
    });
  });
});

/** 1,000 telemetry rows for S001 and S002 (500 days each from 2024-01-01), values from the index. */
function thousandRows(): string[][] {
  const rows: string[][] = [];
  for (let i = 0; i < 1000; i++) {
    const sys = i % 2 === 0 ? 'S001' : 'S002';
    const d = new Date(Date.UTC(2024, 0, 1 + Math.floor(i / 2))).toISOString().slice(0, 10);
    const avg = (i % 40) + 0.5;
    rows.push([sys, d, String(avg), String(avg + 10), String(i % 7), String(i * 3)]);
  }
  return rows;
}
const THOUSAND_HEADER = ['system_id', 'date', 'cpu_avg_pct', 'cpu_max_pct', 'active_users', 'requests'];

describe('ingestFile(store, path) — a file with 3 bad rows among 1,000', () => {
  // data rows 10, 500 and 998 (0-based) are spoiled; in the CSV they are lines 12, 502 and 1000.
  function spoiled(): string[][] {
    const rows = thousandRows();
    rows[10][3] = '0.1'; // cpu_max_pct < cpu_avg_pct (10.5)
    rows[500][1] = '2025-02-30';
    rows[998][0] = 'S999';
    return rows;
  }

  it('loads 997 rows of a telemetry CSV and reports the 3 with row numbers (the fast path falls back)', async () => {
    await withStore(async (store, ctx) => {
      await loadRegistry(store, ctx);
      const p = writeFile(ctx.dir, 'tel-1000.csv', csvText(THOUSAND_HEADER, spoiled()));
      const o = await ingestFile(store, p, { now: NOW, archiveDir: ctx.archiveDir });
      expect([o.status, o.fastPath, o.rowsRead, o.rowsLoaded, o.rowsRejected]).toEqual(['partial', false, 1000, 997, 3]);
      expect(await rejectsOf(store, o.fileId!)).toEqual([
        { row_no: 12, column_name: 'cpu_max_pct', value: '0.1', reason: 'CPU峰值使用率小于CPU平均使用率' },
        { row_no: 502, column_name: 'date', value: '2025-02-30', reason: '日期不存在（如 2 月 30 日）' },
        { row_no: 1000, column_name: 'system_id', value: 'S999', reason: UNKNOWN_SYSTEM },
      ]);
      // row 10 is S001 on 2024-01-06, row 500 S001 on 2024-09-07 (day 250), row 998 S001 on 2025-05-14 (day 499)
      const gone = await store.all(
        `SELECT count(*) AS n FROM raw_telemetry WHERE system_id = 'S001' AND date IN ('2024-01-06', '2024-09-07', '2025-05-14')`,
      );
      expect(gone).toEqual([{ n: 0 }]);
      // row 11 (line 13): S002 on 2024-01-06, avg 11.5, users 11 % 7 = 4, requests 33
      expect(
        await store.all(
          `SELECT cpu_avg_pct, cpu_max_pct, active_users, requests FROM raw_telemetry WHERE system_id = 'S002' AND date = '2024-01-06'`,
        ),
      ).toEqual([{ cpu_avg_pct: 11.5, cpu_max_pct: 21.5, active_users: 4, requests: 33 }]);
      // sum of requests over all rows is 3 × (0 + … + 999) = 1,498,500, less rows 10, 500 and 998: 3 × 1508 = 4524
      expect(await store.value('SELECT sum(requests) FROM raw_telemetry')).toBe(1_498_500 - 4524);
      expect(
        await store.all(
          `SELECT strftime(month, '%Y-%m') AS m, rows FROM file_months WHERE file_id = $1 AND month IN ('2024-01-01', '2024-09-01') ORDER BY m`,
          [o.fileId!],
        ),
      ).toEqual([
        { m: '2024-01', rows: 61 }, // 31 days × 2 systems, less row 10
        { m: '2024-09', rows: 59 }, // 30 days × 2, less row 500
      ]);
    });
  });

  it('loads 997 rows of an XLSX file and reports the 3 with spreadsheet row numbers', async () => {
    await withStore(async (store, ctx) => {
      await loadRegistry(store, ctx);
      const rows = spoiled().map((r) => r.map((v, i) => (i >= 2 && /^[0-9.]+$/.test(v) ? Number(v) : v)));
      const p = await writeXlsx(path.join(ctx.dir, 'tel-1000.xlsx'), [{ name: 'telemetry', rows: [THOUSAND_HEADER, ...rows] }]);
      const o = await ingestFile(store, p, { now: NOW, archiveDir: ctx.archiveDir });
      expect([o.status, o.rowsRead, o.rowsLoaded, o.rowsRejected]).toEqual(['partial', 1000, 997, 3]);
      expect(await rejectsOf(store, o.fileId!)).toEqual([
        { row_no: 12, column_name: 'cpu_max_pct', value: '0.1', reason: 'CPU峰值使用率小于CPU平均使用率' },
        { row_no: 502, column_name: 'date', value: '2025-02-30', reason: '日期不存在（如 2 月 30 日）' },
        { row_no: 1000, column_name: 'system_id', value: 'S999', reason: UNKNOWN_SYSTEM },
      ]);
      expect(await store.value('SELECT sum(requests) FROM raw_telemetry')).toBe(1_498_500 - 4524);
    });
  });
});
