// The dashboard in a real headless Chromium (Debian's /usr/bin/chromium driven by playwright-core),
// opened from disk as a bureau would, against the sample city (apps/sample; the synthetic city
// of dashboard-city.ts if the generator is absent) with one system and department whose names
// carry HTML. Checks: every page (`npm run test:full`; `npm test` opens a sample of each kind of
// page, see pagesToWalk) loads with no console error and asks for nothing outside the site; the overview shows the exports' numbers; the elimination list filters (and prints whole,
// on A4); both lists print with numbered notes, page numbers and the signature block on the page of
// the table's end (read back with pdftotext); a system page draws its charts; markup in a name stays
// text. Reports the build's time and the site's size (never asserted: a test must not depend on the
// machine's speed); writes the screenshots docs/screenshots/overview.png and docs/screenshots/system.png.

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium, type BrowserContext, type ConsoleMessage, type Dialog, type Page, type Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { buildDashboard } from '../dashboards/site/build.ts';
import { siteJob } from '../apps/jobs/site.ts';
import { exportRows } from '../dashboards/exports/write.ts';
import { PAGES, departmentPage, systemPage } from '../dashboards/site/paths.ts';
import { bytes } from '../dashboards/site/format.ts';
import { MONTHLY_METRICS } from '../metrics/definitions.ts';
import { loadProfile } from '../pipelines/profiles.ts';
import { runMonth } from '../pipelines/run/month.ts';
import { evaluateYear } from '../pipelines/run/year.ts';
import type { Store } from '../pipelines/store/database.ts';
import { CHROMIUM_ARGS, FULL, NOW, openTestStore, tempDir } from './helpers.ts';
import { prng, testSeed } from './fixtures/reliability.ts';
import { IDLE, buildCity, months, system } from './fixtures/monthly/city.ts';
import { MONTH, WINDOW, XSS_DEPT, XSS_NAME, buildDashboardCity, filesOf, kpisFromExports } from './dashboard-city.ts';

const ROOT = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const SCREENSHOTS = path.join(ROOT, 'docs', 'screenshots');
const CHROMIUM = '/usr/bin/chromium';
const GENERATOR = path.join(ROOT, 'apps', 'sample', 'generate.ts');

let store: Store;
let work: string;
let site: string;
let siteUrl: string;
let browser: BrowserContext;
let userData: string;
let city: 'sample' | 'synthetic';
let build: Awaited<ReturnType<typeof buildDashboard>>;
/** CPU time of the build (all its threads), ms, and the one-minute load average after it */
let buildCpuMs: number;
/** the sample city's expectations (the sample city only) */
let planted: import('../apps/sample/generate.ts').Planted | undefined;
let loadAfter: number;

/** The sample city, ingested and run over the twelve months up to MONTH, its year evaluated. */
async function sampleCity(): Promise<Awaited<ReturnType<typeof openTestStore>>> {
  // generated and ingested once per test run, shared with other files (imported here: the generator may be absent)
  const { ingestedSampleCity } = await import('./fixtures/sample-cache.ts');
  const { sample: r, ...ctx } = await ingestedSampleCity({ endMonth: MONTH }, 'city.duckdb');
  const s = ctx.store;
  planted = r.planted;
  // one system with markup in its name and department, idle for the last three months
  await buildCity(
    s,
    ctx,
    [system('YC-XSS-1', { system_name: XSS_NAME, department: XSS_DEPT, vcpu: 2, cloud_cost_annual: 6000 })],
    [...months('YC-XSS-1', WINDOW.slice(0, -3)), ...months('YC-XSS-1', WINDOW.slice(-3), IDLE)],
  );
  const profile = loadProfile('default');
  for (const m of WINDOW) await runMonth(s, { month: m, profile, now: NOW, trigger: 'test' });
  await evaluateYear(s, { year: r.planted.evalYear, profile, now: NOW, trigger: 'test' });
  return ctx;
}

