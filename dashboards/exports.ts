// `govmon export KIND`: the lists and tables a bureau takes away (SPEC §7.2). One column list per
// kind — English name (CSV/JSON/Parquet header), Chinese label (XLSX header), SQL — and one
// writer per format chosen by the file extension. The §7.2 columns come first.
// CSV: UTF-8 with BOM, English headers; XLSX: Chinese headers, frozen header row, widths;
// numbers unrounded. Text cells of CSV and XLSX that begin with = + - @ tab or CR get a leading
// apostrophe (OWASP CSV injection); numbers stay numbers.

import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import crypto from 'node:crypto';
import { PassThrough } from 'node:stream';
import ExcelJS from 'exceljs';
import { UserError } from '../pipelines/errors.ts';
import type { Store, Row } from '../pipelines/store/database.ts';
import { sqlString } from '../pipelines/store/sql.ts';
import { formatLocal, isMonth } from '../pipelines/clock.ts';
import { CONDITION_ZH } from '../metrics/definitions.ts';

export type ColType = 'text' | 'number' | 'int' | 'bool' | 'date' | 'month';

export interface ExportColumn {
  name: string;
  zh: string;
  sql: string;
  type: ColType;
  width?: number;
}

export interface Period {
  month?: string;
  year?: number;
  runId?: number;
}

export interface ExportKind {
  kind: string;
  zh: string;
  period: 'month' | 'year' | 'any';
  columns: ExportColumn[];
  /** FROM … WHERE … ORDER BY … for the resolved run */
  from: (ctx: { runId: number | null; period: Period }) => string;
  /** the run this export reads, or null when it reads no run (rejects) */
  resolveRun: (store: Store, period: Period) => Promise<number | null>;
}

const c = (name: string, zh: string, type: ColType, sql = name, width?: number): ExportColumn => ({ name, zh, sql, type, width });

/** Chinese for condition codes, usable in SQL: CASE x WHEN 'inactive' THEN '无业务访问（闲置）' … END */
export function conditionZhSql(x: string): string {
  return `CASE ${x} ${Object.entries(CONDITION_ZH)
    .map(([k, v]) => `WHEN ${sqlString(k)} THEN ${sqlString(v)}`)
    .join(' ')} END`;
}

/** measured (FOCUS bills) | registry → Chinese */
export const COST_SOURCE_SQL = (x: string) => `CASE ${x} WHEN 'measured' THEN '实测（FOCUS 账单）' WHEN 'registry' THEN '系统目录' END`;

export const STATUS_ZH_SQL = `CASE status WHEN 'issued' THEN '已下发' WHEN 'open' THEN '整改中' WHEN 'resolved' THEN '已整改' WHEN 'escalated' THEN '转入淘汰' END`;

export async function currentMonthRun(store: Store, period: Period): Promise<number> {
  if (period.runId !== undefined) {
    const r = await store.one<{ job: string; period: string; status: string }>('SELECT job, period, status FROM runs WHERE run_id = $1', [period.runId]);
    if (!r || r.job !== 'month') throw new UserError(`运行编号 ${period.runId} 不是月度运行`);
    if (period.month && r.period !== period.month) throw new UserError(`运行编号 ${period.runId} 是 ${r.period} 的月度运行，不是 ${period.month}`);
    if (!['ok', 'warnings'].includes(r.status)) throw new UserError(`运行编号 ${period.runId} 未成功完成`);
    return period.runId;
  }
  if (!period.month) throw new UserError('请用 --month YYYY-MM 指定月份');
  const id = await store.value<number | null>('SELECT run_id FROM month_runs WHERE month = $1', [period.month]);
  if (!id) throw new UserError(`${period.month} 尚无月度运行结果，请先执行 govmon run --month ${period.month}`);
  return id;
}

const monthRun = (store: Store, p: Period) => currentMonthRun(store, p);
const monthOf = (ctx: { runId: number | null }) => `(SELECT CAST(period || '-01' AS DATE) FROM runs WHERE run_id = ${ctx.runId})`;

