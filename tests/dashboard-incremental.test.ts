// buildDashboard at province scale (SPEC §9, docs/outputs.md §7.3): system pages with the twelve static
// charts only for systems on a list, every system still reachable from the index and its department,
// and a rebuild that rewrites only the pages whose content changed (a content hash per file in the
// site's manifest; an unchanged file is linked from the previous site, so it keeps its inode and mtime).

import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDashboard, SITE_MARKER } from '../dashboards/site/build.ts';
import { departmentPage, systemPage, PAGES } from '../dashboards/site/paths.ts';
import { MANIFEST, contentHash } from '../dashboards/site/site-writer.ts';
import { MONTHLY_METRICS } from '../metrics/definitions.ts';
import { runMonth } from '../pipelines/run/month.ts';
import { loadProfile } from '../pipelines/profiles.ts';
import { NOW, tempDir } from './helpers.ts';
import { cachedStore } from './fixtures/sample-cache.ts';
import { addTelemetry, month as monthRows } from './fixtures/monthly/city.ts';
import { CLASSIFIED, MONTH, SYSTEMS, buildDashboardCity, filesOf } from './dashboard-city.ts';
import type { Store } from '../pipelines/store/database.ts';

let store: Store;
let dir: string;
let archiveDir: string;
let site: string;
let first: Awaited<ReturnType<typeof buildDashboard>>;

const visible = SYSTEMS.filter((s) => !s.classified);
const read = (rel: string) => fs.readFileSync(path.join(site, rel), 'utf8');
/** Every file's inode and mtime: a file rewritten gets a new inode (the build writes a new folder). */
const stamps = () => new Map(filesOf(site).map(([rel]) => [rel, fs.statSync(path.join(site, rel))]));

beforeAll(async () => {
  // the city of tests/dashboard-city.ts ingested, its window run and 2025 evaluated once per test
  // run (shared with tests/dashboard.test.ts), this file's own copy of the database
  const t = await cachedStore('dashboard-city', buildDashboardCity);
  store = t.store;
  dir = t.dir;
  archiveDir = t.archiveDir;
  site = path.join(tempDir('govmon-site-'), 'site');
  first = await buildDashboard(store, { month: MONTH, outDir: site, now: NOW });
});

afterAll(() => {
  store?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
  if (site) fs.rmSync(path.dirname(site), { recursive: true, force: true });
});

describe('buildDashboard: the system pages', () => {
  it('draws the twelve static charts on the pages of listed systems only; the others keep the interactive chart', () => {
    const charts = (id: string) => (read(systemPage(id)).match(/<figure class="chart metric">/g) ?? []).length;
    // on a list: the elimination list, the exempted, rectification, right-sizing
    for (const id of ['YC-IDLE', 'YC-EXEMPT', 'YC-LOW', 'YC-RS']) expect(charts(id), id).toBeGreaterThanOrEqual(MONTHLY_METRICS.length);
    // healthy: no static charts, the Vega-Lite chart with its data, and a sentence that says why
    const healthy = read(systemPage('YC-001'));
    expect(charts('YC-001')).toBe(0);
    expect(healthy).toContain('data-vega="chart-system"');
    expect(healthy).toContain('data-static-charts="none"');
    expect(healthy).toContain('本系统本月未列入任何清单');
    expect(first.chartPages).toBeGreaterThanOrEqual(4);
    expect(first.chartPages).toBeLessThan(visible.length);
  });

  it('keeps every non-classified system reachable from the systems index and from its department page', () => {
    const linked = (rel: string) => new Set([...read(rel).matchAll(/href="(?:\.\.\/)?(systems\/[0-9a-f]{16}\.html)"/g)].map((m) => m[1]));
    const fromIndex = linked(PAGES.systems.file);
    for (const s of visible) {
      expect(fromIndex.has(systemPage(s.system_id)), s.system_id).toBe(true);
      expect(linked(departmentPage(s.department!)).has(systemPage(s.system_id)), `${s.department} → ${s.system_id}`).toBe(true);
      expect(fs.existsSync(path.join(site, systemPage(s.system_id))), s.system_id).toBe(true);
    }
    expect(fs.existsSync(path.join(site, systemPage(CLASSIFIED.id)))).toBe(false);
    expect(fromIndex.has(systemPage(CLASSIFIED.id))).toBe(false);
  });
});

describe('buildDashboard again: only what changed is rewritten', () => {
  it('keeps a manifest with the content hash of every page and data file', () => {
    const m = JSON.parse(read(MANIFEST)) as { files: Record<string, string> };
    for (const [rel, bytes] of filesOf(site).filter(([f]) => f.endsWith('.html') || f.startsWith('data/'))) {
      expect(m.files[rel], rel).toMatch(/^[0-9a-f]{64}$/);
      if (rel.endsWith('.js')) expect(m.files[rel], rel).toBe(contentHash(bytes, []));
    }
    expect(first.pagesWritten).toBe(first.pages);
  });

  it('writes no page when nothing changed (a later build time and the same run)', async () => {
    const before = stamps();
    const again = await buildDashboard(store, { month: MONTH, outDir: site, now: NOW, clock: () => new Date(Date.now() + 3_600_000) });
    expect(again.pages).toBe(first.pages);
    expect(again.writtenPages).toEqual([]);
    expect(again.pagesWritten).toBe(0);
    expect(again.writtenPages).toEqual([]);
    const after = stamps();
    for (const [rel, st] of before) {
      if (!rel.endsWith('.html') && !rel.startsWith('data/')) continue;
      expect(after.get(rel)?.ino, rel).toBe(st.ino);
      expect(after.get(rel)?.mtimeMs, rel).toBe(st.mtimeMs);
    }
    // the marker says when the site was last built and how many pages that build wrote
    expect(JSON.parse(read(SITE_MARKER))).toMatchObject({ pages: first.pages, pages_written: 0 });
  });

  it('after a corrected telemetry file for one system and the month run again, rewrites that system’s page and no other system’s', async () => {
    const target = visible.find((s) => s.system_id === 'YC-005')!;
    // still healthy (stays off every list), but other CPU figures in the run month
    await addTelemetry(store, { dir, archiveDir }, monthRows('YC-005', MONTH, { cpu_avg_pct: 41, cpu_max_pct: 77 }));
    await runMonth(store, { month: MONTH, profile: loadProfile('default'), now: NOW, trigger: 'test' });
    const before = stamps();
    const r = await buildDashboard(store, { month: MONTH, outDir: site, now: NOW });
    const systemsWritten = r.writtenPages.filter((p) => p.startsWith('systems/'));
    const departmentsWritten = r.writtenPages.filter((p) => p.startsWith('departments/'));
    expect(systemsWritten).toEqual([systemPage('YC-005')]);
    for (const p of departmentsWritten) expect(p).toBe(departmentPage(target.department!));
    // the rest are fixed pages (the overview's trends, the index) — a handful, not the site
    expect(r.pagesWritten).toBeLessThan(r.pages / 2);
    const after = stamps();
    for (const s of visible.filter((x) => x.system_id !== 'YC-005')) {
      const rel = systemPage(s.system_id);
      expect(after.get(rel)?.ino, s.system_id).toBe(before.get(rel)?.ino);
    }
    expect(after.get(systemPage('YC-005'))?.ino).not.toBe(before.get(systemPage('YC-005'))?.ino);
    // the page rewritten carries the new run's number; a page kept names the run that wrote it
    const runId = await store.value<number>('SELECT run_id FROM month_runs WHERE month = $1', [MONTH]);
    expect(read(systemPage('YC-005'))).toContain(`运行编号 ${runId}`);
  });
});
