// The FOCUS connector on the real, anonymized FOCUS 1.0 sample (FinOps Open Cost and Usage
// Specification, FOCUS-Sample-Data, CC BY 4.0 — read in place from ../shared, not copied). Expected
// numbers come from the sample's README (control totals) or from the CSV parsed here with a small
// parser of our own, never from the connector.

import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ingestFile } from '../pipelines/ingest/ingest.ts';
import { memoryLog } from '../core/log.ts';
import type { Store } from '../pipelines/store/database.ts';
import { FocusMapping, parseFx, pullFocus, type FocusMapping as Mapping, type PullFocusOptions } from '../pipelines/connectors/focus.ts';
import { validateConfig } from '../pipelines/connectors/config.ts';
import { buildProgram } from '../apps/cli/program.ts';
import { NOW, tempDir, withStore, writeFile } from './helpers.ts';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SAMPLE = path.resolve(REPO, '../shared/data/focus-1.0/focus_sample.csv');

/** README control totals of BilledCost per billing period. */
const CONTROL = { '2024-09': 20.28022672899, '2024-10': 0.24 };
const USD = 7.2;

// ---------------------------------------------------------------- an independent reader

type Cell = string | null;

/** RFC 4180 with FOCUS's null: a bare (unquoted) NULL is null, a quoted "NULL" is text. */
function parseFocusCsv(text: string): Record<string, Cell>[] {
  const records: Cell[][] = [];
  let row: Cell[] = [];
  let cur = '';
  let quoted = false;
  let inQuotes = false;
  const endField = () => {
    row.push(!quoted && cur === 'NULL' ? null : cur);
    cur = '';
    quoted = false;
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (inQuotes) {
      if (ch === '"' && text[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') inQuotes = false;
      else cur += ch;
    } else if (ch === '"') {
      inQuotes = true;
      quoted = true;
    } else if (ch === ',') endField();
    else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      endField();
      records.push(row);
      row = [];
    } else cur += ch;
  }
  if (cur !== '' || row.length) {
    endField();
    records.push(row);
  }
  const [header, ...rows] = records;
  return rows.map((r) => Object.fromEntries(header.map((h, i) => [h as string, r[i] ?? null])));
}

const rows = parseFocusCsv(fs.readFileSync(SAMPLE, 'utf8'));

function globRegex(glob: string): RegExp {
  return new RegExp(
    '^' +
      glob
        .replace(/[.+^${}()|[\]\\]/g, '\\$&')
        .replace(/\*/g, '.*')
        .replace(/\?/g, '.') +
      '$',
    's',
  );
}

/** Which system a row belongs to under a mapping, decided here without the connector. */
function expectedSystem(r: Record<string, Cell>, m: Mapping, registry: Set<string>): string | null {
  const rule = m.resources?.find((x) => r.ResourceId !== null && globRegex(x.match).test(r.ResourceId));
  let candidate: string | undefined = rule?.system_id;
  if (!candidate && m.tag && r.Tags !== null) {
    const v = (JSON.parse(r.Tags) as Record<string, unknown>)[m.tag];
    if (typeof v === 'string') candidate = m.values ? m.values[v] : v;
  }
  return candidate && registry.has(candidate) ? candidate : null;
}

function tagOf(r: Record<string, Cell>, key: string): string | null {
  if (r.Tags === null) return null;
  const v = (JSON.parse(r.Tags) as Record<string, unknown>)[key];
  return typeof v === 'string' ? v : null;
}

// ---------------------------------------------------------------- fixtures

const REGISTRY = [
  'system_id,system_name,department,stage,cloud_cost_annual,classified',
  'SYS-A,政务服务平台,行政审批局,operation,120000,否',
  'SYS-B,城市大脑,大数据中心,operation,80000,否',
  'SYS-C,市场监管系统,市场监管局,operation,50000,否',
  'SYS-D,消息队列平台,大数据中心,operation,30000,否',
  'SYS-E,无云资源系统,教育局,operation,10000,否',
  'SYS-S,涉密系统,保密局,operation,99000,是',
].join('\n');
const REGISTERED = new Set(['SYS-A', 'SYS-B', 'SYS-C', 'SYS-D', 'SYS-E', 'SYS-S']);

const MAPPING: Mapping = {
  tag: 'application',
  values: {
    BrightPathMatrix: 'SYS-A',
    ZoomMapMax: 'SYS-B',
    SafeGridVault: 'SYS-C',
    PrimeManagerDrive: 'SYS-S',
    PowerStudioBoost: 'SYS-GONE', // not in the registry: stays unmapped, with that reason
    UltraCodeEssentials: 'SYS-B', // tags an SQS queue, which the resource rule gives to SYS-D
  },
  // every SQS queue of the sample belongs to SYS-D, whatever its tags say (rules come first)
  resources: [{ match: 'arn:ats:sqs:*', system_id: 'SYS-D' }],
};

async function setup(store: Store, ctx: { dir: string; archiveDir: string }): Promise<void> {
  const reg = writeFile(ctx.dir, 'systems.csv', REGISTRY);
  const o = await ingestFile(store, reg, { now: NOW, archiveDir: ctx.archiveDir });
  expect(o.status).toBe('loaded');
}

const opts = (ctx: { archiveDir: string }, over: Partial<PullFocusOptions> = {}): PullFocusOptions => ({
  mapping: MAPPING,
  cost: 'billed',
  fx: parseFx([`USD=${USD}`]),
  now: NOW,
  archiveDir: ctx.archiveDir,
  log: memoryLog(),
  ...over,
});

const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);

