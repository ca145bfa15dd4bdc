// `govmon`: the command line. Parses arguments (commander, then zod), opens the store, calls the
// step, and turns a UserError into one Chinese line and its exit code. Nothing else lives here.

import fs from 'node:fs';
import { Command, Option } from 'commander';
import { z } from 'zod';
import { isUserError, UserError } from './errors.ts';
import { consoleLog } from './log.ts';
import { Store, dbPathFromEnv } from './store/database.ts';
import { ensureSchema, migrate } from './store/migrations.ts';
import { KINDS, type Kind } from './ingest/contract.ts';
import { ingestPaths } from './ingest/ingest.ts';
import { statusReport } from './status.ts';
import { registerCommands } from './commands.ts';
import { loadConfig } from './schedule/config.ts';
import { progressEnabled } from './progress.ts';
import { scheduleStatus } from './schedule/status.ts';

export interface GlobalOpts {
  db?: string;
  profile: string;
  quiet?: boolean;
}

const KindArg = z.enum(KINDS as [Kind, ...Kind[]], { error: () => `--kind 应为 ${KINDS.join('、')} 之一` });

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('govmon')
    .description(
      '市数据局政务信息系统运行监测与绩效评价流水线\nMonitoring and performance-evaluation pipeline of a city data bureau',
    )
    .addOption(new Option('--db <path>', '数据库文件 / database file (env GOVMON_DB)').default(undefined, 'data/govmon.duckdb'))
    .option('--profile <name>', '政策配置（名称或 JSON 文件）/ policy profile (name or JSON file)', 'default')
    .option('-q, --quiet', '只输出错误和警告 / print only errors and warnings')
    .version(packageVersion(), '-V, --version', '显示版本 / show the version')
    .helpOption('-h, --help', '显示帮助 / show help')
    .helpCommand('help [command]', '显示命令帮助 / help for a command')
    .showHelpAfterError('（用 govmon --help 查看用法 / see govmon --help）')
    .configureOutput({
      outputError: (str, write) => write(str.replace(/^error: /, '错误 / error: ')),
    });

  program
    .command('init')
    .description('创建或升级数据库（版本化迁移）/ create or upgrade the database')
    .action(async () => {
      await withStore(program, async (store, log) => {
        const r = await migrate(store);
        log.info(
          r.applied.length
            ? `数据库 ${store.path} 已升级：结构版本 ${r.from} → ${r.to}（${r.applied.join('、')}）`
            : `数据库 ${store.path} 已是最新结构（版本 ${r.to}），未做改动`,
        );
        return 0;
      }, { skipSchema: true });
    });

  program
    .command('ingest')
    .description('导入文件或文件夹 / ingest files or folders (systems, telemetry, catalog, om_report)')
    .argument('<paths...>', '文件或文件夹 / files or folders')
    .option('--kind <kind>', `强制指定类型 / force the kind: ${KINDS.join(' | ')}`)
    .option('--force', '即使相同内容已导入也再次导入 / ingest again even if the same bytes were ingested')
    .action(async (paths: string[], o: { kind?: string; force?: boolean }) => {
      const kind = o.kind === undefined ? undefined : parseArg(KindArg, o.kind);
      await withStore(program, async (store, log) => {
        const r = await ingestPaths(store, paths, { kind, force: o.force, now: new Date(), log, progress: progressEnabled(program.opts<GlobalOpts>().quiet) });
        const loaded = r.files.reduce((a, f) => a + f.rowsLoaded, 0);
        const rejected = r.files.reduce((a, f) => a + f.rowsRejected, 0);
        log.info(`合计：${r.files.length} 个文件，导入 ${loaded} 行，拒收 ${rejected} 行`);
        return r.exitCode;
      });
    });

  program
    .command('status')
    .description('数据库、最近导入与运行、拒收情况 / database, recent ingests and runs, rejects')
    .action(async () => {
      await withStore(program, async (store, log) => {
        const now = new Date();
        const config = loadConfig(store.homeDir);
        log.info(await statusReport(store, { now, extra: await scheduleStatus(store, config, now) }));
        return 0;
      });
    });

  registerCommands(program, { withStore, parseArg });
  return program;
}

function packageVersion(): string {
  const pkg = JSON.parse(fs.readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

export function parseArg<T>(schema: z.ZodType<T>, v: unknown): T {
  const r = schema.safeParse(v);
  if (!r.success) throw new UserError(r.error.issues.map((i) => i.message).join('；'), 1);
  return r.data;
}

export type WithStore = (
  program: Command,
  fn: (store: Store, log: ReturnType<typeof consoleLog>, g: GlobalOpts) => Promise<number>,
  opts?: { skipSchema?: boolean },
) => Promise<void>;

/** Open the store named by --db, run `fn`, close it, set the exit code. */
export const withStore: WithStore = async (program, fn, opts = {}) => {
  const g = program.opts<GlobalOpts>();
  const log = consoleLog({ quiet: g.quiet });
  const store = await Store.open(dbPathFromEnv(g.db));
  try {
    if (!opts.skipSchema) await ensureSchema(store);
    process.exitCode = await fn(store, log, g);
  } finally {
    store.close();
  }
};

export async function main(argv: string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (e) {
    if (isUserError(e)) {
      process.stderr.write(`错误：${e.message}\n`);
      process.exitCode = e.exitCode;
    } else {
      process.stderr.write(`govmon 内部错误（请报告）：${(e as Error)?.stack ?? String(e)}\n`);
      process.exitCode = 1;
    }
  }
}

const invoked = process.argv[1] ?? '';
if (/cli\.ts$|govmon(\.js)?$/.test(invoked)) await main(process.argv);
