// The dashboard as the portal serves it (docs/outputs.md §7.5): the same pages as the static site
// (dashboards/site), rendered per request from a context built of what the user's scope may see.
// A month's site data is read from the store once per change of the database (a new run or a new
// file) and kept in memory; rendered pages and XLSX downloads are kept per scope in a bounded
// cache, so page views do not touch the disk or the database.

import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LRUCache } from 'lru-cache';
import { loadProfile, type LoadedProfile } from '../../pipelines/read.ts';
import { loadSiteData, type SiteData, type SystemInfo } from '../../dashboards/site/data.ts';
import { buildContext, type SiteContext } from '../../dashboards/site/context.ts';
import { renderPage, type PortalChrome, type SiteMeta } from '../../dashboards/site/layout.ts';
import { departmentPage, systemPage } from '../../dashboards/site/paths.ts';
import { departmentDetailPage, fixedPages, systemDetailPage } from '../../dashboards/site/site-pages.ts';
import { ASSETS_DIR, metricsScript } from '../../dashboards/site/build.ts';
import { VENDOR, packageDir } from '../../dashboards/site/vendor.ts';
import { prepareXlsxExport, writeXlsxExport } from '../../dashboards/exports/write.ts';
import { raw } from '../../dashboards/site/html.ts';
import type { PortalDb } from './db.ts';
import { downloadsOf, pagesOf, restrictSiteData, scopeKey, type Scope } from './scope.ts';

/** Where each response puts its user's header (who is logged in, the logout form with its token). */
export const HEADER_SLOT = '<!--govmon:portal-header-->';

/** One month as the database holds it now. */
export interface MonthState {
  month: string;
  data: SiteData;
  profile: LoadedProfile;
  note: string | null;
  /** the database's state it was read at (see `generation`) */
  gen: string;
  views: Map<string, ScopedView>;
}

/** A month as one scope sees it. */
export interface ScopedView {
  scope: Scope;
  key: string;
  ctx: SiteContext;
  /** systems/<hash>.html → the system */
  systemPages: Map<string, SystemInfo>;
  /** departments/<hash>.html → the department */
  departmentPages: Map<string, string>;
  /** downloads/<file> → export kind */
  downloadFiles: Map<string, string>;
}