export const EXPORTS: Record<string, ExportKind> = {
  metrics: {
    kind: 'metrics',
    zh: '月度运行指标',
    period: 'month',
    resolveRun: monthRun,
    columns: [
      c('system_id', '系统编号', 'text'),
      c('month', '月份', 'month', "strftime(m.month, '%Y-%m')"),
      c('days_reported', '报送天数', 'int'),
      c('cpu_avg_pct', 'CPU平均使用率(%)', 'number'),
      c('cpu_p95_pct', 'CPU峰值P95(%)', 'number'),
      c('mem_avg_pct', '内存平均使用率(%)', 'number'),
      c('storage_used_gb', '存储使用量(GB)', 'number'),
      c('storage_util_pct', '存储使用率(%)', 'number'),
      c('dau_avg', '日均活跃用户', 'number'),
      c('dau_max', '最高日活跃用户', 'int'),
      c('requests_total', '月访问量', 'int'),
      c('availability_pct', '可用率(%)', 'number'),
      c('open_high_vulns', '未修复高危漏洞', 'int'),
      c('no_data', '监测数据缺失', 'bool'),
      c('inactive', '无业务访问（闲置）', 'bool'),
      c('low_util', '云资源使用率低', 'bool'),
      c('unusable', '无法正常使用', 'bool'),
      c('security', '严重安全隐患', 'bool'),
      c('streak_no_data', '连续月数-数据缺失', 'int'),
      c('streak_inactive', '连续月数-闲置', 'int'),
      c('streak_low_util', '连续月数-使用率低', 'int'),
      c('streak_unusable', '连续月数-无法使用', 'int'),
      c('streak_security', '连续月数-安全隐患', 'int'),
      c('system_name', '系统名称', 'text', 's.system_name', 28),
      c('department', '建设单位', 'text', 's.department', 20),
      c('days_in_month', '当月天数', 'int'),
      c('run_id', '运行编号', 'int', 'm.run_id'),
    ],
    from: (ctx) => `FROM res_metrics m LEFT JOIN stg_export_systems s USING (system_id)
      WHERE m.run_id = ${ctx.runId} AND m.month = ${monthOf(ctx)} ORDER BY m.system_id`,
  },
  rectification: {
    kind: 'rectification',
    zh: '限期整改清单',
    period: 'month',
    resolveRun: monthRun,
    columns: [
      c('system_id', '系统编号', 'text'),
      c('month', '月份', 'month', "strftime(n.month, '%Y-%m')"),
      c('conditions', '问题', 'text', "array_to_string(list_transform(n.conditions, lambda x: x.condition), ';')"),
      c('deadline', '整改期限', 'date', 'n.deadline'),
      c('status', '状态', 'text', 'n.status'),
      c('citations', '依据', 'text', "array_to_string(n.citations, '；')", 50),
      c('system_name', '系统名称', 'text', 'n.system_name', 28),
      c('department', '建设单位', 'text', 'n.department', 20),
      c('status_zh', '状态（中文）', 'text', STATUS_ZH_SQL.replaceAll('status', 'n.status')),
      c(
        'condition_details',
        '问题及连续月数',
        'text',
        `array_to_string(list_transform(n.conditions, lambda x: ${conditionZhSql('x.condition')} || '（连续' || x.streak || '个月）'), '；')`,
        40,
      ),
      c('issued_month', '下发月份', 'month', "strftime(n.issued_month, '%Y-%m')"),
      c('months_open', '已整改月数', 'int', 'n.months_open'),
      c('run_id', '运行编号', 'int', 'n.run_id'),
    ],
    from: (ctx) => `FROM res_notices n WHERE n.run_id = ${ctx.runId} AND n.month = ${monthOf(ctx)}
      ORDER BY CASE n.status WHEN 'issued' THEN 1 WHEN 'open' THEN 2 WHEN 'escalated' THEN 3 ELSE 4 END, n.deadline NULLS LAST, n.system_id`,
  },
  elimination: {
    kind: 'elimination',
    zh: '淘汰退出（关停）清单',
    period: 'month',
    resolveRun: monthRun,
    columns: [
      c('system_id', '系统编号', 'text'),
      c('system_name', '系统名称', 'text', 'e.system_name', 28),
      c('department', '建设单位', 'text', 'e.department', 20),
      c('month', '月份', 'month', "strftime(e.month, '%Y-%m')"),
      c('conditions', '淘汰原因', 'text', "array_to_string(list_transform(e.conditions, lambda x: x.condition), ';')"),
      c('citations', '依据', 'text', "array_to_string(e.citations, '；')", 50),
      c('vcpu', '回收vCPU', 'int', 'e.vcpu'),
      c('memory_gb', '回收内存(GB)', 'number', 'e.memory_gb'),
      c('storage_gb', '回收存储(GB)', 'number', 'e.storage_gb'),
      c('cloud_cost_annual', '年云资源费用(元)', 'number', 'e.cloud_cost_annual'),
      c('exempt', '豁免', 'bool', 'e.exempt'),
      c('exempt_reason', '豁免原因', 'text', 'e.exempt_reason', 24),
      c('cost_source', '费用来源', 'text', COST_SOURCE_SQL('e.cost_source')),
      c('exempt_until', '豁免截止', 'date', 'e.exempt_until'),
      c(
        'condition_details',
        '原因及连续月数',
        'text',
        `array_to_string(list_transform(e.conditions, lambda x: ${conditionZhSql('x.condition')} || '（' || strftime(x.from_month, '%Y-%m') || '起连续' || x.streak || '个月）'), '；')`,
        44,
      ),
      c('evidence', '证据（各月指标）', 'text', 'CAST(e.evidence AS VARCHAR)', 60),
      c('run_id', '运行编号', 'int', 'e.run_id'),
    ],
    from: (ctx) => `FROM res_elimination e WHERE e.run_id = ${ctx.runId} ORDER BY e.exempt, e.department, e.system_id`,
  },
  rightsizing: {
    kind: 'rightsizing',
    zh: '云资源减配建议',
    period: 'month',
    resolveRun: monthRun,
    columns: [
      c('system_id', '系统编号', 'text'),
      c('month', '月份', 'month', "strftime(r.month, '%Y-%m')"),
      c('vcpu', '现有vCPU', 'int', 'r.vcpu'),
      c('recommended_vcpu', '建议vCPU', 'int', 'r.recommended_vcpu'),
      c('reclaim_vcpu', '可回收vCPU', 'int', 'r.reclaim_vcpu'),
      c('reclaim_cost_annual', '可节约年费用(元)', 'number', 'r.reclaim_cost_annual'),
      c('system_name', '系统名称', 'text', 'r.system_name', 28),
      c('department', '建设单位', 'text', 'r.department', 20),
      c('max_p95_pct', '近三月CPU峰值P95最大值(%)', 'number', 'r.max_p95_pct'),
      c('cloud_cost_annual', '年云资源费用(元)', 'number', 'r.cloud_cost_annual'),
      c('cost_source', '费用来源', 'text', COST_SOURCE_SQL('r.cost_source')),
      c('citations', '依据', 'text', "array_to_string(r.citations, '；')", 40),
      c('run_id', '运行编号', 'int', 'r.run_id'),
    ],
    from: (ctx) => `FROM res_rightsizing r WHERE r.run_id = ${ctx.runId} ORDER BY r.reclaim_vcpu DESC, r.system_id`,
  },
  rejects: {
    kind: 'rejects',
    zh: '拒收明细',
    period: 'any',
    resolveRun: async () => null,
    columns: [
      c('file_id', '文件编号', 'int', 'f.file_id'),
      c('file_name', '文件名', 'text', 'f.file_name', 30),
      c('kind', '类型', 'text', 'r.kind'),
      c('row_no', '行号', 'int', 'r.row_no'),
      c('column_name', '列', 'text', 'r.column_name'),
      c('value', '值', 'text', 'r.value', 24),
      c('reason', '原因', 'text', 'r.reason', 40),
      c('ingested_at', '导入时间', 'text', "strftime(f.ingested_at, '%Y-%m-%d %H:%M:%S')", 20),
      c('sha256', '文件SHA-256', 'text', 'f.sha256', 20),
    ],
    from: ({ period }) => {
      const where = period.month
        ? `WHERE strftime(f.ingested_at, '%Y-%m') = ${sqlString(period.month)}`
        : period.year
          ? `WHERE year(f.ingested_at) = ${Number(period.year)}`
          : '';
      return `FROM rejects r JOIN files f USING (file_id) ${where} ORDER BY f.file_id, r.row_no NULLS FIRST, r.column_name`;
    },
  },
};

