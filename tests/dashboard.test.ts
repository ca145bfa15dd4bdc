// buildDashboard on the synthetic city of tests/dashboard-city.ts: what the site holds (every page,
// links that resolve, the overview equal to the exports, the XLSX downloads), what it must never
// hold (a classified system, markup from a name that could run, an address outside the site), and
// how it is written (atomically, with progress, recorded in `runs`). The browser checks are in
// dashboard-e2e.test.ts.

import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDashboard, SITE_MARKER, type BuildProgress } from '../dashboards/site/build.ts';
import { siteJob } from '../apps/jobs/site.ts';
import { departmentPage, systemPage, PAGES } from '../dashboards/site/paths.ts';
import { esc, html, jsonForScript, raw } from '../dashboards/site/html.ts';
import { exportRows } from '../dashboards/exports/write.ts';
import { CONDITIONS, MONTHLY_METRICS } from '../metrics/definitions.ts';
import { loadModels } from '../pipelines/run/models.ts';
import { loadProfile } from '../pipelines/profiles.ts';
import { memoryLog } from '../core/log.ts';
import { runMonth } from '../pipelines/run/month.ts';
import { openTestStore, NOW, tempDir } from './helpers.ts';
import { cachedStore } from './fixtures/sample-cache.ts';
import { buildCity, month as monthRows, system } from './fixtures/monthly/city.ts';
import {
  CLASSIFIED,
  MONTH,
  SYSTEMS,
  XSS_DEPT,
  XSS_NAME,
  buildDashboardCity,
  filesOf,
  kpisFromExports,
  localLinks,
} from './dashboard-city.ts';
import type { Store } from '../pipelines/store/database.ts';

let store: Store;
let dir: string;
let archiveDir: string;
let site: string;
let result: Awaited<ReturnType<typeof buildDashboard>>;
// The wall clock of the builds of `site` (its footer, 生成于 …, to the minute), read once: the
// rebuild in place keeps the pages whose content is unchanged, footer and all, and writes a new
// marker; had a minute turned between the two builds, the kept pages and the marker would name
// different times, and the worker-thread build below (timed by the marker) would differ from them.
const BUILT_AT = new Date();
const builtClock = () => BUILT_AT;
const progress: BuildProgress[] = [];

beforeAll(async () => {
  // the city of tests/dashboard-city.ts ingested, its window run and 2025 evaluated once per test
  // run (shared with tests/dashboard-incremental.test.ts), this file's own copy of the database
  const t = await cachedStore('dashboard-city', buildDashboardCity);
  store = t.store;
  dir = t.dir;
  archiveDir = t.archiveDir;
  site = path.join(tempDir('govmon-site-'), 'site');
  result = await siteJob(store, {
    month: MONTH,
    outDir: site,
    now: NOW,
    clock: builtClock,
    onProgress: (p) => progress.push(p),
    trigger: 'test',
  });
});

afterAll(() => {
  store?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
  if (site) fs.rmSync(path.dirname(site), { recursive: true, force: true });
});

const text = (rel: string) => fs.readFileSync(path.join(site, rel), 'utf8');
const visible = SYSTEMS.filter((s) => !s.classified);
const departments = [...new Set(visible.map((s) => s.department!))];

describe('html`…` and esc()', () => {
  it('escapes every interpolated value and passes Html through', () => {
    expect(html`<td title="${'"x"'}">${XSS_NAME}</td>`.value).toBe(
      '<td title="&quot;x&quot;">&lt;img src=x onerror=&quot;window.__xss=1&quot;&gt;申报&lt;b&gt;系统&lt;/b&gt;</td>',
    );
    expect(html`<p>${[html`<b>${'<i>'}</b>`, null, false, 3]}</p>`.value).toBe('<p><b>&lt;i&gt;</b>3</p>');
    expect(html`${raw('<svg></svg>')}`.value).toBe('<svg></svg>');
    expect(esc(`'&`)).toBe('&#39;&amp;');
  });

  it('writes JSON for a script block that cannot end the block or open a comment', () => {
    const s = jsonForScript({ name: '</script><!--<script>alert(1)</script>', x: '\u2028' });
    expect(s).not.toMatch(/<|>|\u2028/);
    expect(JSON.parse(s)).toEqual({ name: '</script><!--<script>alert(1)</script>', x: '\u2028' });
  });
});

