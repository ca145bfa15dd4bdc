// `govmon schedule`: the daemon.

import path from 'node:path';
import type { Command } from 'commander';
import type { CommandKit } from '../commands.ts';
import { consoleLog } from '../log.ts';
import { dbPathFromEnv } from '../store/database.ts';
import { loadConfig } from '../schedule/config.ts';
import { Scheduler, nextFire, nodeCronDriver } from '../schedule/scheduler.ts';
import { JOB_LABEL } from '../schedule/jobs.ts';
import type { GlobalOpts } from '../cli.ts';
import { formatLocal } from '../clock.ts';
import { buildDashboard } from '../../dashboards/site/build.ts';

export function register(program: Command, _kit: CommandKit): void {
  program
    .command('schedule')
    .description('定时任务守护进程（收件箱、月度运行、年度评价）/ the scheduling daemon')
    .option('--config <file>', '配置文件（默认为数据库所在目录的 govmon.config.json）/ configuration file')
    .action(async (o: { config?: string }) => {
      const g = program.opts<GlobalOpts>();
      const log = consoleLog({ quiet: g.quiet });
      const dbPath = dbPathFromEnv(g.db);
      const config = loadConfig(path.dirname(path.resolve(dbPath)), o.config);
      const scheduler = new Scheduler({
        config,
        dbPath,
        profile: g.profile,
        log,
        driver: nodeCronDriver(),
        // the monthly run also builds that month's dashboard
        afterMonth: async (store, month) => {
          await buildDashboard(store, { month, outDir: path.join(config.sitePath, month), now: new Date(), log, trigger: 'schedule' });
        },
      });
      log.info(`govmon 定时任务已启动（数据库 ${dbPath}，时区 Asia/Shanghai，收件箱 ${config.inboxPath}）`);
      for (const job of ['inbox', 'monthly', 'annual'] as const) {
        const expr = config.schedule[job];
        const next = expr ? nextFire(expr, new Date()) : null;
        log.info(`  ${JOB_LABEL[job]}：${expr ?? '已停用'}${next ? `，下次 ${formatLocal(next)}` : ''}`);
      }
      await scheduler.start();
      await new Promise<void>((resolve) => {
        const stop = (sig: string) => {
          log.info(`收到 ${sig}，正在停止：当前任务将中止并回滚……`);
          void scheduler.stop().then(() => {
            log.info('已停止。');
            resolve();
          });
        };
        process.once('SIGTERM', () => stop('SIGTERM'));
        process.once('SIGINT', () => stop('SIGINT'));
      });
      process.exitCode = 0;
    });
}
