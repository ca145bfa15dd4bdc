// Every kind in every accepted format (docs/inputs.md §2): CSV in UTF-8, UTF-8 with BOM, GBK and UTF-16,
// XLSX (the named sheet or the first), Parquet, JSON and NDJSON, with English, Chinese or
// oddly-cased headers. Each file holds the same hand-written rows; the store must hold exactly them.

import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONTRACT, KINDS, KIND_ZH, type Kind } from '../metrics/contract.ts';
import { exitCodeOf, ingestFile } from '../pipelines/ingest/ingest.ts';
import { NOW, withStore, writeFile } from './helpers.ts';
import {
  SAMPLE,
  encodeText,
  headersOf,
  jsonRecords,
  loadRegistry,
  rejectsOf,
  sampleCsv,
  sampleSheetRows,
  storedRows,
  writeParquet,
  writeXlsx,
  type Ctx,
  type Headers,
} from './fixtures/ingest.ts';

interface FormatCase {
  label: string;
  headers: Headers;
  format: string;
  encoding?: string;
  sheet?: (kind: Kind) => string;
  write: (kind: Kind, h: Headers, ctx: Ctx) => Promise<string>;
}

const csv =
  (enc: 'utf-8' | 'utf-8-bom' | 'gbk' | 'utf-16le', eol = '\n') =>
  async (kind: Kind, h: Headers, ctx: Ctx) =>
    writeFile(ctx.dir, `${kind}-${enc}.csv`, encodeText(sampleCsv(kind, h, SAMPLE[kind], eol), enc));

const CASES: FormatCase[] = [
  { label: 'CSV UTF-8, English headers', headers: 'en', format: 'csv', encoding: 'utf-8', write: csv('utf-8') },
  { label: 'CSV UTF-8, Chinese headers, CRLF', headers: 'zh', format: 'csv', encoding: 'utf-8', write: csv('utf-8', '\r\n') },
  { label: 'CSV UTF-8 with BOM, Chinese headers', headers: 'zh', format: 'csv', encoding: 'utf-8-bom', write: csv('utf-8-bom') },
  { label: 'CSV UTF-8 with BOM, English headers', headers: 'en', format: 'csv', encoding: 'utf-8-bom', write: csv('utf-8-bom') },
  { label: 'CSV GBK, Chinese headers, CRLF', headers: 'zh', format: 'csv', encoding: 'gb18030', write: csv('gbk', '\r\n') },
  {
    label: 'CSV UTF-16LE (Excel "Unicode text"), Chinese headers',
    headers: 'zh',
    format: 'csv',
    encoding: 'utf-16le',
    write: csv('utf-16le'),
  },
  { label: 'CSV with headers in another case (System_ID)', headers: 'mixed-case', format: 'csv', encoding: 'utf-8', write: csv('utf-8') },
  {
    // as Excel saves a sheet: a title row (its empty cells as commas), the table, then formatted
    // but empty rows as delimiters only
    label: 'CSV as Excel saves it: a title row above the header, empty rows (,,,,) after the table',
    headers: 'zh',
    format: 'csv',
    encoding: 'gb18030',
    write: async (kind, h, ctx) => {
      const width = CONTRACT[kind].columns.length;
      const title = `${KIND_ZH[kind]}（2026 年）${','.repeat(width - 1)}`;
      const empty = ','.repeat(width - 1);
      const text = [title, empty, sampleCsv(kind, h, SAMPLE[kind], '\r\n').trimEnd(), empty, empty, ''].join('\r\n');
      return writeFile(ctx.dir, `${kind}-excel.csv`, encodeText(text, 'gbk'));
    },
  },
  {
    label: 'XLSX, the sheet named like the kind in Chinese (not the first sheet)',
    headers: 'zh',
    format: 'xlsx',
    sheet: (k) => KIND_ZH[k],
    write: (kind, h, ctx) =>
      writeXlsx(path.join(ctx.dir, `${kind}-named.xlsx`), [
        { name: '封面', rows: [['2026 年报送'], ['请勿修改']] },
        { name: KIND_ZH[kind], rows: sampleSheetRows(kind, h) },
      ]),
  },
  {
    label: 'XLSX, the sheet named like the kind in English',
    headers: 'en',
    format: 'xlsx',
    sheet: (k) => k,
    write: (kind, h, ctx) =>
      writeXlsx(path.join(ctx.dir, `${kind}-en.xlsx`), [
        { name: 'readme', rows: [['system_id'], ['not data']] },
        { name: kind, rows: sampleSheetRows(kind, h) },
      ]),
  },
  {
    label: 'XLSX, no sheet named like a kind: the first sheet',
    headers: 'en',
    format: 'xlsx',
    sheet: () => 'Sheet1',
    write: (kind, h, ctx) =>
      writeXlsx(path.join(ctx.dir, `${kind}-first.xlsx`), [
        { name: 'Sheet1', rows: sampleSheetRows(kind, h) },
        { name: '备注', rows: [['由信息中心导出']] },
      ]),
  },
  {
    label: 'XLSX with a title row above the header',
    headers: 'zh',
    format: 'xlsx',
    sheet: () => 'Sheet1',
    write: (kind, h, ctx) =>
      writeXlsx(path.join(ctx.dir, `${kind}-title.xlsx`), [
        { name: 'Sheet1', rows: [[`${KIND_ZH[kind]}（2026 年）`], ...sampleSheetRows(kind, h)] },
      ]),
  },
  {
    label: 'Parquet, English headers',
    headers: 'en',
    format: 'parquet',
    write: (k, h, ctx) => writeParquet(path.join(ctx.dir, `${k}.parquet`), k, h),
  },
  {
    label: 'Parquet, Chinese headers',
    headers: 'zh',
    format: 'parquet',
    write: (k, h, ctx) => writeParquet(path.join(ctx.dir, `${k}-zh.parquet`), k, h),
  },
  {
    label: 'JSON array, English keys',
    headers: 'en',
    format: 'json',
    write: async (k, h, ctx) => writeFile(ctx.dir, `${k}.json`, JSON.stringify(jsonRecords(k, h), null, 2)),
  },
  {
    label: 'JSON array, Chinese keys',
    headers: 'zh',
    format: 'json',
    write: async (k, h, ctx) => writeFile(ctx.dir, `${k}-zh.json`, JSON.stringify(jsonRecords(k, h))),
  },
  {
    label: 'NDJSON, Chinese keys',
    headers: 'zh',
    format: 'ndjson',
    write: async (k, h, ctx) =>
      writeFile(
        ctx.dir,
        `${k}.ndjson`,
        jsonRecords(k, h)
          .map((r) => JSON.stringify(r))
          .join('\n') + '\n',
      ),
  },
  {
    label: 'NDJSON (.jsonl), mixed-case keys, CRLF',
    headers: 'mixed-case',
    format: 'ndjson',
    write: async (k, h, ctx) =>
      writeFile(
        ctx.dir,
        `${k}.jsonl`,
        jsonRecords(k, h)
          .map((r) => JSON.stringify(r))
          .join('\r\n') + '\r\n',
      ),
  },
];