describe('buildDashboard(store, { month, outDir })', () => {
  it('writes the fixed pages, a page per department and a page per system', () => {
    // the calendar runs over several pages (calendar.html, calendar-2.html, …)
    const calendar = fs.readdirSync(site).filter((f) => /^calendar(-\d+)?\.html$/.test(f)).length;
    expect(calendar).toBeGreaterThanOrEqual(1);
    expect(result.pages).toBe(Object.keys(PAGES).length - 1 + calendar + departments.length + visible.length);
    for (const p of Object.values(PAGES)) expect(fs.existsSync(path.join(site, p.file)), p.file).toBe(true);
    for (const s of visible) expect(fs.existsSync(path.join(site, systemPage(s.system_id))), s.system_id).toBe(true);
    for (const d of departments) expect(fs.existsSync(path.join(site, departmentPage(d))), d).toBe(true);
    expect(result.dir).toBe(path.resolve(site));
    expect(result.bytes).toBe(filesOf(site).reduce((a, [, b]) => a + b.length, 0));
    expect(result.ms).toBeGreaterThan(0);
    expect(JSON.parse(text(SITE_MARKER))).toMatchObject({ generator: 'govmon', month: MONTH, pages: result.pages });
  });

  it('names system and department pages by a hash, never by the id or name', () => {
    expect(systemPage('YC-XSS')).toMatch(/^systems\/[0-9a-f]{16}\.html$/);
    expect(departmentPage(XSS_DEPT)).toMatch(/^departments\/[0-9a-f]{16}\.html$/);
    expect(systemPage('../../etc/passwd')).toMatch(/^systems\/[0-9a-f]{16}\.html$/);
    for (const [rel] of filesOf(site)) expect(rel).toMatch(/^[\w./-]+$/);
  });

  it('links only to files that exist in the site', () => {
    for (const [rel, bytes] of filesOf(site).filter(([f]) => f.endsWith('.html'))) {
      for (const link of localLinks(bytes.toString('utf8'))) {
        expect(link, `${rel} → ${link}`).not.toMatch(/^[a-z]+:/i);
        expect(fs.existsSync(path.join(site, path.dirname(rel), link)), `${rel} → ${link}`).toBe(true);
      }
    }
  });

  it('ships every script, style and chart library itself and names no address outside the site', () => {
    for (const v of [
      'vega.min.js',
      'vega-lite.min.js',
      'vega-embed.min.js',
      'arrow.min.js',
      'vega.LICENSE.txt',
      'apache-arrow.LICENSE.txt',
    ])
      expect(fs.existsSync(path.join(site, 'vendor', v)), v).toBe(true);
    for (const [rel, bytes] of filesOf(site).filter(([f]) => /\.(html|css|js)$/.test(f) && !f.startsWith('vendor/'))) {
      const s = bytes.toString('utf8');
      expect(s, rel).not.toMatch(/https?:\/\/|\/\/cdn|@import|url\(\s*['"]?(?!#|data:)/i);
      if (rel.endsWith('.html')) {
        expect(s, rel).toContain('http-equiv="Content-Security-Policy"');
        expect(s, rel).toContain('connect-src &#39;none&#39;');
        expect(s, rel).not.toMatch(/<script(?![^>]*(\bsrc="|type="application\/json"))/); // no inline script
      }
    }
  });

  it('shows a name with HTML in it as text, on every page it appears on', () => {
    const files = filesOf(site).filter(([f]) => /\.(html|js)$/.test(f) && !f.startsWith('vendor/'));
    for (const [rel, bytes] of files) {
      const s = bytes.toString('utf8');
      expect(s, rel).not.toContain('<img src=x');
      expect(s, rel).not.toContain('<script>window.__xss');
      expect(s, rel).not.toContain('<b>系统</b>');
    }
    for (const page of [systemPage('YC-XSS'), PAGES.elimination.file, PAGES.systems.file, departmentPage(XSS_DEPT)])
      expect(text(page), page).toContain(esc(XSS_NAME));
    expect(text(systemPage('YC-XSS'))).toContain(esc(XSS_DEPT));
  });

  it('never shows a classified system: not in a page, a data file or a download', async () => {
    for (const [rel, bytes] of filesOf(site).filter(([f]) => !f.startsWith('vendor/') && !f.endsWith('.xlsx'))) {
      const s = bytes.toString('utf8');
      expect(s, rel).not.toContain(CLASSIFIED.id);
      expect(s, rel).not.toContain(CLASSIFIED.name);
      if (rel === 'data/metrics.js')
        expect(Buffer.from(/"([A-Za-z0-9+/=]+)"/.exec(s)![1], 'base64').toString('latin1')).not.toContain(CLASSIFIED.id);
    }
    for (const [rel] of filesOf(site).filter(([f]) => f.endsWith('.xlsx'))) {
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.readFile(path.join(site, rel));
      wb.eachSheet((ws) =>
        ws.eachRow((row) => {
          const line = JSON.stringify(row.values);
          expect(line, rel).not.toContain(CLASSIFIED.id);
          expect(line, rel).not.toContain(CLASSIFIED.name);
        }),
      );
    }
  });

  it('shows on the overview the numbers the exports hold', async () => {
    const expected = await kpisFromExports(store, MONTH);
    const page = text(PAGES.overview.file);
    for (const [key, value] of Object.entries(expected)) {
      const m = new RegExp(`data-kpi="${key}" data-value="([^"]*)"`).exec(page);
      expect(m, key).not.toBeNull();
      const shown = m![1] === '' ? null : Number(m![1]);
      if (value === null) expect(shown, key).toBeNull();
      else expect(shown, key).toBeCloseTo(value, 6);
    }
    // the synthetic city's own answer: YC-IDLE and YC-XSS listed, YC-EXEMPT exempt; 16 + 2 vCPU
    // eliminated and 4 + 3 from right-sizing (YC-RS 8 → 4, YC-LOW 4 → 1)
    expect(expected).toMatchObject({ elimination: 2, exempted: 1, rectification: 4, reclaim_vcpu: 25 });
  });

  it('writes the lists as XLSX downloads with the rows of the exports', async () => {
    for (const kind of ['elimination', 'rectification', 'rightsizing', 'sharing', 'calendar', 'metrics']) {
      const file = path.join(site, 'downloads', `${kind}-${MONTH}.xlsx`);
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.readFile(file);
      const { rows } = await exportRows(store, kind, { month: MONTH });
      // a list people sign (docs/outputs.md §7.4) numbers its rows (序号) under title rows, the
      // elimination list on two sheets (listed, exempted); the other kinds are plain tables
      const signed = ['elimination', 'rectification', 'rightsizing'].includes(kind);
      const count = signed
        ? wb.worksheets
            .filter((w) => w.name !== '证据' && w.name !== '说明')
            .reduce((n, w) => {
              let k = 0;
              w.eachRow((r, i) => {
                if (i > 3 && typeof r.getCell(1).value === 'number') k++;
              });
              return n + k;
            }, 0)
        : wb.worksheets[0].rowCount - 1;
      expect(count, kind).toBe(rows.length);
    }
    for (const kind of ['scores', 'budget']) expect(fs.existsSync(path.join(site, 'downloads', `${kind}-2025.xlsx`)), kind).toBe(true);
    expect(text(PAGES.elimination.file)).toContain(`href="downloads/elimination-${MONTH}.xlsx" download`);
  });

  it('puts on the elimination list each system with its conditions, evidence, citations, totals, the exempted section and signature lines', async () => {
    const page = text(PAGES.elimination.file);
    const runId = await store.value<number>('SELECT run_id FROM month_runs WHERE month = $1', [MONTH]);
    expect(page).toContain('旧版办公自动化系统');
    expect(page).toContain('无业务访问（闲置）（连续 3 个月，2026-08 起）');
    expect(page).toContain('《宿迁市市级信息化项目管理办法》第六条');
    expect(page).toMatch(/data-total="vcpu">18 个/);
    expect(page).toMatch(/data-total="cloud_cost_annual">54,000 元/);
    expect(page).toContain('id="exempted"');
    expect(page).toContain('季节性使用，仅在报名季开放');
    expect(page).toContain('经办人（签字）');
    expect(page).toContain(`运行编号：${runId}`);
    expect((page.match(/<section class="entry"/g) ?? []).length).toBe(2);
  });

  it('generates the 指标口径 page from the metric and condition definitions and the SQL models', () => {
    const page = text(PAGES.definitions.file);
    for (const m of MONTHLY_METRICS) {
      expect(page, m.name).toContain(`<code>${m.name}</code>`);
      expect(page, m.name).toContain(esc(m.sql));
      expect(page, m.name).toContain(esc(m.description));
    }
    for (const c of CONDITIONS) expect(page, c.name).toContain(esc(c.sql));
    for (const model of loadModels()) expect(page, model.name).toContain(`id="model-${model.name}"`);
    expect(page).toContain('p.inactive_requests_max = 300');
  });

  it('shows each system page with its charts, conditions, notices, score and citations', () => {
    const page = text(systemPage('YC-LOW'));
    // a chart per metric; the sharing chart only where some month has a completeness (YC-LOW has no catalog)
    expect((page.match(/<figure class="chart metric">/g) ?? []).length).toBe(MONTHLY_METRICS.length);
    // YC-002 is on no list (its data sharing is below the mark, which the page states): no static
    // charts, the interactive one only (tests/dashboard-incremental.test.ts)
    const shortfall = text(systemPage('YC-002'));
    expect((shortfall.match(/<figure class="chart metric">/g) ?? []).length).toBe(0);
    expect(shortfall).toContain('共享不达标');
    expect(shortfall).toContain('data-static-charts="none"');
    expect(page).toContain('data-vega="chart-system"');
    expect(page).toContain('data-state="rectification"');
    expect(page).toContain('云资源使用率低（连续 3 个月）');
    expect(page).toContain('2027-01-31');
    expect(page).toMatch(/<strong data-score>\d+\.\d<\/strong>/);
    expect(page).toContain('依据汇总');
    // a system not in operation has a page but no monitoring charts
    const build = text(systemPage('YC-BUILD'));
    expect(build).toContain('data-state="unmonitored"');
    expect(build).not.toContain('<figure class="chart metric">');
  });

  it('reports its progress phase by phase', () => {
    expect([...new Set(progress.map((p) => p.phase))]).toEqual(['load', 'exports', 'pages', 'write']);
    const pages = progress.filter((p) => p.phase === 'pages');
    expect(pages[pages.length - 1]).toMatchObject({ done: result.pages, total: result.pages });
  });

  it('records the build in runs', async () => {
    const r = await store.one<{ status: string; counts: string; period: string }>(
      "SELECT status, CAST(counts AS VARCHAR) AS counts, period FROM runs WHERE job = 'dashboard' ORDER BY run_id DESC LIMIT 1",
    );
    expect(r).toMatchObject({ status: 'ok', period: MONTH });
    expect(JSON.parse(r!.counts)).toMatchObject({ pages: result.pages, bytes: result.bytes, year: 2025 });
  });
});

describe('buildDashboard writes atomically', () => {
  it('replaces a site in place and leaves no temporary folder', async () => {
    const before = fs.statSync(path.join(site, 'index.html')).mtimeMs;
    await buildDashboard(store, { month: MONTH, outDir: site, now: NOW, clock: builtClock });
    expect(fs.statSync(path.join(site, 'index.html')).mtimeMs).toBeGreaterThanOrEqual(before);
    expect(fs.readdirSync(path.dirname(site))).toEqual(['site']);
  });

  it('leaves the previous site as it was when a build fails half-way, and records the failure', async () => {
    const digest = () => filesOf(site).map(([f, b]) => `${f} ${crypto.createHash('sha256').update(b).digest('hex')}`);
    const snapshot = digest();
    const failing = siteJob(store, {
      month: MONTH,
      outDir: site,
      now: NOW,
      onProgress: (p) => {
        if (p.phase === 'pages' && p.done > 5) throw new Error('disk full (simulated)');
      },
    });
    await expect(failing).rejects.toThrow('disk full (simulated)');
    expect(digest()).toEqual(snapshot);
    expect(fs.readdirSync(path.dirname(site))).toEqual(['site']);
    const r = await store.one<{ status: string; message: string }>(
      "SELECT status, message FROM runs WHERE job = 'dashboard' ORDER BY run_id DESC LIMIT 1",
    );
    expect(r).toMatchObject({ status: 'failed', message: 'disk full (simulated)' });
  });

  it('writes the same site from worker threads as from one thread', async () => {
    // (the XLSX files carry the time they were zipped, and the marker how many pages its build
    // wrote — all of them here, none in the rebuild above — so they are compared by name only)
    const digest = (d: string) =>
      filesOf(d).map(([f, b]) =>
        f.endsWith('.xlsx') || f === SITE_MARKER ? f : `${f} ${crypto.createHash('sha256').update(b).digest('hex')}`,
      );
    const out = path.join(tempDir('govmon-site-'), 'site');
    // the footer says when a site was built (the wall clock): the same time for both builds
    const builtAt = new Date(JSON.parse(fs.readFileSync(path.join(site, SITE_MARKER), 'utf8')).built_at);
    expect(builtAt).toEqual(builtClock());
    process.env.GOVMON_DASHBOARD_THREADS = '3';
    try {
      await siteJob(store, { month: MONTH, outDir: out, now: NOW, clock: () => builtAt });
    } finally {
      delete process.env.GOVMON_DASHBOARD_THREADS;
    }
    const counts = await store.value<string>(
      "SELECT CAST(counts AS VARCHAR) FROM runs WHERE job = 'dashboard' ORDER BY run_id DESC LIMIT 1",
    );
    expect(JSON.parse(counts)).toMatchObject({ threads: 3, worker_failures: 0 });
    expect(digest(out)).toEqual(digest(site));
    fs.rmSync(path.dirname(out), { recursive: true, force: true });
  });

  it('refuses to replace a folder that is not a site', async () => {
    const other = tempDir('govmon-notsite-');
    fs.writeFileSync(path.join(other, 'report.docx'), 'keep me');
    await expect(buildDashboard(store, { month: MONTH, outDir: other, now: NOW })).rejects.toThrow(/不是 govmon 生成的站点/);
    expect(fs.readdirSync(other)).toEqual(['report.docx']);
    fs.rmSync(other, { recursive: true, force: true });
  });

  it('refuses a month that has not been run, in Chinese', async () => {
    await expect(buildDashboard(store, { month: '2024-01', outDir: path.join(tempDir(), 'x'), now: NOW })).rejects.toThrow(
      '2024-01 尚无月度运行结果，请先执行 govmon run --month 2024-01',
    );
  });
});

describe('buildDashboard with a profile other than the month’s', () => {
  it('says so on the overview and the profile page, warns, and draws that profile’s thresholds', async () => {
    const out = path.join(tempDir('govmon-site-'), 'site');
    const log = memoryLog();
    await buildDashboard(store, { month: MONTH, outDir: out, now: NOW, profile: loadProfile('suqian'), log });
    expect(log.warnings).toBe(1);
    expect(fs.readFileSync(path.join(out, 'index.html'), 'utf8')).toContain('月度运行所用的政策配置为“default”');
    expect(fs.readFileSync(path.join(out, 'profile.html'), 'utf8')).toContain('<code>suqian</code>');
    // one city's measure: no composite note
    expect(fs.readFileSync(path.join(out, 'profile.html'), 'utf8')).not.toContain('data-composite');
    fs.rmSync(path.dirname(out), { recursive: true, force: true });
  });
});

describe('the 政策配置 page of the default profile', () => {
  it('says that the profile is a composite of several cities’ measures', () => {
    const page = fs.readFileSync(path.join(site, 'profile.html'), 'utf8');
    expect(page).toContain(
      '<p class="notice" data-composite>综合配置：本配置不对应某一个城市的办法，而是把 4 部办法（宁波、宿迁、绍兴、南充）中的相关规定综合为一套规则',
    );
    expect(page).toContain('<dt>所依据的办法</dt><dd>不对应单一办法（综合配置，见上）</dd>');
  });
});

describe('buildDashboard before any annual evaluation', () => {
  it('says that no year has been evaluated', async () => {
    const t = await openTestStore();
    try {
      await buildCity(t.store, t, [system('A-1')], monthRows('A-1', '2026-09'));
      await runMonth(t.store, { month: '2026-09', profile: loadProfile('default'), now: NOW, trigger: 'test' });
      const out = path.join(t.dir, 'site');
      await buildDashboard(t.store, { month: '2026-09', outDir: out, now: NOW });
      const annual = fs.readFileSync(path.join(out, 'annual.html'), 'utf8');
      expect(annual).toContain('data-no-year');
      expect(annual).toContain('尚无 2026 年或以前年度的评价结果');
      expect(fs.existsSync(path.join(out, 'downloads', 'scores-2025.xlsx'))).toBe(false);
    } finally {
      t.store.close();
      fs.rmSync(t.dir, { recursive: true, force: true });
    }
  });
});

describe('buildDashboard after a system of the run has been marked classified', () => {
  // last in this file: it changes the registry of the shared city
  it('leaves the system out of every page and ships no XLSX until the month is run again', async () => {
    const target = SYSTEMS.find((x) => x.system_id === 'YC-IDLE')!;
    await buildCity(store, { dir, archiveDir }, [{ ...target, classified: true }]);
    const out = path.join(tempDir('govmon-site-'), 'site');
    const log = memoryLog();
    await siteJob(store, { month: MONTH, outDir: out, now: NOW, log });
    for (const [rel, bytes] of filesOf(out).filter(([f]) => !f.startsWith('vendor/'))) {
      expect(bytes.toString('utf8'), rel).not.toContain('YC-IDLE');
      expect(bytes.toString('utf8'), rel).not.toContain(target.system_name!);
    }
    expect(fs.readdirSync(path.join(out, 'downloads'))).toEqual([]);
    expect(log.lines.join('\n')).toContain('现已标记为涉密');
    const r = await store.one<{ status: string }>("SELECT status FROM runs WHERE job = 'dashboard' ORDER BY run_id DESC LIMIT 1");
    expect(r?.status).toBe('warnings');
    fs.rmSync(path.dirname(out), { recursive: true, force: true });
  });
});
