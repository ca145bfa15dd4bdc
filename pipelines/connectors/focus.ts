// FOCUS connector (docs/inputs.md §2.5): FinOps FOCUS 1.x cost-and-usage exports (CSV, CSV.GZ or Parquet)
// into raw_cloud_costs, one row per charge row, each attributed to a system through a tag or a
// ResourceId pattern — or kept as unmapped and reported, never dropped. Like every input file a
// FOCUS file is archived by SHA-256 before it is read, the same bytes twice are a no-op, one
// transaction stores all its valid rows and its rejects (row, column, value, Chinese reason), and
// typing and checks run in DuckDB SQL.
//
// What real exports do (see the FOCUS sample's README): nulls are the bare token NULL (a quoted
// "NULL" is a string), strings are quoted and numbers are not, date/times often lack a zone (read
// as UTC, FOCUS's zone), Tags is a JSON object written as a string.

import fs from 'node:fs';
import { z } from 'zod';
import { UnusableFileError, UserError } from '../../core/errors.ts';
import type { Log } from '../../core/log.ts';
import { cleanText, describeHeaders } from '../../core/text.ts';
import { formatLocal } from '../../core/clock.ts';
import type { Store } from '../store/database.ts';
import { ident, sqlString } from '../../core/sql.ts';
import { expandPaths, formatOutcome } from '../ingest/ingest.ts';
import { ingestWith, type FileOutcome, type LoadContext } from '../ingest/lifecycle.ts';
import { readerReasonCase, rejectedLineText } from '../ingest/readers.ts';
import { readJsonConfig } from './config.ts';

// ---------------------------------------------------------------- the mapping

export const FocusMapping = z
  .strictObject({
    description: z.string().optional(),
    /** the tag key whose value names the system, e.g. application */
    tag: z.string({ error: '应为标签名（字符串），如 application' }).min(1, '标签名不能为空').optional(),
    /** tag value → system_id; without it the tag value itself is the system_id */
    values: z.record(z.string(), z.string().trim().min(1, '系统编号不能为空')).optional(),
    /** ResourceId glob patterns (* any text, ? one character), tried in order before the tag */
    resources: z
      .array(
        z.strictObject({
          match: z.string().min(1, '资源匹配模式不能为空'),
          system_id: z.string().trim().min(1, '系统编号不能为空'),
          note: z.string().optional(),
        }),
      )
      .optional(),
  })
  .superRefine((m, ctx) => {
    if (m.values && !m.tag)
      ctx.addIssue({ code: 'custom', path: ['tag'], message: '给出 values 时必须同时给出 tag（按哪个标签的值对应）' });
    if (!m.tag && !m.resources?.length) ctx.addIssue({ code: 'custom', path: [], message: '至少要给出 tag 或 resources 之一' });
  });
export type FocusMapping = z.infer<typeof FocusMapping>;

export function loadFocusMapping(file: string): FocusMapping {
  return readJsonConfig(file, FocusMapping, 'FOCUS 映射文件');
}

export type CostBasis = 'billed' | 'effective';
export const COST_BASIS_ZH: Record<CostBasis, string> = { billed: 'BilledCost（账单金额）', effective: 'EffectiveCost（摊销后实际成本）' };

/** `USD=7.1,EUR=7.8` (or repeated) → {USD: 7.1, EUR: 7.8}; CNY is always 1. */
export function parseFx(specs: readonly string[]): Record<string, number> {
  const out: Record<string, number> = { CNY: 1 };
  for (const spec of specs
    .flatMap((s) => s.split(','))
    .map((s) => s.trim())
    .filter(Boolean)) {
    const m = /^([A-Za-z]{3})=([0-9]+(?:\.[0-9]+)?)$/.exec(spec);
    if (!m || !(Number(m[2]) > 0)) throw new UserError(`--fx 的格式应为 币种=对人民币汇率，如 USD=7.1：${spec}`);
    const cur = m[1].toUpperCase();
    if (cur === 'CNY' && Number(m[2]) !== 1) throw new UserError('人民币（CNY）的汇率固定为 1，无需指定');
    out[cur] = Number(m[2]);
  }
  return out;
}

