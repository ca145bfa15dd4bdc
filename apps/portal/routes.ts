// The portal's route table (docs/outputs.md §7.5). Every route is declared with the roles that may
// use it and the kind of each of its path parameters; a parameter that names something of a
// department (a system, a page of one, a reply, an upload) is resolved in the user's scope before
// the handler runs, and a value outside it answers 404 — the handler never sees it. A route with a
// parameter of no declared kind cannot be registered, and tests/portal-e2e.test.ts walks every
// registered route with another department's ids.

import type { Role } from './accounts.ts';

/** What a path parameter names, and so how it is checked. */
export type ParamKind =
  /** YYYY-MM with a monthly run */
  | 'month'
  /** YYYY-MM of a notice's first month (the notice itself is checked with its system) */
  | 'issuedMonth'
  /** a fixed page of the site the role may open (index.html, annual.html, …) */
  | 'sitePage'
  /** systems/<hash>.html of a system in scope */
  | 'systemPage'
  /** departments/<hash>.html of a department in scope */
  | 'departmentPage'
  /** an XLSX of the site's downloads the role may take (rows cut to the scope) */
  | 'download'
  /** a data file of the site (data/metrics.js, cut to the scope) */
  | 'dataFile'
  /** a style sheet or script of the site: the same for everyone */
  | 'static'
  /** a system_id in scope */
  | 'system'
  /** a reply to a notice sent by the user's department (any, for the bureau) */
  | 'reply'
  /** the number of an evidence file within its reply */
  | 'seq'
  /** a file uploaded by the user's department (any, for the bureau) */
  | 'upload';

/** The kinds that name something that belongs to one department. */
export const ID_KINDS: readonly ParamKind[] = ['systemPage', 'departmentPage', 'system', 'reply', 'upload'];

export interface RouteDef {
  method: 'GET' | 'POST';
  /** Fastify's syntax: /site/:month/systems/:page */
  url: string;
  /** who may use it; 'public' for the login page and the login itself */
  roles: readonly Role[] | 'public';
  /** the kind of every path parameter */
  params: Readonly<Record<string, ParamKind>>;
  /** the body of a POST: a form (urlencoded) or files (multipart); both carry the CSRF token */
  body?: 'form' | 'multipart';
}

const ALL: readonly Role[] = ['bureau', 'department', 'finance'];
const BUREAU: readonly Role[] = ['bureau'];
const DEPT: readonly Role[] = ['department'];
const BUREAU_DEPT: readonly Role[] = ['bureau', 'department'];

export const ROUTES = {
  loginForm: { method: 'GET', url: '/login', roles: 'public', params: {} },
  login: { method: 'POST', url: '/login', roles: 'public', params: {}, body: 'form' },
  publicAsset: { method: 'GET', url: '/assets/:file', roles: 'public', params: { file: 'static' } },
  logout: { method: 'POST', url: '/logout', roles: ALL, params: {}, body: 'form' },
  home: { method: 'GET', url: '/', roles: ALL, params: {} },

  sitePage: { method: 'GET', url: '/site/:month/:page', roles: ALL, params: { month: 'month', page: 'sitePage' } },
  systemPage: { method: 'GET', url: '/site/:month/systems/:page', roles: BUREAU_DEPT, params: { month: 'month', page: 'systemPage' } },
  departmentPage: {
    method: 'GET',
    url: '/site/:month/departments/:page',
    roles: BUREAU_DEPT,
    params: { month: 'month', page: 'departmentPage' },
  },
  download: { method: 'GET', url: '/site/:month/downloads/:file', roles: ALL, params: { month: 'month', file: 'download' } },
  dataFile: { method: 'GET', url: '/site/:month/data/:file', roles: ALL, params: { month: 'month', file: 'dataFile' } },
  siteAsset: { method: 'GET', url: '/site/:month/assets/:file', roles: ALL, params: { month: 'month', file: 'static' } },
  siteVendor: { method: 'GET', url: '/site/:month/vendor/:file', roles: ALL, params: { month: 'month', file: 'static' } },

  notices: { method: 'GET', url: '/portal/notices', roles: DEPT, params: {} },
  notice: {
    method: 'GET',
    url: '/portal/notices/:system/:issued',
    roles: BUREAU_DEPT,
    params: { system: 'system', issued: 'issuedMonth' },
  },
  reply: {
    method: 'POST',
    url: '/portal/notices/:system/:issued/reply',
    roles: DEPT,
    params: { system: 'system', issued: 'issuedMonth' },
    body: 'multipart',
  },
  exemptionForm: { method: 'GET', url: '/portal/systems/:system/exemption', roles: DEPT, params: { system: 'system' } },
  exemption: { method: 'POST', url: '/portal/systems/:system/exemption', roles: DEPT, params: { system: 'system' }, body: 'form' },
  evidence: {
    method: 'GET',
    url: '/portal/replies/:reply/evidence/:seq',
    roles: BUREAU_DEPT,
    params: { reply: 'reply', seq: 'seq' },
  },
  uploads: { method: 'GET', url: '/portal/uploads', roles: BUREAU_DEPT, params: {} },
  upload: { method: 'POST', url: '/portal/uploads', roles: BUREAU_DEPT, params: {}, body: 'multipart' },
  uploadReport: { method: 'GET', url: '/portal/uploads/:file', roles: BUREAU_DEPT, params: { file: 'upload' } },
  template: { method: 'GET', url: '/portal/template', roles: DEPT, params: {} },

  inbox: { method: 'GET', url: '/bureau/inbox', roles: BUREAU, params: {} },
  /** the bureau records a decision about a system into the register (docs/decisions.md §5.7) */
  decisionForm: { method: 'GET', url: '/bureau/decisions/:system', roles: BUREAU, params: { system: 'system' } },
  decide: { method: 'POST', url: '/bureau/decisions/:system', roles: BUREAU, params: { system: 'system' }, body: 'form' },
  audit: { method: 'GET', url: '/bureau/audit', roles: BUREAU, params: {} },
} as const satisfies Record<string, RouteDef>;

export type RouteName = keyof typeof ROUTES;

/** The declared path parameters of a URL (Fastify's :name syntax) — every one must have a kind. */
export function paramsOf(url: string): string[] {
  return [...url.matchAll(/:([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]);
}

/** A route's URL with its parameters filled in (each value percent-encoded). */
export function urlOf(url: string, values: Readonly<Record<string, string>>): string {
  return url.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, (_, name: string) => {
    const v = values[name];
    if (v === undefined) throw new Error(`no value for :${name} of ${url}`);
    return encodeURIComponent(v);
  });
}
