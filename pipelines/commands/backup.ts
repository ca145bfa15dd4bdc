// `govmon backup --out DIR` and `govmon restore DIR` (pipelines/store/backup.ts). Backup opens the
// database read-only and as it is (no migration on the way in); restore writes a new file and
// renames it over --db, so neither leaves a half-written database behind.

import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { z } from 'zod';
import type { CommandKit } from '../commands.ts';
import type { GlobalOpts } from '../cli.ts';
import { UserError } from '../errors.ts';
import { consoleLog } from '../log.ts';
import { Store, dbPathFromEnv } from '../store/database.ts';
import { backupDatabase, restoreDatabase } from '../store/backup.ts';

const DirArg = z.string().trim().min(1, { error: '请指定文件夹' });

function size(bytes: number): string {
  return bytes >= 1 << 30 ? `${(bytes / (1 << 30)).toFixed(1)} GB` : bytes >= 1 << 20 ? `${(bytes / (1 << 20)).toFixed(1)} MB` : `${Math.ceil(bytes / 1024)} KB`;
}

export function register(program: Command, kit: CommandKit): void {
  program
    .command('backup')
    .description('备份整个数据库为 Parquet（DuckDB EXPORT DATABASE），含原始文件归档 / back up the whole database as Parquet, with the raw-file archive')
    .requiredOption('--out <dir>', '备份文件夹（须为新的或空的文件夹）/ backup folder (new or empty)')
    .option('--no-archive', '不复制原始文件归档（archive/）/ leave the raw-file archive out')
    .action(async (o: { out: string; archive: boolean }) => {
      const out = kit.parseArg(DirArg, o.out);
      const g = program.opts<GlobalOpts>();
      const log = consoleLog({ quiet: g.quiet });
      const dbPath = dbPathFromEnv(g.db);
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
        process.exitCode = r.archiveMissing.length ? 2 : 0;
      } finally {
        store.close();
      }
    });

  program
    .command('restore')
    .description('从 govmon backup 的备份恢复数据库到 --db / restore a backup into the --db file')
    .argument('<dir>', '备份文件夹 / backup folder')
    .option('--force', '目标数据库已有数据时也替换 / replace a target database that holds data')
    .action(async (dir: string, o: { force?: boolean }) => {
      const from = kit.parseArg(DirArg, dir);
      const g = program.opts<GlobalOpts>();
      const log = consoleLog({ quiet: g.quiet });
      const r = await restoreDatabase({ fromDir: from, target: dbPathFromEnv(g.db), force: o.force, log });
      log.info(
        [
          `已从 ${path.resolve(from)} 恢复数据库 → ${r.target}${r.replaced ? '（原有数据已被替换）' : ''}`,
          `  共 ${r.rows} 行；原始文件归档 ${r.archiveFiles} 个文件${r.migratedTo > r.migratedFrom ? `；数据库结构已升级 ${r.migratedFrom} → ${r.migratedTo}` : ''}`,
        ].join('\n'),
      );
      process.exitCode = 0;
    });
}
