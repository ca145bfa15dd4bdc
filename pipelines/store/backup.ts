// Backup and restore of the whole store. A backup is a folder written by DuckDB's own
// `EXPORT DATABASE … (FORMAT parquet)` — schema.sql, load.sql and one Parquet file per table, so any
// DuckDB can read it without govmon — plus `govmon-backup.json` (what it holds, with the SHA-256 of
// every file) and, unless left out, `archive/`: the raw input files the database refers to.
//
// Two things differ from a bare EXPORT/IMPORT:
// - DuckDB 1.5 writes schema.sql with table macros before the views they read (it binds a table
//   macro when it is created), and its re-serialized text of one govmon view does not bind again
//   ("Non-inner join on correlated columns"), so `IMPORT DATABASE` of a govmon database fails as
//   exported. The backup's schema.sql is therefore govmon's own migrations, in order, then the
//   sequences at their exported values; a plain `IMPORT DATABASE 'DIR'` then works too.
// - Both sides are atomic: the backup is written to a temporary folder renamed into place, and a
//   restore imports into a new database file beside the target, checks it against the manifest,
//   and renames it over the target — a crash leaves the target as it was, never half restored.
//   A restore refuses a target that holds data unless told to replace it (`force`).
// Rows keep their order (EXPORT writes each table in rowid order, IMPORT appends it in file order),
// which the *_current views need: within one file the later row of a key wins by rowid.

import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { z } from 'zod';
import { UserError } from '../../core/errors.ts';
import type { Log } from '../../core/log.ts';
import { Store } from './database.ts';
import { LATEST_VERSION, ensureSchema, listMigrations, schemaVersion } from './migrate.ts';
import { ident, sqlString } from '../../core/sql.ts';
import { sha256File } from '../ingest/archive.ts';

export const MANIFEST = 'govmon-backup.json';
export const ARCHIVE_SUBDIR = 'archive';

const HASH_NAME = /^[0-9a-f]{64}(\.[a-z0-9.]{0,10})?$/;

const Manifest = z.object({
  format: z.literal('govmon-backup'),
  version: z.literal(1),
  created_at: z.string(),
  source: z.string(),
  schema_version: z.number().int().min(0),
  duckdb_version: z.string(),
  tables: z.record(z.string(), z.number().int().min(0)),
  files: z.record(z.string(), z.object({ sha256: z.string(), bytes: z.number().int().min(0) })),
  archive: z.object({
    included: z.boolean(),
    files: z.record(z.string(), z.number().int().min(0)),
    missing: z.array(z.string()),
  }),
});
export type Manifest = z.infer<typeof Manifest>;

export interface BackupOptions {
  /** the backup folder; must not exist or be empty */
  outDir: string;
  /** copy the raw-file archive into DIR/archive (defaults to true) */
  archive?: boolean;
  /** the folder of the raw-file archive; defaults to archive/ beside the database */
  archiveDir?: string;
  now: Date;
  log?: Log;
}

export interface BackupResult {
  dir: string;
  tables: number;
  rows: number;
  bytes: number;
  archiveFiles: number;
  archiveMissing: string[];
}