// ---------------------------------------------------------------- the columns read

interface FocusColumn {
  focus: string; // FOCUS column name
  col: string; // staging column
  required?: boolean;
}

/** The FOCUS columns govmon keeps; the others are read past (they stay in the archived file). */
const COLUMNS: readonly FocusColumn[] = [
  { focus: 'BilledCost', col: 'billed_cost', required: true },
  { focus: 'BillingCurrency', col: 'billing_currency', required: true },
  { focus: 'BillingPeriodStart', col: 'billing_period_start', required: true },
  { focus: 'EffectiveCost', col: 'effective_cost' },
  { focus: 'BillingPeriodEnd', col: 'billing_period_end' },
  { focus: 'ChargePeriodStart', col: 'charge_period_start' },
  { focus: 'ChargePeriodEnd', col: 'charge_period_end' },
  { focus: 'ChargeCategory', col: 'charge_category' },
  { focus: 'ProviderName', col: 'provider_name' },
  { focus: 'BillingAccountId', col: 'billing_account_id' },
  { focus: 'SubAccountId', col: 'sub_account_id' },
  { focus: 'ServiceName', col: 'service_name' },
  { focus: 'ResourceId', col: 'resource_id' },
  { focus: 'ResourceName', col: 'resource_name' },
  { focus: 'Tags', col: 'tags' },
];

// ---------------------------------------------------------------- the pull

export interface PullFocusOptions {
  mapping: FocusMapping;
  cost: CostBasis;
  /** yuan per unit of each billing currency (parseFx); CNY included */
  fx: Record<string, number>;
  now: Date;
  archiveDir?: string;
  /** load again even if the same bytes were loaded before */
  force?: boolean;
  log: Log;
}

export interface UnmappedGroup {
  tag_value: string | null;
  reason: string;
  billing_currency: string;
  cost: number;
  cost_yuan: number;
  rows: number;
}

export interface PeriodTotal {
  billing_month: string;
  billing_currency: string;
  billed_cost: number;
  effective_cost: number | null;
  rows: number;
}

/** A system's measured cost in a year, and the billing months it was billed in (what annualises it). */
export interface SystemCost {
  system_id: string;
  year: number;
  billed_months: string;
  measured_months: number;
  measured_cost_yuan: number;
  cloud_cost_annual: number;
}

export interface PullFocusResult {
  files: FileOutcome[];
  /** the export's coverage: first ChargePeriodStart and last ChargePeriodEnd (else start) of the files' rows, ISO */
  coverage: { first: string | null; last: string | null };
  /** the measured yearly cost of each system these files bill, annualised over its own billing months */
  systems: SystemCost[];
  /** the batch of the new files of this pull (undefined when nothing new was loaded) */
  batchId?: number;
  periods: PeriodTotal[];
  mappedRows: number;
  mappedCostYuan: number;
  unmappedRows: number;
  unmappedCostYuan: number;
  /** unmapped cost by tag value and reason, largest first */
  unmapped: UnmappedGroup[];
  exitCode: 0 | 1 | 2;
}

const ACCEPTED = /\.(csv|csv\.gz|parquet)$/i;

/** Files of the given paths: files as given, folders walked in path-name order (the one path expansion of ingest). */
export function expandFocusPaths(paths: readonly string[]): string[] {
  const out = expandPaths(paths, (name) => ACCEPTED.test(name));
  if (!out.length) throw new UserError('没有找到 FOCUS 文件（支持 .csv、.csv.gz、.parquet）');
  return out;
}

