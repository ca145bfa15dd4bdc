// The portal (docs/outputs.md §7.5) on the sample city, served on loopback and driven over HTTP and
// in a real headless Chromium, with one bureau, two department and one finance account:
// - a department sees its own systems only, and every route of the route table that takes an id
//   answers 403 or 404 for another department's (the test walks the routes the server registered,
//   so a route added without a declared parameter kind fails here);
// - finance sees the scores and the budget only;
// - a form posted without its CSRF token gets 403; the sixth wrong password within a minute locks
//   the account; security headers are on every response (CSP without inline script); the session
//   cookie is HttpOnly and SameSite=Strict;
// - a filled template uploaded in the browser shows its rejects on the page and its valid rows in
//   the next evaluation; a reply with an evidence file reaches the bureau;
// - the bureau records a decision from its page into the register (the same recordDecision as
//   `govmon decide`): it is in `govmon export decisions`, the department sees it on its pages and the
//   other department does not; departments, finance and a post without CSRF token are refused;
//   the register's refusals show on the page in Chinese;
// - each of these leaves its audit row.

import fs from 'node:fs';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addAccount } from '../apps/portal/accounts.ts';
import { buildPortal, listen, type Listening } from '../apps/portal/server.ts';
import type { Portal } from '../apps/portal/context.ts';
import { ID_KINDS, ROUTES, paramsOf, urlOf, type RouteDef } from '../apps/portal/routes.ts';
import { writeExport } from '../dashboards/exports/write.ts';
import { departmentPage, systemPage } from '../dashboards/site/paths.ts';
import { notOwnReason } from '../pipelines/ingest/validate.ts';
import { loadProfile } from '../pipelines/profiles.ts';
import { evaluateYear } from '../pipelines/run/year.ts';
import type { Store } from '../pipelines/store/database.ts';
import { CHROMIUM_ARGS, NOW, tempDir } from './helpers.ts';
import { runSampleCity } from './fixtures/sample-cache.ts';

const CHROMIUM = '/usr/bin/chromium';
const MONTH = '2026-10';
const PASSWORD = 'correct-horse-battery';

let store: Store;
let work: string;
let portal: Portal;
let server: Listening;
let base: string;
let browser: BrowserContext;
let userData: string;
let evalYear: number;
/** department A (the one whose user acts) and B (whose ids A must not reach), with a notice each */
let A: { name: string; systems: string[]; notice: { system_id: string; issued: string } };
let B: { name: string; systems: string[]; notice: { system_id: string; issued: string } };

/** A tiny HTTP client with a cookie jar: fetch, no redirects followed. */
class Client {
  cookies = new Map<string, string>();
  setCookies: string[] = [];
  async req(method: string, url: string, body?: BodyInit, headers: Record<string, string> = {}): Promise<Response> {
    const r = await fetch(base + url.replace(/^\//, ''), {
      method,
      body,
      redirect: 'manual',
      headers: { ...headers, cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ') },
    });
    for (const c of r.headers.getSetCookie()) {
      this.setCookies.push(c);
      const [kv] = c.split(';');
      const i = kv.indexOf('=');
      this.cookies.set(kv.slice(0, i), kv.slice(i + 1));
    }
    // The body read at once, as a browser would: a response left unread (a test that looks at the
    // status only) keeps its connection busy, and the server's close at the end waited for it — up
    // to a minute, depending on when the garbage collector dropped the unread body.
    const bytes = r.status === 204 || r.status === 304 ? null : await r.arrayBuffer();
    return new Response(bytes, { status: r.status, statusText: r.statusText, headers: r.headers });
  }
  get(url: string) {
    return this.req('GET', url);
  }
  /** The CSRF token of a page's form. */
  async token(url = '/login'): Promise<string> {
    const html = await (await this.get(url)).text();
    const m = /name="_csrf" value="([^"]+)"/.exec(html);
    if (!m) throw new Error(`no CSRF token on ${url}`);
    return m[1];
  }
  async post(url: string, fields: Record<string, string>, token?: string): Promise<Response> {
    const f = new URLSearchParams(fields);
    if (token) f.set('_csrf', token);
    return this.req('POST', url, f.toString(), { 'content-type': 'application/x-www-form-urlencoded' });
  }
  async login(login: string, password = PASSWORD): Promise<Response> {
    return this.post('/login', { login, password }, await this.token('/login'));
  }
}

async function loggedIn(login: string): Promise<Client> {
  const c = new Client();
  const r = await c.login(login);
  expect(r.status, `login ${login}`).toBe(302);
  return c;
}

