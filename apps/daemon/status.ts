// The schedule's part of `govmon status`: each job's expression, last and next run; the inbox.

import fs from 'node:fs';
import path from 'node:path';
import type { Store } from '../../pipelines/store/database.ts';
import { formatLocal } from '../../core/clock.ts';
import type { ResolvedConfig } from '../jobs/config.ts';
import { JOB_LABEL, readyInboxFiles } from './inbox.ts';
import { nextFire } from './cron.ts';
import { RUN_STATUS_ZH } from '../../pipelines/status.ts';

const RUN_JOB = { inbox: 'inbox', monthly: 'month', annual: 'year' } as const;

export async function scheduleStatus(store: Store, config: ResolvedConfig, now: Date): Promise<string[]> {
  const out = [`定时任务（Asia/Shanghai；配置 ${config.file ?? '默认值'}）：`];
  for (const job of ['inbox', 'monthly', 'annual'] as const) {
    const expr = config.schedule[job];
    const last = await store.one<{ started_at: string; status: string; period: string | null }>(
      `SELECT started_at, status, period FROM runs WHERE job = $1 AND trigger IN ('schedule', 'catch-up') ORDER BY run_id DESC LIMIT 1`,
      [RUN_JOB[job]],
    );
    const next = expr ? nextFire(expr, now) : null;
    out.push(
      `  ${JOB_LABEL[job]}：${expr ?? '已停用'}；上次 ${last ? `${formatLocal(last.started_at)}${last.period ? ` ${last.period}` : ''} ${RUN_STATUS_ZH[last.status] ?? last.status}` : '无'}；下次 ${next ? formatLocal(next) : '—'}`,
    );
  }
  const count = (dir: string) =>
    fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => !f.endsWith('.report.txt') && !f.startsWith('.')).length : 0;
  const waiting = readyInboxFiles({ ...config, stable_seconds: 0 }, now).length;
  out.push(
    `收件箱 ${config.inboxPath}：待处理 ${waiting} 个；已处理 ${count(path.join(config.inboxPath, 'processed'))} 个；失败 ${count(path.join(config.inboxPath, 'failed'))} 个`,
  );
  return out;
}