// ---------------------------------------------------------------- tests

describe('the independent reader of the sample', () => {
  it('reads 1,000 rows, 711 with Tags, as the sample README says', () => {
    expect(rows).toHaveLength(1000);
    expect(rows.filter((r) => r.Tags !== null)).toHaveLength(711);
  });
});

describe('pullFocus(store, [focus_sample.csv], { mapping })', () => {
  it('stores every row, and BilledCost per billing period equals the README control totals', async () => {
    await withStore(async (store, ctx) => {
      await setup(store, ctx);
      const r = await pullFocus(store, [SAMPLE], opts(ctx));
      expect(r.files[0]).toMatchObject({ status: 'loaded', rowsRead: 1000, rowsLoaded: 1000, rowsRejected: 0, format: 'csv' });
      const periods = await store.all<{ month: string; billed: number; n: number }>(
        `SELECT strftime(billing_month, '%Y-%m') AS month, sum(billed_cost) AS billed, count(*) AS n
         FROM cloud_costs_current GROUP BY ALL ORDER BY 1`,
      );
      expect(periods.map((p) => p.month)).toEqual(['2024-09', '2024-10']);
      expect(periods.map((p) => p.n)).toEqual([999, 1]);
      expect(Math.abs(periods[0].billed - CONTROL['2024-09'])).toBeLessThan(1e-9);
      expect(Math.abs(periods[1].billed - CONTROL['2024-10'])).toBeLessThan(1e-9);
      // the printed report carries the same totals for the person who checks the invoice
      expect(r.periods.map((p) => [p.billing_month, p.billing_currency, p.rows])).toEqual([
        ['2024-09', 'USD', 999],
        ['2024-10', 'USD', 1],
      ]);
      // and the independent reader agrees with the README too (the test's own sanity)
      const mine = sum(rows.filter((x) => x.BillingPeriodStart!.startsWith('2024-09')).map((x) => Number(x.BilledCost)));
      expect(Math.abs(mine - CONTROL['2024-09'])).toBeLessThan(1e-9);
    });
  });

  it('keeps file traceability: the archived bytes, the files row and the batch of every cost row', async () => {
    await withStore(async (store, ctx) => {
      await setup(store, ctx);
      const r = await pullFocus(store, [SAMPLE], opts(ctx));
      const f = (await store.one<{ file_id: number; kind: string; archive_path: string; sha256: string }>(
        `SELECT file_id, kind, archive_path, sha256 FROM files WHERE file_id = $1`,
        [r.files[0].fileId!],
      ))!;
      expect(f.kind).toBe('focus');
      expect(fs.readFileSync(f.archive_path).equals(fs.readFileSync(SAMPLE))).toBe(true);
      expect(await store.value(`SELECT count(*) FROM raw_cloud_costs WHERE file_id = $1`, [f.file_id])).toBe(1000);
      expect(await store.value(`SELECT batch_id FROM cloud_cost_files WHERE file_id = $1`, [f.file_id])).toBe(r.batchId);
      // row_no is the line of the file: line 2 is the first data row (the SQS request charge)
      const first = (await store.one<{ resource_id: string; billed_cost: number }>(
        `SELECT resource_id, billed_cost FROM raw_cloud_costs WHERE file_id = $1 AND row_no = 2`,
        [f.file_id],
      ))!;
      expect(first.resource_id).toBe(rows[0].ResourceId);
      expect(first.billed_cost).toBe(Number(rows[0].BilledCost));
    });
  });

  it('attributes cost to systems by resource rule, then by the application tag, as computed independently', async () => {
    await withStore(async (store, ctx) => {
      await setup(store, ctx);
      await pullFocus(store, [SAMPLE], opts(ctx));
      const expected = new Map<string, number>();
      for (const r of rows) {
        const s = expectedSystem(r, MAPPING, REGISTERED);
        if (s) expected.set(s, (expected.get(s) ?? 0) + Number(r.BilledCost) * USD);
      }
      // the test's own mapping must exercise both ways of attribution
      expect([...expected.keys()].sort()).toEqual(['SYS-A', 'SYS-B', 'SYS-C', 'SYS-D', 'SYS-S']);
      const measured = await store.all<{ system_id: string; year: number; measured_cost_yuan: number; cost_basis: string }>(
        'SELECT system_id, year, measured_cost_yuan, cost_basis FROM cloud_cost_measured ORDER BY system_id',
      );
      expect(measured.map((m) => m.system_id)).toEqual([...expected.keys()].sort());
      for (const m of measured) {
        expect(m.year).toBe(2024);
        expect(m.cost_basis).toBe('billed');
        expect(Math.abs(m.measured_cost_yuan - expected.get(m.system_id)!)).toBeLessThan(1e-9);
      }
      const byRule = await store.value<number>(`SELECT count(*) FROM raw_cloud_costs WHERE mapped_by = 'resource'`);
      expect(byRule).toBe(rows.filter((r) => r.ResourceId?.startsWith('arn:ats:sqs:')).length);
      // a resource rule wins over the row's own tag
      const both = rows.findIndex((r) => r.ResourceId?.startsWith('arn:ats:sqs:') && tagOf(r, 'application') === 'UltraCodeEssentials');
      expect(both).toBeGreaterThanOrEqual(0);
      expect(await store.one(`SELECT system_id, mapped_by, tag_value FROM raw_cloud_costs WHERE row_no = $1`, [both + 2])).toEqual({
        system_id: 'SYS-D',
        mapped_by: 'resource',
        tag_value: 'UltraCodeEssentials',
      });
    });
  });

  it('keeps and reports unmapped cost, in total and by tag value, with the reason', async () => {
    await withStore(async (store, ctx) => {
      await setup(store, ctx);
      const log = memoryLog();
      const r = await pullFocus(store, [SAMPLE], opts(ctx, { log }));
      const unmapped = rows.filter((x) => expectedSystem(x, MAPPING, REGISTERED) === null);
      expect(unmapped.length).toBeGreaterThan(0);
      expect(r.unmappedRows).toBe(unmapped.length);
      expect(Math.abs(r.unmappedCostYuan - sum(unmapped.map((x) => Number(x.BilledCost))) * USD)).toBeLessThan(1e-9);
      // nothing is dropped: mapped + unmapped = every row, and the stored sums add up to the file's
      expect(r.mappedRows + r.unmappedRows).toBe(1000);
      expect(await store.value(`SELECT count(*) FROM raw_cloud_costs WHERE system_id IS NULL`)).toBe(unmapped.length);
      // by tag value: rows without the application tag, and a value mapped to an unknown system
      const noTag = unmapped.filter((x) => tagOf(x, 'application') === null);
      const g = r.unmapped.find((u) => u.tag_value === null)!;
      expect(g).toMatchObject({ reason: '没有标签 application', rows: noTag.length, billing_currency: 'USD' });
      expect(Math.abs(g.cost - sum(noTag.map((x) => Number(x.BilledCost))))).toBeLessThan(1e-12);
      const gone = r.unmapped.find((u) => u.tag_value === 'PowerStudioBoost')!;
      expect(gone.reason).toBe('映射到的系统编号不在系统目录中');
      const other = r.unmapped.find((u) => u.tag_value === 'CloudPathMax')!;
      expect(other.reason).toBe('标签值不在映射文件中');
      expect(r.exitCode).toBe(2);
      const printed = log.lines.join('\n');
      expect(printed).toContain(`警告：有 ${unmapped.length} 行费用未能对应到系统`);
      expect(printed).toContain('未对应费用按标签 application 的值（前 20 项）：');
      expect(printed).toMatch(new RegExp(`\\n  （无该标签）：USD [0-9.]+（${noTag.length} 行）— 没有标签 application`));
    });
  });

  it('treats the same file twice as a no-op that says so', async () => {
    await withStore(async (store, ctx) => {
      await setup(store, ctx);
      await pullFocus(store, [SAMPLE], opts(ctx));
      const before = await store.all(`SELECT * FROM raw_cloud_costs ORDER BY file_id, row_no`);
      const log = memoryLog();
      const again = await pullFocus(store, [SAMPLE], opts(ctx, { log }));
      expect(again.files[0].status).toBe('duplicate');
      expect(again.batchId).toBeUndefined();
      expect(again.exitCode).toBe(0);
      expect(log.lines.join('\n')).toMatch(/相同内容已于 .* 导入（文件编号 \d+），本次未做任何改动/);
      expect(await store.all(`SELECT * FROM raw_cloud_costs ORDER BY file_id, row_no`)).toEqual(before);
      expect(await store.value(`SELECT count(*) FROM cloud_cost_files`)).toBe(1);
    });
  });
});

