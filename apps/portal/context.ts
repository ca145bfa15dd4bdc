// What the portal's modules share (docs/outputs.md §7.5): its options, the portal itself, the
// context of a request (user, scope, month, parameters resolved in the user's scope), and HTTP
// errors that carry a Chinese message for the page.

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Store } from '../../pipelines/store/database.ts';
import type { LoadedProfile } from '../../pipelines/read.ts';
import type { Account } from './accounts.ts';
import type { AuditAction, AuditOutcome } from './audit.ts';
import type { PortalDb } from './db.ts';
import type { SessionUser } from './pages.ts';
import type { Scope } from './scope.ts';
import type { MonthState, ScopedView, SiteViews } from './site.ts';

export interface PortalOptions {
  /** the open database: the portal holds it while it runs */
  store: Store;
  now?: () => Date;
  /** minutes an account stays locked after the sixth wrong password within a minute */
  lockMinutes?: number;
  /** hours a session lasts */
  sessionHours?: number;
  /** largest upload, MB */
  uploadMaxMb?: number;
  /** login attempts per account and address per minute */
  loginPerMinute?: number;
  /** Secure cookies: true over TLS, 'auto' behind a TLS proxy, false on loopback HTTP */
  secureCookies?: boolean | 'auto';
  /** the proxies whose X-Forwarded-For is believed (--behind-proxy) */
  trustProxy?: string | string[] | boolean;
  https?: { key: Buffer; cert: Buffer };
  profile?: LoadedProfile;
  recheckMs?: number;
}

/** What a handler gets besides the request and reply. */
export interface Ctx {
  portal: Portal;
  user: SessionUser | null;
  scope: Scope | null;
  address: string;
  now: Date;
  /** the month named by the URL, else the latest month (null: no monthly run yet) */
  state: MonthState | null;
  /** that month as the user's scope sees it */
  view: ScopedView | null;
  /** the path parameters, resolved in the user's scope */
  p: Record<string, unknown>;
  csrf: () => string;
  audit: (action: AuditAction, outcome: AuditOutcome, target?: string | null, detail?: string | null) => Promise<void>;
}

export type Handler = (req: FastifyRequest, reply: FastifyReply, c: Ctx) => Promise<unknown>;

export interface Portal {
  app: FastifyInstance;
  db: PortalDb;
  views: SiteViews;
  opts: Required<Pick<PortalOptions, 'lockMinutes' | 'sessionHours' | 'uploadMaxMb' | 'loginPerMinute'>> & PortalOptions;
  accounts: Map<string, Account>;
  /** every route the server registered, for the route-table test */
  registered: { method: string; url: string }[];
  staticFiles: Map<string, { body: Buffer; type: string }>;
  now(): Date;
  reloadAccounts(): Promise<void>;
}

/** An error with the HTTP status it answers with, and a Chinese message for the page. */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
  }
}

export const NOT_FOUND = '未找到该页面，或您无权查看。';

declare module 'fastify' {
  interface Session {
    login?: string;
    pwdAt?: string;
  }
  interface FastifyRequest {
    uploadDir?: string;
  }
}

/** A form field as formbody (a string) or multipart in key-value mode (a string or its parts) gives it. */
export function field(body: unknown, name: string): string | undefined {
  const v = (body as Record<string, unknown> | undefined)?.[name];
  if (typeof v === 'string') return v;
  if (Array.isArray(v) && typeof v[0] === 'string') return v[0];
  return undefined;
}

/** Where a user starts: the overview (bureau), its department's page, or the scores and budget (finance). */
export function homeOf(c: Pick<Ctx, 'user' | 'state' | 'view'>): string | null {
  if (!c.state || !c.user) return null;
  const base = `/site/${c.state.month}/`;
  if (c.user.role === 'bureau') return `${base}index.html`;
  if (c.user.role === 'finance') return `${base}annual.html`;
  const page = [...(c.view?.departmentPages.entries() ?? [])].find(([, d]) => d === c.user!.department)?.[0];
  return page ? `${base}${page}` : `${base}systems.html`;
}
