// How values are read (docs/inputs.md §2 "Values"): a trailing %, YYYY/MM/DD dates, spreadsheet date cells and
// serial numbers, Chinese enum labels and codes in any case, 是/否/Y/N/1/0, thousands separators.

import path from 'node:path';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { ingestFile } from '../pipelines/ingest/ingest.ts';
import { NOW, withStore, writeFile } from './helpers.ts';
import { csvText, loadRegistry, rejectsOf, storedRows } from './fixtures/ingest.ts';

describe('ingestFile(store, path) — values in a registry CSV', () => {
  const header = [
    'system_id',
    'system_name',
    'department',
    'stage',
    'go_live_date',
    'vcpu',
    'memory_gb',
    'cloud_cost_annual',
    'key_project',
    'classified',
  ];
  const rows = [
    /* 2 */ [' S201 ', '甲', '市数据局', '运行', '2026/10/5', '1,024', '8', '1,234,567.5', '是', '否'],
    /* 3 */ ['S202', '乙', '市数据局', 'operation', '2026-1-2', '4', '1,000', '300000', 'Y', 'N'],
    /* 4 */ ['S203', '丙', '市数据局', 'OPERATION', '2026年3月7日', '0', '0.5', '0', '1', '0'],
    /* 5 */ ['S204', '丁', '市数据局', ' 试运行 ', '2025/12/31', '2.0', '2', '12,345', 'TRUE', 'false'],
    /* 6 */ ['S205', '戊', '市数据局', '已停用', '', '', '', '', 'yes', 'No'],
    /* 7 */ ['S206', '己', '市数据局', '建设中', '', '', '1,23', '', '', ''],
  ];

  async function run() {
    return withStore(async (store, ctx) => {
      const o = await ingestFile(store, writeFile(ctx.dir, 'reg.csv', csvText(header, rows)), { now: NOW, archiveDir: ctx.archiveDir });
      const stored = await store.all(
        'SELECT system_id, stage, go_live_date, vcpu, memory_gb, cloud_cost_annual, key_project, classified FROM raw_systems ORDER BY system_id',
      );
      return { o, stored, rejects: await rejectsOf(store, o.fileId!) };
    });
  }

  it('reads Chinese enum labels and codes in any case, YYYY/MM/DD dates, 是/否/Y/N/1/0 and thousands separators', async () => {
    const { o, stored } = await run();
    expect([o.status, o.rowsLoaded, o.rowsRejected]).toEqual(['partial', 5, 1]);
    expect(stored).toEqual([
      {
        system_id: 'S201',
        stage: 'operation',
        go_live_date: '2026-10-05',
        vcpu: 1024,
        memory_gb: 8,
        cloud_cost_annual: 1234567.5,
        key_project: true,
        classified: false,
      },
      {
        system_id: 'S202',
        stage: 'operation',
        go_live_date: '2026-01-02',
        vcpu: 4,
        memory_gb: 1000,
        cloud_cost_annual: 300000,
        key_project: true,
        classified: false,
      },
      {
        system_id: 'S203',
        stage: 'operation',
        go_live_date: '2026-03-07',
        vcpu: 0,
        memory_gb: 0.5,
        cloud_cost_annual: 0,
        key_project: true,
        classified: false,
      },
      {
        system_id: 'S204',
        stage: 'trial',
        go_live_date: '2025-12-31',
        vcpu: 2,
        memory_gb: 2,
        cloud_cost_annual: 12345,
        key_project: true,
        classified: false,
      },
      {
        system_id: 'S205',
        stage: 'retired',
        go_live_date: null,
        vcpu: null,
        memory_gb: null,
        cloud_cost_annual: null,
        key_project: true,
        classified: false,
      },
    ]);
  });

  it('rejects a comma that is not a thousands separator (1,23)', async () => {
    const { rejects } = await run();
    expect(rejects).toEqual([{ row_no: 7, column_name: 'memory_gb', value: '1,23', reason: '不是有效数字' }]);
  });
});