/** The static files every page asks for: the site's assets and the vendor scripts, read once. */
export function loadStatic(): Map<string, { body: Buffer; type: string }> {
  const files = new Map<string, { body: Buffer; type: string }>();
  const typeOf = (f: string) =>
    f.endsWith('.css') ? 'text/css; charset=utf-8' : f.endsWith('.js') ? 'text/javascript; charset=utf-8' : 'text/plain; charset=utf-8';
  for (const f of fs.readdirSync(ASSETS_DIR))
    files.set(`assets/${f}`, { body: fs.readFileSync(path.join(ASSETS_DIR, f)), type: typeOf(f) });
  for (const v of VENDOR) {
    const js = fs.readFileSync(path.join(packageDir(v.pkg), v.file), 'utf8').replace(/\n?\/\/# sourceMappingURL=\S+\s*$/, '\n');
    files.set(`vendor/${v.as}`, { body: Buffer.from(js), type: typeOf(v.as) });
  }
  return files;
}

export interface SiteViewsOptions {
  /** the profile shown; default: each month's own */
  profile?: LoadedProfile;
  /** how often, at most, to ask the database whether it changed (ms) */
  recheckMs?: number;
  /** bytes of rendered pages and downloads kept */
  cacheBytes?: number;
}

export class SiteViews {
  private states = new Map<string, Promise<MonthState | null>>();
  private gen = '';
  private checkedAt = 0;
  private checking: Promise<void> | null = null;
  private latestMonth: string | null = null;
  private readonly cache: LRUCache<string, string | Buffer>;

  constructor(
    private readonly db: PortalDb,
    private readonly opts: SiteViewsOptions = {},
  ) {
    this.cache = new LRUCache({ maxSize: opts.cacheBytes ?? 256 << 20, sizeCalculation: (v) => Math.max(1, v.length) });
  }

  /** Ask (at most every `recheckMs`) whether a run or a file was added since; forget what changed. */
  async refresh(force = false): Promise<void> {
    if (!force && Date.now() - this.checkedAt < (this.opts.recheckMs ?? 5000)) return;
    this.checking ??= (async () => {
      try {
        const r = await this.db.use((s) =>
          s.one<{ runs: number | null; files: number | null; latest: string | null }>(
            `SELECT (SELECT max(run_id) FROM runs) AS runs, (SELECT max(file_id) FROM files) AS files,
               (SELECT max(month) FROM month_runs) AS latest`,
          ),
        );
        const gen = `${r?.runs ?? 0}:${r?.files ?? 0}`;
        if (gen !== this.gen) {
          this.gen = gen;
          this.states.clear();
          this.cache.clear();
        }
        this.latestMonth = r?.latest ?? null;
        this.checkedAt = Date.now();
      } finally {
        this.checking = null;
      }
    })();
    await this.checking;
  }

  /** The latest month that has a monthly run, or null. */
  async latest(): Promise<string | null> {
    await this.refresh();
    return this.latestMonth;
  }

  /** The month's state, or null when it has no run. */
  async month(month: string): Promise<MonthState | null> {
    await this.refresh();
    let p = this.states.get(month);
    if (!p) {
      const gen = this.gen;
      p = this.load(month, gen).catch((e) => {
        this.states.delete(month);
        throw e;
      });
      this.states.set(month, p);
    }
    return p;
  }

  private async load(month: string, gen: string): Promise<MonthState | null> {
    const exists = await this.db.use((s) => s.value<number | null>('SELECT run_id FROM month_runs WHERE month = $1', [month]));
    if (!exists) return null;
    const data = await this.db.use((s) => loadSiteData(s, month));
    let profile = this.opts.profile;
    if (!profile) {
      try {
        profile = loadProfile(data.run.profile ?? 'default');
      } catch {
        profile = loadProfile('default');
      }
    }
    const note =
      data.run.profileSha256 && profile.sha256 !== data.run.profileSha256
        ? `注意：${month} 月度运行所用的政策配置与门户展示的配置“${profile.profile.name}”不同；清单以运行结果为准，图中阈值按展示的配置绘制。`
        : null;
    return { month, data, profile, note, gen, views: new Map() };
  }

  /** The month as a scope sees it (built once per state and scope). */
  view(state: MonthState, scope: Scope): ScopedView {
    const key = scopeKey(scope);
    const known = state.views.get(key);
    if (known) return known;
    const data = restrictSiteData(state.data, scope);
    const meta: SiteMeta = {
      month: state.month,
      runId: data.run.runId,
      profileName: state.profile.profile.name,
      profileSha256: state.profile.sha256,
      builtAt: data.run.startedAt,
    };
    // the XLSX downloads the scope may take; none while the run names a system classified since
    const downloads: Record<string, string> = {};
    if (data.classifiedSinceRun === 0)
      for (const kind of downloadsOf(scope)) {
        const annual = kind === 'scores' || kind === 'budget';
        if (annual && !data.year) continue;
        downloads[kind] = `downloads/${kind}-${annual ? data.year!.year : data.month}.xlsx`;
      }
    const ctx = buildContext(data, state.profile.profile, state.note, meta, downloads);
    const v: ScopedView = {
      scope,
      key,
      ctx,
      systemPages: new Map(data.systems.map((s) => [systemPage(s.system_id), s])),
      departmentPages: new Map(ctx.departments.map((d) => [departmentPage(d), d])),
      downloadFiles: new Map(Object.entries(downloads).map(([kind, rel]) => [rel, kind])),
    };
    state.views.set(key, v);
    return v;
  }

  /** A page of the site for a scope, with HEADER_SLOT where the user's header goes. */
  page(state: MonthState, v: ScopedView, rel: string): string | null {
    const ck = `${state.gen}|${state.month}|${v.key}|${rel}`;
    const hit = this.cache.get(ck);
    if (typeof hit === 'string') return hit;
    const chrome: PortalChrome = { nav: pagesOf(v.scope), csp: PORTAL_CSP, header: raw(HEADER_SLOT) };
    const meta = { ...v.ctx.meta, portal: chrome };
    let out: string | null = null;
    if (v.systemPages.has(rel)) out = renderPage(meta, systemDetailPage(v.ctx, v.systemPages.get(rel)!));
    else if (v.departmentPages.has(rel)) out = renderPage(meta, departmentDetailPage(v.ctx, v.departmentPages.get(rel)!));
    else
      for (const key of pagesOf(v.scope)) {
        // a paged page (the calendar) answers to each of its files
        const spec = fixedPages(key, v.ctx).find((p) => p.file === rel);
        if (spec) {
          out = renderPage(meta, spec);
          break;
        }
      }
    if (out !== null) this.cache.set(ck, out);
    return out;
  }

  /** data/metrics.js of a scope. */
  metricsJs(state: MonthState, v: ScopedView): string {
    const ck = `${state.gen}|${state.month}|${v.key}|data/metrics.js`;
    const hit = this.cache.get(ck);
    if (typeof hit === 'string') return hit;
    const out = metricsScript(v.ctx.data);
    this.cache.set(ck, out);
    return out;
  }

  /** An XLSX download of a scope: the export's rows about what the scope may see. */
  async download(state: MonthState, v: ScopedView, rel: string): Promise<Buffer | null> {
    const kind = v.downloadFiles.get(rel);
    if (!kind) return null;
    const ck = `${state.gen}|${state.month}|${v.key}|${rel}`;
    const hit = this.cache.get(ck);
    if (Buffer.isBuffer(hit)) return hit;
    const annual = kind === 'scores' || kind === 'budget';
    const period = annual ? { year: v.ctx.data.year!.year } : { month: state.month };
    const data = await this.db.use((s) => prepareXlsxExport(s, kind, period));
    if (v.scope.kind !== 'all') {
      const keep = new Set(v.ctx.data.systems.map((s) => s.system_id));
      // finance sees every system's score and budget; a department its own systems' rows only
      // a sign-ready list (docs/outputs.md §7.4) keeps its rows in its sheets: every sheet is cut the same way, and a
      // row that names no system is dropped, so a sheet added later is never handed whole to a department
      if (v.scope.kind === 'department') {
        const own = (r: Record<string, unknown>) => typeof r.system_id === 'string' && keep.has(r.system_id);
        data.rows = data.rows.filter(own);
        if (data.sheets) data.sheets = data.sheets.map((sh) => ({ ...sh, rows: sh.rows.filter(own) }));
      }
    }
    const tmp = path.join(os.tmpdir(), `govmon-portal-${process.pid}-${crypto.randomBytes(6).toString('hex')}.xlsx`);
    try {
      await writeXlsxExport(data, tmp);
      const body = fs.readFileSync(tmp);
      this.cache.set(ck, body);
      return body;
    } finally {
      fs.rmSync(tmp, { force: true });
    }
  }
}

/** The site's policy (dashboards/site/layout.ts), but forms may post to the portal, and no page may be framed. */
export const PORTAL_CSP_DIRECTIVES: Record<string, string[]> = {
  'default-src': ["'self'"],
  'script-src': ["'self'"],
  'style-src': ["'self'", "'unsafe-inline'"],
  'img-src': ["'self'", 'data:', 'blob:'],
  'font-src': ["'self'"],
  'connect-src': ["'none'"],
  'object-src': ["'none'"],
  'base-uri': ["'none'"],
  'form-action': ["'self'"],
  'frame-src': ["'none'"],
  'frame-ancestors': ["'none'"],
};

/** The same policy in the pages' own <meta> (a browser ignores frame-ancestors there, and says so: the header carries it). */
export const PORTAL_CSP = Object.entries(PORTAL_CSP_DIRECTIVES)
  .filter(([k]) => k !== 'frame-ancestors')
  .map(([k, v]) => `${k} ${v.join(' ')}`)
  .join('; ');
