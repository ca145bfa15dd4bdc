// The page shell every page shares: head (charset, the content-security policy, local styles),
// header with the month, run and profile, the navigation, and the scripts a page needs — all
// from the site's own folder. No inline script: data blocks are JSON (`type=application/json`),
// which the policy below lets the page read but never run.

import { html, raw, type Html } from './html.ts';
import { PAGES, rootOf, type PageKey } from './paths.ts';
import { monthZh } from '../../metrics/labels.ts';
import { incompleteMonthNote } from '../../pipelines/read.ts';
import { formatLocal } from '../../core/clock.ts';

/**
 * Scripts only from the site itself and never inline (so markup smuggled into a name could not
 * run even if it escaped escaping); no network at all (connect-src 'none'); styles inline are
 * allowed because Plot's SVGs carry a <style> and vega-embed sets element styles.
 */
export const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  "connect-src 'none'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-src 'none'",
].join('; ');

export interface SiteMeta {
  month: string;
  runId: number;
  profileName: string;
  profileSha256: string;
  /** when the site was built (ISO) */
  builtAt: string;
  /** the month had not ended: the day its results run to (every page says so) */
  asOf?: string;
  /** when the portal serves the page (docs/outputs.md §7.5); absent in the static site */
  portal?: PortalChrome;
}

/** What the portal changes in the shell of a page it serves, for the user who asked. */
export interface PortalChrome {
  /** the site pages this user may open, in navigation order */
  nav: readonly PageKey[];
  /** the portal's content-security policy (the same, but its forms post to the portal itself) */
  csp: string;
  /** markup for the header: who is logged in, the portal's own pages, the logout form */
  header: Html;
}

export interface PageSpec {
  file: string;
  title: string;
  active?: PageKey;
  body: Html;
  /** the page embeds Vega-Lite charts */
  vega?: boolean;
  /** Arrow tables the page's charts read (data/<name>.js) */
  arrow?: readonly string[];
  /** the page is a document meant to be printed and signed (A4 print layout) */
  document?: boolean;
  /** the way back to the site root, when the page is not in the site's folders (the portal's own pages) */
  root?: string;
  /** scripts of the site's own to load after the others (relative to the site root) */
  scripts?: readonly string[];
}

/** The text of a page's <title>. */
export function pageTitle(meta: SiteMeta, title: string): string {
  return `${title} · ${monthZh(meta.month)} · 政务信息系统运行监测`;
}

export function renderPage(meta: SiteMeta, p: PageSpec): string {
  const root = p.root ?? rootOf(p.file);
  const nav = (meta.portal?.nav ?? (Object.keys(PAGES) as PageKey[])).map(
    (k) => html`<a href="${root}${PAGES[k].file}"${k === p.active ? raw(' aria-current="page"') : ''}>${PAGES[k].zh}</a>`,
  );
  const scripts: string[] = [];
  if (p.vega) scripts.push('vendor/vega.min.js', 'vendor/vega-lite.min.js', 'vendor/vega-embed.min.js');
  if (p.arrow?.length) scripts.push('vendor/arrow.min.js', ...p.arrow.map((a) => `data/${a}.js`));
  if (p.vega) scripts.push('assets/charts.js');
  scripts.push('assets/table.js', ...(p.scripts ?? []));
  const built = formatLocal(meta.builtAt);
  return html`<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${meta.portal?.csp ?? CSP}">
<meta name="referrer" content="no-referrer">
<meta name="generator" content="govmon">
<title>${pageTitle(meta, p.title)}</title>
<link rel="stylesheet" href="${root}assets/site.css">
<link rel="stylesheet" href="${root}assets/print.css" media="print">
</head>
<body class="${p.document ? 'doc' : 'page'}">
<header class="site">
  <div class="brand"><a href="${root}index.html">政务信息系统运行监测与绩效评价</a></div>
  <div class="run">${monthZh(meta.month)} · 运行编号 ${meta.runId} · 政策配置 <a href="${root}profile.html">${meta.profileName}</a></div>
  <nav aria-label="主导航">${nav}</nav>${meta.portal?.header ?? ''}
</header>
<main id="main">
${
  meta.asOf
    ? html`<p class="notice incomplete-month" role="status">${incompleteMonthNote(meta.asOf)}</p>
`
    : ''
}${p.body}
</main>
<footer class="site">
  <p>由 govmon 生成于 ${built}（北京时间）· ${meta.month} 月度运行编号 ${meta.runId} · 政策配置 ${meta.profileName}（内容哈希 ${meta.profileSha256.slice(0, 12)}）· 本站点可离线打开，不访问互联网。</p>
</footer>
${scripts.map((s) => html`<script src="${root}${s}"></script>\n`)}
</body>
</html>
`.value;
}
