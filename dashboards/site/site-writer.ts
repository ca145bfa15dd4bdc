// Writing a site's files so that a rebuild rewrites only what changed (docs/outputs.md §7.3).
// Every file's SHA-256 is kept in the site folder (MANIFEST: path → hash). A build still writes
// into a fresh temporary folder that is renamed over the previous site (a failed build leaves the
// previous one as it was); but a file whose hash equals the previous site's is hard-linked from
// the previous site instead of written — the same inode, its mtime unchanged, no bytes written.
// The time of the build and the run number are blanked before hashing: they are in every page's
// header and footer and say when a page was written, not what it shows, so a page kept from an
// earlier build names that build's run and time (its content is the same).

import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** The manifest of a site: every file written, by relative path, with its content hash. */
export const MANIFEST = '.govmon-manifest.json';

export interface SiteWriteTarget {
  /** the folder being written (the temporary folder of the build) */
  dir: string;
  /** the previous site, whose unchanged files are linked instead of written; null: none */
  previous: string | null;
  /** the previous site's manifest (empty when there is none or it cannot be read) */
  previousHashes: Readonly<Record<string, string>>;
  /** strings blanked before hashing text (the build's time, "运行编号 N") */
  volatile: readonly string[];
}

export interface FileWrite {
  rel: string;
  hash: string;
  /** false: linked from the previous site, nothing written */
  written: boolean;
}

/**
 * The content hash of a file as the manifest keeps it: text with each occurrence of a volatile
 * string hashed as one NUL character. The text between the occurrences is hashed piece by piece,
 * with no blanked copy of the page made (a province's largest pages are tens of MB).
 */
export function contentHash(content: string | Uint8Array, volatile: readonly string[]): string {
  const h = crypto.createHash('sha256');
  if (typeof content !== 'string') return h.update(content).digest('hex');
  const marks = volatile.filter((v) => v);
  // the next occurrence of each volatile string at or after `from` (-1: none left)
  const next = marks.map((v) => content.indexOf(v));
  let from = 0;
  for (;;) {
    // the nearest of them (the first listed, of two at one place)
    let at = -1;
    let len = 0;
    for (const [k, v] of marks.entries()) {
      if (next[k] >= 0 && next[k] < from) next[k] = content.indexOf(v, from);
      if (next[k] >= 0 && (at < 0 || next[k] < at)) {
        at = next[k];
        len = v.length;
      }
    }
    if (at < 0) break;
    h.update(content.slice(from, at));
    h.update('\u0000');
    from = at + len;
  }
  h.update(content.slice(from));
  return h.digest('hex');
}

/**
 * Write `rel` into the target, or link it from the previous site when its content hash is unchanged.
 * `hash`: the content hash when the caller computed it (a file whose volatile strings are inside
 * compressed text: system-shards.ts hashes the text before compressing it).
 */
export function writeSiteFile(
  t: SiteWriteTarget,
  rel: string,
  content: string | Uint8Array,
  hash = contentHash(content, t.volatile),
): FileWrite {
  const out = path.join(t.dir, rel);
  if (t.previous && t.previousHashes[rel] === hash) {
    try {
      fs.linkSync(path.join(t.previous, rel), out);
      return { rel, hash, written: false };
    } catch {
      // no previous file, another file system, or links not allowed: write it
    }
  }
  fs.writeFileSync(out, content);
  return { rel, hash, written: true };
}

/** The manifest of a site folder, or {} when it has none (a site built before manifests, or none). */
export function readManifest(siteDir: string): Record<string, string> {
  try {
    const m = JSON.parse(fs.readFileSync(path.join(siteDir, MANIFEST), 'utf8')) as { files?: Record<string, string> };
    return m.files && typeof m.files === 'object' ? m.files : {};
  } catch {
    return {};
  }
}

/** Write the manifest: files sorted by path, so that it too is the same when nothing changed. */
export function writeManifest(dir: string, files: ReadonlyMap<string, string>): void {
  const sorted = Object.fromEntries([...files.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  fs.writeFileSync(path.join(dir, MANIFEST), `${JSON.stringify({ generator: 'govmon', algorithm: 'sha256', files: sorted }, null, 1)}\n`);
}

/**
 * `rel` as another name of the file `of` already in the target (a hard link: one file on disk,
 * however many names; docs/outputs.md §7.3). Where links are not allowed, a copy.
 */
export function linkSiteFile(t: SiteWriteTarget, rel: string, of: FileWrite): FileWrite {
  const out = path.join(t.dir, rel);
  try {
    fs.linkSync(path.join(t.dir, of.rel), out);
  } catch {
    fs.copyFileSync(path.join(t.dir, of.rel), out);
  }
  return { rel, hash: of.hash, written: of.written };
}
