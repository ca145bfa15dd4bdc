// `govmon status`: what a big-data-centre operator checks first — the database, the last files
// and what happened to them, the rejects waiting for a person, the last runs.

import path from 'node:path';
import { formatLocal } from '../core/clock.ts';
import { STATUS_ZH, type FileStatus } from './ingest/ingest.ts';
import { KIND_ZH, type Kind } from '../metrics/contract.ts';
import type { Store } from './store/database.ts';
import { schemaVersion } from './store/migrate.ts';

export interface StatusOptions {
  now: Date;
  /** extra sections (schedule, inbox) contributed by the scheduler */
  extra?: string[];
}

export async function statusReport(store: Store, opts: StatusOptions): Promise<string> {
  const out: string[] = [];
  out.push(`数据库：${store.inMemory ? '（内存）' : path.resolve(store.path)}，结构版本 ${await schemaVersion(store)}`);
  const counts = await store.one<Record<string, number>>(`SELECT
    (SELECT count(*) FROM systems_current) AS systems,
    (SELECT count(*) FROM raw_telemetry) AS telemetry,
    (SELECT count(*) FROM catalog_current) AS catalog,
    (SELECT count(*) FROM om_report_current) AS om_report,
    (SELECT count(*) FROM files) AS files,
    (SELECT count(*) FROM rejects) AS rejects`);
  out.push(
    `数据：系统 ${counts!.systems} 个，监测数据 ${counts!.telemetry} 行，资源目录 ${counts!.catalog} 条，运维报表 ${counts!.om_report} 份；已登记文件 ${counts!.files} 个，拒收 ${counts!.rejects} 处`,
  );
  const files = await store.all<{
    file_id: number;
    file_name: string;
    kind: Kind | null;
    status: FileStatus;
    rows_loaded: number;
    rows_rejected: number;
    ingested_at: string;
  }>(`SELECT file_id, file_name, kind, status, rows_loaded, rows_rejected, ingested_at FROM files ORDER BY file_id DESC LIMIT 10`);
  if (files.length) {
    out.push('', '最近导入的文件（导入时间为北京时间）：');
    for (const f of files)
      out.push(
        `  #${f.file_id} ${formatLocal(f.ingested_at, true)} ${f.file_name}（${f.kind ? (KIND_ZH[f.kind] ?? OTHER_KIND_ZH[f.kind] ?? f.kind) : '未知类型'}）${STATUS_ZH[f.status]}：导入 ${f.rows_loaded ?? 0} 行，拒收 ${f.rows_rejected ?? 0} 行`,
      );
  }
  const pending = await store.all<{ file_name: string; n: number }>(
    `SELECT f.file_name, count(*) AS n FROM rejects r JOIN files f USING (file_id) GROUP BY ALL ORDER BY max(r.file_id) DESC LIMIT 10`,
  );
  if (pending.length) {
    out.push('', '有拒收记录的文件（govmon export rejects 导出明细）：');
    for (const p of pending) out.push(`  ${p.file_name}：${p.n} 处`);
  }
  const runs = await store.all<{
    run_id: number;
    job: string;
    period: string | null;
    status: string;
    started_at: string;
    duration_ms: number | null;
    message: string | null;
  }>(`SELECT run_id, job, period, status, started_at, duration_ms, message FROM runs ORDER BY run_id DESC LIMIT 10`);
  if (runs.length) {
    out.push('', '最近的运行（开始时间为北京时间）：');
    for (const r of runs)
      out.push(
        `  #${r.run_id} ${formatLocal(r.started_at, true)} ${JOB_ZH[r.job] ?? r.job}${r.period ? ` ${r.period}` : ''}：${RUN_STATUS_ZH[r.status] ?? r.status}${r.duration_ms !== null ? `，${(r.duration_ms / 1000).toFixed(1)} 秒` : ''}${r.message ? `（${r.message}）` : ''}`,
      );
  }
  if (opts.extra?.length) out.push('', ...opts.extra);
  return out.join('\n');
}

/** Kinds stored by the connectors beside the four canonical inputs. */
export const OTHER_KIND_ZH: Record<string, string> = { focus: 'FOCUS 云费用账单' };

export const JOB_ZH: Record<string, string> = {
  ingest: '导入',
  month: '月度运行',
  year: '年度评价',
  dashboard: '生成看板',
  inbox: '收件箱扫描',
};

export const RUN_STATUS_ZH: Record<string, string> = {
  running: '进行中',
  ok: '完成',
  warnings: '完成（有警告）',
  failed: '失败',
  skipped: '跳过',
};