/** Write the whole database (and its archive) to `outDir`. */
export async function backupDatabase(store: Store, opts: BackupOptions): Promise<BackupResult> {
  if (store.inMemory) throw new UserError('内存数据库无法备份，请用 --db 指定数据库文件');
  const out = path.resolve(opts.outDir);
  if (fs.existsSync(out) && (!fs.statSync(out).isDirectory() || fs.readdirSync(out).length > 0))
    throw new UserError(`备份文件夹 ${out} 已存在且不为空，请指定一个新的文件夹`);
  fs.mkdirSync(path.dirname(out), { recursive: true });
  const tmp = fs.mkdtempSync(path.join(path.dirname(out), `.${path.basename(out)}.tmp-`));
  try {
    const tables = await store.all<{ name: string }>(
      `SELECT table_name AS name FROM duckdb_tables() WHERE NOT temporary AND database_name = current_database() ORDER BY table_name`,
    );
    // EXPORT DATABASE runs in one transaction: the files are one consistent state of every table.
    await store.run(`EXPORT DATABASE ${sqlString(tmp)} (FORMAT parquet)`);
    const counts: Record<string, number> = {};
    for (const t of tables) counts[t.name] = Number(await store.value(`SELECT count(*) FROM ${ident(t.name)}`));

    fs.writeFileSync(path.join(tmp, 'schema.sql'), await loadableSchema(store, fs.readFileSync(path.join(tmp, 'schema.sql'), 'utf8')));
    // load.sql names the folder it was written to; name the final one (IMPORT reads from wherever
    // the folder is given, so a moved backup still loads).
    const load = fs.readFileSync(path.join(tmp, 'load.sql'), 'utf8');
    fs.writeFileSync(path.join(tmp, 'load.sql'), load.split(tmp.replace(/'/g, "''")).join(out.replace(/'/g, "''")));

    const files: Manifest['files'] = {};
    let bytes = 0;
    for (const f of fs.readdirSync(tmp).sort()) {
      const p = path.join(tmp, f);
      if (!fs.statSync(p).isFile()) continue;
      const size = fs.statSync(p).size;
      files[f] = { sha256: await sha256File(p), bytes: size };
      bytes += size;
    }

    const archive = { included: opts.archive !== false, files: {} as Record<string, number>, missing: [] as string[] };
    if (archive.included) {
      const from = opts.archiveDir ?? path.join(store.homeDir, 'archive');
      const refs = await store.all<{ sha256: string; archive_path: string | null }>(
        // the input files, and the evidence files departments sent with their replies (migration 0009)
        `SELECT DISTINCT sha256, archive_path FROM (
           SELECT sha256, archive_path FROM files UNION ALL SELECT sha256, archive_path FROM portal_evidence
         ) ORDER BY sha256`,
      );
      const seen = new Set<string>();
      for (const r of refs) {
        const name = r.archive_path ? path.basename(r.archive_path) : r.sha256;
        if (seen.has(name)) continue;
        seen.add(name);
        const src = path.join(from, r.sha256.slice(0, 2), name);
        const alt = r.archive_path ?? src;
        const found = fs.existsSync(src) ? src : fs.existsSync(alt) ? alt : null;
        if (!found || !HASH_NAME.test(name)) {
          archive.missing.push(name);
          continue;
        }
        const rel = path.join(r.sha256.slice(0, 2), name);
        const dst = path.join(tmp, ARCHIVE_SUBDIR, rel);
        fs.mkdirSync(path.dirname(dst), { recursive: true });
        fs.copyFileSync(found, dst);
        const size = fs.statSync(dst).size;
        archive.files[rel.split(path.sep).join('/')] = size;
        bytes += size;
      }
      if (archive.missing.length)
        opts.log?.warn(
          `原始文件归档中缺少 ${archive.missing.length} 个文件（数据库中有记录），备份中也没有它们：${archive.missing.slice(0, 5).join('、')}${archive.missing.length > 5 ? '……' : ''}`,
        );
    }

    const manifest: Manifest = {
      format: 'govmon-backup',
      version: 1,
      created_at: opts.now.toISOString(),
      source: path.resolve(store.path),
      schema_version: await schemaVersion(store),
      duckdb_version: String(await store.value('SELECT version()')),
      tables: counts,
      files,
      archive,
    };
    fs.writeFileSync(path.join(tmp, MANIFEST), JSON.stringify(manifest, null, 2) + '\n');
    if (fs.existsSync(out)) fs.rmdirSync(out); // empty, checked above
    fs.renameSync(tmp, out);
    return {
      dir: out,
      tables: tables.length,
      rows: Object.values(counts).reduce((a, n) => a + n, 0),
      bytes,
      archiveFiles: Object.keys(archive.files).length,
      archiveMissing: archive.missing,
    };
  } catch (e) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
}

/**
 * The schema.sql a backup ships: the statements of govmon's own migrations that this database has
 * applied (the known-good DDL, in order), the migration log's table as DuckDB exported it, and the
 * sequences at their exported values. Checked by loading it into a scratch in-memory database, so a
 * backup that could not be restored is refused when it is made, not discovered when it is needed.
 */