describe('system_cloud_cost', () => {
  it('uses the measured yearly cost where present, annualised over the months the system was billed in, else the registry, saying which', async () => {
    await withStore(async (store, ctx) => {
      await setup(store, ctx);
      await pullFocus(store, [SAMPLE], opts(ctx));
      const v = await store.all<{
        system_id: string;
        year: number;
        cloud_cost_annual: number;
        cost_source: string;
        measured_cost_yuan: number | null;
        measured_months: number;
        billed_months: string | null;
        export_months: number;
      }>(
        'SELECT system_id, year, cloud_cost_annual, cost_source, measured_cost_yuan, measured_months, billed_months, export_months FROM system_cloud_cost ORDER BY system_id',
      );
      // SYS-S is classified: never in an output (docs/inputs.md §2.1)
      expect(v.map((x) => x.system_id)).toEqual(['SYS-A', 'SYS-B', 'SYS-C', 'SYS-D', 'SYS-E']);
      const billedIn = (sys: string) =>
        [
          ...new Set(rows.filter((r) => expectedSystem(r, MAPPING, REGISTERED) === sys).map((r) => r.BillingPeriodStart!.slice(0, 7))),
        ].sort();
      const costOf = (sys: string) =>
        sum(rows.filter((r) => expectedSystem(r, MAPPING, REGISTERED) === sys).map((r) => Number(r.BilledCost))) * USD;
      // SYS-A is billed only in 2024-09 of the September–October export: one month × 12, not two
      expect(billedIn('SYS-A')).toEqual(['2024-09']);
      const a = v.find((x) => x.system_id === 'SYS-A')!;
      expect(a).toMatchObject({ year: 2024, cost_source: 'measured', measured_months: 1, billed_months: '2024-09', export_months: 2 });
      expect(Math.abs(a.measured_cost_yuan! - costOf('SYS-A'))).toBeLessThan(1e-9);
      expect(Math.abs(a.cloud_cost_annual - costOf('SYS-A') * 12)).toBeLessThan(1e-9);
      // SYS-C holds the export's one October charge (its September SQS queues go to SYS-D by rule)
      expect(billedIn('SYS-C')).toEqual(['2024-10']);
      const c = v.find((x) => x.system_id === 'SYS-C')!;
      expect(c).toMatchObject({ measured_months: 1, billed_months: '2024-10', export_months: 2 });
      expect(Math.abs(c.cloud_cost_annual - costOf('SYS-C') * 12)).toBeLessThan(1e-9);
      // SYS-E has no attributed charges: the registry's figure, and it says so
      expect(v.find((x) => x.system_id === 'SYS-E')).toMatchObject({
        cost_source: 'registry',
        cloud_cost_annual: 10000,
        measured_cost_yuan: null,
      });
      // a year without FOCUS data: every system from the registry
      const y = await store.all<{ system_id: string; cost_source: string; cloud_cost_annual: number }>(
        'SELECT system_id, cost_source, cloud_cost_annual FROM system_cloud_cost_for(2025) ORDER BY system_id',
      );
      expect(y.map((x) => [x.system_id, x.cost_source, x.cloud_cost_annual])).toEqual([
        ['SYS-A', 'registry', 120000],
        ['SYS-B', 'registry', 80000],
        ['SYS-C', 'registry', 50000],
        ['SYS-D', 'registry', 30000],
        ['SYS-E', 'registry', 10000],
      ]);
    });
  });

  it('reads the same export as Parquet with --cost effective, and the later delivery replaces the earlier one', async () => {
    await withStore(async (store, ctx) => {
      await setup(store, ctx);
      await pullFocus(store, [SAMPLE], opts(ctx));
      // the same rows as typed Parquet: zone-less TIMESTAMP columns, Tags as a MAP
      const pq = path.join(ctx.dir, 'focus.parquet');
      await store.run(`COPY (SELECT * REPLACE (CAST(BillingPeriodStart AS TIMESTAMP) AS BillingPeriodStart,
          CAST(json(Tags) AS MAP(VARCHAR, VARCHAR)) AS Tags)
        FROM read_csv('${SAMPLE.replace(/'/g, "''")}', nullstr = 'NULL')) TO '${pq.replace(/'/g, "''")}' (FORMAT parquet)`);
      const r = await pullFocus(store, [pq], opts(ctx, { cost: 'effective' }));
      expect(r.files[0]).toMatchObject({ status: 'loaded', format: 'parquet', rowsLoaded: 1000 });
      expect(await store.value('SELECT count(*) FROM raw_cloud_costs')).toBe(2000);
      expect(await store.value('SELECT count(*) FROM cloud_costs_current')).toBe(1000);
      const a = (await store.one<{ measured_cost_yuan: number; cost_basis: string }>(
        `SELECT * FROM cloud_cost_measured WHERE system_id = 'SYS-A'`,
      ))!;
      const expected =
        sum(rows.filter((x) => expectedSystem(x, MAPPING, REGISTERED) === 'SYS-A').map((x) => Number(x.EffectiveCost))) * USD;
      expect(a.cost_basis).toBe('effective');
      expect(Math.abs(a.measured_cost_yuan - expected)).toBeLessThan(1e-9);
      // the macro can still ask for the billed figure of the same rows
      const billed = await store.value<number>(`SELECT measured_cost_yuan FROM cloud_cost_measured_as('billed') WHERE system_id = 'SYS-A'`);
      const expectedBilled =
        sum(rows.filter((x) => expectedSystem(x, MAPPING, REGISTERED) === 'SYS-A').map((x) => Number(x.BilledCost))) * USD;
      expect(Math.abs(billed - expectedBilled)).toBeLessThan(1e-9);
    });
  });
});