describe('ingestFile(store, path) — every kind in every format', () => {
  for (const kind of KINDS) {
    describe(`${kind}（${KIND_ZH[kind]}）`, () => {
      it.each(CASES)('loads the sample rows from $label', async (c) => {
        await withStore(async (store, ctx) => {
          if (kind !== 'systems') await loadRegistry(store, ctx);
          const p = await c.write(kind, c.headers, ctx);
          const o = await ingestFile(store, p, { now: NOW, archiveDir: ctx.archiveDir });
          expect(o.message).toBeUndefined();
          expect(o.status).toBe('loaded');
          expect(o.kind).toBe(kind);
          expect(o.format).toBe(c.format);
          if (c.encoding) expect(o.encoding).toBe(c.encoding);
          if (c.sheet) expect(o.sheet).toBe(c.sheet(kind));
          expect(o.rowsRead).toBe(SAMPLE[kind].length);
          expect(o.rowsLoaded).toBe(SAMPLE[kind].length);
          expect(o.rowsRejected).toBe(0);
          expect(o.extras).toEqual([]);
          expect(await rejectsOf(store, o.fileId!)).toEqual([]);
          expect(await storedRows(store, kind, o.fileId)).toEqual(SAMPLE[kind]);
        });
      });
    });
  }
});

describe('ingestFile(store, path) — kind detection', () => {
  it('detects each kind from its English headers, and from its Chinese headers', async () => {
    await withStore(async (store, ctx) => {
      await loadRegistry(store, ctx);
      for (const kind of ['telemetry', 'catalog', 'om_report'] as const) {
        for (const h of ['en', 'zh'] as const) {
          // only the required columns: the kind must still be told apart
          const req = CONTRACT[kind].columns.filter((c) => c.required);
          const header = req.map((c) => (h === 'zh' ? c.zh : c.name));
          const row = req.map((c) =>
            c.name === 'system_id' ? 'S001' : c.type === 'date' ? '2026-01-05' : c.type === 'int' ? '2025' : 'X',
          );
          const p = writeFile(ctx.dir, `${kind}-${h}-min.csv`, [header.join(','), row.join(',')].join('\n') + '\n');
          const o = await ingestFile(store, p, { now: NOW, archiveDir: ctx.archiveDir });
          expect([kind, h, o.status, o.kind]).toEqual([kind, h, 'loaded', kind]);
        }
      }
    });
  });

  it('lists unknown extra columns and stores nothing of them', async () => {
    await withStore(async (store, ctx) => {
      await loadRegistry(store, ctx);
      const p = writeFile(ctx.dir, 't.csv', '系统编号,备注,日期,CPU平均使用率,Owner\nS001,夜间维护,2026-10-03,7.5,张三\n');
      const o = await ingestFile(store, p, { now: NOW, archiveDir: ctx.archiveDir });
      expect(o.status).toBe('loaded');
      expect(o.kind).toBe('telemetry');
      expect(o.extras).toEqual(['备注', 'Owner']);
      expect(await store.all('SELECT extra_columns FROM files WHERE file_id = $1', [o.fileId!])).toEqual([
        { extra_columns: ['备注', 'Owner'] },
      ]);
      const rows = await storedRows(store, 'telemetry', o.fileId);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ system_id: 'S001', date: '2026-10-03', cpu_avg_pct: 7.5, cpu_max_pct: null });
    });
  });

  it('takes the kind given with --kind over the one its headers suggest', async () => {
    await withStore(async (store, ctx) => {
      await loadRegistry(store, ctx);
      // system_id + date + resource_id: catalog by its headers if resource_id matched most, but forced to telemetry
      const p = writeFile(ctx.dir, 'x.csv', 'system_id,date,resource_id,resource_name,share_type\nS001,2026-10-04,R-9,名称,none\n');
      const detected = await ingestFile(store, p, { now: NOW, archiveDir: ctx.archiveDir });
      expect(detected.kind).toBe('catalog');
      const forced = await ingestFile(store, p, { now: NOW, archiveDir: ctx.archiveDir, kind: 'telemetry', force: true });
      expect(forced.status).toBe('loaded');
      expect(forced.kind).toBe('telemetry');
      expect(forced.extras).toEqual(['resource_id', 'resource_name', 'share_type']);
      expect((await storedRows(store, 'telemetry', forced.fileId)).map((r) => [r.system_id, r.date])).toEqual([['S001', '2026-10-04']]);
    });
  });

  it('fails a file forced to a kind whose required columns it lacks, naming them in Chinese', async () => {
    await withStore(async (store, ctx) => {
      const p = writeFile(ctx.dir, 'sys.csv', sampleCsv('systems', 'en'));
      const o = await ingestFile(store, p, { now: NOW, archiveDir: ctx.archiveDir, kind: 'om_report' });
      expect(o.status).toBe('failed');
      expect(o.message).toBe(
        '不是有效的“年度运维服务情况报表”文件：缺少必填列 年度（year）、提交日期（submitted_date）；文件表头为：' +
          headersOf('systems', 'en').slice(0, 12).join('、'),
      );
      expect(await storedRows(store, 'systems')).toEqual([]);
    });
  });

  it('fails a file with an unrecognisable header, with a Chinese message that names the headers', async () => {
    await withStore(async (store, ctx) => {
      const p = writeFile(ctx.dir, 'unknown.csv', '编号,名称,金额\n1,甲,3\n');
      const o = await ingestFile(store, p, { now: NOW, archiveDir: ctx.archiveDir });
      expect(o.status).toBe('failed');
      expect(o.kind).toBeUndefined();
      expect(o.message).toBe(
        '无法识别文件类型：表头与系统目录、运行监测数据、数据资源目录、年度运维报表都不匹配（可用 --kind 指定）；文件表头为：编号、名称、金额',
      );
      expect(await rejectsOf(store, o.fileId!)).toEqual([{ row_no: null, column_name: null, value: null, reason: o.message }]);
      expect(await store.all('SELECT status, kind, rows_loaded FROM files WHERE file_id = $1', [o.fileId!])).toEqual([
        { status: 'failed', kind: null, rows_loaded: 0 },
      ]);
    });
  });

  it('knows an XLSX sheet named 信息系统目录 by its name, and says which of its headers are unknown', async () => {
    await withStore(async (store, ctx) => {
      const p = await writeXlsx(path.join(ctx.dir, 'registry.xlsx'), [
        { name: '信息系统目录', rows: [['云川市信息系统目录'], ['编号', '名称', '单位', '状态'], ['S001', '甲', '民政局', '运行']] },
      ]);
      const o = await ingestFile(store, p, { now: NOW, archiveDir: ctx.archiveDir });
      expect(o.status).toBe('failed');
      expect(o.kind).toBeUndefined();
      expect(o.sheet).toBe('信息系统目录');
      expect(o.message).toBe(
        '工作表“信息系统目录”按名称识别为“信息系统目录”，但缺少必填列 系统编号（system_id）、系统名称（system_name）、建设单位（department）、阶段（stage）；' +
          '无法识别的表头：云川市信息系统目录（表头可用中文或英文列名，见 govmon template systems）',
      );
    });
  });

  it('finds the header of a sheet named like its kind below a title row, and lists its unknown extra headers', async () => {
    await withStore(async (store, ctx) => {
      const p = await writeXlsx(path.join(ctx.dir, 'registry.xlsx'), [
        {
          name: '信息系统目录',
          rows: [
            ['云川市信息系统目录（2026 年）'],
            ['系统编号', '系统名称', '建设单位', '阶段', '联系人'],
            ['S001', '甲', '民政局', '运行', '张三'],
          ],
        },
      ]);
      const o = await ingestFile(store, p, { now: NOW, archiveDir: ctx.archiveDir });
      expect([o.status, o.kind, o.rowsLoaded, o.extras]).toEqual(['loaded', 'systems', 1, ['联系人']]);
    });
  });

  it('reports a reject of a CSV with a title row under the line a person sees in the file', async () => {
    await withStore(async (store, ctx) => {
      const p = writeFile(
        ctx.dir,
        'titled.csv',
        '信息系统目录,,,\n,,,\nsystem_id,system_name,department,stage\nS001,甲,民政局,运行\nS002,乙,民政局,在建\n,,,\n',
      );
      const o = await ingestFile(store, p, { now: NOW, archiveDir: ctx.archiveDir });
      expect([o.status, o.rowsRead, o.rowsLoaded, o.rowsRejected]).toEqual(['partial', 2, 1, 1]);
      expect(await rejectsOf(store, o.fileId!)).toEqual([
        {
          row_no: 5,
          column_name: 'stage',
          value: '在建',
          reason: '不是可识别的取值，应为：建设中（construction）、试运行（trial）、运行（operation）、已停用（retired）',
        },
      ]);
    });
  });

  it('skips the empty rows (,,,,) Excel leaves at the end of a CSV instead of rejecting them as 必填字段为空', async () => {
    await withStore(async (store, ctx) => {
      await loadRegistry(store, ctx);
      const rows = sampleCsv('telemetry', 'en').trimEnd();
      const width = CONTRACT.telemetry.columns.length;
      const p = writeFile(ctx.dir, 'telemetry-trailing.csv', `${rows}\n${','.repeat(width - 1)}\n${','.repeat(width - 1)}\n\n`);
      const o = await ingestFile(store, p, { now: NOW, archiveDir: ctx.archiveDir });
      expect([o.status, o.rowsRead, o.rowsRejected, o.fastPath]).toEqual(['loaded', SAMPLE.telemetry.length, 0, true]);
      expect(exitCodeOf([o])).toBe(0);
    });
  });

  it('fails a file that names the same column twice (English and Chinese)', async () => {
    await withStore(async (store, ctx) => {
      await loadRegistry(store, ctx);
      const p = writeFile(ctx.dir, 'dup.csv', 'system_id,date,cpu_avg_pct,CPU平均使用率\nS001,2026-10-01,1,2\n');
      const o = await ingestFile(store, p, { now: NOW, archiveDir: ctx.archiveDir });
      expect(o.status).toBe('failed');
      expect(o.message).toBe('表头重复：CPU平均使用率 出现不止一次，无法确定使用哪一列');
      expect(await storedRows(store, 'telemetry')).toEqual([]);
    });
  });
});

