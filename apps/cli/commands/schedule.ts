// `govmon schedule`: the daemon (apps/daemon/).

import { formatLocal } from '../../../core/clock.ts';
import { loadConfig } from '../../jobs/config.ts';
import { Scheduler, nextFire, nodeCronDriver } from '../../daemon/scheduler.ts';
import { JOB_LABEL } from '../../daemon/jobs.ts';
import type { Kit } from '../kit.ts';

export async function schedule(kit: Kit, o: { config?: string }): Promise<number> {
  const { log } = kit;
  const dbPath = kit.dbPath();
  const config = loadConfig(kit.home(), o.config);
  const scheduler = new Scheduler({ config, dbPath, profile: kit.g.profile, log, driver: nodeCronDriver() });
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
  return 0;
}