describe('pullFocus: annualisation and coverage as a person reads them', () => {
  it('annualises a system billed only in September of a September–October export over one month, not two (15.958 USD × 7.1 × 12)', async () => {
    await withStore(async (store, ctx) => {
      await setup(store, ctx);
      const log = memoryLog();
      const r = await pullFocus(store, [SAMPLE], opts(ctx, { fx: parseFx(['USD=7.1']), log }));
      const usd = sum(rows.filter((x) => tagOf(x, 'application') === 'BrightPathMatrix').map((x) => Number(x.BilledCost)));
      expect(usd.toFixed(3)).toBe('15.958');
      const a = r.systems.find((x) => x.system_id === 'SYS-A')!;
      expect(a).toMatchObject({ year: 2024, billed_months: '2024-09', measured_months: 1 });
      // the old divisor (the account's two months) gave 679.815 yuan
      expect(Math.abs(a.cloud_cost_annual - usd * 7.1 * 12)).toBeLessThan(1e-9);
      expect(a.cloud_cost_annual.toFixed(2)).toBe('1359.63');
      const printed = log.lines.join('\n');
      expect(printed).toContain('SYS-A 2024 年：账单月份 2024-09（1 个月），合计 113.30 元，折合全年 1359.63 元');
    });
  });

  it("reports the export's coverage: the first ChargePeriodStart and the last ChargePeriodEnd, in Beijing time", async () => {
    await withStore(async (store, ctx) => {
      await setup(store, ctx);
      const log = memoryLog();
      const r = await pullFocus(store, [SAMPLE], opts(ctx, { log }));
      const starts = rows.map((x) => x.ChargePeriodStart!).sort();
      const ends = rows.map((x) => x.ChargePeriodEnd!).sort();
      // FOCUS date/times are UTC: the sample's first charge starts 2024-09-01 00:00 UTC = 08:00 in Beijing
      expect(new Date(r.coverage.first!).toISOString()).toBe(new Date(`${starts[0].replace(' ', 'T')}Z`).toISOString());
      expect(new Date(r.coverage.last!).toISOString()).toBe(new Date(`${ends[ends.length - 1].replace(' ', 'T')}Z`).toISOString());
      expect(log.lines.join('\n')).toContain('账单覆盖的费用期间（ChargePeriod，北京时间）：2024-09-01 08:00 至 2024-10-01 08:00');
    });
  });
});