beforeAll(async () => {
  if (!fs.existsSync(CHROMIUM))
    throw new Error(`找不到 ${CHROMIUM}：请安装 Debian 的 chromium 和中文字体（apt-get install -y chromium fonts-noto-cjk）`);
  city = fs.existsSync(GENERATOR) ? 'sample' : 'synthetic';
  const t = city === 'sample' ? await sampleCity() : await openTestStore('city.duckdb');
  store = t.store;
  work = t.dir;
  if (city === 'synthetic') await buildDashboardCity(store, t);
  site = path.join(tempDir('govmon-e2e-'), 'site');
  const cpu0 = process.cpuUsage();
  build = await siteJob(store, { month: MONTH, outDir: site, now: NOW, trigger: 'test' });
  const cpu = process.cpuUsage(cpu0);
  buildCpuMs = (cpu.user + cpu.system) / 1000;
  loadAfter = os.loadavg()[0];
  siteUrl = pathToFileURL(site).href + '/';
  console.log(
    `站点（${city === 'sample' ? '示例城市' : '合成城市'}）：${build.pages} 个页面，${filesOf(site).length} 个文件，${bytes(build.bytes)}，` +
      `生成用时 ${(build.ms / 1000).toFixed(1)} 秒（CPU ${(buildCpuMs / 1000).toFixed(1)} 秒，${os.cpus().length} 核，负载 ${loadAfter.toFixed(1)}）`,
  );
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  userData = tempDir('govmon-chromium-');
  browser = await chromium.launchPersistentContext(userData, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1400, height: 1000 },
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
    args: CHROMIUM_ARGS,
  });
}, 600_000);

afterAll(async () => {
  await browser?.close();
  store?.close();
  for (const d of [work, site && path.dirname(site), userData]) if (d) fs.rmSync(d, { recursive: true, force: true });
});

interface Visit {
  errors: string[];
  outside: string[];
  dialogs: string[];
}

/** Open a page of the site and wait for its charts; what went wrong is collected, not thrown. */
async function open(page: Page, rel: string): Promise<Visit> {
  const v: Visit = { errors: [], outside: [], dialogs: [] };
  const onConsole = (m: ConsoleMessage) => {
    if (m.type() === 'error') v.errors.push(`${rel}: ${m.text()}`);
  };
  const onError = (e: Error) => v.errors.push(`${rel}: ${e.message}`);
  const onFailed = (r: Request) => v.errors.push(`${rel}: request failed ${r.url()}`);
  const onRequest = (r: Request) => {
    if (!r.url().startsWith(siteUrl)) v.outside.push(`${rel}: ${r.url()}`);
  };
  const onDialog = (d: Dialog) => {
    v.dialogs.push(`${rel}: ${d.message()}`);
    void d.dismiss();
  };
  page.on('console', onConsole);
  page.on('pageerror', onError);
  page.on('requestfailed', onFailed);
  page.on('request', onRequest);
  page.on('dialog', onDialog);
  try {
    await page.goto(siteUrl + rel, { waitUntil: 'load' });
    if (await page.locator('.vega').count())
      await page.waitForFunction(
        () =>
          Array.from(document.querySelectorAll('.vega')).every((e) => e.hasAttribute('data-rendered') || e.textContent?.includes('失败')),
        null,
        {
          timeout: 30_000,
        },
      );
    await page.waitForTimeout(50);
  } finally {
    page.off('console', onConsole);
    page.off('pageerror', onError);
    page.off('requestfailed', onFailed);
    page.off('request', onRequest);
    page.off('dialog', onDialog);
  }
  return v;
}

/**
 * The pages the walk opens: all of them in `npm run test:full`. In `npm test`, every page at the
 * site's root and, of each folder (a kind of page: systems/, departments/, …), the first, the last
 * and three more drawn with a printed seed (GOVMON_TEST_SEED replays it).
 */
function pagesToWalk(pages: string[]): string[] {
  if (FULL) return pages;
  const rand = prng(testSeed('pages walked'));
  const byFolder = new Map<string, string[]>();
  for (const p of pages) byFolder.set(path.posix.dirname(p), [...(byFolder.get(path.posix.dirname(p)) ?? []), p]);
  const out: string[] = [];
  for (const [folder, files] of byFolder) {
    if (folder === '.' || files.length <= 5) {
      out.push(...files);
      continue;
    }
    const picked = new Set([files[0], files[files.length - 1]]);
    while (picked.size < 5) picked.add(files[Math.floor(rand() * files.length)]);
    out.push(...files.filter((f) => picked.has(f)));
  }
  return out;
}