async function auditCount(action: string, outcome: string, login?: string): Promise<number> {
  return portal.db.use((s) =>
    s.value<number>('SELECT count(*) FROM portal_audit WHERE action = $1 AND outcome = $2 AND ($3::VARCHAR IS NULL OR login = $3)', [
      action,
      outcome,
      login ?? null,
    ]),
  );
}

beforeAll(async () => {
  if (!fs.existsSync(CHROMIUM))
    throw new Error(`找不到 ${CHROMIUM}：请安装 Debian 的 chromium（apt-get install -y chromium fonts-noto-cjk）`);
  // The sample city generated, ingested, MONTH run and its evaluation year evaluated (default
  // profile, at NOW) once per test run; this file's own copy of the database (tests/fixtures/sample-cache.ts).
  const t = await runSampleCity({ endMonth: MONTH }, [MONTH], 'portal.duckdb');
  store = t.store;
  work = t.dir;
  evalYear = t.sample.planted.evalYear;
  // two departments with a notice on the rectification list this month
  const notices = await store.all<{ department: string; system_id: string; issued: string }>(
    `SELECT n.department, n.system_id, strftime(n.issued_month, '%Y-%m') AS issued FROM res_notices n
     JOIN month_runs m ON m.run_id = n.run_id AND m.month = $1
     WHERE n.month = ($1 || '-01')::DATE AND n.status IN ('issued', 'open') ORDER BY n.department, n.system_id`,
    [MONTH],
  );
  const depts = [...new Set(notices.map((n) => n.department))];
  expect(depts.length).toBeGreaterThanOrEqual(2);
  const systemsOf = async (d: string) =>
    (
      await store.all<{ system_id: string }>(
        'SELECT system_id FROM systems_current WHERE department = $1 AND NOT coalesce(classified, false) ORDER BY system_id',
        [d],
      )
    ).map((x) => x.system_id);
  const pick = async (d: string) => {
    const n = notices.find((x) => x.department === d)!;
    return { name: d, systems: await systemsOf(d), notice: { system_id: n.system_id, issued: n.issued } };
  };
  A = await pick(depts[0]);
  B = await pick(depts[1]);
  for (const [login, role, department] of [
    ['ju', 'bureau', undefined],
    ['da', 'department', A.name],
    ['db', 'department', B.name],
    ['fi', 'finance', undefined],
    ['lk', 'department', B.name],
  ] as const)
    await addAccount(store, { login, role, department, password: PASSWORD, now: new Date() });
  portal = await buildPortal({ store, lockMinutes: 15, recheckMs: 0 });
  server = await listen(portal, 0, '127.0.0.1');
  base = server.url;
  userData = tempDir('govmon-portal-chromium-');
  browser = await chromium.launchPersistentContext(userData, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1400, height: 1000 },
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
    acceptDownloads: true,
    args: CHROMIUM_ARGS,
  });
}, 600_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  store?.close();
  for (const d of [work, userData]) if (d) fs.rmSync(d, { recursive: true, force: true });
});

/** Log in through the login form of a fresh page. */
async function browserLogin(login: string): Promise<Page> {
  await browser.clearCookies();
  const page = await browser.newPage();
  await page.goto(`${base}login`);
  await page.fill('#login', login);
  await page.fill('#password', PASSWORD);
  await Promise.all([page.waitForURL((u) => !u.pathname.startsWith('/login')), page.click('button[type=submit]')]);
  return page;
}