/** Register more export kinds (the annual evaluation adds sharing, scores, budget, calendar). */
export function addExportKind(k: ExportKind): void {
  EXPORTS[k.kind] = k;
}

export type ExportFormat = 'csv' | 'xlsx' | 'parquet' | 'json';

export function formatOf(file: string): ExportFormat {
  const ext = path.extname(file).toLowerCase();
  if (ext === '.csv') return 'csv';
  if (ext === '.xlsx') return 'xlsx';
  if (ext === '.parquet') return 'parquet';
  if (ext === '.json') return 'json';
  throw new UserError(`不支持的导出格式“${ext || '（无扩展名）'}”：请使用 .csv、.xlsx、.parquet 或 .json`);
}

const INJECTION = /^[=+\-@\t\r]/;

/** Neutralise a text cell that a spreadsheet would read as a formula. */
export function safeText(s: string): string {
  return INJECTION.test(s) ? `'${s}` : s;
}

function selectList(cols: ExportColumn[], neutralise: boolean): string {
  return cols
    .map((col) => {
      const expr = neutralise && col.type === 'text' ? `gm_safe_text(${col.sql})` : col.sql;
      return `${expr} AS "${col.name}"`;
    })
    .join(', ');
}

export interface ExportResult {
  file: string;
  rows: number;
  runId: number | null;
}

