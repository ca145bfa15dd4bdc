// `govmon backup --out DIR` and `govmon restore DIR` (pipelines/store/backup.ts). Backup opens the
// database read-only and as it is (no migration on the way in); restore writes a new file and
// renames it over --db, so neither leaves a half-written database behind.

import fs from 'node:fs';
import path from 'node:path';
import { UserError } from '../../../core/errors.ts';
import { Store } from '../../../pipelines/store/database.ts';
import { dirArg } from '../args.ts';
import { parseArg, type Kit } from '../kit.ts';
import { backupDatabase, restoreDatabase } from '../../../pipelines/store/backup.ts';

function size(bytes: number): string {
  return bytes >= 1 << 30
    ? `${(bytes / (1 << 30)).toFixed(1)} GB`
    : bytes >= 1 << 20
      ? `${(bytes / (1 << 20)).toFixed(1)} MB`
      : `${Math.ceil(bytes / 1024)} KB`;
}

export async function backup(kit: Kit, o: { out?: string; archive: boolean }): Promise<number> {
  const out = parseArg(dirArg('备份文件夹（--out）'), o.out);
  const { log } = kit;
  const dbPath = kit.dbPath();
  if (dbPath !== ':memory:' && !fs.existsSync(dbPath)) throw new UserError(`数据库文件 ${dbPath} 不存在，无可备份`);
  const store = await Store.open(dbPath, { readOnly: true });
  try {
    const r = await backupDatabase(store, { outDir: out, archive: o.archive, now: new Date(), log });
    log.info(
      [
        `已备份数据库 ${path.resolve(dbPath)} → ${r.dir}`,
        `  ${r.tables} 张表，共 ${r.rows} 行；原始文件归档 ${o.archive ? `${r.archiveFiles} 个文件` : '未包含（--no-archive）'}；合计 ${size(r.bytes)}`,
        `  恢复：govmon --db 新数据库文件 restore ${r.dir}`,
      ].join('\n'),
    );
    return r.archiveMissing.length ? 2 : 0;
  } finally {
    store.close();
  }
}

export async function restore(kit: Kit, dir: string, o: { force?: boolean }): Promise<number> {
  const from = parseArg(dirArg('备份文件夹'), dir);
  const r = await restoreDatabase({ fromDir: from, target: kit.dbPath(), force: o.force, log: kit.log });
  kit.log.info(
    [
      `已从 ${path.resolve(from)} 恢复数据库 → ${r.target}${r.replaced ? '（原有数据已被替换）' : ''}`,
      `  共 ${r.rows} 行；原始文件归档 ${r.archiveFiles} 个文件${r.migratedTo > r.migratedFrom ? `；数据库结构已升级 ${r.migratedFrom} → ${r.migratedTo}` : ''}`,
    ].join('\n'),
  );
  return 0;
}