describe('security of every response', () => {
  it('sends the security headers on pages, files, redirects, errors and refusals (CSP without inline script)', async () => {
    const bureau = await loggedIn('ju');
    const anon = new Client();
    const responses = [
      await anon.get('/login'),
      await anon.get('/'),
      await anon.get('/no/such/page'),
      await anon.get('/assets/site.css'),
      await anon.post('/login', { login: 'ju', password: 'x' }),
      await bureau.get(`/site/${MONTH}/index.html`),
      await bureau.get(`/site/${MONTH}/vendor/vega.min.js`),
      await bureau.get(`/site/${MONTH}/downloads/rectification-${MONTH}.xlsx`),
      await bureau.get('/bureau/audit'),
    ];
    expect(responses.map((r) => r.status)).toEqual([200, 302, 404, 200, 403, 200, 200, 200, 200]);
    for (const r of responses) {
      const csp = r.headers.get('content-security-policy') ?? '';
      const script = /script-src ([^;]*)/.exec(csp)?.[1] ?? '';
      expect(script, r.url).toBe("'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toContain("object-src 'none'");
      expect(r.headers.get('x-content-type-options'), r.url).toBe('nosniff');
      expect(r.headers.get('x-frame-options'), r.url).toBe('DENY');
      expect(r.headers.get('referrer-policy'), r.url).toBe('no-referrer');
    }
  });

  it('keeps the session in an HttpOnly, SameSite=Strict cookie, renewed at login', async () => {
    const c = new Client();
    await c.token('/login');
    const before = c.cookies.get('govmon_sid');
    await c.login('ju');
    expect(c.cookies.get('govmon_sid')).not.toBe(before);
    expect(c.setCookies.length).toBeGreaterThan(0);
    for (const sc of c.setCookies) {
      expect(sc).toMatch(/;\s*HttpOnly/i);
      expect(sc).toMatch(/;\s*SameSite=Strict/i);
    }
  });

  it('refuses with 403 a form posted without its CSRF token, or with a wrong one', async () => {
    const d = await loggedIn('da');
    const sys = encodeURIComponent(A.systems[0]);
    const before = await portal.db.use((s) => s.value<number>('SELECT count(*) FROM portal_exemption_requests'));
    expect((await d.post(`/portal/systems/${sys}/exemption`, { reason: '测试', until: '2099-01-01' })).status).toBe(403);
    expect((await d.post(`/portal/systems/${sys}/exemption`, { reason: '测试', until: '2099-01-01' }, 'forged-token')).status).toBe(403);
    expect((await d.post('/logout', {})).status).toBe(403);
    expect((await new Client().post('/login', { login: 'da', password: PASSWORD })).status).toBe(403);
    expect(await portal.db.use((s) => s.value<number>('SELECT count(*) FROM portal_exemption_requests'))).toBe(before);
    // the same form with its token goes through, and leaves its audit row
    const ok = await d.post(
      `/portal/systems/${sys}/exemption`,
      { reason: '季节性使用', until: '2099-01-01' },
      await d.token('/portal/notices'),
    );
    expect(ok.status).toBe(302);
    expect(await auditCount('exemption_request', 'ok', 'da')).toBe(1);
  });

  it('locks an account at the sixth wrong password within a minute, even against the right one afterwards', async () => {
    const c = new Client();
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await c.login('lk', `wrong-password-${i}`)).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 423]);
    const locked = await c.login('lk', PASSWORD);
    expect(locked.status).toBe(423);
    expect(await locked.text()).toContain('账户已锁定');
    const until = await portal.db.use((s) => s.value<string>("SELECT locked_until FROM portal_users WHERE login = 'lk'"));
    expect(Date.parse(until) - Date.now()).toBeGreaterThan(14 * 60_000);
    expect(await auditCount('login', 'failed', 'lk')).toBe(6);
    expect(await auditCount('lock', 'ok', 'lk')).toBe(1);
    expect(await auditCount('login', 'denied', 'lk')).toBe(1);
  });
});