describe('the dashboard in Chromium', () => {
  // How long the build took is reported above, never asserted: with other work on the two cores
  // (vitest runs two files at once; other processes share the machine) a time says nothing about
  // the build itself. `npm run bench` measures it alone.
  it('records the build in the run log with its pages and size', async () => {
    const run = await store.one<{ status: string; counts: string }>(
      "SELECT status, CAST(counts AS VARCHAR) AS counts FROM runs WHERE job = 'dashboard' ORDER BY run_id DESC LIMIT 1",
    );
    expect(run?.status).toBe('ok');
    expect(JSON.parse(run!.counts)).toMatchObject({ pages: build.pages });
  });

  it(`loads ${FULL ? 'every page' : 'a sample of each kind of page'} with no console error and no request outside the site`, async () => {
    const all = filesOf(site)
      .map(([f]) => f)
      .filter((f) => f.endsWith('.html'));
    expect(all.length).toBe(build.pages);
    const pages = pagesToWalk(all);
    console.log(`opens ${pages.length} of the ${all.length} pages`);
    const tabs = await Promise.all([1, 2, 3].map(() => browser.newPage()));
    const problems: Visit = { errors: [], outside: [], dialogs: [] };
    let next = 0;
    await Promise.all(
      tabs.map(async (tab) => {
        while (next < pages.length) {
          const v = await open(tab, pages[next++]);
          problems.errors.push(...v.errors);
          problems.outside.push(...v.outside);
          problems.dialogs.push(...v.dialogs);
        }
      }),
    );
    await Promise.all(tabs.map((t) => t.close()));
    expect(problems).toEqual({ errors: [], outside: [], dialogs: [] });
  }, 900_000);

  it('shows on the overview the numbers the exports hold, and draws its trend charts', async () => {
    const page = await browser.newPage();
    const v = await open(page, PAGES.overview.file);
    const shown = await page.$$eval('[data-kpi]', (els) =>
      Object.fromEntries(els.map((e) => [e.getAttribute('data-kpi'), e.getAttribute('data-value')])),
    );
    const expected = await kpisFromExports(store, MONTH);
    for (const [k, value] of Object.entries(expected)) {
      if (value === null) expect(shown[k], k).toBe('');
      else expect(Number(shown[k]), k).toBeCloseTo(value, 6);
    }
    // and the figure a person reads is that number, formatted
    const elimination = await page.locator('[data-kpi="elimination"] .value').textContent();
    expect(elimination).toBe(String(expected.elimination));
    expect(await page.locator('.vega[data-rendered] svg.marks').count()).toBe(4);
    expect(v.errors).toEqual([]);
    // the screenshots must be legible: a Simplified Chinese font is installed (fonts-noto-cjk)
    expect(execFileSync('fc-list', [':lang=zh-cn', 'family'], { encoding: 'utf8' })).toMatch(/Noto Sans CJK SC|Source Han Sans|WenQuanYi/);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'overview.png') });
    await page.close();
  }, 120_000);

  it('filters the elimination list, and prints it whole on A4', async () => {
    const { rows } = await exportRows(store, 'elimination', { month: MONTH });
    const listed = rows.filter((r) => r.exempt === false);
    const page = await browser.newPage();
    await open(page, PAGES.elimination.file);
    const shownRows = () => page.locator('#elim-table tbody tr:not(.filtered-out)').count();
    const shownEntries = () => page.locator('section.entry:not(.filtered-out)').count();
    expect(await shownRows()).toBe(listed.length);

    const department = String(listed[listed.length - 1].department);
    const inDepartment = listed.filter((r) => r.department === department).length;
    await page.selectOption('[data-filter-for="elim-table"] select[data-filter-key="department"]', department);
    expect(await shownRows()).toBe(inDepartment);
    expect(await shownEntries()).toBe(inDepartment);
    expect(await page.locator('[data-filter-for="elim-table"] [data-count]').textContent()).toBe(
      `显示 ${inDepartment} / ${listed.length} 行`,
    );

    await page.selectOption('[data-filter-for="elim-table"] select[data-filter-key="department"]', '');
    const condition = String(listed[0].conditions).split(';')[0];
    await page.selectOption('[data-filter-for="elim-table"] select[data-filter-key="conditions"]', condition);
    expect(await shownRows()).toBe(listed.filter((r) => String(r.conditions).split(';').includes(condition)).length);

    await page.selectOption('[data-filter-for="elim-table"] select[data-filter-key="conditions"]', '');
    await page.fill('[data-filter-for="elim-table"] input[data-filter-text]', String(listed[0].system_id));
    expect(await shownRows()).toBe(1);

    // printed, the filtered list is whole again, without navigation or controls
    await page.emulateMedia({ media: 'print' });
    const visibleRows = await page.$$eval(
      '#elim-table tbody tr',
      (trs) => trs.filter((tr) => getComputedStyle(tr).display !== 'none').length,
    );
    expect(visibleRows).toBe(listed.length);
    expect(await page.locator('header.site nav').isVisible()).toBe(false);
    expect(await page.locator('.filters').isVisible()).toBe(false);
    const pdf = await page.pdf({ format: 'A4', printBackground: true, preferCSSPageSize: true });
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    expect(pdf.toString('latin1').match(/\/Type\s*\/Page\b/g)?.length ?? 0).toBeGreaterThan(0);
    // the exempted section and the signature lines are part of the document
    expect(await page.locator('#exempted').isVisible()).toBe(true);
    expect(await page.locator('.signatures').isVisible()).toBe(true);
    await page.close();
  }, 120_000);

  it('prints both lists on A4: articles as numbered notes, page numbers, the signature block on the page of the table’s end', async () => {
    const out = tempDir('govmon-print-');
    for (const [rel, lastRow] of [
      [PAGES.rectification.file, '#rect-table tbody tr:last-child td.c-id'],
      [PAGES.elimination.file, '#exempt-table tbody tr:last-child td.c-id, #elim-table tbody tr:last-child td.c-id'],
    ] as const) {
      const page = await browser.newPage();
      await open(page, rel);
      await page.emulateMedia({ media: 'print' });
      // the articles: a note number in the row, the article in a numbered note under the table
      expect(await page.locator('table.data td.c-ref .note-refs').first().isVisible(), rel).toBe(true);
      expect(await page.locator('table.data td.c-ref .screen-only').first().isVisible(), rel).toBe(false);
      const ids = await page.$$eval(lastRow, (tds) => tds.map((td) => td.textContent ?? ''));
      const last = ids[0];
      const file = path.join(out, `${path.basename(rel, '.html')}.pdf`);
      fs.writeFileSync(file, await page.pdf({ format: 'A4', printBackground: true, preferCSSPageSize: true }));
      await page.close();
      const pages = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' })
        .split('\f')
        .filter((p) => p.trim() !== '');
      expect(pages.length, rel).toBeGreaterThan(0);
      // page numbers on every page
      for (const [i, p] of pages.entries()) expect(p, `${rel} page ${i + 1}`).toContain(`第 ${i + 1} 页，共 ${pages.length} 页`);
      const all = pages.join('\n');
      expect(all).toContain('注（依据）：');
      expect(all).toMatch(/\[1\]\s*《[^》]+》第/);
      // the signature block shares its page with the last row of the table before it
      const sig = pages.findIndex((p) => p.includes('审核人（签字）'));
      expect(sig, rel).toBeGreaterThanOrEqual(0);
      expect(pages[sig], `${rel}: the last row ${last} and the signature block on page ${sig + 1}`).toContain(last);
      expect(pages[sig]).toContain('批准人（签字）');
    }
    fs.rmSync(out, { recursive: true, force: true });
  }, 120_000);

  it('opens the compliance calendar with under 100 rows, every overdue item on it a planted case', async () => {
    const page = await browser.newPage();
    await open(page, PAGES.calendar.file);
    const rows = await page.$$eval('table.calendar tbody tr', (trs) =>
      trs.map((tr) => ({ id: (tr as HTMLTableRowElement).cells[0].textContent?.trim() ?? '', overdue: !!tr.querySelector('.k-overdue') })),
    );
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.length).toBeLessThan(100);
    const overdue = rows.filter((r) => r.overdue).map((r) => r.id);
    expect(overdue.length).toBeGreaterThan(0);
    if (planted) {
      // the sample city: overdue exactly where a case was planted (the XSS system is the test's own)
      const cases = new Set(planted.cases.map((c) => c.system_id));
      for (const id of overdue.filter((x) => !x.startsWith('YC-XSS'))) expect(cases.has(id), id).toBe(true);
      expect(new Set(overdue.filter((x) => !x.startsWith('YC-XSS')))).toEqual(new Set(planted.calendar.overdue.map((x) => x.system_id)));
    }
    await page.close();
  }, 120_000);

  it('keeps system ids and dates on one line, on a narrow screen and printed, and shows the whole search hint', async () => {
    const page = await browser.newPage();
    await page.setViewportSize({ width: 900, height: 1000 });
    const broken = () =>
      page.$$eval('table.data td', (tds) =>
        tds
          .filter((td) => /^(YC-[A-Z]+-\d+|\d{4}-\d{2}-\d{2})$/.test((td.textContent ?? '').trim()))
          .filter((td) => {
            const r = document.createRange();
            r.selectNodeContents(td);
            // one rectangle per line the text is laid out on
            return new Set(Array.from(r.getClientRects()).map((x) => Math.round(x.top))).size > 1;
          })
          .map((td) => td.textContent),
      );
    for (const rel of [PAGES.rectification.file, PAGES.elimination.file, PAGES.calendar.file, PAGES.sharing.file]) {
      await open(page, rel);
      await page.emulateMedia({ media: 'screen' });
      const cells = await page.$$eval('table.data td.nw', (tds) => tds.length);
      expect(cells, rel).toBeGreaterThan(0);
      expect(await broken(), `${rel} (screen)`).toEqual([]);
      await page.emulateMedia({ media: 'print' });
      expect(await broken(), `${rel} (print)`).toEqual([]);
      await page.emulateMedia({ media: 'screen' });
      // the search box is wide enough for its whole placeholder in the font it is drawn in
      if (!(await page.locator('input[data-filter-text]').count())) continue;
      const fit = await page.$eval('input[data-filter-text]', (el) => {
        const input = el as HTMLInputElement;
        const cs = getComputedStyle(input);
        const ctx = document.createElement('canvas').getContext('2d')!;
        ctx.font = `${cs.fontSize} ${cs.fontFamily}`;
        const room = input.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight);
        return { text: ctx.measureText(input.placeholder).width, room };
      });
      expect(fit.text, rel).toBeLessThanOrEqual(fit.room);
    }
    await page.close();
  }, 120_000);

  it('shows a system page with its charts, and the interactive chart follows the metric picker', async () => {
    const { rows } = await exportRows(store, 'elimination', { month: MONTH });
    const id = String(rows.find((r) => r.exempt === false && !String(r.system_id).startsWith('YC-XSS'))!.system_id);
    const page = await browser.newPage();
    await page.setViewportSize({ width: 1400, height: 1500 });
    const v = await open(page, systemPage(id));
    expect(v.errors).toEqual([]);
    expect(await page.locator('[data-state="elimination"]').isVisible()).toBe(true);
    const figures = page.locator('#metrics figure.chart svg');
    expect(await figures.count()).toBe(MONTHLY_METRICS.length);
    for (let i = 0; i < (await figures.count()); i++) {
      const box = await figures.nth(i).boundingBox();
      expect(box!.width).toBeGreaterThan(200);
      expect(box!.height).toBeGreaterThan(100);
    }
    const chart = page.locator('#chart-system');
    expect(await chart.locator('svg .mark-line path').count()).toBeGreaterThan(0);
    const before = await chart.locator('svg .mark-line path').first().getAttribute('d');
    await chart.locator('.vega-bindings select').selectOption('availability_pct');
    await expect.poll(() => chart.locator('svg .mark-line path').first().getAttribute('d')).not.toBe(before);
    await page.locator('h1').scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(SCREENSHOTS, 'system.png') });
    // printed: the static charts stay, the interactive one goes
    await page.emulateMedia({ media: 'print' });
    expect(await chart.isVisible()).toBe(false);
    expect(await figures.first().isVisible()).toBe(true);
    const pdf = await page.pdf({ format: 'A4', printBackground: true, preferCSSPageSize: true });
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    await page.close();
  }, 120_000);

  it('shows a system and a department whose names hold HTML as text, never running it', async () => {
    const id = city === 'sample' ? 'YC-XSS-1' : 'YC-XSS';
    const page = await browser.newPage();
    for (const rel of [
      systemPage(id),
      departmentPage(XSS_DEPT),
      PAGES.elimination.file,
      PAGES.systems.file,
      PAGES.departments.file,
      PAGES.overview.file,
    ]) {
      const v = await open(page, rel);
      expect(v.dialogs, rel).toEqual([]);
      expect(await page.evaluate(() => (window as unknown as { __xss?: unknown }).__xss), rel).toBeUndefined();
      expect(await page.locator('img[src="x"]').count(), rel).toBe(0);
      expect(await page.locator('script:not([src]):not([type="application/json"])').count(), rel).toBe(0);
      expect(await page.locator('main b').count(), rel).toBe(0);
      const text = await page.locator('main').textContent();
      if (rel !== PAGES.overview.file)
        expect(text, rel).toContain(rel === departmentPage(XSS_DEPT) || rel === PAGES.departments.file ? XSS_DEPT : XSS_NAME);
    }
    await open(page, systemPage(id));
    expect(await page.locator('h1').textContent()).toBe(XSS_NAME);
    // the scatter plot's tooltip shows the name as text too
    await open(page, PAGES.overview.file);
    expect(await page.evaluate(() => (window as unknown as { __xss?: unknown }).__xss)).toBeUndefined();
    await page.close();
  }, 120_000);
});
