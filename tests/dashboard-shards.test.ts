// A large site's system pages (docs/outputs.md §7.3): from SHARDED_FROM systems on, the pages of
// systems on no list are one template page under every address plus shards of compressed page
// markup. Here the small dashboard city is built twice — as a city site (a file per system) and
// sharded (shardFrom: 1, as a province-sized site would be) — and the sharded one is checked
// against the other: every listed system's page the same file, every other system's page the same
// markup once its shard is decoded (with zlib here, in Chromium by the page's own script), every
// address one file on disk, and a rebuild that rewrites only the changed system's shard.

import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDashboard } from '../dashboards/site/build.ts';
import { systemPage } from '../dashboards/site/paths.ts';
import { loadSiteData, siteDataOf } from '../dashboards/site/data.ts';
import { buildContext } from '../dashboards/site/context.ts';
import { systemDetailPage } from '../dashboards/site/pages/system.ts';
import { runMonth } from '../pipelines/run/month.ts';
import { loadProfile } from '../pipelines/profiles.ts';
import { CHROMIUM_ARGS, NOW, tempDir } from './helpers.ts';
import { cachedStore } from './fixtures/sample-cache.ts';
import { addTelemetry, month as monthRows } from './fixtures/monthly/city.ts';
import { MONTH, SYSTEMS, buildDashboardCity } from './dashboard-city.ts';
import type { Store } from '../pipelines/store/database.ts';

let store: Store;
let dir: string;
let archiveDir: string;
let root: string;
let plainSite: string;
let shardSite: string;
let sharded: Awaited<ReturnType<typeof buildDashboard>>;
let plain: Awaited<ReturnType<typeof buildDashboard>>;

const BUILT = new Date('2026-11-05T02:00:00Z');
const visible = SYSTEMS.filter((s) => !s.classified);
const read = (site: string, rel: string) => fs.readFileSync(path.join(site, rel), 'utf8');
const article = (page: string) => /<article class="document system">[\s\S]*<\/article>/.exec(page)?.[0];
const textOf = (s: string) =>
  s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');
const idOf = (rel: string) => rel.replace(/^systems\/|\.html$/g, '');

/** The entries of a site's shards, decoded with zlib: id → { title, markup }. */
function shardEntries(site: string): Map<string, { title: string; markup: string }> {
  const out = new Map<string, { title: string; markup: string }>();
  const dirOf = path.join(site, 'data', 'systems');
  for (const f of fs.readdirSync(dirOf)) {
    const text = fs.readFileSync(path.join(dirOf, f), 'utf8');
    const m = /^window\.GOVMON\.systemPages\(("[A-Za-z0-9+/=]+")\);\n$/.exec(text);
    expect(m, f).not.toBeNull();
    const packed = Buffer.from(JSON.parse(m![1]) as string, 'base64');
    const entries = JSON.parse(zlib.gunzipSync(packed).toString('utf8')) as Record<string, { title: string; markup: string }>;
    for (const [id, e] of Object.entries(entries)) {
      expect(id.startsWith(f.replace(/\.js$/, '')), `${id} in ${f}`).toBe(true);
      expect(out.has(id), id).toBe(false);
      out.set(id, { title: e.title, markup: e.markup });
    }
  }
  return out;
}

beforeAll(async () => {
  const t = await cachedStore('dashboard-city', buildDashboardCity);
  store = t.store;
  dir = t.dir;
  archiveDir = t.archiveDir;
  root = tempDir('govmon-shards-');
  plainSite = path.join(root, 'plain');
  shardSite = path.join(root, 'sharded');
  plain = await buildDashboard(store, { month: MONTH, outDir: plainSite, now: NOW, clock: () => BUILT });
  sharded = await buildDashboard(store, { month: MONTH, outDir: shardSite, now: NOW, clock: () => BUILT, shardFrom: 1 });
}, 600_000);

afterAll(() => {
  store?.close();
  for (const d of [dir, root]) if (d) fs.rmSync(d, { recursive: true, force: true });
});