async function loadableSchema(store: Store, exported: string): Promise<string> {
  // EXPORT DATABASE ends every statement with ";;\n" (the statement's own ";" and a separator).
  const stmts = exported
    .split(/;;\n/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
  const log = stmts.find((s) => /^CREATE TABLE schema_migrations\s*\(/i.test(s));
  if (!log) throw new UserError('数据库中没有迁移记录（schema_migrations），不是 govmon 数据库，无法备份');
  const sequences = stmts
    .filter((s) => /^CREATE SEQUENCE /i.test(s))
    .map((s) => s.replace(/^CREATE SEQUENCE /i, 'CREATE OR REPLACE SEQUENCE '));
  const applied = await store.all<{ version: number; checksum: string; name: string }>(
    'SELECT version, checksum, name FROM schema_migrations ORDER BY version',
  );
  const known = new Map(listMigrations().map((m) => [m.version, m]));
  const parts = [
    "-- govmon backup: the schema as govmon's migrations create it (DuckDB's own serialization of the",
    '-- views and table macros does not always load back), then the sequences at their exported values.',
    `${log};`,
  ];
  for (const a of applied) {
    const m = known.get(a.version);
    if (!m || m.checksum !== a.checksum)
      throw new UserError(
        `数据库的迁移 ${String(a.version).padStart(4, '0')}_${a.name} 与本程序的迁移文件不一致，无法生成可恢复的备份；请使用创建该数据库的 govmon 版本备份`,
      );
    parts.push(`-- ${String(m.version).padStart(4, '0')}_${m.name}`, m.sql.trim());
  }
  parts.push(...sequences.map((s) => `${s};`));
  const sql = parts.join('\n') + '\n';
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  try {
    await conn.run(sql);
    // load.sql then copies every table's rows in: a migration that wrote rows would double them
    const seeded = (
      await conn.runAndReadAll(`SELECT table_name, estimated_size FROM duckdb_tables() WHERE estimated_size > 0`)
    ).getRowObjectsJson();
    if (seeded.length) throw new Error(`migrations write rows (${seeded.map((t) => t.table_name).join(', ')}): load.sql would double them`);
  } catch (e) {
    throw new Error(`schema.sql of the backup does not load: ${String((e as Error).message ?? e).split('\n')[0]}`);
  } finally {
    conn.closeSync();
    db.closeSync();
  }
  return sql;
}

/** Read and check a backup folder: the manifest, and every file against its SHA-256. */
export async function verifyBackup(dir: string): Promise<Manifest> {
  const root = path.resolve(dir);
  if (!fs.existsSync(root) || !fs.statSync(root).isDirectory()) throw new UserError(`找不到备份文件夹 ${root}`);
  const mp = path.join(root, MANIFEST);
  if (!fs.existsSync(mp)) throw new UserError(`${root} 不是 govmon 备份文件夹（缺少 ${MANIFEST}，请用 govmon backup 生成备份）`);
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(mp, 'utf8'));
  } catch (e) {
    throw new UserError(`备份清单 ${mp} 已损坏：${(e as Error).message}`);
  }
  const r = Manifest.safeParse(raw);
  if (!r.success)
    throw new UserError(`备份清单 ${mp} 无效：${r.error.issues.map((i) => `${i.path.join('.') || '(根)'} ${i.message}`).join('；')}`);
  const m = r.data;
  const bad: string[] = [];
  for (const [name, f] of Object.entries(m.files)) {
    const p = path.join(root, name);
    if (name.includes('/') || name.includes('\\') || !fs.existsSync(p)) bad.push(`${name}（缺失）`);
    else if (fs.statSync(p).size !== f.bytes || (await sha256File(p)) !== f.sha256) bad.push(`${name}（内容与清单不符）`);
  }
  for (const need of ['schema.sql', 'load.sql']) if (!m.files[need]) bad.push(`${need}（清单中没有）`);
  if (m.archive.included)
    for (const [rel, size] of Object.entries(m.archive.files)) {
      const name = path.posix.basename(rel);
      const p = path.join(root, ARCHIVE_SUBDIR, ...rel.split('/'));
      if (!HASH_NAME.test(name) || rel.split('/').includes('..') || !fs.existsSync(p)) bad.push(`${ARCHIVE_SUBDIR}/${rel}（缺失）`);
      else if (fs.statSync(p).size !== size || (await sha256File(p)) !== name.slice(0, 64))
        bad.push(`${ARCHIVE_SUBDIR}/${rel}（内容与文件名的哈希不符）`);
    }
  if (bad.length)
    throw new UserError(
      `备份 ${root} 不完整或已损坏，未做任何恢复：${bad.slice(0, 5).join('、')}${bad.length > 5 ? ` 等 ${bad.length} 项` : ''}`,
    );
  return m;
}

export interface RestoreOptions {
  /** the backup folder */
  fromDir: string;
  /** the database file to restore into */
  target: string;
  /** replace a target that holds data */
  force?: boolean;
  log?: Log;
}

export interface RestoreResult {
  target: string;
  rows: number;
  archiveFiles: number;
  replaced: boolean;
  migratedFrom: number;
  migratedTo: number;
}

