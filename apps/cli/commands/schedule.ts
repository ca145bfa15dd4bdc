// `govmon schedule`: the daemon (apps/daemon/, docs/operations.md §8). One per database (a lock
// with the holder's PID, host and start time); the Chinese log on standard output, optionally the
// same as JSON lines in a file; optionally its own metrics on a loopback port.

import { formatLocal } from '../../../core/clock.ts';
import { UserError } from '../../../core/errors.ts';
import { withJsonLines, type JsonLinesLog, type Log } from '../../../core/log.ts';
import { loadConfig } from '../../jobs/config.ts';
import { Scheduler, nextFire, nodeCronDriver } from '../../daemon/scheduler.ts';
import { JOB_LABEL } from '../../daemon/jobs.ts';
import { acquireDaemonLock } from '../../daemon/lock.ts';
import { DaemonMetrics, serveMetrics } from '../../daemon/metrics.ts';
import type { Kit } from '../kit.ts';

export async function schedule(kit: Kit, o: { config?: string; logJson?: string; metricsPort?: string }): Promise<number> {
  const dbPath = kit.dbPath();
  const config = loadConfig(kit.home(), o.config);
  const port = o.metricsPort === undefined ? config.metrics_port : Number(o.metricsPort);
  if (port !== null && !(Number.isInteger(port) && port >= 1 && port <= 65535))
    throw new UserError(`--metrics-port 应为 1 到 65535 之间的端口号：${o.metricsPort}`);
  const started = new Date();
  // before anything else: a second daemon on the same database stops here, non-zero, saying who holds it
  const lock = acquireDaemonLock(dbPath, started);
  let log: Log | JsonLinesLog = kit.log;
  const jsonPath = o.logJson ?? config.logJsonPath;
  if (jsonPath) log = withJsonLines(kit.log, jsonPath);
  const onExit = () => lock.release();
  process.once('exit', onExit);
  try {
    if (lock.tookOver)
      log.warn(`上一个守护进程（PID ${lock.tookOver.pid}，启动于 ${formatLocal(lock.tookOver.started_at, true)}）没有正常退出，已接管其锁`);
    const metrics = new DaemonMetrics(config, started);
    const server = port !== null ? await serveMetrics(metrics, port) : undefined;
    const scheduler = new Scheduler({
      config,
      dbPath,
      profile: kit.g.profile,
      log,
      driver: nodeCronDriver(),
      metrics,
      onEvent:
        'event' in log
          ? (e) =>
              (log as JsonLinesLog).event({
                event: 'job',
                job: e.job,
                trigger: e.trigger,
                outcome: e.outcome,
                at: e.at.toISOString(),
                duration_ms: e.durationMs === undefined ? null : Math.round(e.durationMs),
                summary: e.summary,
              })
          : undefined,
    });
    log.info(`govmon 定时任务已启动（数据库 ${dbPath}，时区 Asia/Shanghai，收件箱 ${config.inboxPath}，PID ${process.pid}）`);
    for (const job of ['inbox', 'monthly', 'annual'] as const) {
      const expr = config.schedule[job];
      const next = expr ? nextFire(expr, new Date()) : null;
      log.info(`  ${JOB_LABEL[job]}：${expr ?? '已停用'}${next ? `，下次 ${formatLocal(next)}` : ''}`);
    }
    if (server) log.info(`  监控指标：http://127.0.0.1:${port}/metrics`);
    if (jsonPath) log.info(`  JSON 日志：${jsonPath}`);
    // Signals are heeded from here on, also while the start's catch-up is being queued: a stop
    // requested meanwhile waits for the start, then stops (the job under way rolls back).
    const keepAlive = setInterval(() => undefined, 1 << 30); // alive until a signal, even with every job disabled
    let starting: Promise<void> = Promise.resolve();
    const stopped = new Promise<void>((resolve) => {
      const stop = (sig: string) => {
        log.info(`收到 ${sig}，正在停止：当前任务将中止并回滚……`);
        void starting
          .catch(() => undefined)
          .then(() => scheduler.stop())
          .then(() => {
            clearInterval(keepAlive);
            log.info('已停止。');
            resolve();
          });
      };
      process.once('SIGTERM', () => stop('SIGTERM'));
      process.once('SIGINT', () => stop('SIGINT'));
    });
    starting = scheduler.start();
    await starting;
    await stopped;
    server?.close();
    return 0;
  } finally {
    lock.release();
    process.off('exit', onExit);
  }
}
