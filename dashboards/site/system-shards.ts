// The pages of a large site's systems that are on no list (docs/outputs.md §7.3). From
// SHARDED_FROM systems on, such a system's page is not a file of its own: every
// systems/<id>.html of these systems is one template page (hard links of one file, so every
// address, link and bookmark stays valid and the site still opens from disk), and what the page
// shows is in a shard, data/systems/<first characters of the id>.js: for each of its systems, the
// page's title and the very markup systemDetailPage renders for it (escaped there), gzip-compressed
// and base64-encoded. The template's script (assets/system-page.js) loads the shard and puts the
// markup in place. A system page is then about 4 KB of shard instead of a 20 KB file, and the
// shards are written once per build instead of 18,000 files (docs/performance.md).

import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { html } from './html.ts';
import { pageTitle, renderPage, type PageSpec, type SiteMeta } from './layout.ts';
import { PAGES } from './paths.ts';
import { contentHash, linkSiteFile, writeSiteFile, type FileWrite, type SiteWriteTarget } from './site-writer.ts';
import { groupBy } from '../../core/collections.ts';

/** From this many systems in a site on, the pages of systems on no list are the template and shards. */
export const SHARDED_FROM = 2000;

/** The most systems a shard should hold; the shard key is the shortest prefix of the id's hash that keeps to it. */
const SHARD_TARGET = 200;

/** The number of hex characters of a page's name that name its shard. */
export function shardLength(systems: number): number {
  let len = 1;
  while (systems / 16 ** len > SHARD_TARGET) len++;
  return len;
}

/** One system's page as a shard holds it. */
export interface ShardedPage {
  /** systems/<16 hex>.html */
  rel: string;
  title: string;
  /** the page's markup, gzip, base64 */
  body: string;
  /** the markup's hash with the build's volatile strings blanked (site-writer.ts) */
  hash: string;
}

/** A rendered system page as its shard keeps it. */
export function shardedPage(meta: SiteMeta, spec: PageSpec, volatile: readonly string[]): ShardedPage {
  return {
    rel: spec.file,
    title: pageTitle(meta, spec.title),
    body: zlib.gzipSync(spec.body.value, { level: 6 }).toString('base64'),
    hash: contentHash(spec.body.value, volatile),
  };
}

const idOf = (rel: string) => rel.replace(/^systems\/|\.html$/g, '');

/** The template page every sharded system's address names. */
export function templatePage(meta: SiteMeta, file: string, shardLen: number): string {
  const spec: PageSpec = {
    file,
    title: PAGES.systems.zh,
    active: 'systems',
    vega: true,
    document: true,
    scripts: ['assets/system-page.js'],
    body: html`<article class="document system" id="system-shell" data-shard="${shardLen}">
<p class="muted">正在载入本系统的页面……</p>
<noscript><p class="notice">本页需要启用 JavaScript 才能显示。也可在<a href="../${PAGES.systems.file}">系统</a>列表和各清单的 XLSX 下载中查看本系统。</p></noscript>
</article>`,
  };
  return renderPage(meta, spec);
}

/**
 * Write the shards and the template under every sharded system's address; returns what was
 * written (or kept from the previous site) for the manifest: the shards, then the addresses.
 */
export function writeShards(
  target: SiteWriteTarget,
  meta: SiteMeta,
  pages: readonly ShardedPage[],
  shardLen: number,
): { shards: FileWrite[]; addresses: FileWrite[] } {
  if (!pages.length) return { shards: [], addresses: [] };
  const byShard = groupBy(
    [...pages].sort((a, b) => (a.rel < b.rel ? -1 : 1)),
    (p) => idOf(p.rel).slice(0, shardLen),
  );
  fs.mkdirSync(path.join(target.dir, 'data', 'systems'), { recursive: true });
  const shards: FileWrite[] = [];
  for (const [key, list] of [...byShard].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const entries = Object.fromEntries(list.map((p) => [idOf(p.rel), { title: p.title, body: p.body }]));
    const hash = crypto.createHash('sha256');
    for (const p of list) hash.update(`${p.rel}\u0000${p.title}\u0000${p.hash}\n`);
    shards.push(
      writeSiteFile(target, `data/systems/${key}.js`, `window.GOVMON.systemPages(${JSON.stringify(entries)});\n`, hash.digest('hex')),
    );
  }
  const [first, ...rest] = pages.map((p) => p.rel).sort();
  const template = writeSiteFile(target, first, templatePage(meta, first, shardLen));
  return { shards, addresses: [template, ...rest.map((rel) => linkSiteFile(target, rel, template))] };
}