/** Build the SELECT of an export (also used by the dashboard and tests). */
export async function exportQuery(store: Store, kind: string, period: Period, neutralise = false): Promise<{ sql: string; spec: ExportKind; runId: number | null }> {
  const spec = EXPORTS[kind];
  if (!spec) throw new UserError(`未知的导出类型：${kind}（可用：${Object.keys(EXPORTS).join('、')}）`);
  if (period.month !== undefined && !isMonth(period.month)) throw new UserError(`月份格式应为 YYYY-MM：${period.month}`);
  if (spec.period === 'month' && !period.month && period.runId === undefined) throw new UserError(`导出 ${kind} 需要 --month YYYY-MM`);
  if (spec.period === 'year' && !period.year && period.runId === undefined) throw new UserError(`导出 ${kind} 需要 --year YYYY`);
  const runId = await spec.resolveRun(store, period);
  await ensureExportViews(store);
  return { sql: `SELECT ${selectList(spec.columns, neutralise)} ${spec.from({ runId, period })}`, spec, runId };
}

async function ensureExportViews(store: Store): Promise<void> {
  // Names and departments for exports come from the registry, classified systems excluded.
  await store.run(
    `CREATE OR REPLACE TEMP VIEW stg_export_systems AS SELECT * FROM systems_current WHERE NOT coalesce(classified, false)`,
  );
}

export async function exportRows(store: Store, kind: string, period: Period): Promise<{ rows: Row[]; spec: ExportKind; runId: number | null }> {
  const q = await exportQuery(store, kind, period);
  return { rows: await store.all(q.sql), spec: q.spec, runId: q.runId };
}