/** Load FOCUS files as one batch, then report what they hold and what could not be attributed. */
export async function pullFocus(store: Store, paths: readonly string[], o: PullFocusOptions): Promise<PullFocusResult> {
  const files = expandFocusPaths(paths);
  await prepareMapping(store, o);
  const outcomes: FileOutcome[] = [];
  let batchId: number | undefined;
  try {
    for (const f of files) {
      const r = await ingestFocusFile(
        store,
        f,
        o,
        async () => (batchId ??= await store.value<number>("SELECT nextval('cloud_cost_batch_seq')")),
      );
      outcomes.push(r);
      o.log.info(formatOutcome(r));
    }
  } finally {
    await store.run(
      'DROP TABLE IF EXISTS temp.main.gm_focus_values; DROP TABLE IF EXISTS temp.main.gm_focus_rules; DROP TABLE IF EXISTS temp.main.gm_focus_fx',
    );
  }
  const ids = outcomes.filter((x) => x.rowsLoaded > 0).map((x) => x.fileId!);
  const res = await report(store, ids);
  const bad = outcomes.some((x) => x.status === 'partial' || x.status === 'rejected' || x.status === 'failed' || x.warnings.length > 0);
  const anyLoaded = outcomes.some((x) => x.rowsLoaded > 0 || x.status === 'duplicate');
  const exitCode = bad ? (anyLoaded ? 2 : 1) : res.unmappedRows > 0 ? 2 : 0;
  printReport(o.log, res, o.mapping);
  return { files: outcomes, batchId, ...res, exitCode };
}

/** The mapping and the rates as temporary tables the attribution SQL joins to. */
async function prepareMapping(store: Store, o: PullFocusOptions): Promise<void> {
  await store.run('CREATE OR REPLACE TEMP TABLE gm_focus_values (tag_value VARCHAR, system_id VARCHAR)');
  await store.run('CREATE OR REPLACE TEMP TABLE gm_focus_rules (ord INTEGER, pattern VARCHAR, system_id VARCHAR)');
  await store.run('CREATE OR REPLACE TEMP TABLE gm_focus_fx (currency VARCHAR, rate DOUBLE)');
  for (const [v, s] of Object.entries(o.mapping.values ?? {})) await store.run('INSERT INTO gm_focus_values VALUES ($1, $2)', [v, s]);
  for (const [i, r] of (o.mapping.resources ?? []).entries())
    await store.run('INSERT INTO gm_focus_rules VALUES ($1, $2, $3)', [i, r.match, r.system_id]);
  for (const [c, r] of Object.entries(o.fx)) await store.run('INSERT INTO gm_focus_fx VALUES ($1, $2)', [c, r]);
}

type Format = 'csv' | 'parquet';

/** One FOCUS file through the file lifecycle of every input (archive, same bytes, one transaction, failure path). */
function ingestFocusFile(store: Store, p: string, o: PullFocusOptions, batch: () => Promise<number>): Promise<FileOutcome> {
  return ingestWith(
    store,
    p,
    { now: o.now, force: o.force, archiveDir: o.archiveDir },
    {
      storedKind: 'focus',
      load: (ctx) => loadFocusFile(ctx, o, batch),
      cleanup: async (st) => {
        for (const t of ['gm_focus_in', 'gm_focus_typed', 'gm_focus_rej', 'gm_focus_scan', 'gm_focus_reader'])
          await st.run(`DROP TABLE IF EXISTS temp.main.${t}`).catch(() => undefined);
      },
    },
  );
}

/** The FOCUS loader: format from the bytes, then stage, type and check, attribute, all in the file's transaction. */
async function loadFocusFile(ctx: LoadContext, o: PullFocusOptions, batch: () => Promise<number>): Promise<void> {
  const { store, arch, outcome: out } = ctx;
  const head = Buffer.alloc(4);
  const fd = fs.openSync(arch.archivePath, 'r');
  const n = fs.readSync(fd, head, 0, 4, 0);
  fs.closeSync(fd);
  const format: Format = n === 4 && head.toString('latin1') === 'PAR1' ? 'parquet' : 'csv';
  const gzip = n >= 2 && head[0] === 0x1f && head[1] === 0x8b;
  out.format = format;
  if (format === 'csv') out.encoding = 'utf-8';
  if (n === 0) throw new UnusableFileError('文件为空');
  if (format === 'csv' && !gzip && !arch.utf8Valid) throw new UnusableFileError('FOCUS 文件应为 UTF-8 编码，本文件含有非 UTF-8 字节');
  // DuckDB reads .gz by its extension: the archive keeps the source's last extension, so a
  // gzip stream under another name is read through a link named .csv.gz.
  let readPath = arch.archivePath;
  if (gzip && !readPath.endsWith('.gz')) {
    readPath = `${arch.archivePath}.read.csv.gz`;
    if (!fs.existsSync(readPath)) fs.symlinkSync(arch.archivePath, readPath);
    ctx.readPaths.push(readPath);
  }
  await ctx.commit(async () => {
    const fileId = await ctx.fileId();
    await stage(store, readPath, format);
    await typeAndCheck(store, o, out);
    await attribute(store, o, fileId);
    await store.run('INSERT INTO cloud_cost_files VALUES ($1, $2, $3, $4::JSON, $5::JSON)', [
      fileId,
      await batch(),
      o.cost,
      JSON.stringify(o.mapping),
      JSON.stringify(o.fx),
    ]);
  });
}

