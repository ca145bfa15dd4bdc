// Versioned migrations: NNNN_name.sql files applied in order, each in its own transaction, and
// recorded in schema_migrations with a checksum. `govmon init` runs them; running it twice
// changes nothing. A migration that was edited after being applied is reported, not re-run.

import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { rootPath } from '../../core/paths.ts';
import { UserError } from '../../core/errors.ts';
import type { Store } from './database.ts';

const DIR = rootPath('pipelines', 'store', 'migrations');

export interface Migration {
  version: number;
  name: string;
  sql: string;
  checksum: string;
}

export function listMigrations(): Migration[] {
  return fs
    .readdirSync(DIR)
    .filter((f) => /^\d{4}_.+\.sql$/.test(f))
    .sort()
    .map((f) => {
      const sql = fs.readFileSync(path.join(DIR, f), 'utf8');
      return {
        version: Number(f.slice(0, 4)),
        name: f.slice(5, -4),
        sql,
        checksum: crypto.createHash('sha256').update(sql).digest('hex'),
      };
    });
}

export const LATEST_VERSION = (): number => Math.max(...listMigrations().map((m) => m.version));

export interface MigrateResult {
  from: number;
  to: number;
  applied: string[];
}

export async function migrate(store: Store): Promise<MigrateResult> {
  await store.run(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, checksum VARCHAR NOT NULL, applied_at TIMESTAMPTZ NOT NULL)`);
  const done = await store.all<{ version: number; checksum: string; name: string }>(
    'SELECT version, checksum, name FROM schema_migrations ORDER BY version',
  );
  const from = done.length ? Math.max(...done.map((d) => d.version)) : 0;
  const applied: string[] = [];
  for (const m of listMigrations()) {
    const prior = done.find((d) => d.version === m.version);
    if (prior) continue;
    await store.tx(async () => {
      await store.run(m.sql);
      await store.run('INSERT INTO schema_migrations VALUES ($1, $2, $3, now())', [m.version, m.name, m.checksum]);
    });
    applied.push(`${String(m.version).padStart(4, '0')}_${m.name}`);
  }
  const to = Math.max(from, ...listMigrations().map((m) => m.version));
  return { from, to, applied };
}

export async function schemaVersion(store: Store): Promise<number> {
  const exists = await store.value<number>("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'schema_migrations' AND NOT temporary");
  if (!exists) return 0;
  return (await store.value<number>('SELECT coalesce(max(version), 0) FROM schema_migrations')) ?? 0;
}

/** Every command but `init` needs an up-to-date schema; they upgrade it on the way in. */
export async function ensureSchema(store: Store): Promise<void> {
  const v = await schemaVersion(store);
  if (v < LATEST_VERSION()) await migrate(store);
  else if (v > LATEST_VERSION()) throw new UserError(`数据库结构版本（${v}）比本程序（${LATEST_VERSION()}）新，请升级 govmon。`);
}