export async function writeExport(store: Store, kind: string, period: Period, outFile: string): Promise<ExportResult> {
  const format = formatOf(outFile);
  const neutralise = format === 'csv' || format === 'xlsx';
  const q = await exportQuery(store, kind, period, neutralise);
  fs.mkdirSync(path.dirname(path.resolve(outFile)), { recursive: true });
  const tmp = path.join(path.dirname(path.resolve(outFile)), `.${path.basename(outFile)}.${crypto.randomBytes(4).toString('hex')}.tmp`);
  let rows: number;
  try {
    if (format === 'xlsx') rows = await writeXlsx(await readXlsx(store, q), tmp);
    else if (format === 'csv') {
      const body = path.join(os.tmpdir(), `govmon-${process.pid}-${crypto.randomBytes(6).toString('hex')}.csv`);
      try {
        rows = await store.run(`COPY (${q.sql}) TO ${sqlString(body)} (FORMAT csv, HEADER true)`);
        fs.writeFileSync(tmp, '\uFEFF');
        fs.appendFileSync(tmp, fs.readFileSync(body));
      } finally {
        fs.rmSync(body, { force: true });
      }
    } else if (format === 'parquet') rows = await store.run(`COPY (${q.sql}) TO ${sqlString(tmp)} (FORMAT parquet)`);
    else rows = await store.run(`COPY (${q.sql}) TO ${sqlString(tmp)} (FORMAT json, ARRAY true)`);
    fs.renameSync(tmp, outFile);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
  return { file: outFile, rows, runId: q.runId };
}

/** What an XLSX export holds: its rows and the run they come from, read from the database. */
export interface XlsxData {
  spec: ExportKind;
  rows: Row[];
  run: Row | undefined;
}

async function readXlsx(store: Store, q: { sql: string; spec: ExportKind; runId: number | null }): Promise<XlsxData> {
  const rows = await store.all(q.sql);
  const run = q.runId !== null ? await store.one<Row>('SELECT run_id, period, profile, profile_sha256, started_at FROM runs WHERE run_id = $1', [q.runId]) : undefined;
  return { spec: q.spec, rows, run };
}

/** Read an XLSX export's data now, write the file later (the run writes its CSVs meanwhile). */
export async function prepareXlsxExport(store: Store, kind: string, period: Period): Promise<XlsxData> {
  return readXlsx(store, await exportQuery(store, kind, period, true));
}

/** Write a prepared XLSX export: JavaScript work only, the database is not touched. */
export async function writeXlsxExport(data: XlsxData, outFile: string): Promise<ExportResult> {
  fs.mkdirSync(path.dirname(path.resolve(outFile)), { recursive: true });
  const tmp = path.join(path.dirname(path.resolve(outFile)), `.${path.basename(outFile)}.${crypto.randomBytes(4).toString('hex')}.tmp`);
  try {
    const rows = await writeXlsx(data, tmp);
    fs.renameSync(tmp, outFile);
    return { file: outFile, rows, runId: data.run ? Number(data.run.run_id) : null };
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
}

async function writeXlsx({ spec, rows, run }: XlsxData, file: string): Promise<number> {
  // The streaming writer with inline strings: a list of thousands of rows with their evidence is
  // written in a third of the time the in-memory workbook takes; every spreadsheet reads it.
  const chunks: Buffer[] = [];
  const sink = new PassThrough();
  sink.on('data', (c: Buffer) => chunks.push(c));
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: sink, useSharedStrings: false, useStyles: true });
  wb.creator = 'govmon';
  wb.created = new Date(0);
  wb.modified = new Date(0);
  const ws = wb.addWorksheet(spec.zh.slice(0, 31), { views: [{ state: 'frozen', ySplit: 1 }] });
  ws.columns = spec.columns.map((col) => ({
    header: col.zh,
    key: col.name,
    width: col.width ?? Math.max(10, Math.min(24, col.zh.length * 2 + 2)),
    style: col.type === 'date' ? { numFmt: 'yyyy-mm-dd' } : {},
  }));
  ws.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: spec.columns.length } };
  const header = ws.getRow(1);
  header.font = { bold: true };
  header.alignment = { vertical: 'middle', wrapText: true };
  header.commit();
  for (const [i, r] of rows.entries()) {
    const values: Record<string, ExcelJS.CellValue> = {};
    for (const col of spec.columns) values[col.name] = xlsxValue(r[col.name], col.type);
    const row = ws.addRow(values);
    row.alignment = { vertical: 'top', wrapText: true };
    row.commit();
    // let the event loop go on now and then: the run's CSV exports are issued meanwhile
    if (i % 100 === 99) await new Promise((resolve) => setImmediate(resolve));
  }
  ws.commit();
  const meta = wb.addWorksheet('说明');
  meta.columns = [{ width: 16 }, { width: 80, style: { alignment: { wrapText: true } } }];
  const notes = [
    ['内容', spec.zh],
    ['行数', rows.length],
    ...(run
      ? [
          ['运行编号', run.run_id],
          ['期间', run.period],
          ['政策配置', `${run.profile}（内容哈希 ${String(run.profile_sha256).slice(0, 12)}）`],
          ['运行时间', formatLocal(String(run.started_at), true)],
        ]
      : []),
    ['列说明', spec.columns.map((col) => `${col.zh}=${col.name}`).join('；')],
  ] as ExcelJS.CellValue[][];
  for (const n of notes) meta.addRow(n).commit();
  meta.commit();
  await wb.commit();
  // document dates are fixed above; the zip entries' own times too, so the same run gives the same bytes
  fs.writeFileSync(file, zipWithFixedTimes(Buffer.concat(chunks)));
  return rows.length;
}