describe('what each role sees', () => {
  it('shows a department its own systems only, and none of another department’s', async () => {
    const d = await loggedIn('da');
    const home = await d.get('/');
    expect(home.headers.get('location')).toBe(`/site/${MONTH}/${departmentPage(A.name)}`);
    const list = await (await d.get(`/site/${MONTH}/systems.html`)).text();
    const rows = [...list.matchAll(/<tr[^>]* data-f-department="([^"]*)"/g)].map((m) => m[1]);
    expect(rows.length).toBe(A.systems.length);
    expect(new Set(rows)).toEqual(new Set([A.name]));
    for (const page of [
      'rectification.html',
      'elimination.html',
      'sharing.html',
      'annual.html',
      'calendar.html',
      'departments.html',
      'systems.html',
    ]) {
      const res = await d.get(`/site/${MONTH}/${page}`);
      expect(res.status, page).toBe(200);
      const html = await res.text();
      for (const id of B.systems) expect(html, `${page} names ${id}`).not.toContain(`>${id}<`);
      expect(html).not.toContain(departmentPage(B.name));
    }
    // the overview is the city's: a department is sent to its own page
    expect((await d.get(`/site/${MONTH}/index.html`)).headers.get('location')).toBe(`/site/${MONTH}/${departmentPage(A.name)}`);
  });

  it('answers 403 or 404 on every route that takes an id when the id is another department’s', async () => {
    // B leaves a reply and an upload of its own first, so that there are ids of B to try
    const b = await loggedIn('db');
    const form = new FormData();
    form.set('_csrf', await b.token(urlOf(ROUTES.notice.url, { system: B.notice.system_id, issued: B.notice.issued })));
    form.set('explanation', 'B 的整改说明');
    form.set('evidence', new Blob(['B 的佐证']), 'b.txt');
    expect((await b.req('POST', urlOf(ROUTES.reply.url, { system: B.notice.system_id, issued: B.notice.issued }), form)).status).toBe(302);
    const up = new FormData();
    up.set('_csrf', await b.token('/portal/uploads'));
    up.set('file', new Blob([`系统编号,资源编号,资源名称\n${B.systems[0]},R-B-1,资源\n`]), 'catalog.csv');
    expect((await b.req('POST', '/portal/uploads', up)).status).toBe(302);
    const bReply = await portal.db.use((s) => s.value<number>('SELECT max(reply_id) FROM portal_replies WHERE department = $1', [B.name]));
    const bUpload = await portal.db.use((s) => s.value<number>('SELECT max(file_id) FROM portal_uploads WHERE department = $1', [B.name]));
    const foreign: Record<string, string> = {
      systemPage: path.basename(systemPage(B.notice.system_id)),
      departmentPage: path.basename(departmentPage(B.name)),
      system: B.notice.system_id,
      reply: String(bReply),
      upload: String(bUpload),
      // not ids of a department: valid values, so that only the id decides
      month: MONTH,
      issuedMonth: B.notice.issued,
      seq: '1',
      sitePage: 'index.html',
      download: `rectification-${MONTH}.xlsx`,
      dataFile: 'metrics.js',
      static: 'site.css',
    };
    const d = await loggedIn('da');
    const declared = Object.values(ROUTES) as RouteDef[];
    const withIds: string[] = [];
    for (const r of portal.registered) {
      const def = declared.find((x) => x.method === r.method && x.url === r.url);
      expect(def, `${r.method} ${r.url} is registered but not in the route table`).toBeDefined();
      for (const p of paramsOf(r.url)) expect(def!.params[p], `${r.url} :${p} has no kind`).toBeDefined();
      const idParams = paramsOf(r.url).filter((p) => ID_KINDS.includes(def!.params[p]));
      if (!idParams.length) continue;
      withIds.push(`${r.method} ${r.url}`);
      const url = urlOf(r.url, Object.fromEntries(paramsOf(r.url).map((p) => [p, foreign[def!.params[p]]])));
      let res: Response;
      if (r.method === 'GET') res = await d.get(url);
      else {
        const f = new FormData();
        f.set('_csrf', await d.token('/portal/notices'));
        f.set('explanation', '越权');
        f.set('reason', '越权');
        f.set('until', '2099-01-01');
        res =
          def!.body === 'multipart'
            ? await d.req('POST', url, f)
            : await d.post(url, { reason: '越权', until: '2099-01-01' }, await d.token('/portal/notices'));
      }
      expect([403, 404], `${r.method} ${url} as ${A.name}`).toContain(res.status);
      expect(await res.text()).not.toContain('B 的整改说明');
    }
    // the walk covered the routes the issue names: system page, notice, reply, evidence, upload report
    expect(withIds).toEqual(
      expect.arrayContaining([
        'GET /site/:month/systems/:page',
        'GET /portal/notices/:system/:issued',
        'POST /portal/notices/:system/:issued/reply',
        'GET /portal/replies/:reply/evidence/:seq',
        'GET /portal/uploads/:file',
        'GET /bureau/decisions/:system',
        'POST /bureau/decisions/:system',
      ]),
    );
    // nothing of A's was written by those attempts, and each left a refusal in the audit log
    expect(await portal.db.use((s) => s.value<number>("SELECT count(*) FROM portal_replies WHERE explanation = '越权'"))).toBe(0);
    expect(await auditCount('access', 'denied', 'da')).toBeGreaterThanOrEqual(withIds.length);
    // and the same routes with A's own ids do answer (the check is of the id, not of the route)
    const own = await d.get(`/site/${MONTH}/${systemPage(A.notice.system_id)}`);
    expect(own.status).toBe(200);
    expect((await d.get(urlOf(ROUTES.notice.url, { system: A.notice.system_id, issued: A.notice.issued }))).status).toBe(200);
    // the download is cut to the department's rows
    const xlsx = await d.get(`/site/${MONTH}/downloads/rectification-${MONTH}.xlsx`);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await xlsx.arrayBuffer()) as ArrayBuffer);
    const text = JSON.stringify(wb.worksheets.map((ws) => ws.getSheetValues()));
    for (const id of B.systems) expect(text).not.toContain(`"${id}"`);
    expect(text).toContain(A.notice.system_id);
  });

  it('shows finance the scores and the budget only', async () => {
    const f = await loggedIn('fi');
    expect((await f.get('/')).headers.get('location')).toBe(`/site/${MONTH}/annual.html`);
    const annual = await (await f.get(`/site/${MONTH}/annual.html`)).text();
    expect(annual).toContain('绩效');
    const scored = await store.value<number>(
      'SELECT count(*) FROM res_scores WHERE run_id = (SELECT run_id FROM year_runs WHERE year = $1)',
      [evalYear],
    );
    expect(scored).toBeGreaterThan(0);
    for (const url of [
      `/site/${MONTH}/systems.html`,
      `/site/${MONTH}/rectification.html`,
      `/site/${MONTH}/elimination.html`,
      `/site/${MONTH}/calendar.html`,
      `/site/${MONTH}/${systemPage(A.notice.system_id)}`,
      `/site/${MONTH}/${departmentPage(A.name)}`,
      '/portal/notices',
      '/portal/uploads',
      '/bureau/inbox',
    ])
      expect([403, 404], url).toContain((await f.get(url)).status);
    expect((await f.get(`/site/${MONTH}/downloads/scores-${evalYear}.xlsx`)).status).toBe(200);
    expect((await f.get(`/site/${MONTH}/downloads/budget-${evalYear}.xlsx`)).status).toBe(200);
    expect((await f.get(`/site/${MONTH}/downloads/rectification-${MONTH}.xlsx`)).status).toBe(404);
  });
});

