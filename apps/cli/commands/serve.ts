// `govmon serve` (docs/outputs.md §7.1, §7.5): without portal accounts (or with --dir), the static
// site of a month from disk, as `govmon dashboard` built it; with accounts (`govmon user add`), the portal, which
// holds the database while it runs and, with --schedule, runs the scheduled jobs in the same
// process (docs/operations.md, "the portal"). Either way it binds 127.0.0.1 unless --host is given,
// and another address needs TLS (--tls-cert/--tls-key) or an explicit --behind-proxy.

import fs from 'node:fs';
import { UserError } from '../../../core/errors.ts';
import { formatLocal } from '../../../core/clock.ts';
import { portArg } from '../args.ts';
import { parseArg, type Kit } from '../kit.ts';
import { serve as serveStatic } from './dashboard.ts';

export interface ServeOpts {
  dir?: string;
  port: string;
  host: string;
  tlsCert?: string;
  tlsKey?: string;
  behindProxy?: boolean | string;
  schedule?: boolean;
  config?: string;
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

function readPem(file: string, what: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch {
    throw new UserError(`无法读取${what}文件 ${file}`);
  }
}

export async function serve(kit: Kit, o: ServeOpts): Promise<number> {
  const port = parseArg(portArg, o.port);
  if (!!o.tlsCert !== !!o.tlsKey) throw new UserError('--tls-cert 与 --tls-key 需同时给出');
  const tls = !!(o.tlsCert && o.tlsKey);
  if (!isLoopback(o.host) && !tls && !o.behindProxy)
    throw new UserError(
      `拒绝在 ${o.host} 上提供服务：本机以外可访问的地址需要 TLS（--tls-cert 与 --tls-key），或在提供 TLS 的反向代理之后运行并明确给出 --behind-proxy`,
    );
  // --dir names a built site on disk: served as it is, without logins and without the database
  if (o.dir) {
    if (tls || o.schedule) throw new UserError('--tls-cert、--tls-key 和 --schedule 只用于门户，不能与 --dir（静态站点）一起使用');
    return serveStatic(kit, o);
  }
  const dbPath = kit.dbPath();
  const { Store } = await import('../../../pipelines/store/database.ts');
  const { ensureSchema } = await import('../../../pipelines/store/migrate.ts');
  const { countAccounts } = await import('../../portal/accounts.ts');
  let store: import('../../../pipelines/store/database.ts').Store | null = null;
  if (fs.existsSync(dbPath)) {
    store = await Store.open(dbPath);
    await ensureSchema(store);
    if ((await countAccounts(store)) === 0) {
      store.close();
      store = null;
    }
  }
  if (!store) {
    if (tls || o.schedule)
      throw new UserError(
        '尚无门户账户：--tls-cert、--tls-key 和 --schedule 只用于门户。先用 govmon user add 建立账户，或去掉这些选项以提供静态站点',
      );
    return serveStatic(kit, o);
  }
  return servePortal(kit, o, store, port, tls);
}

async function servePortal(
  kit: Kit,
  o: ServeOpts,
  store: import('../../../pipelines/store/database.ts').Store,
  port: number,
  tls: boolean,
) {
  const { loadConfig } = await import('../../jobs/config.ts');
  const { buildPortal, listen } = await import('../../portal/server.ts');
  const { loadProfile } = await import('../../../pipelines/profiles.ts');
  const log = kit.log;
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig(kit.home(), o.config);
  } catch (e) {
    store.close();
    throw e;
  }
  const trust =
    o.behindProxy === true ? 'loopback' : typeof o.behindProxy === 'string' ? o.behindProxy.split(',').map((x) => x.trim()) : false;
  const portal = await buildPortal({
    store,
    lockMinutes: config.portal.lock_minutes,
    sessionHours: config.portal.session_hours,
    uploadMaxMb: config.portal.upload_max_mb,
    loginPerMinute: config.portal.login_per_minute,
    https: tls ? { cert: readPem(o.tlsCert!, 'TLS 证书'), key: readPem(o.tlsKey!, 'TLS 私钥') } : undefined,
    secureCookies: tls ? true : o.behindProxy ? 'auto' : false,
    trustProxy: trust,
    profile: kit.profileGiven() ? loadProfile(kit.g.profile) : undefined,
  });
  let started: Awaited<ReturnType<typeof listen>>;
  try {
    started = await listen(portal, port, o.host);
  } catch (e) {
    store.close();
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') throw new UserError(`端口 ${port} 已被占用，请用 --port 换一个端口`);
    if (code === 'EACCES') throw new UserError(`无权监听端口 ${port}，请换一个大于 1024 的端口`);
    throw e;
  }
  let scheduler: import('../../daemon/scheduler.ts').Scheduler | null = null;
  let daemonLock: { release: () => void } | null = null;
  if (o.schedule) {
    // the scheduled jobs run here: no separate `govmon schedule` on the same database (docs/operations.md §8.2)
    const { acquireDaemonLock } = await import('../../daemon/lock.ts');
    daemonLock = acquireDaemonLock(kit.dbPath(), new Date());
    process.once('exit', () => daemonLock?.release());
    const { Scheduler, nextFire, nodeCronDriver } = await import('../../daemon/scheduler.ts');
    const { JOB_LABEL } = await import('../../daemon/jobs.ts');
    scheduler = new Scheduler({
      config,
      dbPath: kit.dbPath(),
      profile: kit.g.profile,
      log,
      driver: nodeCronDriver(),
      openStore: () => portal.db.lend(),
    });
    log.info(`定时任务在门户进程中运行（时区 Asia/Shanghai，收件箱 ${config.inboxPath}）`);
    for (const job of ['inbox', 'monthly', 'annual'] as const) {
      const expr = config.schedule[job];
      const next = expr ? nextFire(expr, new Date()) : null;
      log.info(`  ${JOB_LABEL[job]}：${expr ?? '已停用'}${next ? `，下次 ${formatLocal(next)}` : ''}`);
    }
    await scheduler.start();
  }
  log.info(`门户：数据库 ${kit.dbPath()}（门户运行期间由本进程独占，其他 govmon 命令会提示数据库正在使用）`);
  log.info(`正在提供：${started.url}　按 Ctrl+C 停止`);
  if (!isLoopback(o.host)) log.warn(`监听 ${o.host}，本机以外的计算机也能访问门户${tls ? '（TLS）' : '（须经反向代理提供 TLS）'}`);
  await new Promise<void>((resolve) => {
    const stop = () => {
      void (async () => {
        await scheduler?.stop();
        daemonLock?.release();
        await started.close();
        store.close();
        resolve();
      })();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  return 0;
}
