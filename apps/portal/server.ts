// The portal (docs/outputs.md §7.5): `govmon serve` with accounts. Fastify 5 and its official
// plugins do the web's security work — sessions in HttpOnly SameSite=Strict cookies
// (@fastify/session over @fastify/cookie), a CSRF token on every form (@fastify/csrf-protection),
// login rate limiting (@fastify/rate-limit), security headers on every response (@fastify/helmet),
// form and file bodies (@fastify/formbody, @fastify/multipart). This module wires them, keeps the
// accounts and the login lockout, and registers the route table (routes.ts) with each route's
// roles and the resolution of its parameters in the user's scope; the handlers are in handlers.ts.

import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import fastifyCookie from '@fastify/cookie';
import fastifySession from '@fastify/session';
import fastifyCsrf from '@fastify/csrf-protection';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifyHelmet from '@fastify/helmet';
import fastifyFormbody from '@fastify/formbody';
import fastifyMultipart, { type MultipartFile } from '@fastify/multipart';
import { LRUCache } from 'lru-cache';
import { isUserError } from '../../core/errors.ts';
import { isMonth } from '../../core/clock.ts';
import { rootPath } from '../../core/paths.ts';
import { PAGES, type PageKey } from '../../dashboards/site/paths.ts';
import { listAccounts, type Account } from './accounts.ts';
import { writeAudit } from './audit.ts';
import { PortalDb } from './db.ts';
import { errorPage, type SessionUser } from './pages.ts';
import { replyById, uploadById } from './records.ts';
import { ROUTES, paramsOf, type ParamKind, type RouteDef, type RouteName } from './routes.ts';
import { pagesOf, scopeOf } from './scope.ts';
import { PORTAL_CSP_DIRECTIVES, SiteViews, loadStatic } from './site.ts';
import { HttpError, NOT_FOUND, field, homeOf, type Ctx, type Handler, type Portal, type PortalOptions } from './context.ts';
import { HANDLERS } from './handlers.ts';

export async function buildPortal(o: PortalOptions): Promise<Portal> {
  const opts = { lockMinutes: 15, sessionHours: 8, uploadMaxMb: 50, loginPerMinute: 10, ...o };
  const now = o.now ?? (() => new Date());
  const db = new PortalDb(o.store);
  const app = Fastify({
    logger: false,
    trustProxy: o.trustProxy ?? false,
    exposeHeadRoutes: false,
    bodyLimit: 1 << 20,
    ...(o.https ? { https: o.https } : {}),
  }) as unknown as FastifyInstance;
  const portal: Portal = {
    app,
    db,
    views: new SiteViews(db, { profile: o.profile, recheckMs: o.recheckMs }),
    opts,
    accounts: new Map(),
    registered: [],
    staticFiles: loadStatic(),
    now,
    async reloadAccounts() {
      const rows = await db.use((s) => listAccounts(s));
      portal.accounts = new Map(rows.map((a) => [a.login, a]));
    },
  };
  portal.staticFiles.set('assets/portal.css', {
    body: fs.readFileSync(rootPath('apps', 'portal', 'portal.css')),
    type: 'text/css; charset=utf-8',
  });
  await portal.reloadAccounts();

  app.addHook('onRoute', (r) => {
    for (const m of Array.isArray(r.method) ? r.method : [r.method]) portal.registered.push({ method: m, url: r.url });
  });

  await app.register(fastifyHelmet, {
    contentSecurityPolicy: { useDefaults: false, directives: PORTAL_CSP_DIRECTIVES },
    frameguard: { action: 'deny' },
    hsts: o.https || o.secureCookies ? { maxAge: 15552000 } : false,
    referrerPolicy: { policy: 'no-referrer' },
    crossOriginEmbedderPolicy: false,
  });
  await app.register(fastifyCookie);
  await app.register(fastifySession, {
    secret: crypto.randomBytes(32).toString('hex'),
    cookieName: 'govmon_sid',
    saveUninitialized: false,
    cookie: { httpOnly: true, sameSite: 'strict', secure: o.secureCookies ?? false, path: '/', maxAge: opts.sessionHours * 3600_000 },
    // the plugin's own store, over a bounded map: sessions end with the process, and a flood of
    // anonymous visits cannot grow it without bound
    store: new fastifySession.MemoryStore(
      new LRUCache<string, fastifySession.FastifySessionObject>({
        max: 20_000,
        ttl: opts.sessionHours * 3600_000,
      }) as unknown as Map<string, fastifySession.FastifySessionObject>,
    ),
  });
  await app.register(fastifyCsrf, {
    sessionPlugin: '@fastify/session',
    getToken: (req) => field(req.body, '_csrf') ?? (req.headers['x-csrf-token'] as string | undefined),
  });
  await app.register(fastifyRateLimit, { global: false });
  await app.register(fastifyFormbody, { bodyLimit: 1 << 20 });
  await app.register(fastifyMultipart, {
    attachFieldsToBody: 'keyValues',
    limits: { fileSize: opts.uploadMaxMb << 20, files: 10, fields: 20, fieldSize: 100_000 },
    async onFile(this: FastifyRequest, part: MultipartFile) {
      if (!part.filename) {
        part.file.resume();
        return;
      }
      this.uploadDir ??= fs.mkdtempSync(path.join(os.tmpdir(), 'govmon-upload-'));
      const dir = fs.mkdtempSync(path.join(this.uploadDir, 'f-'));
      const target = path.join(dir, safeUploadName(part.filename));
      await pipeline(part.file, fs.createWriteStream(target));
      if (part.file.truncated) throw new HttpError(413, `文件超过 ${opts.uploadMaxMb} MB，未接收`);
      (part as unknown as { value: unknown }).value = { path: target, name: part.filename };
    },
  });
  app.addHook('onResponse', async (req) => {
    if (req.uploadDir) fs.rmSync(req.uploadDir, { recursive: true, force: true });
  });

  app.setNotFoundHandler((_req, reply) => {
    reply.code(404).type('text/html; charset=utf-8').send(errorPage(404, NOT_FOUND));
  });
  app.setErrorHandler((err: Error & { statusCode?: number; code?: string }, _req, reply) => {
    let status = err.statusCode ?? 500;
    let text: string;
    if (err instanceof HttpError) text = err.message;
    else if (err.code?.startsWith('FST_CSRF')) {
      status = 403;
      text = '表单已失效或来源无效（CSRF 令牌缺失或错误），请回到页面刷新后重新提交。';
    } else if (err.code === 'FST_REQ_FILE_TOO_LARGE' || status === 413) text = `文件超过 ${opts.uploadMaxMb} MB，未接收。`;
    else if (status === 429) text = err.message || '请求过于频繁，请稍后再试。';
    else if (isUserError(err)) {
      status = 400;
      text = err.message;
    } else if (status < 500) text = '请求无效。';
    else {
      process.stderr.write(`govmon 门户内部错误（请报告）：${err.stack ?? String(err)}\n`);
      text = '服务器内部错误，已记录，请稍后重试或联系数据局。';
    }
    reply.code(status).type('text/html; charset=utf-8').send(errorPage(status, text));
  });

  for (const name of Object.keys(ROUTES) as RouteName[]) register(portal, name, ROUTES[name], HANDLERS[name]);
  return portal;
}

