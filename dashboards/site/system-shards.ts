// The pages of a large site's systems that are on no list (docs/outputs.md §7.3). From
// SHARDED_FROM systems on, such a system's page is not a file of its own: every
// systems/<id>.html of these systems is one template page (hard links of one file, so every
// address, link and bookmark stays valid and the site still opens from disk), and what the page
// shows is in a shard, data/systems/<first characters of the id>.js: for each of its systems, the
// page's title and the very markup systemDetailPage renders for it (escaped there), all of the
// shard's pages compressed together (gzip) and base64-encoded. The template's script
// (assets/system-page.js) loads the shard, decompresses it and puts its system's markup in place.
// The pages of one shard share their layout, labels and most of their text, so compressed
// together a page costs about 0.7 KB instead of 4 KB compressed alone and 16 KB as a file
// (docs/performance.md). A shard is compressed as soon as its last page is rendered, so only one
// shard's pages at a time are held uncompressed.

import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { html } from './html.ts';
import { pageTitle, renderPage, type PageSpec, type SiteMeta } from './layout.ts';
import { PAGES } from './paths.ts';
import { contentHash, linkSiteFile, writeSiteFile, type FileWrite, type SiteWriteTarget } from './site-writer.ts';

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
  /** the page's title and markup as one JSON entry of its shard, UTF-8 (off the JavaScript heap until the shard is compressed) */
  entry: Uint8Array;
  /** the hash of the title and markup, the build's volatile strings blanked (site-writer.ts) */
  hash: string;
}

/** A rendered system page as its shard keeps it. */
export function shardedPage(meta: SiteMeta, spec: PageSpec, volatile: readonly string[]): ShardedPage {
  const title = pageTitle(meta, spec.title);
  const entry = Buffer.from(`${JSON.stringify(pageId(spec.file))}:${JSON.stringify({ title, markup: spec.body.value })}`);
  return { rel: spec.file, entry, hash: contentHash(`${title}\u0000${spec.body.value}`, volatile) };
}

/** The id a system page's file is named by. */
export const pageId = (rel: string): string => rel.replace(/^systems\/|\.html$/g, '');

/** The script of a shard: the call the template's script answers, with its pages' entries (ShardedPage.entry) as one JSON object, gzip-compressed and base64-encoded. */
export function shardScript(pages: readonly ShardedPage[]): string {
  const comma = Buffer.from(',');
  const parts = [Buffer.from('{'), ...pages.flatMap((p, i) => (i ? [comma, p.entry] : [p.entry])), Buffer.from('}')];
  return `window.GOVMON.systemPages(${JSON.stringify(zlib.gzipSync(Buffer.concat(parts), { level: 9 }).toString('base64'))});\n`;
}

interface SealedShard {
  script: string;
  /** over each page's address and the hash of its title and markup: what says whether the shard changed */
  hash: string;
}

/**
 * The shards of a build. Pages come in any order (and a page may come twice, from a failed
 * worker's share rendered again); a shard is sealed — compressed — once it holds every page it
 * expects, and `seal` compresses whatever is left. Rendering the pages in the order of their
 * file names keeps one shard open at a time.
 */
export class ShardSet {
  private readonly open = new Map<string, Map<string, ShardedPage>>();
  private readonly sealed = new Map<string, SealedShard>();
  private readonly rels = new Set<string>();
  private readonly expected = new Map<string, number>();

  /** `expected`: the sharded pages' addresses (a shard is sealed when it holds all of its own). */
  constructor(
    readonly shardLen: number,
    expected: Iterable<string>,
  ) {
    for (const rel of expected) {
      const key = this.keyOf(rel);
      this.expected.set(key, (this.expected.get(key) ?? 0) + 1);
    }
  }

  private keyOf(rel: string): string {
    return pageId(rel).slice(0, this.shardLen);
  }

  /** How many pages the shards hold. */
  get size(): number {
    return this.rels.size;
  }

  add(page: ShardedPage): void {
    const key = this.keyOf(page.rel);
    // rendered twice (a failed worker's share): the same page, kept once
    if (this.rels.has(page.rel)) return;
    this.rels.add(page.rel);
    let pages = this.open.get(key);
    if (!pages) this.open.set(key, (pages = new Map()));
    pages.set(page.rel, page);
    if (pages.size === this.expected.get(key)) this.close(key);
  }

  private close(key: string): void {
    const pages = [...this.open.get(key)!.values()].sort((a, b) => (a.rel < b.rel ? -1 : 1));
    this.open.delete(key);
    const hash = crypto.createHash('sha256');
    for (const p of pages) hash.update(`${p.rel}\u0000${p.hash}\n`);
    this.sealed.set(key, { script: shardScript(pages), hash: hash.digest('hex') });
  }

  /** Seal the shards still open; then every shard by key, and the addresses of their pages, sorted. */
  seal(): { shards: [string, SealedShard][]; rels: string[] } {
    for (const key of [...this.open.keys()]) this.close(key);
    return { shards: [...this.sealed].sort(([a], [b]) => (a < b ? -1 : 1)), rels: [...this.rels].sort() };
  }
}

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
export function writeShards(target: SiteWriteTarget, meta: SiteMeta, set: ShardSet): { shards: FileWrite[]; addresses: FileWrite[] } {
  const { shards: sealed, rels } = set.seal();
  if (!rels.length) return { shards: [], addresses: [] };
  fs.mkdirSync(path.join(target.dir, 'data', 'systems'), { recursive: true });
  const shards = sealed.map(([key, s]) => writeSiteFile(target, `data/systems/${key}.js`, s.script, s.hash));
  const [first, ...rest] = rels;
  const template = writeSiteFile(target, first, templatePage(meta, first, set.shardLen));
  return { shards, addresses: [template, ...rest.map((rel) => linkSiteFile(target, rel, template))] };
}
