// The deployment's configuration (docs/operations.md §8: "the schedule is part of the configuration"):
// `govmon.config.json` beside the database, every field optional, validated by zod with dotted
// paths in Chinese. Paths are relative to the database's folder.

import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import cron from 'node-cron';
import { UserError } from '../../core/errors.ts';

const CronExpr = z
  .string()
  .refine((s) => cron.validate(s), { error: '不是有效的 cron 表达式（分 时 日 月 周）' })
  .nullable();

export const Config = z.strictObject({
  /** cron expressions in Asia/Shanghai time; null disables a job */
  schedule: z
    .strictObject({
      inbox: CronExpr.default('*/15 * * * *'), // defaults to every 15 minutes
      monthly: CronExpr.default('0 2 3 * *'), // defaults to 02:00 on the 3rd, for the previous month
      annual: CronExpr.default('0 2 1 9 *'), // defaults to 02:00 on 1 September (budget season)
    })
    .prefault({}),
  /** the city's code in the province's published tree (`govmon publish`, docs/province.md §10) */
  city_code: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,32}$/, { error: '城市代码只能用字母、数字、下划线和连字符（1–32 个）' })
    .optional(),
  /** policy profile of scheduled runs; defaults to the --profile of `govmon schedule` */
  profile: z.string().optional(),
  inbox_dir: z.string().default('inbox'),
  site_dir: z.string().default('site'),
  exports_dir: z.string().default('exports'),
  /** where the month job writes the month's documents (docs/outputs.md §7.4) */
  documents_dir: z.string().default('documents'),
  /** the city named in the titles of the lists and documents, e.g. 云川市 */
  city: z.string().min(1).optional(),
  /** the issuing authority of the documents (发文机关); defaults to the city's 数据局 */
  issuer: z.string().min(1).optional(),
  /** the 文号 prefix of the documents, e.g. 临数局〔2026〕; a placeholder when absent */
  doc_prefix: z.string().min(1).optional(),
  /** a file in the inbox is taken only when unchanged for this long (still being copied otherwise) */
  stable_seconds: z.number().min(0).max(3600).default(5),
  /** seconds a stopping daemon waits for the current job before interrupting it (it then rolls back) */
  stop_grace_seconds: z.number().min(0).max(3600).default(0),
  /** the daemon's log as JSON lines (beside the Chinese text on standard output); defaults to none */
  log_json: z.string().min(1).nullable().default(null),
  /** loopback port of the daemon's Prometheus metrics (/metrics on 127.0.0.1); defaults to none */
  metrics_port: z.number().int().min(1).max(65535).nullable().default(null),
  /** the portal (`govmon serve` with accounts, docs/outputs.md §7.5) */
  portal: z
    .strictObject({
      /** minutes an account stays locked after the sixth wrong password within a minute */
      lock_minutes: z.number().int().min(1).max(1440).default(15),
      /** hours a login lasts */
      session_hours: z.number().min(0.25).max(24).default(8),
      /** largest file a department may upload, MB */
      upload_max_mb: z.number().int().min(1).max(1024).default(50),
      /** login attempts per account and address per minute (the lock counts wrong passwords per account) */
      login_per_minute: z.number().int().min(6).max(1000).default(10),
    })
    .prefault({}),
});
export type Config = z.infer<typeof Config>;

export interface ResolvedConfig extends Config {
  file: string | null;
  home: string;
  inboxPath: string;
  sitePath: string;
  exportsPath: string;
  logJsonPath: string | null;
  documentsPath: string;
  /** the issuing authority: `issuer`, else `city` + 数据局, else 市数据局 */
  issuerName: string;
}

export const CONFIG_NAME = 'govmon.config.json';

export function loadConfig(home: string, file?: string): ResolvedConfig {
  const p = file ?? path.join(home, CONFIG_NAME);
  let raw: unknown = {};
  let used: string | null = null;
  if (fs.existsSync(p)) {
    used = p;
    try {
      raw = JSON.parse(fs.readFileSync(p, 'utf8').replace(/^\uFEFF/, ''));
    } catch (e) {
      throw new UserError(`配置文件 ${p} 不是有效的 JSON：${(e as Error).message}`);
    }
  } else if (file) throw new UserError(`找不到配置文件 ${file}`);
  const r = Config.safeParse(raw, { error: z.locales.zhCN().localeError });
  if (!r.success)
    throw new UserError(`配置文件 ${p} 有错误：\n${r.error.issues.map((i) => `  ${i.path.join('.') || '(根)'}：${i.message}`).join('\n')}`);
  const c = r.data;
  const abs = (x: string) => (path.isAbsolute(x) ? x : path.join(home, x));
  return {
    ...c,
    file: used,
    home,
    inboxPath: abs(c.inbox_dir),
    sitePath: abs(c.site_dir),
    exportsPath: abs(c.exports_dir),
    logJsonPath: c.log_json === null ? null : abs(c.log_json),
    documentsPath: abs(c.documents_dir),
    issuerName: c.issuer ?? (c.city ? `${c.city}数据局` : '市数据局'),
  };
}