/** The last part of a browser's file name, safe in a folder of our own (the extension tells the format). */
function safeUploadName(name: string): string {
  const base = path
    .basename(name.replace(/\\/g, '/'))
    .replace(/[\u0000-\u001f\u007f/:*?"<>|]/g, '_')
    .replace(/^\.+/, '');
  return base.slice(-120) || 'upload';
}

function sessionUser(portal: Portal, req: FastifyRequest): Account | null {
  const login = req.session?.get('login');
  if (!login) return null;
  const a = portal.accounts.get(login);
  if (!a || a.disabled_at || req.session.get('pwdAt') !== a.password_set_at) return null;
  return a;
}

function register(portal: Portal, name: RouteName, def: RouteDef, handler: Handler): void {
  const declared = paramsOf(def.url);
  for (const p of declared) if (!(p in def.params)) throw new Error(`route ${name} (${def.url}): parameter :${p} has no declared kind`);
  const app = portal.app;
  const preHandler = def.method === 'POST' ? [app.csrfProtection] : [];
  const config =
    name === 'login'
      ? {
          rateLimit: {
            max: portal.opts.loginPerMinute,
            timeWindow: 60_000,
            hook: 'preHandler' as const,
            keyGenerator: (req: FastifyRequest) => `${req.ip}|${(field(req.body, 'login') ?? '').trim()}`,
            errorResponseBuilder: () => new HttpError(429, '同一账户从同一地址登录尝试过于频繁，请一分钟后再试。'),
          },
        }
      : {};
  app.route({
    method: def.method,
    url: def.url,
    config,
    preHandler,
    handler: async (req, reply) => {
      const t = portal.now();
      const account = sessionUser(portal, req);
      const user: SessionUser | null = account ? { login: account.login, role: account.role, department: account.department } : null;
      const scope = account ? scopeOf(account) : null;
      const c: Ctx = {
        portal,
        user,
        scope,
        address: req.ip,
        now: t,
        state: null,
        view: null,
        p: {},
        csrf: () => reply.generateCsrf(),
        audit: (action, outcome, target = null, detail = null) =>
          portal.db.use((s) =>
            writeAudit(s, {
              at: portal.now(),
              login: user?.login ?? null,
              role: user?.role ?? null,
              department: user?.department ?? null,
              action,
              outcome,
              target,
              detail,
              address: req.ip,
            }),
          ),
      };
      if (def.roles !== 'public') {
        if (!user) {
          if (def.method === 'GET') return reply.redirect(`/login?next=${encodeURIComponent(req.url)}`);
          throw new HttpError(401, '登录已失效，请重新登录。');
        }
        if (!def.roles.includes(user.role)) {
          await c.audit('access', 'denied', `${def.method} ${req.url}`, '角色无权使用');
          throw new HttpError(403, '您的账户无权使用此页面。');
        }
      }
      await resolve(portal, def, req, reply, c);
      if (reply.sent) return reply;
      return handler(req, reply, c);
    },
  });
}

/** Resolve the path parameters in the user's scope: a value outside it is a 404 (and an audit row). */
async function resolve(portal: Portal, def: RouteDef, req: FastifyRequest, reply: FastifyReply, c: Ctx): Promise<void> {
  const raw = req.params as Record<string, string>;
  const entries = Object.entries(def.params) as [string, ParamKind][];
  const monthParam = entries.find(([, k]) => k === 'month');
  if (monthParam) {
    const m = raw[monthParam[0]];
    c.state = isMonth(m) ? await portal.views.month(m) : null;
    if (!c.state) throw new HttpError(404, `${m} 尚无月度运行结果。`);
  } else if (c.user) {
    const latest = await portal.views.latest();
    c.state = latest ? await portal.views.month(latest) : null;
  }
  if (c.state && c.scope) c.view = portal.views.view(c.state, c.scope);
  const deny = async (name: string, value: string): Promise<never> => {
    await c.audit('access', 'denied', `${def.method} ${req.url}`, `${name}=${value} 不在本账户可见范围内`);
    throw new HttpError(404, NOT_FOUND);
  };
  for (const [name, kind] of entries) {
    const value = raw[name];
    const v = c.view;
    switch (kind) {
      case 'month':
        c.p[name] = value;
        break;
      case 'issuedMonth':
        if (!isMonth(value)) throw new HttpError(404, NOT_FOUND);
        c.p[name] = value;
        break;
      case 'sitePage': {
        const key = (Object.keys(PAGES) as PageKey[]).find((k) => PAGES[k].file === value);
        if (!key || !c.scope) throw new HttpError(404, NOT_FOUND);
        if (!pagesOf(c.scope).includes(key)) {
          if (key === 'overview') {
            // a department starts at its own page, finance at the scores and budget
            const home = homeOf(c);
            if (home) {
              reply.redirect(home);
              return;
            }
          }
          await c.audit('access', 'denied', `${def.method} ${req.url}`, '角色无权查看此页面');
          throw new HttpError(403, '您的账户无权查看此页面。');
        }
        c.p[name] = key;
        break;
      }
      case 'systemPage':
        if (!v?.systemPages.has(`systems/${value}`)) await deny(name, value);
        c.p[name] = `systems/${value}`;
        break;
      case 'departmentPage':
        if (!v?.departmentPages.has(`departments/${value}`)) await deny(name, value);
        c.p[name] = `departments/${value}`;
        break;
      case 'download':
        if (!v?.downloadFiles.has(`downloads/${value}`)) throw new HttpError(404, NOT_FOUND);
        c.p[name] = `downloads/${value}`;
        break;
      case 'dataFile':
        if (value !== 'metrics.js' || !v) throw new HttpError(404, NOT_FOUND);
        c.p[name] = value;
        break;
      case 'static':
        c.p[name] = value;
        break;
      case 'system':
        if (!v?.ctx.systems.has(value)) await deny(name, value);
        c.p[name] = v!.ctx.systems.get(value);
        break;
      case 'seq': {
        const n = Number(value);
        if (!Number.isInteger(n) || n < 1 || n > 1000) throw new HttpError(404, NOT_FOUND);
        c.p[name] = n;
        break;
      }
      case 'reply': {
        const id = Number(value);
        const r = Number.isInteger(id) && id > 0 && id < 2 ** 31 ? await portal.db.use((s) => replyById(s, id)) : undefined;
        if (!r || !mayActFor(c, r.department)) await deny(name, value);
        c.p[name] = r;
        break;
      }
      case 'upload': {
        const id = Number(value);
        const u = Number.isInteger(id) && id > 0 && id < 2 ** 31 ? await portal.db.use((s) => uploadById(s, id)) : undefined;
        if (!u || !mayActFor(c, u.department)) await deny(name, value);
        c.p[name] = u;
        break;
      }
    }
  }
}

/** The bureau acts for everyone; a department for itself only. */
function mayActFor(c: Ctx, department: string | null): boolean {
  if (c.user?.role === 'bureau') return true;
  return c.user?.role === 'department' && department !== null && department === c.user.department;
}

export interface Listening {
  url: string;
  close(): Promise<void>;
}

export async function listen(portal: Portal, port: number, host: string): Promise<Listening> {
  await portal.app.listen({ port, host });
  const a = portal.app.server.address();
  const p = typeof a === 'object' && a ? a.port : port;
  const scheme = portal.opts.https ? 'https' : 'http';
  return { url: `${scheme}://${host.includes(':') ? `[${host}]` : host}:${p}/`, close: () => portal.app.close() };
}