/**
 * gm_focus_in(row_no, <col> VARCHAR …) with the columns govmon keeps (absent optional ones NULL),
 * and gm_focus_reader(row_no, value, reason) for CSV lines the reader could not split.
 */
async function stage(store: Store, readPath: string, format: Format): Promise<void> {
  const src =
    format === 'csv'
      ? `read_csv(${sqlString(readPath)}, header = true, all_varchar = true, delim = ',', quote = '"', escape = '"',
          nullstr = 'NULL', allow_quoted_nulls = false, max_line_size = 16777216,
          store_rejects = true, rejects_table = 'gm_focus_rej', rejects_scan = 'gm_focus_scan')`
      : `read_parquet(${sqlString(readPath)}, file_row_number = true)`;
  const described = await store.all<{ column_name: string; column_type: string }>(`DESCRIBE SELECT * FROM ${src}`);
  const byName = new Map(described.map((d) => [d.column_name.trim().toLowerCase(), d]));
  const missing = COLUMNS.filter((c) => c.required && !byName.has(c.focus.toLowerCase())).map((c) => c.focus);
  if (missing.length)
    throw new UnusableFileError(
      `不是 FOCUS 成本文件：缺少列 ${missing.join('、')}；文件的列为：${describeHeaders(described.map((d) => d.column_name))}`,
    );
  const sel = COLUMNS.map((c) => {
    const d = byName.get(c.focus.toLowerCase());
    return `${d ? asText(ident(d.column_name), d.column_type) : 'NULL::VARCHAR'} AS ${c.col}`;
  }).join(', ');
  if (format === 'csv') {
    await store.run(`CREATE OR REPLACE TEMP TABLE gm_focus_in AS SELECT ordinality AS k, ${sel} FROM ${src} WITH ORDINALITY`);
    // Lines the reader refused are left out of the ordinals: record k is on line k + 1 (the
    // header) + the refused lines before it. (A quoted value spanning lines also shifts lines.)
    await store.run(`CREATE OR REPLACE TEMP TABLE gm_focus_reader AS
      SELECT line AS row_no, any_value(${rejectedLineText('csv_line')}) AS value,
        ${readerReasonCase('any_value(error_type)')} AS reason
      FROM gm_focus_rej GROUP BY line`);
    await store.run(`CREATE OR REPLACE TEMP TABLE gm_focus_in AS
      WITH refused AS (SELECT row_no - row_number() OVER (ORDER BY row_no) - 1 AS before FROM gm_focus_reader)
      SELECT k + 1 + (SELECT count(*) FROM refused WHERE before < k) AS row_no, * EXCLUDE (k) FROM gm_focus_in`);
  } else {
    await store.run(`CREATE OR REPLACE TEMP TABLE gm_focus_in AS SELECT file_row_number + 1 AS row_no, ${sel} FROM ${src}`);
    await store.run('CREATE OR REPLACE TEMP TABLE gm_focus_reader (row_no BIGINT, value VARCHAR, reason VARCHAR)');
  }
}