describe('the bureau’s decisions, from the page into the register and to the department', () => {
  /** A's system with a notice this month: the bureau refuses its reply (a decision the register defines, §5.7). */
  const decisionUrl = () => urlOf(ROUTES.decide.url, { system: A.notice.system_id });
  const registerCount = () => portal.db.use((s) => s.value<number>('SELECT count(*) FROM raw_decisions'));
  // a text a browser must show as text, not run
  const REASON = '整改说明未附关停截图，请补充。<b>不予认可</b>';

  it('records a decision posted from the bureau’s page with the same register, export and audit as govmon decide', async () => {
    const before = await registerCount();
    const page = await browserLogin('ju');
    // from the notice of A's system, the bureau opens the decision form of that system
    await page.goto(`${base}${urlOf(ROUTES.notice.url, { system: A.notice.system_id, issued: A.notice.issued }).slice(1)}`);
    await Promise.all([page.waitForURL(/\/bureau\/decisions\//), page.click('a:has-text("对该系统登记处置决定")')]);
    await page.selectOption('#decision', 'reject_reply');
    await page.fill('#effective_date', '2026-11-05');
    await page.fill('#document_no', '临数局〔2026〕31号');
    await page.fill('#reason', REASON);
    await page.click('form.portal button[type=submit]');
    await page.locator('main .message.ok').waitFor();
    const text = (await page.locator('main').textContent()) ?? '';
    expect(text).toContain('已登记处置决定');
    expect(text).toContain(REASON); // shown as text: the tag is not markup
    expect(await page.locator('main b').count()).toBe(0);
    await page.close();

    // (a) one row in the register, with the values posted and the logged-in account as 决定人
    expect(await registerCount()).toBe(before + 1);
    const row = await portal.db.use((s) =>
      s.one<Record<string, unknown>>(
        `SELECT d.decision_id, d.system_id, d.decision, strftime(d.effective_date, '%Y-%m-%d') AS effective_date, d.document_no, d.decided_by,
           d.reason, d.until, d.revokes, f.file_name, f.kind
         FROM raw_decisions d JOIN files f USING (file_id) WHERE d.decided_by = 'ju'`,
      ),
    );
    expect(row).toMatchObject({
      system_id: A.notice.system_id,
      decision: 'reject_reply',
      effective_date: '2026-11-05',
      document_no: '临数局〔2026〕31号',
      decided_by: 'ju',
      reason: REASON,
      until: null,
      revokes: null,
      kind: 'decisions',
    });
    // through the one ingest path, as a one-row decisions file named after the portal account
    expect(row!.file_name).toBe(`门户-ju-${A.notice.system_id}.csv`);
    const id = row!.decision_id as string;
    expect(text).toContain(id);

    // (b) `govmon export decisions` holds it
    const csv = path.join(work, 'decisions.csv');
    await portal.db.use((s) => writeExport(s, 'decisions', {}, csv));
    const line = fs
      .readFileSync(csv, 'utf8')
      .split('\n')
      .find((l) => l.startsWith(`${id},`));
    expect(line).toBeDefined();
    expect(line).toContain(`${id},${A.notice.system_id},reject_reply,2026-11-05,,临数局〔2026〕31号,ju,`);
    expect(line).toContain('整改说明不予认可');

    // (d) its audit row: who, what, from where
    const audit = await portal.db.use((s) =>
      s.all<{ login: string; role: string; target: string; detail: string; address: string }>(
        `SELECT login, role, target, detail, address FROM portal_audit WHERE action = 'decision' AND outcome = 'ok'`,
      ),
    );
    expect(audit).toEqual([
      {
        login: 'ju',
        role: 'bureau',
        target: A.notice.system_id,
        detail: `决定编号 ${id}：整改说明不予认可，生效日期 2026-11-05，文号 临数局〔2026〕31号`,
        address: '127.0.0.1',
      },
    ]);

    // posting the same form again records nothing new and says so
    const b = await loggedIn('ju');
    const again = await b.post(
      decisionUrl(),
      { decision: 'reject_reply', effective_date: '2026-11-05', document_no: '临数局〔2026〕31号', reason: REASON },
      await b.token(urlOf(ROUTES.decisionForm.url, { system: A.notice.system_id })),
    );
    expect(again.status).toBe(200);
    expect(await again.text()).toContain('该决定此前已登记');
    expect(await registerCount()).toBe(before + 1);
  });

  it('shows the department the decision on its own systems, and never to another department', async () => {
    const id = await portal.db.use((s) => s.value<string>("SELECT decision_id FROM raw_decisions WHERE decided_by = 'ju'"));
    const escaped = '整改说明未附关停截图，请补充。&lt;b&gt;不予认可&lt;/b&gt;';
    // (c) department A: on its notices page, on the notice and on the system page
    const a = await loggedIn('da');
    for (const url of [
      '/portal/notices',
      urlOf(ROUTES.notice.url, { system: A.notice.system_id, issued: A.notice.issued }),
      `/site/${MONTH}/${systemPage(A.notice.system_id)}`,
    ]) {
      const r = await a.get(url);
      expect(r.status, url).toBe(200);
      const html = await r.text();
      expect(html, url).toContain(id);
      expect(html, url).toContain(escaped);
      expect(html, url).not.toContain('<b>不予认可</b>');
    }
    // department B: not on its pages, and the route and A's system page answer 403 / 404
    const b = await loggedIn('db');
    const notices = await (await b.get('/portal/notices')).text();
    expect(notices).toContain('数据局的处置决定');
    expect(notices).not.toContain(id);
    expect(notices).not.toContain('不予认可</b>');
    expect((await b.get(urlOf(ROUTES.decisionForm.url, { system: A.notice.system_id }))).status).toBe(403);
    expect((await b.get(`/site/${MONTH}/${systemPage(A.notice.system_id)}`)).status).toBe(404);
    expect((await b.get(urlOf(ROUTES.notice.url, { system: A.notice.system_id, issued: A.notice.issued }))).status).toBe(404);
  });

  it('refuses the route to a department and to finance, and a post without its CSRF token, recording nothing', async () => {
    const before = await registerCount();
    const fields = { decision: 'rectified', effective_date: '2026-11-06', document_no: '', reason: '越权' };
    // (e) roles: a department (on its own system too) and finance get 403
    for (const login of ['da', 'fi']) {
      const c = await loggedIn(login);
      const token = await c.token(login === 'da' ? '/portal/notices' : `/site/${MONTH}/annual.html`);
      const r = await c.post(decisionUrl(), fields, token);
      expect(r.status, login).toBe(403);
      expect(await r.text()).toContain('无权使用此页面');
    }
    // (f) the bureau without the token, or with a forged one: 403
    const ju = await loggedIn('ju');
    expect((await ju.post(decisionUrl(), fields)).status).toBe(403);
    expect((await ju.post(decisionUrl(), fields, 'forged-token')).status).toBe(403);
    expect(await registerCount()).toBe(before);
    expect(await auditCount('access', 'denied', 'da')).toBeGreaterThan(0);
    expect(await auditCount('access', 'denied', 'fi')).toBeGreaterThan(0);
  });

  it('shows the register’s refusal on the page in Chinese, naming each field, and records nothing', async () => {
    const before = await registerCount();
    const ju = await loggedIn('ju');
    const form = urlOf(ROUTES.decisionForm.url, { system: A.notice.system_id });
    // an exemption needs 有效期至, 文号 and 理由 (docs/inputs.md §2.6)
    const r = await ju.post(decisionUrl(), { decision: 'exempt', effective_date: '2026-11-05' }, await ju.token(form));
    expect(r.status).toBe(400);
    const html = await r.text();
    expect(html).toContain('决定未登记，原因如下');
    expect(html).toContain('有效期至：豁免须填写有效期至');
    expect(html).toContain('文号：豁免、同意关停须填写文号');
    expect(html).toContain('理由：豁免、整改说明不予认可、撤销决定须填写理由');
    expect(html).not.toMatch(/Error|at \S+ \(|stack/);
    // no decision chosen: the form's own check
    const none = await ju.post(decisionUrl(), { decision: '', effective_date: '2026-11-05' }, await ju.token(form));
    expect(none.status).toBe(400);
    expect(await none.text()).toContain('请选择决定。');
    // a date in the future is the register's to refuse, as for govmon decide
    const future = await ju.post(decisionUrl(), { decision: 'rectified', effective_date: '2099-01-01' }, await ju.token(form));
    expect(future.status).toBe(400);
    expect(await future.text()).toContain('生效日期“2099-01-01”');
    expect(await registerCount()).toBe(before);
    expect(await auditCount('decision', 'failed', 'ju')).toBe(3);
  });

  it('lists the replies and requests with a link to the decision form, prefilled from an exemption request', async () => {
    const ju = await loggedIn('ju');
    const inbox = await (await ju.get('/bureau/inbox')).text();
    const request = await portal.db.use((s) =>
      s.one<{ request_id: number; system_id: string; until: string }>(
        "SELECT request_id, system_id, strftime(until, '%Y-%m-%d') AS until FROM portal_exemption_requests WHERE login = 'da'",
      ),
    );
    const link = `${urlOf(ROUTES.decisionForm.url, { system: request!.system_id })}?request=${request!.request_id}`;
    expect(inbox).toContain(`href="${link.replace(/&/g, '&amp;')}"`);
    const page = await (await ju.get(link)).text();
    expect(page).toContain('所依据的豁免申请');
    expect(page).toMatch(/<option value="exempt" selected>豁免<\/option>/);
    expect(page).toContain(`id="until" name="until" value="${request!.until}"`);
    expect(page).toContain('>季节性使用</textarea>');
  });
});

describe('a department’s work, in the browser', () => {
  it('uploads a filled template: the rejects show on the page, the valid rows in the next evaluation', async () => {
    const page = await browserLogin('da');
    // the pre-filled template of the department, as the page offers it
    const dl = await page.request.get(`${base}portal/template?year=${evalYear}`);
    expect(dl.status()).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(new Uint8Array(await dl.body()).buffer as ArrayBuffer);
    const ws = wb.worksheets[0];
    const header = (ws.getRow(1).values as unknown[]).map((v) => String(v ?? ''));
    const col = (zh: string) => header.indexOf(zh);
    const prefilled = ws.getRow(2).getCell(col('系统编号')).value as string;
    expect(A.systems).toContain(prefilled);
    const fill = (r: number, id: string, self: number, met: number) => {
      const row = ws.getRow(r);
      row.getCell(col('系统编号')).value = id;
      row.getCell(col('年度')).value = evalYear;
      row.getCell(col('提交日期')).value = `${evalYear + 1}-01-15`;
      row.getCell(col('故障次数')).value = 1;
      row.getCell(col('绩效目标数')).value = 4;
      row.getCell(col('已完成目标数')).value = met;
      row.getCell(col('自评分')).value = self;
    };
    fill(2, prefilled, 66.6, 3); // valid
    fill(3, A.systems.find((x) => x !== prefilled) ?? prefilled, 70, 9); // goals_met > goals_total
    fill(4, B.systems[0], 80, 2); // another department's system
    for (let r = 5; r <= ws.rowCount; r++) ws.spliceRows(5, 1);
    const file = path.join(work, '运维报表-已填.xlsx');
    await wb.xlsx.writeFile(file);

    await page.goto(`${base}portal/uploads`);
    await page.setInputFiles('#file', file);
    await Promise.all([page.waitForURL(/\/portal\/uploads\/\d+/), page.click('form[enctype] button[type=submit]')]);
    const text = (await page.locator('main').textContent()) ?? '';
    expect(text).toContain('部分导入');
    expect(text).toContain(notOwnReason(A.name));
    expect(text).toContain(B.systems[0]);
    expect(text).toMatch(/已完成目标数/);
    expect(await auditCount('upload', 'ok', 'da')).toBe(1);
    await page.close();

    // the next evaluation (on a connection of its own: the portal holds the database) reads the valid row
    const job = await store.connect();
    try {
      await evaluateYear(job, { year: evalYear, profile: loadProfile('default'), now: NOW, trigger: 'test' });
    } finally {
      job.close();
    }
    const s = await store.one<{ self_score: number; report_missing: boolean }>(
      'SELECT self_score, report_missing FROM res_scores WHERE run_id = (SELECT run_id FROM year_runs WHERE year = $1) AND system_id = $2',
      [evalYear, prefilled],
    );
    expect(s).toEqual({ self_score: 66.6, report_missing: false });
    const other = await store.value<number>('SELECT count(*) FROM raw_om_report WHERE system_id = $1 AND self_score = 80', [B.systems[0]]);
    expect(other).toBe(0);
  });

  it('sends a reply with an evidence file that reaches the bureau, who can download it', async () => {
    const page = await browserLogin('da');
    await page.goto(`${base}portal/notices`);
    await Promise.all([
      page.waitForURL(/\/portal\/notices\/.+/),
      page.click(`a[href="${urlOf(ROUTES.notice.url, { system: A.notice.system_id, issued: A.notice.issued })}"]`),
    ]);
    const evidence = path.join(work, '整改佐证.txt');
    fs.writeFileSync(evidence, '已于 11 月关停闲置节点，附截图。');
    await page.fill('#explanation', '已完成资源清理，系统恢复正常访问。<script>alert(1)</script>');
    await page.setInputFiles('#evidence', evidence);
    await Promise.all([page.waitForURL(/sent=1/), page.click('form[enctype] button[type=submit]')]);
    expect((await page.locator('main').textContent()) ?? '').toContain('整改回复已提交');
    await page.close();
    expect(await auditCount('reply', 'ok', 'da')).toBe(1);

    const bureau = await browserLogin('ju');
    const dialogs: string[] = [];
    bureau.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    await bureau.goto(`${base}bureau/inbox`);
    const inbox = (await bureau.locator('main').textContent()) ?? '';
    expect(inbox).toContain('已完成资源清理，系统恢复正常访问。<script>alert(1)</script>');
    expect(inbox).toContain('整改佐证.txt');
    expect(inbox).toContain('季节性使用');
    const [download] = await Promise.all([bureau.waitForEvent('download'), bureau.click('a:has-text("整改佐证.txt")')]);
    expect(fs.readFileSync(await download.path(), 'utf8')).toBe('已于 11 月关停闲置节点，附截图。');
    expect(dialogs).toEqual([]);
    await bureau.close();
    expect(await auditCount('download', 'ok', 'ju')).toBeGreaterThanOrEqual(1);
    // archived by SHA-256 beside the input files
    const ev = await portal.db.use((s) =>
      s.one<{ sha256: string; archive_path: string }>(
        `SELECT e.sha256, e.archive_path FROM portal_evidence e JOIN portal_replies r USING (reply_id) WHERE r.login = 'da'`,
      ),
    );
    expect(path.basename(ev!.archive_path)).toBe(`${ev!.sha256}.txt`);
  });

  it('draws the same charts as the static site, with no console error, for the bureau', async () => {
    const page = await browserLogin('ju');
    const errors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${base}site/${MONTH}/index.html`);
    await page.waitForFunction(() => Array.from(document.querySelectorAll('.vega')).every((e) => e.hasAttribute('data-rendered')), null, {
      timeout: 60_000,
    });
    await page.goto(`${base}site/${MONTH}/${systemPage(A.notice.system_id)}`);
    expect(await page.locator('svg').count()).toBeGreaterThan(5);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('writes every login, download, upload, reply and request to the audit log, with the address', async () => {
    const rows = await portal.db.use((s) =>
      s.all<{ action: string; outcome: string; n: number; addresses: string[] }>(
        'SELECT action, outcome, count(*) AS n, list(DISTINCT address) AS addresses FROM portal_audit GROUP BY ALL ORDER BY ALL',
      ),
    );
    const has = (a: string, o: string) => rows.find((r) => r.action === a && r.outcome === o);
    for (const [a, o] of [
      ['login', 'ok'],
      ['login', 'failed'],
      ['lock', 'ok'],
      ['download', 'ok'],
      ['upload', 'ok'],
      ['reply', 'ok'],
      ['exemption_request', 'ok'],
      ['decision', 'ok'],
      ['decision', 'failed'],
      ['access', 'denied'],
    ])
      expect(has(a, o), `${a} ${o}`).toBeDefined();
    for (const r of rows) expect(r.addresses).toEqual(['127.0.0.1']);
    // the bureau reads it on its page, in Beijing time
    const b = await loggedIn('ju');
    const html = await (await b.get('/bureau/audit')).text();
    expect(html).toContain('账户锁定');
    expect(html).toContain('整改回复');
  });
});