describe('what a FOCUS reader must handle', () => {
  const HEADER = '"BilledCost","EffectiveCost","BillingCurrency","BillingPeriodStart","ResourceId","Tags"';

  it('reads bare NULL as null and quoted "NULL" as text, zone-less times as UTC, and rejects bad rows by line', async () => {
    await withStore(async (store, ctx) => {
      await setup(store, ctx);
      const f = writeFile(
        ctx.dir,
        'small.csv',
        [
          HEADER,
          '1.5,1.2,"CNY","2024-12-31T16:00:00Z","r-1","{""app"": ""SYS-A""}"', // 2: Beijing 2025-01-01 00:00
          '2,NULL,"CNY","2024-12-31 16:00:00","NULL",NULL', // 3: zone-less = UTC; quoted "NULL" is a resource id
          'abc,1,"CNY","2025-01-01 00:00:00",NULL,NULL', // 4: rejected
          '3,1,"CNY","2025-02-30 00:00:00",NULL,NULL', // 5: rejected, no such day
          '4,1,"CNY","2025-01-01 00:00:00",NULL,NULL,"extra"', // 6: rejected by the reader
          '5,1,"CNY","2024-12-31T23:00:00-01:00",NULL,"not json"', // 7: kept, tags unusable
          '',
        ].join('\n'),
      );
      const log = memoryLog();
      const r = await pullFocus(store, [f], opts(ctx, { mapping: { tag: 'app' }, log }));
      expect(r.files[0]).toMatchObject({ status: 'partial', rowsRead: 6, rowsLoaded: 3, rowsRejected: 3 });
      const kept = await store.all<{
        row_no: number;
        billing_month: string;
        resource_id: string | null;
        effective_cost: number | null;
        system_id: string | null;
        unmapped_reason: string | null;
      }>('SELECT row_no, billing_month, resource_id, effective_cost, system_id, unmapped_reason FROM raw_cloud_costs ORDER BY row_no');
      expect(kept).toEqual([
        { row_no: 2, billing_month: '2025-01-01', resource_id: 'r-1', effective_cost: 1.2, system_id: 'SYS-A', unmapped_reason: null },
        {
          row_no: 3,
          billing_month: '2025-01-01',
          resource_id: 'NULL',
          effective_cost: null,
          system_id: null,
          unmapped_reason: '没有标签 app',
        },
        {
          row_no: 7,
          billing_month: '2025-01-01',
          resource_id: null,
          effective_cost: 1,
          system_id: null,
          unmapped_reason: 'Tags 不是有效的 JSON 对象',
        },
      ]);
      const rejects = await store.all<{ row_no: number; column_name: string | null; reason: string }>(
        `SELECT row_no, column_name, reason FROM rejects WHERE kind = 'focus' ORDER BY row_no`,
      );
      expect(rejects).toEqual([
        { row_no: 4, column_name: 'BilledCost', reason: 'BilledCost 不是数字' },
        { row_no: 5, column_name: 'BillingPeriodStart', reason: '不是有效的日期时间（应为 YYYY-MM-DD HH:MM:SS 或 ISO 8601）' },
        { row_no: 6, column_name: null, reason: '该行的列数多于表头' },
      ]);
      expect(log.lines.join('\n')).toMatch(/small\.csv 第 4 行，列 BilledCost，值“abc”：BilledCost 不是数字/);
      expect(r.exitCode).toBe(2);
    });
  });

  it('reads a gzip-compressed export (.csv.gz) like the plain one', async () => {
    await withStore(async (store, ctx) => {
      await setup(store, ctx);
      const gz = writeFile(ctx.dir, 'focus_sample.csv.gz', zlib.gzipSync(fs.readFileSync(SAMPLE)));
      const r = await pullFocus(store, [gz], opts(ctx));
      expect(r.files[0]).toMatchObject({ status: 'loaded', rowsLoaded: 1000 });
      const sept = await store.value<number>(`SELECT sum(billed_cost) FROM raw_cloud_costs WHERE billing_month = DATE '2024-09-01'`);
      expect(Math.abs(sept - CONTROL['2024-09'])).toBeLessThan(1e-9);
    });
  });

  it('refuses a file in a currency without a rate, naming --fx, and loads it once the rate is given', async () => {
    await withStore(async (store, ctx) => {
      await setup(store, ctx);
      const log = memoryLog();
      const r = await pullFocus(store, [SAMPLE], opts(ctx, { fx: parseFx([]), log }));
      expect(r.files[0].status).toBe('failed');
      expect(r.files[0].message).toMatch(/账单币种 USD 没有给出对人民币的汇率.*--fx USD=/);
      expect(r.exitCode).toBe(1);
      expect(await store.value('SELECT count(*) FROM raw_cloud_costs')).toBe(0);
      const again = await pullFocus(store, [SAMPLE], opts(ctx));
      expect(again.files[0].status).toBe('loaded');
    });
  });

  it('refuses a file that is not FOCUS, naming the missing columns', async () => {
    await withStore(async (store, ctx) => {
      const f = writeFile(ctx.dir, 'not-focus.csv', 'system_id,date,cpu_avg_pct\nS1,2026-01-01,3\n');
      const r = await pullFocus(store, [f], opts(ctx));
      expect(r.files[0].status).toBe('failed');
      expect(r.files[0].message).toMatch(/不是 FOCUS 成本文件：缺少列 BilledCost、BillingCurrency、BillingPeriodStart/);
    });
  });
});