/** A column as text the typing SQL understands, whatever its Parquet type. */
function asText(col: string, type: string): string {
  const t = type.toUpperCase();
  if (t === 'VARCHAR') return `nullif(${col}, '')`;
  // an instant: written in UTC with its zone; a zone-less timestamp stays zone-less (read as UTC)
  if (t.startsWith('TIMESTAMP WITH TIME ZONE')) return `strftime(timezone('UTC', ${col}), '%Y-%m-%dT%H:%M:%S.%fZ')`;
  if (t.startsWith('TIMESTAMP')) return `strftime(CAST(${col} AS TIMESTAMP), '%Y-%m-%d %H:%M:%S.%f')`;
  if (t.startsWith('MAP') || t.startsWith('STRUCT') || t === 'JSON') return `CAST(to_json(${col}) AS VARCHAR)`;
  return `CAST(${col} AS VARCHAR)`;
}

const err = (cond: string, column: string, value: string, reason: string): string =>
  `CASE WHEN ${cond} THEN {'column': ${sqlString(column)}, 'value': ${value}, 'reason': ${sqlString(reason)}} END`;

/** Typed values and, per row, the list of what is wrong with it; then rejects and counts. */
async function typeAndCheck(store: Store, o: PullFocusOptions, out: FileOutcome): Promise<void> {
  const currencies = await store.all<{ c: string }>(
    `SELECT DISTINCT upper(trim(billing_currency)) AS c FROM gm_focus_in
     WHERE billing_currency IS NOT NULL AND upper(trim(billing_currency)) NOT IN (SELECT currency FROM gm_focus_fx) ORDER BY 1`,
  );
  if (currencies.length) {
    const list = currencies.map((r) => r.c);
    throw new UnusableFileError(
      `账单币种 ${list.join('、')} 没有给出对人民币的汇率，无法与系统目录中的年云资源费用（元）比较：请用 --fx ${list.map((c) => `${c}=汇率`).join(',')} 指定，如 --fx ${list[0]}=7.1`,
    );
  }
  const needEffective = o.cost === 'effective';
  await store.run(`CREATE OR REPLACE TEMP TABLE gm_focus_typed AS
    WITH t AS (
      SELECT *,
        gm_num_or_null(TRY_CAST(trim(billed_cost) AS DOUBLE)) AS billed_v,
        gm_num_or_null(TRY_CAST(trim(effective_cost) AS DOUBLE)) AS effective_v,
        upper(trim(billing_currency)) AS currency_v,
        gm_parse_focus_ts(trim(billing_period_start)) AS bps_v,
        gm_parse_focus_ts(trim(billing_period_end)) AS bpe_v,
        gm_parse_focus_ts(trim(charge_period_start)) AS cps_v,
        gm_parse_focus_ts(trim(charge_period_end)) AS cpe_v,
        CASE WHEN json_valid(tags) AND json_type(tags::JSON) = 'OBJECT' THEN tags END AS tags_v
      FROM gm_focus_in
    )
    SELECT *, list_filter([
      ${err('billed_cost IS NULL', 'BilledCost', 'NULL', 'BilledCost 为空（FOCUS 必填）')},
      ${err('billed_cost IS NOT NULL AND billed_v IS NULL', 'BilledCost', 'billed_cost', 'BilledCost 不是数字')},
      ${err('effective_cost IS NOT NULL AND effective_v IS NULL', 'EffectiveCost', 'effective_cost', 'EffectiveCost 不是数字')},
      ${needEffective ? err('effective_cost IS NULL', 'EffectiveCost', 'NULL', 'EffectiveCost 为空（按 --cost effective 计费时必填）') : 'NULL'},
      ${err('billing_currency IS NULL', 'BillingCurrency', 'NULL', 'BillingCurrency 为空（FOCUS 必填）')},
      ${err('billing_period_start IS NULL', 'BillingPeriodStart', 'NULL', 'BillingPeriodStart 为空（FOCUS 必填）')},
      ${err('billing_period_start IS NOT NULL AND bps_v IS NULL', 'BillingPeriodStart', 'billing_period_start', '不是有效的日期时间（应为 YYYY-MM-DD HH:MM:SS 或 ISO 8601）')},
      ${err('billing_period_end IS NOT NULL AND bpe_v IS NULL', 'BillingPeriodEnd', 'billing_period_end', '不是有效的日期时间（应为 YYYY-MM-DD HH:MM:SS 或 ISO 8601）')},
      ${err('bps_v IS NOT NULL AND bpe_v IS NOT NULL AND bpe_v <= bps_v', 'BillingPeriodEnd', 'billing_period_end', '账单期结束时间不晚于开始时间')},
      ${err('charge_period_start IS NOT NULL AND cps_v IS NULL', 'ChargePeriodStart', 'charge_period_start', '不是有效的日期时间（应为 YYYY-MM-DD HH:MM:SS 或 ISO 8601）')},
      ${err('charge_period_end IS NOT NULL AND cpe_v IS NULL', 'ChargePeriodEnd', 'charge_period_end', '不是有效的日期时间（应为 YYYY-MM-DD HH:MM:SS 或 ISO 8601）')}
    ], e -> e IS NOT NULL) AS errors
    FROM t`);
  await store.run(
    `INSERT INTO rejects SELECT $1, 'focus', row_no, e.column, e.value, e.reason
     FROM (SELECT row_no, unnest(errors) AS e FROM gm_focus_typed WHERE len(errors) > 0) ORDER BY row_no`,
    [out.fileId!],
  );
  await store.run(`INSERT INTO rejects SELECT $1, 'focus', row_no, NULL, value, reason FROM gm_focus_reader ORDER BY row_no`, [
    out.fileId!,
  ]);
  const c = (await store.one<{ staged: number; bad: number; reader: number; bad_tags: number }>(
    `SELECT (SELECT count(*) FROM gm_focus_typed) AS staged, (SELECT count(*) FROM gm_focus_typed WHERE len(errors) > 0) AS bad,
       (SELECT count(*) FROM gm_focus_reader) AS reader,
       (SELECT count(*) FROM gm_focus_typed WHERE len(errors) = 0 AND tags IS NOT NULL AND tags_v IS NULL) AS bad_tags`,
  ))!;
  out.rowsRead = c.staged + c.reader;
  out.rowsRejected = c.bad + c.reader;
  out.rowsLoaded = c.staged - c.bad;
  out.status = out.rowsRejected === 0 ? 'loaded' : out.rowsLoaded > 0 ? 'partial' : 'rejected';
  if (out.rowsRead === 0) out.warnings.push('文件只有表头，没有费用行');
  if (c.bad_tags) out.warnings.push(`${c.bad_tags} 行的 Tags 不是有效的 JSON 对象，按无标签处理（费用已保留）`);
  if (out.rowsRejected > 0) {
    out.sampleRejects = await store.all(
      `SELECT row_no, column_name, value, reason FROM rejects WHERE file_id = $1 ORDER BY row_no NULLS FIRST, column_name LIMIT 20`,
      [out.fileId!],
    );
    out.reasonCounts = await store.all(
      `SELECT reason, count(*) AS n FROM rejects WHERE file_id = $1 GROUP BY reason ORDER BY n DESC, reason LIMIT 10`,
      [out.fileId!],
    );
  }
}

