// A second writer (docs/operations.md §9): while one process holds the database, every other govmon command that
// opens it gets one clear line in Chinese naming the process that holds it, exits non-zero, and
// changes nothing — the holder goes on, commits, and the file is intact.

import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Store } from '../pipelines/store/database.ts';
import { migrate } from '../pipelines/store/migrate.ts';
import { ingestFile } from '../pipelines/ingest/ingest.ts';
import { isUserError } from '../core/errors.ts';
import { sampleCsv } from './fixtures/ingest.ts';
import { NOW, tempDir, writeFile } from './helpers.ts';
import { cli, expectCleanMessage, fingerprint, modulePath, startScript, walk } from './fixtures/reliability.ts';

let dir: string;
let db: string;
let registry: string;
let telemetry: string;
let catalog: string;

beforeAll(async () => {
  dir = tempDir('govmon-second-writer-');
  db = path.join(dir, 'g.duckdb');
  registry = writeFile(dir, 'in/systems.csv', sampleCsv('systems', 'en'));
  telemetry = writeFile(dir, 'in/telemetry.csv', sampleCsv('telemetry', 'zh'));
  catalog = writeFile(dir, 'in/catalog.csv', sampleCsv('catalog', 'en'));
  const store = await Store.open(db);
  try {
    await migrate(store);
    expect((await ingestFile(store, registry, { now: NOW })).status).toBe('loaded');
  } finally {
    store.close();
  }
});

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

/** The one line a refused command prints, checked: Chinese, names the holder, no stack. */
function expectRefused(r: { code: number | null; stdout: string; stderr: string }, pid: number): void {
  expect(r.code, r.stderr).toBe(1);
  const lines = r.stderr.trim().split('\n');
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^错误：数据库 .+ 正被另一个 govmon 进程（PID \d+）使用/);
  expect(lines[0]).toContain(`PID ${pid}`);
  expect(expectCleanMessage(r.stderr)).toEqual([]);
  expect(r.stdout).toBe('');
}

describe('a second writer while a govmon process holds the database', () => {
  it('is refused with one Chinese line naming the holder, and the holder commits its work into an intact file', async () => {
    // The holder: a govmon process that opens the database, says so, waits for a signal file,
    // then ingests and closes — the way a long ingest or the scheduler's job holds it.
    const release = path.join(dir, 'release');
    const holder = startScript(
      dir,
      `
      import fs from 'node:fs';
      import { Store } from ${modulePath('pipelines/store/database.ts')};
      import { ingestFile } from ${modulePath('pipelines/ingest/ingest.ts')};
      const store = await Store.open(${JSON.stringify(db)});
      console.log('holding');
      while (!fs.existsSync(${JSON.stringify(release)})) await new Promise((r) => setTimeout(r, 20));
      const o = await ingestFile(store, ${JSON.stringify(telemetry)}, { now: new Date(${JSON.stringify(NOW.toISOString())}) });
      console.log(o.status);
      store.close();
      `,
    );
    const holderPid = holder.child.pid!;
    await said(holder.child, 'holding');

    const archiveBefore = walk(path.join(dir, 'archive'));
    // Every kind of command: a write, a run, a read, a backup, a restore.
    const refused = await Promise.all([
      cli(['--db', db, 'ingest', catalog]),
      cli(['--db', db, 'run', '--month', '2026-10', '--no-dashboard']),
      cli(['--db', db, 'status']),
      cli(['--db', db, 'backup', '--out', path.join(dir, 'backup')]),
    ]);
    for (const r of refused) expectRefused(r, holderPid);
    expect(fs.existsSync(path.join(dir, 'backup'))).toBe(false);
    // The refused ingest never reached its file: nothing archived.
    expect(walk(path.join(dir, 'archive'))).toEqual(archiveBefore);

    // In-process, the same refusal is a UserError (no stack, exit code 1).
    const e = await Store.open(db).then(
      (s) => {
        s.close();
        return null;
      },
      (err: unknown) => err,
    );
    expect(isUserError(e)).toBe(true);
    expect((e as Error).message).toContain(`PID ${holderPid}`);

    // The holder goes on and commits.
    fs.writeFileSync(release, '');
    const h = await holder.done;
    expect(h.code, h.stderr).toBe(0);
    expect(h.stdout).toContain('loaded');

    // The file is intact: it opens, holds the registry and the holder's telemetry, not the
    // refused catalog, and the refused commands can now run.
    const store = await Store.open(db);
    try {
      const fp = await fingerprint(store);
      expect(fp['table raw_systems']).toMatch(/^3 rows/);
      expect(fp['table raw_telemetry']).toMatch(/^3 rows/);
      expect(fp['table raw_catalog']).toMatch(/^0 rows/);
      expect(await store.value<number>('SELECT count(*) FROM files')).toBe(2);
    } finally {
      store.close();
    }
    const again = await cli(['--db', db, 'ingest', catalog]);
    expect(again.code, again.stderr).toBe(0);
  });
});

/** Wait until the child prints `word` on stdout. */
function said(child: ReturnType<typeof startScript>['child'], word: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer | string) => {
      out += String(d);
      if (out.includes(word)) resolve();
    });
    child.on('close', () => reject(new Error(`the holder ended before saying "${word}"`)));
  });
}
