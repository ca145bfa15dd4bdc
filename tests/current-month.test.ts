// A run of the month that has not ended (docs/metrics.md §4.1): the days still to come are not
// counted as missing, and every output says 本月尚未结束，截至 …; a finished month is counted whole
// and its outputs do not change. Expected values are worked out by hand below.
//
// NOW is 2026-11-22 10:00 in Asia/Shanghai: 22 days of November have begun (today counted, since a
// pull can bring today's partial point); the default profile's no_data holds below 0.5 × days.

import fs from 'node:fs';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { ingestFile } from '../pipelines/ingest/ingest.ts';
import { loadProfile } from '../pipelines/profiles.ts';
import { runMonth } from '../pipelines/run/month.ts';
import { monthJob } from '../apps/jobs/month.ts';
import { statusReport } from '../pipelines/status.ts';
import { memoryLog } from '../core/log.ts';
import { NOW, withStore, writeFile } from './helpers.ts';

const days = (month: string, n: number) => Array.from({ length: n }, (_, i) => `${month}-${String(i + 1).padStart(2, '0')}`);

async function city(store: Parameters<Parameters<typeof withStore>[0]>[0], ctx: { dir: string; archiveDir: string }) {
  const reg = writeFile(
    ctx.dir,
    'systems.csv',
    'system_id,system_name,department,stage,go_live_date\nA,甲系统,部门一,operation,2025-01-01\n',
  );
  expect((await ingestFile(store, reg, { now: NOW, archiveDir: ctx.archiveDir })).status).toBe('loaded');
  // October: 12 of 31 days (12 < 15.5: no_data); November up to the 22nd: 12 days (12 ≥ 0.5 × 22 = 11)
  const rows = [...days('2026-10', 12), ...days('2026-11', 12)].map((d) => `A,${d},30,60,10,500,99.9,0`);
  const tel = writeFile(
    ctx.dir,
    'telemetry.csv',
    `system_id,date,cpu_avg_pct,cpu_max_pct,active_users,requests,availability_pct,open_high_vulns\n${rows.join('\n')}\n`,
  );
  expect((await ingestFile(store, tel, { now: NOW, archiveDir: ctx.archiveDir })).status).toBe('loaded');
}

describe('runMonth(store, { month: the current month })', () => {
  it('counts only the days that have begun: 12 of 22 days is not missing data, 12 of 31 in a past month is', async () => {
    await withStore(async (store, ctx) => {
      await city(store, ctx);
      const profile = loadProfile('default');
      const nov = await runMonth(store, { month: '2026-11', profile, now: NOW });
      expect(nov.asOf).toBe('2026-11-22');
      const m = await store.all<{ month: string; days_reported: number; no_data: boolean; days_in_month: number }>(
        `SELECT strftime(month, '%Y-%m') AS month, days_reported, no_data, days_in_month FROM res_metrics WHERE run_id = $1 ORDER BY month`,
        [nov.runId],
      );
      expect(m).toEqual([
        { month: '2026-10', days_reported: 12, no_data: true, days_in_month: 31 },
        { month: '2026-11', days_reported: 12, no_data: false, days_in_month: 30 },
      ]);
      expect(nov.counts.no_data).toBe(0);
      // the same data a month later, November finished: 12 of 30 days is missing data
      const dec = new Date('2026-12-05T02:00:00Z');
      const later = await runMonth(store, { month: '2026-11', profile, now: dec });
      expect(later.asOf).toBeUndefined();
      expect(later.counts.as_of).toBeUndefined();
      expect(await store.value(`SELECT no_data FROM res_metrics WHERE run_id = $1 AND month = DATE '2026-11-01'`, [later.runId])).toBe(
        true,
      );
    });
  });

  it('says 本月尚未结束，截至 2026-11-22 in the exports folder, the XLSX, every dashboard page and govmon status', async () => {
    await withStore(async (store, ctx) => {
      await city(store, ctx);
      const profile = loadProfile('default');
      const exportsRoot = path.join(ctx.dir, 'exports');
      const siteRoot = path.join(ctx.dir, 'site');
      const log = memoryLog();
      const r = await monthJob(store, { month: '2026-11', profile, now: NOW, log, exportsRoot, siteRoot });
      const note = '本月尚未结束，截至 2026-11-22（北京时间）';
      expect(fs.readFileSync(path.join(r.exportsDir!, '本月尚未结束.txt'), 'utf8')).toContain(note);
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.readFile(path.join(r.exportsDir!, 'rectification.xlsx'));
      const sheet = wb.getWorksheet('说明')!;
      const notes = sheet.getSheetValues().flat().map(String);
      expect(notes.some((v) => v.includes(note))).toBe(true);
      const pages = fs
        .readdirSync(r.site!.dir, { recursive: true })
        .map(String)
        .filter((f) => f.endsWith('.html'));
      expect(pages.length).toBeGreaterThan(3);
      for (const p of pages) expect(fs.readFileSync(path.join(r.site!.dir, p), 'utf8'), p).toContain(note);
      expect(await statusReport(store, { now: NOW })).toMatch(/月度运行 2026-11（本月尚未结束，截至 2026-11-22）：完成/);

      // October, finished, has none of it
      const oct = await monthJob(store, { month: '2026-10', profile, now: NOW, exportsRoot, siteRoot });
      expect(fs.existsSync(path.join(oct.exportsDir!, '本月尚未结束.txt'))).toBe(false);
      expect(fs.readFileSync(path.join(oct.site!.dir, 'index.html'), 'utf8')).not.toContain('本月尚未结束');
    });
  });
});