/** Set every entry of a zip (an XLSX) to 1980-01-01 00:00, the earliest DOS time: the writer stamps the current time. */
function zipWithFixedTimes(b: Buffer): Buffer {
  let eocd = b.length - 22;
  while (eocd >= 0 && b.readUInt32LE(eocd) !== 0x06054b50) eocd--;
  if (eocd < 0) throw new Error('XLSX writer produced no zip directory');
  let p = b.readUInt32LE(eocd + 16);
  for (let i = b.readUInt16LE(eocd + 10); i > 0; i--) {
    if (b.readUInt32LE(p) !== 0x02014b50) throw new Error('XLSX writer produced a bad zip directory');
    b.writeUInt32LE(0x00210000, p + 12); // central directory: time 00:00:00, date 1980-01-01
    b.writeUInt32LE(0x00210000, b.readUInt32LE(p + 42) + 10); // the entry's local header
    p += 46 + b.readUInt16LE(p + 28) + b.readUInt16LE(p + 30) + b.readUInt16LE(p + 32);
  }
  return b;
}

function xlsxValue(v: unknown, type: ColType): ExcelJS.CellValue {
  if (v === null || v === undefined) return null;
  if (type === 'bool') return v ? '是' : '否';
  if (type === 'date') return new Date(`${String(v).slice(0, 10)}T00:00:00Z`);
  if (type === 'number' || type === 'int') return typeof v === 'number' ? v : Number(v);
  return safeText(String(v));
}

export function periodOf(o: { month?: string; year?: string | number; run?: string | number }): Period {
  const p: Period = {};
  if (o.month !== undefined) p.month = o.month;
  if (o.year !== undefined) {
    const y = Number(o.year);
    if (!Number.isInteger(y) || y < 2000 || y > 2100) throw new UserError(`年份无效：${o.year}`);
    p.year = y;
  }
  if (o.run !== undefined) {
    const r = Number(o.run);
    if (!Number.isInteger(r) || r < 1) throw new UserError(`运行编号无效：${o.run}`);
    p.runId = r;
  }
  return p;
}