describe('ingestFile(store, path) — encodings', () => {
  it('loads the same rows from a GBK file with Chinese headers as from its UTF-8 twin', async () => {
    await withStore(async (store, ctx) => {
      const text = sampleCsv('systems', 'zh');
      const utf8 = writeFile(ctx.dir, 'utf8.csv', encodeText(text, 'utf-8'));
      const gbk = writeFile(ctx.dir, 'gbk.csv', encodeText(text, 'gbk'));
      // the bytes differ (else the second would be a duplicate) and the GBK file is not UTF-8
      expect(fs.readFileSync(gbk).equals(fs.readFileSync(utf8))).toBe(false);
      expect(fs.readFileSync(gbk).toString('utf8')).toContain('\uFFFD');
      const a = await ingestFile(store, utf8, { now: NOW, archiveDir: ctx.archiveDir });
      const b = await ingestFile(store, gbk, { now: NOW, archiveDir: ctx.archiveDir });
      expect([a.status, a.encoding, b.status, b.encoding]).toEqual(['loaded', 'utf-8', 'loaded', 'gb18030']);
      const rowsA = await storedRows(store, 'systems', a.fileId);
      expect(rowsA).toEqual(SYSTEMS_ZH_EXPECTED);
      expect(await storedRows(store, 'systems', b.fileId)).toEqual(rowsA);
    });
  });

  it('reads a UTF-8 file whose tail has a byte that is not UTF-8 with a replacement character and a warning', async () => {
    await withStore(async (store, ctx) => {
      // the encoding is detected from the first 256 KB; the stray byte lies beyond them
      const head = 'system_id,system_name,department,stage\n' + `S010,${'长'.repeat(100_000)},市数据局,运行\n`;
      const bytes = Buffer.concat([Buffer.from(head + 'S011,坏'), Buffer.from([0xff]), Buffer.from('字节,市数据局,运行\n')]);
      const o = await ingestFile(store, writeFile(ctx.dir, 'tail.csv', bytes), { now: NOW, archiveDir: ctx.archiveDir });
      expect([o.status, o.encoding, o.rowsLoaded, o.warnings]).toEqual([
        'loaded',
        'utf-8',
        2,
        ['文件中有不是 UTF-8 的字节，已替换为 �，请核对相关行'],
      ]);
      expect(await store.all(`SELECT system_name FROM raw_systems WHERE system_id = 'S011'`)).toEqual([{ system_name: '坏\uFFFD字节' }]);
      expect(exitCodeOf([o])).toBe(2);
    });
  });

  it('loads a GBK telemetry file through the fast path with the same values as UTF-8', async () => {
    await withStore(async (store, ctx) => {
      await loadRegistry(store, ctx);
      const text = sampleCsv('telemetry', 'zh');
      const a = await ingestFile(store, writeFile(ctx.dir, 'a.csv', encodeText(text, 'utf-8')), { now: NOW, archiveDir: ctx.archiveDir });
      const b = await ingestFile(store, writeFile(ctx.dir, 'b.csv', encodeText(text, 'gbk')), { now: NOW, archiveDir: ctx.archiveDir });
      expect([a.fastPath, b.fastPath, b.encoding]).toEqual([true, true, 'gb18030']);
      expect(await storedRows(store, 'telemetry', b.fileId)).toEqual(await storedRows(store, 'telemetry', a.fileId));
      expect(await storedRows(store, 'telemetry', b.fileId)).toEqual(SAMPLE.telemetry);
    });
  });
});