/**
 * Attribute each valid row: the first ResourceId rule that matches, else the tag (through the
 * value map, or as the system_id itself); a system_id the registry does not know leaves the row
 * unmapped, with the reason.
 */
async function attribute(store: Store, o: PullFocusOptions, fileId: number): Promise<void> {
  const tag = o.mapping.tag;
  const hasValues = o.mapping.values !== undefined;
  const tagValue = tag ? `TRY_CAST(tags_v::JSON AS MAP(VARCHAR, VARCHAR))[${sqlString(tag)}]` : 'NULL::VARCHAR';
  const fromTag = hasValues ? '(SELECT system_id FROM gm_focus_values v WHERE v.tag_value = t.tag_value)' : 't.tag_value';
  await store.run(
    `INSERT INTO raw_cloud_costs
     WITH t AS (
       SELECT *, ${tagValue} AS tag_value,
         (SELECT arg_min(r.system_id, r.ord) FROM gm_focus_rules r WHERE typed.resource_id GLOB r.pattern) AS by_resource
       FROM gm_focus_typed typed WHERE len(errors) = 0
     ), c AS (
       SELECT *, coalesce(by_resource, ${tag ? fromTag : 'NULL'}) AS candidate,
         CASE WHEN by_resource IS NOT NULL THEN 'resource' WHEN ${tag ? fromTag : 'NULL'} IS NOT NULL THEN 'tag' END AS via
       FROM t
     ), final AS (
       SELECT c.*, (s.system_id IS NOT NULL) AS known,
         CASE
           WHEN candidate IS NOT NULL AND s.system_id IS NULL
             THEN ${hasValues || !tag ? "'映射到的系统编号不在系统目录中'" : "CASE via WHEN 'tag' THEN '标签值不是系统目录中的系统编号' ELSE '映射到的系统编号不在系统目录中' END"}
           WHEN candidate IS NOT NULL THEN NULL
           ${
             tag
               ? `WHEN tags IS NOT NULL AND tags_v IS NULL THEN 'Tags 不是有效的 JSON 对象'
           WHEN tag_value IS NULL THEN ${sqlString(`没有标签 ${tag}`)}
           ${hasValues ? "WHEN TRUE THEN '标签值不在映射文件中'" : ''}`
               : ''
           }
           ELSE '没有匹配的资源规则'
         END AS reason
       FROM c LEFT JOIN (SELECT DISTINCT system_id FROM systems_current) s ON s.system_id = c.candidate
     )
     SELECT $1, row_no, provider_name, billing_account_id, sub_account_id, bps_v, bpe_v,
       CAST(date_trunc('month', timezone('Asia/Shanghai', bps_v)) AS DATE), cps_v, charge_category, service_name,
       resource_id, resource_name, currency_v, billed_v, effective_v, fx.rate, tags_v, tag_value,
       CASE WHEN known THEN candidate END, CASE WHEN known THEN via END, reason, cpe_v
     FROM final JOIN gm_focus_fx fx ON fx.currency = final.currency_v
     ORDER BY row_no`,
    [fileId],
  );
}