describe('a sharded site against the same site with a file per system', () => {
  it('keeps a full page for every listed system and puts every other one in a shard', () => {
    expect(plain.shardedPages).toBe(0);
    expect(fs.existsSync(path.join(plainSite, 'data', 'systems'))).toBe(false);
    expect(sharded.pages).toBe(plain.pages);
    expect(sharded.chartPages).toBe(plain.chartPages);
    expect(sharded.shardedPages).toBe(visible.length - plain.chartPages);
    expect(sharded.shardedPages).toBeGreaterThan(0);
    const entries = shardEntries(shardSite);
    expect(entries.size).toBe(sharded.shardedPages);
    for (const s of visible) {
      const rel = systemPage(s.system_id);
      const full = read(plainSite, rel);
      const listed = full.includes('<figure class="chart metric">');
      expect(entries.has(idOf(rel)), s.system_id).toBe(!listed);
      if (listed) expect(read(shardSite, rel), s.system_id).toBe(full);
    }
  });

  it('holds in each shard entry exactly the markup and title of the system’s own page', () => {
    const entries = shardEntries(shardSite);
    for (const s of visible) {
      const rel = systemPage(s.system_id);
      const e = entries.get(idOf(rel));
      if (!e) continue;
      const full = read(plainSite, rel);
      expect(e.markup, s.system_id).toBe(article(full));
      expect(e.title, s.system_id).toBe(textOf(/<title>([^<]*)<\/title>/.exec(full)![1]));
    }
  });

  it('serves every sharded address with one template file: one inode, counted once in the site’s size', () => {
    const entries = shardEntries(shardSite);
    const inodes = new Set([...entries.keys()].map((id) => fs.statSync(path.join(shardSite, 'systems', `${id}.html`)).ino));
    expect(inodes.size).toBe(1);
    const template = read(shardSite, `systems/${[...entries.keys()][0]}.html`);
    expect(template).toContain('id="system-shell"');
    expect(template).toContain('assets/system-page.js');
    // the size as the disk holds it: each inode once, summed independently of the build
    const seen = new Set<number>();
    let bytes = 0;
    const walk = (d: string) => {
      for (const e of fs.readdirSync(d, { withFileTypes: true })) {
        const p = path.join(d, e.name);
        if (e.isDirectory()) walk(p);
        else {
          const st = fs.statSync(p);
          if (!seen.has(st.ino)) bytes += st.size;
          seen.add(st.ino);
        }
      }
    };
    walk(shardSite);
    expect(sharded.bytes).toBe(bytes);
    expect(sharded.bytes).toBeLessThan(plain.bytes);
  });

  it('renders each system page from the data of that system alone exactly as from the whole city’s (what a worker thread gets)', async () => {
    const data = await loadSiteData(store, MONTH);
    const profile = loadProfile('default').profile;
    const meta = { month: MONTH, runId: data.run.runId, profileName: profile.name, profileSha256: 'x', builtAt: BUILT.toISOString() };
    const whole = buildContext(data, profile, null, meta, {});
    for (const s of data.systems) {
      const alone = buildContext(siteDataOf(data, new Set([s.system_id])), profile, null, meta, {});
      expect(alone.systems.size).toBe(1);
      expect(systemDetailPage(alone, alone.systems.get(s.system_id)!).body.value, s.system_id).toBe(systemDetailPage(whole, s).body.value);
    }
  });
});

describe('a sharded system page in Chromium, opened from disk', () => {
  let browser: BrowserContext | undefined;
  let userData: string | undefined;

  afterAll(async () => {
    await browser?.close();
    if (userData) fs.rmSync(userData, { recursive: true, force: true });
  });

  it('shows the system’s page (its name, tables and interactive chart) with nothing fetched from outside the site', async () => {
    userData = tempDir('govmon-chromium-');
    browser = await chromium.launchPersistentContext(userData, {
      executablePath: '/usr/bin/chromium',
      headless: true,
      locale: 'zh-CN',
      timezoneId: 'Asia/Shanghai',
      args: CHROMIUM_ARGS,
    });
    const page = await browser.newPage();
    const errors: string[] = [];
    const outside: string[] = [];
    const base = pathToFileURL(shardSite).href;
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => void (m.type() === 'error' && errors.push(m.text())));
    page.on('request', (r) => void (!r.url().startsWith(base) && outside.push(r.url())));
    const entries = shardEntries(shardSite);
    const s = visible.find((x) => entries.has(idOf(systemPage(x.system_id))))!;
    await page.goto(`${base}/${systemPage(s.system_id)}`);
    await page.locator('main[data-system-loaded="true"]').waitFor({ timeout: 60_000 });
    expect(await page.locator('main h1').textContent()).toBe(s.system_name);
    expect(await page.title()).toBe(entries.get(idOf(systemPage(s.system_id)))!.title);
    await page.locator('#chart-system[data-rendered="true"]').waitFor({ timeout: 60_000 });
    // the tables are set up as on any page: a sortable head sorts
    expect(await page.locator('main table.data').count()).toBeGreaterThan(0);
    expect(await page.locator('#system-shell').count()).toBe(0);
    // an address the site does not hold says so in Chinese instead of showing another system
    fs.linkSync(path.join(shardSite, systemPage(s.system_id)), path.join(shardSite, 'systems', `${'0'.repeat(16)}.html`));
    await page.goto(`${base}/systems/${'0'.repeat(16)}.html`);
    await page.locator('#system-shell[data-failed="true"]').waitFor({ timeout: 60_000 });
    expect(await page.locator('#system-shell').textContent()).toContain('本站点中没有该系统的页面');
    expect(outside).toEqual([]);
    expect(errors).toEqual([]);
  }, 300_000);
});

describe('a sharded site rebuilt after one system’s data changed', () => {
  it('rewrites that system’s shard and no system page', async () => {
    const target = visible.find((s) => s.system_id === 'YC-005')!;
    const rel = systemPage(target.system_id);
    expect(shardEntries(shardSite).has(idOf(rel))).toBe(true);
    await addTelemetry(store, { dir, archiveDir }, monthRows('YC-005', MONTH, { cpu_avg_pct: 43, cpu_max_pct: 79 }));
    await runMonth(store, { month: MONTH, profile: loadProfile('default'), now: NOW, trigger: 'test' });
    const before = fs.statSync(path.join(shardSite, rel)).ino;
    const r = await buildDashboard(store, { month: MONTH, outDir: shardSite, now: NOW, shardFrom: 1 });
    expect(r.writtenPages.filter((p) => p.startsWith('systems/'))).toEqual([]);
    expect(r.writtenPages.filter((p) => p.startsWith('data/systems/'))).toEqual([`data/systems/${idOf(rel).slice(0, 1)}.js`]);
    expect(fs.statSync(path.join(shardSite, rel)).ino).toBe(before);
  });
});