// What the sample registry must look like once stored: written out again by hand, not derived.
const SYSTEMS_ZH_EXPECTED = [
  {
    system_id: 'S001',
    system_name: '统一身份认证平台',
    department: '市数据局',
    stage: 'operation',
    go_live_date: '2023-03-01',
    initial_acceptance_date: '2023-06-15',
    final_acceptance_date: '2024-01-10',
    security_level: 3,
    vcpu: 16,
    memory_gb: 64,
    storage_gb: 1024.5,
    cloud_cost_annual: 120000,
    om_budget_annual: 300000,
    key_project: true,
    classified: false,
    exempt_until: null,
    exempt_reason: null,
    active_months: '3-6',
    citywide: true,
    serves_public: true,
    county: null,
  },
  {
    system_id: 'S002',
    system_name: '城市运行监测系统, 二期',
    department: '市应急管理局',
    stage: 'trial',
    go_live_date: '2025-09-01',
    initial_acceptance_date: null,
    final_acceptance_date: null,
    security_level: 2,
    vcpu: 8,
    memory_gb: 32,
    storage_gb: 500,
    cloud_cost_annual: 50000.5,
    om_budget_annual: 80000,
    key_project: false,
    classified: false,
    exempt_until: '2027-06-30',
    exempt_reason: '试运行期，待竣工验收',
    active_months: null,
    citywide: true,
    serves_public: false,
    county: null,
  },
  {
    system_id: 'S003',
    system_name: '机要文件流转系统',
    department: '市数据局',
    stage: 'retired',
    go_live_date: null,
    initial_acceptance_date: null,
    final_acceptance_date: null,
    security_level: 4,
    vcpu: 0,
    memory_gb: 0,
    storage_gb: 0,
    cloud_cost_annual: 0,
    om_budget_annual: 0,
    key_project: false,
    classified: true,
    exempt_until: null,
    exempt_reason: null,
    active_months: null,
    citywide: false,
    serves_public: false,
    county: '越城区',
  },
];