// ---------------------------------------------------------------- the report

type Report = Omit<PullFocusResult, 'files' | 'batchId' | 'exitCode'>;

/** What the given files hold: totals per billing month, attributed and unattributed cost. */
export async function report(store: Store, fileIds: readonly number[]): Promise<Report> {
  const empty: Report = {
    coverage: { first: null, last: null },
    systems: [],
    periods: [],
    mappedRows: 0,
    mappedCostYuan: 0,
    unmappedRows: 0,
    unmappedCostYuan: 0,
    unmapped: [],
  };
  if (!fileIds.length) return empty;
  const ids = `(${fileIds.map((i) => Number(i)).join(', ')})`;
  const rows = `SELECT c.*, CASE f.cost_basis WHEN 'effective' THEN effective_cost ELSE billed_cost END AS cost
    FROM raw_cloud_costs c JOIN cloud_cost_files f USING (file_id) WHERE file_id IN ${ids}`;
  const periods = await store.all<PeriodTotal>(
    `SELECT strftime(billing_month, '%Y-%m') AS billing_month, billing_currency, sum(billed_cost) AS billed_cost,
       sum(effective_cost) AS effective_cost, count(*) AS rows
     FROM (${rows}) GROUP BY ALL ORDER BY 1, 2`,
  );
  const totals = (await store.one<{ mr: number; my: number | null; ur: number; uy: number | null }>(
    `SELECT count(*) FILTER (WHERE system_id IS NOT NULL) AS mr, sum(cost * fx_to_cny) FILTER (WHERE system_id IS NOT NULL) AS my,
       count(*) FILTER (WHERE system_id IS NULL) AS ur, sum(cost * fx_to_cny) FILTER (WHERE system_id IS NULL) AS uy
     FROM (${rows})`,
  ))!;
  const unmapped = await store.all<UnmappedGroup>(
    `SELECT tag_value, unmapped_reason AS reason, billing_currency, sum(cost) AS cost, sum(cost * fx_to_cny) AS cost_yuan, count(*) AS rows
     FROM (${rows}) WHERE system_id IS NULL GROUP BY ALL ORDER BY abs(sum(cost * fx_to_cny)) DESC, rows DESC, tag_value NULLS FIRST`,
  );
  const coverage = (await store.one<{ first: string | null; last: string | null }>(
    `SELECT min(coalesce(charge_period_start, billing_period_start)) AS first,
       max(coalesce(charge_period_end, charge_period_start, billing_period_end)) AS last
     FROM raw_cloud_costs WHERE file_id IN ${ids}`,
  ))!;
  // the systems these files bill, as every later run reads them (system_cloud_cost, migration 0011)
  const systems = await store.all<SystemCost>(
    `SELECT v.system_id, v.year, v.billed_months, v.measured_months, v.measured_cost_yuan, v.cloud_cost_annual
     FROM system_cloud_cost v
     SEMI JOIN (SELECT DISTINCT system_id, CAST(year(billing_month) AS INTEGER) AS year FROM raw_cloud_costs
                WHERE file_id IN ${ids} AND system_id IS NOT NULL) f ON f.system_id = v.system_id AND f.year = v.year
     WHERE v.cost_source = 'measured'
     ORDER BY v.system_id, v.year`,
  );
  return {
    coverage,
    systems,
    periods,
    mappedRows: totals.mr,
    mappedCostYuan: totals.my ?? 0,
    unmappedRows: totals.ur,
    unmappedCostYuan: totals.uy ?? 0,
    unmapped,
  };
}

