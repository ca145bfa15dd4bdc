// `govmon init`, `govmon ingest PATH...`, `govmon status`: the database, what goes into it, and
// what an operator checks first.

import { migrate } from '../../../pipelines/store/migrate.ts';
import { ingestPaths } from '../../../pipelines/ingest/ingest.ts';
import { progressEnabled } from '../../../pipelines/progress.ts';
import { statusReport } from '../../../pipelines/status.ts';
import { loadConfig } from '../../jobs/config.ts';
import { scheduleStatus } from '../../daemon/status.ts';
import { kindArg } from '../args.ts';
import { parseArg, type Kit } from '../kit.ts';

export async function init(kit: Kit): Promise<number> {
  return kit.withStore(
    async (store, log) => {
      const r = await migrate(store);
      log.info(
        r.applied.length
          ? `数据库 ${store.path} 已升级：结构版本 ${r.from} → ${r.to}（${r.applied.join('、')}）`
          : `数据库 ${store.path} 已是最新结构（版本 ${r.to}），未做改动`,
      );
      return 0;
    },
    { skipSchema: true },
  );
}

export async function ingest(kit: Kit, paths: string[], o: { kind?: string; force?: boolean }): Promise<number> {
  const kind = o.kind === undefined ? undefined : parseArg(kindArg, o.kind);
  return kit.withStore(async (store, log) => {
    const r = await ingestPaths(store, paths, { kind, force: o.force, now: new Date(), log, progress: progressEnabled(kit.g.quiet) });
    const loaded = r.files.reduce((a, f) => a + f.rowsLoaded, 0);
    const rejected = r.files.reduce((a, f) => a + f.rowsRejected, 0);
    log.info(`合计：${r.files.length} 个文件，导入 ${loaded} 行，拒收 ${rejected} 行`);
    return r.exitCode;
  });
}

export async function status(kit: Kit): Promise<number> {
  return kit.withStore(async (store, log) => {
    const now = new Date();
    const config = loadConfig(store.homeDir);
    log.info(await statusReport(store, { now, extra: await scheduleStatus(store, config, now) }));
    return 0;
  });
}