/** Rows in the user tables of a database (the migration log not counted). */
async function dataRows(store: Store): Promise<number> {
  const tables = await store.all<{ name: string }>(
    `SELECT table_name AS name FROM duckdb_tables() WHERE NOT temporary AND database_name = current_database() AND table_name <> 'schema_migrations'`,
  );
  let n = 0;
  for (const t of tables) n += Number(await store.value(`SELECT count(*) FROM ${ident(t.name)}`));
  return n;
}

function removeDbFiles(p: string): void {
  for (const f of [p, `${p}.wal`, `${p}.tmp`]) fs.rmSync(f, { recursive: true, force: true });
}

/** Bring a backup back into `target`: a new file, checked, then renamed over the target. */
export async function restoreDatabase(opts: RestoreOptions): Promise<RestoreResult> {
  if (opts.target === ':memory:') throw new UserError('不能恢复到内存数据库，请用 --db 指定数据库文件');
  const m = await verifyBackup(opts.fromDir);
  const from = path.resolve(opts.fromDir);
  if (m.schema_version > LATEST_VERSION())
    throw new UserError(`备份的数据库结构版本（${m.schema_version}）比本程序（${LATEST_VERSION()}）新，请先升级 govmon 再恢复`);
  const target = path.resolve(opts.target);
  let replaced = false;
  if (fs.existsSync(target)) {
    // Opening the target also tells whether another process is using it (the lock).
    const old = await Store.open(target);
    try {
      const n = await dataRows(old);
      if (n > 0 && !opts.force)
        throw new UserError(
          `目标数据库 ${target} 已有数据（${n} 行），恢复会替换全部内容；如确需替换，请加 --force（建议先用 govmon backup 备份当前数据库）`,
        );
      replaced = n > 0;
    } finally {
      old.close(); // a clean close checkpoints: no .wal is left beside the file that is replaced
    }
  }
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const tmp = path.join(path.dirname(target), `.${path.basename(target)}.restore-${crypto.randomBytes(6).toString('hex')}`);
  const archiveDir = path.join(path.dirname(target), 'archive');
  let rows = 0;
  let migratedTo = m.schema_version;
  try {
    const store = await Store.open(tmp);
    try {
      try {
        await store.run(`IMPORT DATABASE ${sqlString(from)}`);
      } catch (e) {
        throw new UserError(`无法从备份 ${from} 恢复：${String((e as Error).message ?? e).split('\n')[0]}`);
      }
      for (const [t, n] of Object.entries(m.tables)) {
        const got = Number(await store.value(`SELECT count(*) FROM ${ident(t)}`).catch(() => -1));
        if (got !== n) throw new UserError(`恢复后的表 ${t} 有 ${got < 0 ? '（不存在）' : got} 行，备份清单记录为 ${n} 行，已放弃恢复`);
        rows += n;
      }
      await ensureSchema(store);
      migratedTo = await schemaVersion(store);
      if (m.archive.included) {
        // The archive now lives beside the restored database; the file register says so.
        await store.run(
          `UPDATE files SET archive_path = $1 || left(sha256, 2) || $2 || regexp_extract(archive_path, '[^/\\\\]+$')
           WHERE archive_path IS NOT NULL AND archive_path <> $1 || left(sha256, 2) || $2 || regexp_extract(archive_path, '[^/\\\\]+$')`,
          [archiveDir + path.sep, path.sep],
        );
      }
    } finally {
      store.close();
    }
    if (fs.existsSync(`${tmp}.wal`)) throw new Error(`restored database ${tmp} left a WAL after a clean close`);

    let archiveFiles = 0;
    if (m.archive.included)
      for (const rel of Object.keys(m.archive.files)) {
        const dst = path.join(archiveDir, ...rel.split('/'));
        archiveFiles++;
        if (fs.existsSync(dst)) continue; // named by its hash: the same bytes are already there
        fs.mkdirSync(path.dirname(dst), { recursive: true });
        const part = `${dst}.restore-${crypto.randomBytes(4).toString('hex')}`;
        fs.copyFileSync(path.join(from, ARCHIVE_SUBDIR, ...rel.split('/')), part);
        fs.renameSync(part, dst);
      }

    if (fs.existsSync(`${target}.wal`))
      throw new UserError(`目标数据库 ${target} 旁有未合并的日志文件 ${target}.wal（可能有其他进程正在使用），未做任何恢复`);
    fs.renameSync(tmp, target);
    fs.rmSync(`${tmp}.tmp`, { recursive: true, force: true });
    return { target, rows, archiveFiles, replaced, migratedFrom: m.schema_version, migratedTo };
  } catch (e) {
    removeDbFiles(tmp);
    throw e;
  }
}