describe('FocusMapping', () => {
  it('names every error by its dotted path, in Chinese', () => {
    const { issues } = validateConfig(FocusMapping, { values: { a: '' }, resources: [{ match: '', system_id: 'S' }], extra: 1 });
    const byPath = Object.fromEntries(issues.map((i) => [i.path, i.message]));
    expect(byPath['values.a']).toBe('系统编号不能为空');
    expect(byPath['resources.0.match']).toBe('资源匹配模式不能为空');
    expect(byPath['（根）']).toMatch(/未知的字段：extra/);
  });

  it('requires tag with values, and tag or resources', () => {
    const a = validateConfig(FocusMapping, { values: { x: 'S' } }).issues;
    expect(a.map((i) => i.path)).toContain('tag');
    const b = validateConfig(FocusMapping, {}).issues;
    expect(b[0].message).toBe('至少要给出 tag 或 resources 之一');
  });
});

describe('govmon pull focus', () => {
  it('loads the sample through the command line with a mapping file and exits 2 for the unmapped cost', async () => {
    const dir = tempDir();
    const stderr = process.stderr.write;
    try {
      const db = path.join(dir, 'g.duckdb');
      const map = writeFile(dir, 'map.json', JSON.stringify(MAPPING));
      const reg = writeFile(dir, 'systems.csv', REGISTRY);
      const program = buildProgram();
      await program.parseAsync(['node', 'govmon', '--db', db, '-q', 'ingest', reg]);
      expect(process.exitCode).toBe(0);
      const errors: string[] = [];
      process.stderr.write = ((s: string) => {
        errors.push(String(s));
        return true;
      }) as typeof process.stderr.write;
      await program.parseAsync(['node', 'govmon', '--db', db, '-q', 'pull', 'focus', SAMPLE, '--mapping', map, '--fx', `USD=${USD}`]);
      process.stderr.write = stderr;
      expect(process.exitCode).toBe(2);
      expect(errors.join('')).toMatch(/警告：有 \d+ 行费用未能对应到系统/);
      await expect(
        program.parseAsync(['node', 'govmon', '--db', db, 'pull', 'focus', SAMPLE, '--tag', 'application', '--mapping', map]),
      ).rejects.toThrow('--tag 与 --mapping 只能给出一个');
      await expect(
        program.parseAsync(['node', 'govmon', '--db', db, 'pull', 'focus', SAMPLE, '--tag', 'x', '--cost', 'list']),
      ).rejects.toThrow('--cost 应为 billed（BilledCost）或 effective（EffectiveCost）');
    } finally {
      process.stderr.write = stderr;
      process.exitCode = 0;
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