const money = (x: number): string => (x === 0 ? '0' : Math.abs(x) >= 1 ? x.toFixed(2) : x.toPrecision(4));

function printReport(log: Log, r: Report, mapping: FocusMapping): void {
  if (!r.periods.length) return;
  if (r.coverage.first)
    log.info(
      `账单覆盖的费用期间（ChargePeriod，北京时间）：${formatLocal(r.coverage.first)} 至 ${formatLocal(r.coverage.last ?? r.coverage.first)}`,
    );
  log.info('本次导入的账单期（BilledCost 合计，可与云服务商账单核对）：');
  for (const p of r.periods) log.info(`  ${p.billing_month}：${p.billing_currency} ${p.billed_cost}（${p.rows} 行）`);
  log.info(`已对应到系统：${r.mappedRows} 行，折合人民币 ${money(r.mappedCostYuan)} 元`);
  if (r.systems.length) {
    // annualised over the months the system itself was billed in (docs/connectors.md §2.3)
    log.info('各系统实测年云资源费用（按该系统有账单的月份折算全年，前 20 个）：');
    for (const x of r.systems.slice(0, 20))
      log.info(
        `  ${cleanText(x.system_id, 40)} ${x.year} 年：账单月份 ${x.billed_months.replace(/,/g, '、')}（${x.measured_months} 个月），合计 ${money(x.measured_cost_yuan)} 元，折合全年 ${money(x.cloud_cost_annual)} 元`,
      );
    if (r.systems.length > 20) log.info(`  ……另有 ${r.systems.length - 20} 个系统`);
  }
  if (!r.unmappedRows) return;
  log.warn(
    `有 ${r.unmappedRows} 行费用未能对应到系统，折合人民币 ${money(r.unmappedCostYuan)} 元：已保留在数据库中（raw_cloud_costs.system_id 为空），不计入任何系统的实测费用`,
  );
  const by = mapping.tag ? `按标签 ${mapping.tag} 的值` : '按原因';
  log.info(`未对应费用${by}（前 20 项）：`);
  for (const u of r.unmapped.slice(0, 20))
    log.info(
      `  ${mapping.tag ? `${u.tag_value === null ? '（无该标签）' : cleanText(u.tag_value, 40)}：` : ''}${u.billing_currency} ${money(u.cost)}（${u.rows} 行）— ${u.reason}`,
    );
  if (r.unmapped.length > 20) log.info(`  ……另有 ${r.unmapped.length - 20} 项`);
}