describe('ingestFile(store, path) — values in a telemetry CSV', () => {
  it('reads a trailing % (also with a space or full-width ％) and thousands separators in counts', async () => {
    await withStore(async (store, ctx) => {
      await loadRegistry(store, ctx);
      const p = writeFile(
        ctx.dir,
        'tel.csv',
        csvText(
          ['system_id', 'date', 'cpu_avg_pct', 'cpu_max_pct', 'mem_avg_pct', 'availability_pct', 'requests'],
          [
            ['S001', '2026/10/05', '45.5%', '50 %', '12.25％', '99.9%', '20,340'],
            ['S001', '2026-10-06', '0%', '100%', '', '100', '0'],
            ['S001', '2026-10-07', '1,5%', '2', '', '', ''],
          ],
        ),
      );
      const o = await ingestFile(store, p, { now: NOW, archiveDir: ctx.archiveDir });
      expect([o.status, o.fastPath, o.rowsLoaded]).toEqual(['partial', false, 2]);
      expect(
        await store.all('SELECT date, cpu_avg_pct, cpu_max_pct, mem_avg_pct, availability_pct, requests FROM raw_telemetry ORDER BY date'),
      ).toEqual([
        { date: '2026-10-05', cpu_avg_pct: 45.5, cpu_max_pct: 50, mem_avg_pct: 12.25, availability_pct: 99.9, requests: 20340 },
        { date: '2026-10-06', cpu_avg_pct: 0, cpu_max_pct: 100, mem_avg_pct: null, availability_pct: 100, requests: 0 },
      ]);
      expect(await rejectsOf(store, o.fileId!)).toEqual([
        { row_no: 4, column_name: 'cpu_avg_pct', value: '1,5%', reason: '不是有效的百分比数值（如 45.2 或 45.2%）' },
      ]);
    });
  });
});

describe('ingestFile(store, path) — values in spreadsheet cells', () => {
  it('reads date cells, serial day numbers, percent-formatted cells and text dates', async () => {
    await withStore(async (store, ctx) => {
      await loadRegistry(store, ctx);
      const wb = new ExcelJS.Workbook();
      const ws = wb.addWorksheet('telemetry');
      ws.addRow(['system_id', 'date', 'cpu_avg_pct', 'cpu_max_pct', 'availability_pct']);
      // a date cell, and percentages typed as 45.5% (Excel stores 0.455 and shows 45.5%)
      ws.addRow(['S001', new Date('2026-10-01T00:00:00Z'), 0.455, 0.5, 99.5]);
      ws.getCell('C2').numFmt = '0.0%';
      ws.getCell('D2').numFmt = '0%';
      // a serial day number without a date format: 46297 is 2026-10-02 (45658 is 2025-01-01, + 365 + 274)
      ws.addRow(['S001', 46297, 12, '30', '99%']);
      // a date typed as text
      ws.addRow(['S001', '2026/10/03', '7.5%', 8, 1]);
      // a date cell with a Chinese date format
      ws.addRow(['S001', new Date('2026-10-04T00:00:00Z'), 1, 2, 3]);
      ws.getCell('B5').numFmt = 'yyyy"年"m"月"d"日"';
      const p = path.join(ctx.dir, 'tel.xlsx');
      await wb.xlsx.writeFile(p);
      const o = await ingestFile(store, p, { now: NOW, archiveDir: ctx.archiveDir });
      expect([o.status, o.rowsLoaded, o.rowsRejected]).toEqual(['loaded', 4, 0]);
      expect(await store.all('SELECT date, cpu_avg_pct, cpu_max_pct, availability_pct FROM raw_telemetry ORDER BY date')).toEqual([
        { date: '2026-10-01', cpu_avg_pct: 45.5, cpu_max_pct: 50, availability_pct: 99.5 },
        { date: '2026-10-02', cpu_avg_pct: 12, cpu_max_pct: 30, availability_pct: 99 },
        { date: '2026-10-03', cpu_avg_pct: 7.5, cpu_max_pct: 8, availability_pct: 1 },
        { date: '2026-10-04', cpu_avg_pct: 1, cpu_max_pct: 2, availability_pct: 3 },
      ]);
    });
  });

  it('reads numbers, booleans and enum labels from cells of a registry sheet', async () => {
    await withStore(async (store, ctx) => {
      const wb = new ExcelJS.Workbook();
      const ws = wb.addWorksheet('信息系统目录');
      ws.addRow(['系统编号', '系统名称', '建设单位', '阶段', '等保级别', '内存GB', '重点项目', '涉密', '上线日期']);
      ws.addRow(['S301', '一网通办', '市政务服务中心', '运行', 3, 12.75, '是', false, 45658]);
      ws.addRow([301302, '数字档案', '市档案馆', 'construction', '2', '1,536', 'N', 1, null]);
      const p = path.join(ctx.dir, 'reg.xlsx');
      await wb.xlsx.writeFile(p);
      const o = await ingestFile(store, p, { now: NOW, archiveDir: ctx.archiveDir });
      expect([o.status, o.sheet, o.rowsLoaded]).toEqual(['loaded', '信息系统目录', 2]);
      expect(await storedRows(store, 'systems')).toMatchObject([
        {
          system_id: '301302',
          stage: 'construction',
          security_level: 2,
          memory_gb: 1536,
          key_project: false,
          classified: true,
          go_live_date: null,
        },
        {
          system_id: 'S301',
          stage: 'operation',
          security_level: 3,
          memory_gb: 12.75,
          key_project: true,
          classified: false,
          go_live_date: '2025-01-01',
        },
      ]);
    });
  });
});
