// Test helpers: a real DuckDB (in memory, or a file in a temp folder) with the schema applied,
// temp folders that are removed afterwards, and a fixed "now".

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Store } from '../pipelines/store/database.ts';
import { migrate } from '../pipelines/store/migrate.ts';

/**
 * `npm test` is the fast suite; `npm run test:full` sets GOVMON_TEST_FULL=1 and the tests that
 * sample (kill points of the crash tests, pages of the end-to-end walk, fuzz runs) take every case.
 * The same checks run either way: only how many cases they are applied to differs.
 */
export const FULL = process.env.GOVMON_TEST_FULL === '1';

/** `fast` in `npm test`, `full` in `npm run test:full`. */
export function sampled<T>(fast: T, full: T): T {
  return FULL ? full : fast;
}

/** 2026-11-22 10:00 in Asia/Shanghai: the fixed "today" of the tests. */
export const NOW = new Date('2026-11-22T02:00:00Z');

export function tempDir(prefix = 'govmon-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** A migrated store (in memory unless a path is given) and its archive folder. */
export async function openTestStore(dbPath = ':memory:'): Promise<{ store: Store; dir: string; archiveDir: string }> {
  const dir = tempDir();
  const store = await Store.open(dbPath === ':memory:' ? dbPath : path.join(dir, dbPath));
  await migrate(store);
  return { store, dir, archiveDir: path.join(dir, 'archive') };
}

export async function withStore<T>(
  fn: (store: Store, ctx: { dir: string; archiveDir: string }) => Promise<T>,
  dbPath = ':memory:',
): Promise<T> {
  const { store, dir, archiveDir } = await openTestStore(dbPath);
  try {
    return await fn(store, { dir, archiveDir });
  } finally {
    store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export function writeFile(dir: string, name: string, content: string | Buffer): string {
  const p = path.join(dir, name);
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, content);
  return p;
}

/** RFC 4180: quoted fields, doubled quotes, CRLF or LF. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(cell);
      cell = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else cell += ch;
  }
  if (cell !== '' || row.length) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}

/** Debian's Chromium as the end-to-end tests start it: headless in a container, nothing fetched from the network. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
