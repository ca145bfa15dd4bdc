// `govmon status`: what a big-data-centre operator checks first — the database, the last files
// and what happened to them, the rejects waiting for a person, the last runs.

import path from 'node:path';
import { formatLocal } from '../core/clock.ts';
import { cleanText } from '../core/text.ts';
import { STATUS_ZH, type FileStatus } from './ingest/lifecycle.ts';
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
        `  #${f.file_id} ${formatLocal(f.ingested_at, true)} ${cleanText(f.file_name, 80)}（${f.kind ? (KIND_ZH[f.kind] ?? OTHER_KIND_ZH[f.kind] ?? f.kind) : '未知类型'}）${STATUS_ZH[f.status]}：导入 ${f.rows_loaded ?? 0} 行，拒收 ${f.rows_rejected ?? 0} 行`,
      );
  }
  // Rejects per attempt: every ingest of a file is an attempt with its own file id and rejects. The
  // latest attempt of a file (the same bytes, or the same path) supersedes the earlier ones — a bill
  // refused for want of an exchange rate and then loaded is no longer waiting for a person.
  const attempts = await store.all<{
    file_id: number;
    file_name: string;
    ingested_at: string;
    attempt: number;
    n: number;
    superseded: boolean;
  }>(
    `WITH f AS (
       SELECT file_id, file_name, sha256, source_path, ingested_at,
         EXISTS (SELECT 1 FROM files g WHERE g.file_id > f.file_id AND (g.sha256 = f.sha256 OR g.source_path = f.source_path)) AS superseded,
         (SELECT count(*) FROM files g WHERE g.file_id <= f.file_id AND (g.sha256 = f.sha256 OR g.source_path = f.source_path)) AS attempt
       FROM files f WHERE file_id IN (SELECT DISTINCT file_id FROM rejects)
     )
     SELECT f.file_id, f.file_name, f.ingested_at, f.attempt, f.superseded, count(*) AS n
     FROM f JOIN rejects r USING (file_id) GROUP BY ALL ORDER BY f.file_id DESC`,
  );
  const pending = attempts.filter((a) => !a.superseded);
  if (pending.length) {
    out.push('', '有拒收记录的文件（每次导入为一次尝试；govmon export rejects 导出明细）：');
    for (const p of pending.slice(0, 10))
      out.push(
        `  ${cleanText(p.file_name, 80)}（文件编号 ${p.file_id}，${formatLocal(p.ingested_at)}${p.attempt > 1 ? `，第 ${p.attempt} 次尝试` : ''}）：${p.n} 处`,
      );
    if (pending.length > 10) out.push(`  ……另有 ${pending.length - 10} 个文件`);
  }
  const superseded = attempts.filter((a) => a.superseded);
  if (superseded.length)
    out.push(
      `  （另有 ${superseded.length} 次较早的尝试已被同一文件后来的导入取代，共 ${superseded.reduce((x, a) => x + a.n, 0)} 处拒收，不再列出）`,
    );
  const runs = await store.all<{
    run_id: number;
    job: string;
    period: string | null;
    status: string;
    started_at: string;
    duration_ms: number | null;
    message: string | null;
    as_of: string | null;
  }>(
    `SELECT run_id, job, period, status, started_at, duration_ms, message, CASE job WHEN 'month' THEN counts->>'as_of' END AS as_of
     FROM runs ORDER BY run_id DESC LIMIT 10`,
  );
  if (runs.length) {
    out.push('', '最近的运行（开始时间为北京时间）：');
    for (const r of runs)
      out.push(
        `  #${r.run_id} ${formatLocal(r.started_at, true)} ${JOB_ZH[r.job] ?? r.job}${r.period ? ` ${r.period}` : ''}${r.as_of ? `（本月尚未结束，截至 ${r.as_of}）` : ''}：${RUN_STATUS_ZH[r.status] ?? r.status}${r.duration_ms !== null ? `，${(r.duration_ms / 1000).toFixed(1)} 秒` : ''}${r.message ? `（${cleanText(r.message, 300)}）` : ''}`,
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
  schedule: '定时任务',
};

export const RUN_STATUS_ZH: Record<string, string> = {
  running: '进行中',
  ok: '完成',
  warnings: '完成（有警告）',
  failed: '失败',
  skipped: '跳过',
  aborted: '已中止',
};
