// `govmon status`: rejects are reported per attempt, and the latest attempt of a file supersedes the
// earlier ones (issue: a FOCUS bill refused for want of an exchange rate, then loaded, stayed
// listed as `focus_sample.csv：1 处`).

import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ingestFile } from '../pipelines/ingest/ingest.ts';
import { parseFx, pullFocus } from '../pipelines/connectors/focus.ts';
import { statusReport } from '../pipelines/status.ts';
import { memoryLog } from '../core/log.ts';
import { NOW, withStore, writeFile } from './helpers.ts';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SAMPLE = path.resolve(REPO, '../shared/data/focus-1.0/focus_sample.csv');

const pendingSection = (report: string): string[] => {
  const lines = report.split('\n');
  const i = lines.findIndex((l) => l.startsWith('有拒收记录的文件'));
  if (i < 0) return [];
  const out: string[] = [];
  for (const l of lines.slice(i + 1)) {
    if (!l.startsWith('  ')) break;
    out.push(l);
  }
  return out;
};

describe('statusReport(store): rejects per attempt', () => {
  it('no longer lists a FOCUS file refused for want of a rate once a later attempt of the same bytes loaded it', async () => {
    await withStore(async (store, ctx) => {
      const reg = writeFile(ctx.dir, 'systems.csv', 'system_id,system_name,department,stage\nSYS-A,甲,部门,operation\n');
      await ingestFile(store, reg, { now: NOW, archiveDir: ctx.archiveDir });
      const base = { mapping: { tag: 'application' }, cost: 'billed' as const, now: NOW, archiveDir: ctx.archiveDir, log: memoryLog() };
      const first = await pullFocus(store, [SAMPLE], { ...base, fx: parseFx([]) });
      expect(first.files[0].status).toBe('failed');
      const before = await statusReport(store, { now: NOW });
      expect(pendingSection(before)).toEqual([expect.stringMatching(/^ {2}focus_sample\.csv（文件编号 2，.*）：1 处$/)]);

      const second = await pullFocus(store, [SAMPLE], { ...base, fx: parseFx(['USD=7.1']) });
      expect(second.files[0].status).toBe('loaded');
      const after = await statusReport(store, { now: NOW });
      expect(after).not.toMatch(/focus_sample\.csv.*：1 处/);
      expect(after).toContain('另有 1 次较早的尝试已被同一文件后来的导入取代，共 1 处拒收，不再列出');
      // the reject itself is kept (per attempt), only no longer waiting for a person
      expect(await store.value('SELECT count(*) FROM rejects')).toBe(1);
    });
  });

  it('counts attempts of one path: a corrected file dropped under the same name replaces the earlier rejects', async () => {
    await withStore(async (store, ctx) => {
      const reg = writeFile(ctx.dir, 'systems.csv', 'system_id,system_name,department,stage\nA,甲,部门,operation\n');
      await ingestFile(store, reg, { now: NOW, archiveDir: ctx.archiveDir });
      const f = writeFile(ctx.dir, 'tel.csv', 'system_id,date,cpu_avg_pct\nA,2026-11-01,10\nZ,2026-11-01,10\n');
      await ingestFile(store, f, { now: NOW, archiveDir: ctx.archiveDir });
      expect(pendingSection(await statusReport(store, { now: NOW }))).toEqual([
        expect.stringMatching(/^ {2}tel\.csv（文件编号 2，.*）：1 处$/),
      ]);
      writeFile(ctx.dir, 'tel.csv', 'system_id,date,cpu_avg_pct\nA,2026-11-01,10\nY,2026-11-02,10\nX,2026-11-02,10\n');
      await ingestFile(store, f, { now: NOW, archiveDir: ctx.archiveDir });
      expect(pendingSection(await statusReport(store, { now: NOW }))).toEqual([
        expect.stringMatching(/^ {2}tel\.csv（文件编号 3，.*，第 2 次尝试）：2 处$/),
        '  （另有 1 次较早的尝试已被同一文件后来的导入取代，共 1 处拒收，不再列出）',
      ]);
    });
  });
});
