// Ingest semantics (docs/inputs.md §3): later files replace earlier rows but keep them traceable, the same bytes
// twice is a no-op, the raw file is archived by its SHA-256 first, a file is one transaction, the fast
// path stores what the general path would, and the exit codes of `govmon ingest`.

import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { exitCodeOf, ingestFile, ingestPaths, type FileOutcome } from '../pipelines/ingest/ingest.ts';
import { memoryLog } from '../core/log.ts';
import type { Store } from '../pipelines/store/database.ts';
import { NOW, tempDir, withStore, writeFile } from './helpers.ts';
import {
  SYSTEMS,
  TELEMETRY,
  csvText,
  jsonRecords,
  loadRegistry,
  rejectsOf,
  sampleCsv,
  snapshot,
  storedRows,
  writeParquet,
  type Row,
} from './fixtures/ingest.ts';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

describe('ingestFile(store, path) — replacement', () => {
  it('upserts the systems a later registry file names and keeps the others', async () => {
    await withStore(async (store, ctx) => {
      const first = await loadRegistry(store, ctx);
      const p = writeFile(
        ctx.dir,
        'registry-2.csv',
        csvText(
          ['系统编号', '系统名称', '建设单位', '阶段', 'vCPU'],
          [
            ['S002', '城市运行监测系统', '市应急管理局', '运行', '4'],
            ['S004', '12345 热线', '市信访局', '运行', '2'],
          ],
        ),
      );
      const second = await ingestFile(store, p, { now: NOW, archiveDir: ctx.archiveDir });
      expect(second.status).toBe('loaded');
      expect(await store.all('SELECT system_id, file_id, stage, vcpu, memory_gb FROM systems_current ORDER BY system_id')).toEqual([
        { system_id: 'S001', file_id: first.fileId, stage: 'operation', vcpu: 16, memory_gb: 64 },
        { system_id: 'S002', file_id: second.fileId, stage: 'operation', vcpu: 4, memory_gb: null },
        { system_id: 'S003', file_id: first.fileId, stage: 'retired', vcpu: 0, memory_gb: 0 },
        { system_id: 'S004', file_id: second.fileId, stage: 'operation', vcpu: 2, memory_gb: null },
      ]);
      // the replaced S002 row is still there with its source file
      expect(await store.all(`SELECT file_id, stage, vcpu FROM raw_systems WHERE system_id = 'S002' ORDER BY file_id`)).toEqual([
        { file_id: first.fileId, stage: 'trial', vcpu: 8 },
        { file_id: second.fileId, stage: 'operation', vcpu: 4 },
      ]);
    });
  });

  it('lets a later telemetry row for the same (system_id, date) win, and keeps the replaced value with its file_id', async () => {
    await withStore(async (store, ctx) => {
      await loadRegistry(store, ctx);
      const a = await ingestFile(store, writeFile(ctx.dir, 'a.csv', sampleCsv('telemetry', 'en')), {
        now: NOW,
        archiveDir: ctx.archiveDir,
      });
      const b = await ingestFile(
        store,
        writeFile(
          ctx.dir,
          'b.csv',
          csvText(
            ['system_id', 'date', 'cpu_avg_pct', 'cpu_max_pct'],
            [
              ['S001', '2026-10-01', '30', '35'],
              ['S001', '2026-10-03', '1', '2'],
            ],
          ),
        ),
        { now: NOW, archiveDir: ctx.archiveDir },
      );
      expect([a.status, a.fastPath, b.status, b.fastPath]).toEqual(['loaded', true, 'loaded', true]);
      expect(
        await store.all(
          'SELECT system_id, date, file_id, cpu_avg_pct, cpu_max_pct, requests FROM telemetry_current ORDER BY system_id, date',
        ),
      ).toEqual([
        { system_id: 'S001', date: '2026-10-01', file_id: b.fileId, cpu_avg_pct: 30, cpu_max_pct: 35, requests: null },
        { system_id: 'S001', date: '2026-10-02', file_id: a.fileId, cpu_avg_pct: 0, cpu_max_pct: 0, requests: 0 },
        { system_id: 'S001', date: '2026-10-03', file_id: b.fileId, cpu_avg_pct: 1, cpu_max_pct: 2, requests: null },
        { system_id: 'S002', date: '2026-10-01', file_id: a.fileId, cpu_avg_pct: 3.25, cpu_max_pct: 7, requests: 120 },
      ]);
      expect(
        await store.all(
          `SELECT file_id, cpu_avg_pct, requests FROM raw_telemetry WHERE system_id = 'S001' AND date = '2026-10-01' ORDER BY file_id`,
        ),
      ).toEqual([
        { file_id: a.fileId, cpu_avg_pct: 12.5, requests: 20340 },
        { file_id: b.fileId, cpu_avg_pct: 30, requests: null },
      ]);
    });
  });

  it('lets the later of two rows for the same key within one file win, on the fast path and on the general path', async () => {
    await withStore(async (store, ctx) => {
      await loadRegistry(store, ctx);
      const header = ['system_id', 'date', 'cpu_avg_pct'];
      const rows = [
        ['S001', '2026-09-01', '1'],
        ['S001', '2026-09-02', '2'],
        ['S001', '2026-09-01', '3'],
      ];
      const fast = await ingestFile(store, writeFile(ctx.dir, 'f.csv', csvText(header, rows)), { now: NOW, archiveDir: ctx.archiveDir });
      expect(fast.fastPath).toBe(true);
      const cur = () =>
        store.all(`SELECT date, cpu_avg_pct FROM telemetry_current WHERE system_id = 'S001' AND date < '2026-10-01' ORDER BY date`);
      expect(await cur()).toEqual([
        { date: '2026-09-01', cpu_avg_pct: 3 },
        { date: '2026-09-02', cpu_avg_pct: 2 },
      ]);
      const general = await ingestFile(
        store,
        writeFile(
          ctx.dir,
          'g.ndjson',
          ['{"system_id":"S001","date":"2026-09-01","cpu_avg_pct":4}', '{"system_id":"S001","date":"2026-09-01","cpu_avg_pct":5}'].join(
            '\n',
          ),
        ),
        { now: NOW, archiveDir: ctx.archiveDir },
      );
      expect(general.fastPath).toBe(false);
      expect(await cur()).toEqual([
        { date: '2026-09-01', cpu_avg_pct: 5 },
        { date: '2026-09-02', cpu_avg_pct: 2 },
      ]);
    });
  });
});

describe('ingestFile(store, path) — the same bytes twice', () => {
  it('is a no-op that says so, also under another name; force ingests again', async () => {
    await withStore(async (store, ctx) => {
      const text = sampleCsv('systems', 'zh');
      // ingested at 12:58:53 UTC by the wall clock: 20:58:53 in Beijing
      const first = await ingestFile(store, writeFile(ctx.dir, 'reg.csv', text), {
        now: NOW,
        archiveDir: ctx.archiveDir,
        clock: () => new Date('2026-12-07T12:58:53Z'),
      });
      const before = await snapshot(store);
      const again = await ingestFile(store, writeFile(ctx.dir, 'copy/信息系统目录（副本）.csv', text), {
        now: NOW,
        archiveDir: ctx.archiveDir,
      });
      expect(again.status).toBe('duplicate');
      expect(again.duplicateOf).toBe(first.fileId);
      expect([again.rowsRead, again.rowsLoaded, again.rowsRejected]).toEqual([0, 0, 0]);
      // when the first copy was really ingested, in the time the people reading the message live in
      expect(again.message).toBe(`相同内容已于 2026-12-07 20:58:53 导入（文件编号 ${first.fileId}），本次未做任何改动`);
      expect(await snapshot(store)).toEqual(before);
      expect(exitCodeOf([again])).toBe(0);

      const forced = await ingestFile(store, writeFile(ctx.dir, 'reg.csv', text), { now: NOW, archiveDir: ctx.archiveDir, force: true });
      expect(forced.status).toBe('loaded');
      expect(forced.fileId).not.toBe(first.fileId);
      expect(await store.all('SELECT file_id, count(*) AS n FROM raw_systems GROUP BY file_id ORDER BY file_id')).toEqual([
        { file_id: first.fileId, n: 3 },
        { file_id: forced.fileId, n: 3 },
      ]);
      expect(await store.value('SELECT count(*) FROM systems_current')).toBe(3);
    });
  });

  it('tries a failed file again rather than calling it a duplicate', async () => {
    await withStore(async (store, ctx) => {
      const p = writeFile(ctx.dir, 'odd.csv', 'a,b\n1,2\n');
      const one = await ingestFile(store, p, { now: NOW, archiveDir: ctx.archiveDir });
      const two = await ingestFile(store, p, { now: NOW, archiveDir: ctx.archiveDir });
      expect([one.status, two.status]).toEqual(['failed', 'failed']);
      expect(two.fileId).toBe(one.fileId! + 1);
    });
  });
});

describe('ingestFile(store, path) — archive', () => {
  const sha = (b: Buffer) => crypto.createHash('sha256').update(b).digest('hex');

  it('copies the raw file under its SHA-256 and records the path', async () => {
    await withStore(async (store, ctx) => {
      const bytes = Buffer.from(sampleCsv('systems', 'en'));
      const o = await ingestFile(store, writeFile(ctx.dir, 'Reg.CSV', bytes), { now: NOW, archiveDir: ctx.archiveDir });
      const h = sha(bytes);
      const archived = path.join(ctx.archiveDir, h.slice(0, 2), `${h}.csv`);
      expect(o.sha256).toBe(h);
      expect(fs.readFileSync(archived).equals(bytes)).toBe(true);
      expect(await store.all('SELECT sha256, archive_path, size_bytes, file_name FROM files')).toEqual([
        { sha256: h, archive_path: archived, size_bytes: bytes.length, file_name: 'Reg.CSV' },
      ]);
      // no temporary copy is left beside it
      expect(fs.readdirSync(ctx.archiveDir).filter((f) => f.startsWith('.incoming'))).toEqual([]);
    });
  });

  it('archives a file that then fails, with the right hash', async () => {
    await withStore(async (store, ctx) => {
      const bytes = Buffer.from('[{"system_id": "S001", "date": "2026-10-01"}, {"system_id": ');
      const o = await ingestFile(store, writeFile(ctx.dir, 'broken.json', bytes), { now: NOW, archiveDir: ctx.archiveDir });
      expect(o.status).toBe('failed');
      const h = sha(bytes);
      expect(o.sha256).toBe(h);
      expect(fs.readFileSync(path.join(ctx.archiveDir, h.slice(0, 2), `${h}.json`)).equals(bytes)).toBe(true);
      expect(await store.value('SELECT archive_path FROM files WHERE file_id = $1', [o.fileId!])).toBe(
        path.join(ctx.archiveDir, h.slice(0, 2), `${h}.json`),
      );
    });
  });
});

/** A store holding the sample registry and telemetry, as the state a failed ingest must not touch. */
async function populated(store: Store, ctx: { dir: string; archiveDir: string }): Promise<void> {
  await loadRegistry(store, ctx);
  const o = await ingestFile(store, writeFile(ctx.dir, 'tel.csv', sampleCsv('telemetry', 'en')), { now: NOW, archiveDir: ctx.archiveDir });
  expect(o.status).toBe('loaded');
}

/** The store is as before except for the one `files` row and one `rejects` row logging the failure. */
async function expectOnlyFailureLogged(store: Store, before: Record<string, unknown[]>, o: FileOutcome): Promise<void> {
  const after = await snapshot(store);
  const files = Object.keys(after).find((k) => k.endsWith('."files"'))!;
  const rejects = Object.keys(after).find((k) => k.endsWith('."rejects"'))!;
  for (const t of Object.keys(before)) if (t !== files && t !== rejects) expect([t, after[t]]).toEqual([t, before[t]]);
  expect(Object.keys(after)).toEqual(Object.keys(before));
  expect(after[files].slice(0, before[files].length)).toEqual(before[files]);
  expect(after[files].slice(before[files].length)).toMatchObject([
    { file_id: o.fileId, status: 'failed', rows_loaded: 0, message: o.message },
  ]);
  expect(after[rejects].slice(0, before[rejects].length)).toEqual(before[rejects]);
  expect(after[rejects].slice(before[rejects].length)).toEqual([
    { file_id: o.fileId, kind: o.kind ?? null, row_no: null, column_name: null, value: null, reason: o.message },
  ]);
}

describe('ingestFile(store, path) — one transaction per file', () => {
  it('leaves the database as before when a JSON array has a syntax error near its end', async () => {
    await withStore(async (store, ctx) => {
      await populated(store, ctx);
      const before = await snapshot(store);
      const text = JSON.stringify(jsonRecords('telemetry', 'en').map((r) => ({ ...r, date: '2026-09-30' })));
      const o = await ingestFile(store, writeFile(ctx.dir, 'bad.json', text.slice(0, -2) + ' oops}]'), {
        now: NOW,
        archiveDir: ctx.archiveDir,
      });
      expect(o.status).toBe('failed');
      expect(o.message).toMatch(/^JSON 文件无法解析（应为对象数组、每行一个对象，或依次排列的对象）：.*bad\.json/);
      await expectOnlyFailureLogged(store, before, o);
    });
  });

  it('leaves the database as before when a Parquet file is truncated at the end', async () => {
    await withStore(async (store, ctx) => {
      await populated(store, ctx);
      const before = await snapshot(store);
      const p = await writeParquet(
        path.join(ctx.dir, 'cut.parquet'),
        'telemetry',
        'en',
        TELEMETRY.map((r) => ({ ...r, date: '2026-09-29' })),
      );
      const bytes = fs.readFileSync(p);
      fs.writeFileSync(p, bytes.subarray(0, bytes.length - 16));
      const o = await ingestFile(store, p, { now: NOW, archiveDir: ctx.archiveDir });
      expect(o.status).toBe('failed');
      expect(o.message).toMatch(/^无法读取 Parquet 文件：/);
      await expectOnlyFailureLogged(store, before, o);
    });
  });

  it('leaves the database as before when a Parquet file is corrupt inside, found only while loading', async () => {
    await withStore(async (store, ctx) => {
      await populated(store, ctx);
      const before = await snapshot(store);
      const p = await writeParquet(
        path.join(ctx.dir, 'rot.parquet'),
        'telemetry',
        'en',
        TELEMETRY.map((r) => ({ ...r, date: '2026-09-28' })),
      );
      const bytes = fs.readFileSync(p);
      bytes.fill(0xff, 100, 200); // the data pages; the footer (schema) stays readable
      fs.writeFileSync(p, bytes);
      const o = await ingestFile(store, p, { now: NOW, archiveDir: ctx.archiveDir });
      expect(o.status).toBe('failed');
      expect(o.kind).toBe('telemetry');
      expect(o.message).toMatch(/^Parquet 文件损坏或不完整，整个文件未导入。详细信息：.*rot\.parquet/);
      expect(o.message).not.toContain(ctx.archiveDir);
      await expectOnlyFailureLogged(store, before, o);
    });
  });

  for (const via of ['fast', 'general'] as const) {
    it(`leaves the database as before when the ${via} path fails after its rows were inserted`, async () => {
      await withStore(async (store, ctx) => {
        await populated(store, ctx);
        const before = await snapshot(store);
        const rows = [
          ['S001', '2026-09-01', '5'],
          ['S002', '2026-09-01', via === 'fast' ? '6' : '6%'],
        ];
        const p = writeFile(ctx.dir, `tel-${via}.csv`, csvText(['system_id', 'date', 'cpu_avg_pct'], rows));
        // a crash between the insert of the rows and the end of the transaction
        const run = store.run.bind(store);
        const inserted: number[] = [];
        store.run = async (sql, params) => {
          if (/^\s*INSERT INTO (file_months|files)\b/.test(sql)) throw new Error('simulated crash');
          const n = await run(sql, params);
          if (/^\s*INSERT INTO raw_telemetry/.test(sql)) inserted.push(n);
          return n;
        };
        try {
          await expect(ingestFile(store, p, { now: NOW, archiveDir: ctx.archiveDir })).rejects.toThrow('simulated crash');
        } finally {
          store.run = run;
        }
        // the fast path inserted both rows; for '6%' it inserted the row its reader took, rolled back, and
        // the general path inserted both
        expect(inserted).toEqual(via === 'fast' ? [2] : [1, 2]);
        expect(await snapshot(store)).toEqual(before);
      });
    });
  }
});

describe('ingestFile(store, path) — fast path and general path', () => {
  /** 62 days of telemetry for S001 and S002 with fractions, zeros and empty cells. */
  function clean(): Row[] {
    const rows: Row[] = [];
    for (const sys of ['S001', 'S002']) {
      for (let d = 0; d < 31; d++) {
        const date = `2026-08-${String(d + 1).padStart(2, '0')}`;
        const i = d * 2 + (sys === 'S002' ? 1 : 0);
        rows.push({
          system_id: sys,
          date,
          cpu_avg_pct: (i % 9) * 1.25,
          cpu_max_pct: (i % 9) * 1.25 + 3.5,
          mem_avg_pct: i % 5 === 0 ? null : 40 + i / 8,
          storage_used_gb: 100.75 + i,
          active_users: i % 3 === 0 ? null : i,
          requests: i * 101,
          availability_pct: 100 - (i % 4) * 0.5,
          open_high_vulns: i % 7,
        });
      }
    }
    return rows;
  }

  it('stores identical rows for the same clean telemetry as CSV (fast path) and as NDJSON (general path)', async () => {
    await withStore(async (store, ctx) => {
      await loadRegistry(store, ctx);
      const rows = clean();
      const csv = await ingestFile(store, writeFile(ctx.dir, 'clean.csv', sampleCsv('telemetry', 'en', rows)), {
        now: NOW,
        archiveDir: ctx.archiveDir,
      });
      const nd = await ingestFile(
        store,
        writeFile(
          ctx.dir,
          'clean.ndjson',
          jsonRecords('telemetry', 'en', rows)
            .map((r) => JSON.stringify(r))
            .join('\n'),
        ),
        { now: NOW, archiveDir: ctx.archiveDir },
      );
      expect([csv.status, csv.fastPath, csv.rowsLoaded, nd.status, nd.fastPath, nd.rowsLoaded]).toEqual([
        'loaded',
        true,
        62,
        'loaded',
        false,
        62,
      ]);
      const a = await storedRows(store, 'telemetry', csv.fileId);
      expect(a).toEqual(rows);
      expect(await storedRows(store, 'telemetry', nd.fileId)).toEqual(a);
      expect(await store.all('SELECT month, rows FROM file_months WHERE file_id = $1', [csv.fileId!])).toEqual([
        { month: '2026-08-01', rows: 62 },
      ]);
      expect(await store.all('SELECT month, rows FROM file_months WHERE file_id = $1', [nd.fileId!])).toEqual([
        { month: '2026-08-01', rows: 62 },
      ]);
    });
  });

  it('stores the same good rows when one bad row sends the CSV to the general path', async () => {
    await withStore(async (store, ctx) => {
      await loadRegistry(store, ctx);
      const rows = clean();
      const fast = await ingestFile(store, writeFile(ctx.dir, 'clean.csv', sampleCsv('telemetry', 'en', rows)), {
        now: NOW,
        archiveDir: ctx.archiveDir,
      });
      const withBad = sampleCsv('telemetry', 'en', rows) + 'S001,2026-09-01,50,40,,,,,,\n';
      const slow = await ingestFile(store, writeFile(ctx.dir, 'bad.csv', withBad), { now: NOW, archiveDir: ctx.archiveDir });
      expect([fast.fastPath, slow.fastPath, slow.status, slow.rowsLoaded, slow.rowsRejected]).toEqual([true, false, 'partial', 62, 1]);
      expect(await storedRows(store, 'telemetry', slow.fileId)).toEqual(await storedRows(store, 'telemetry', fast.fileId));
      expect(await rejectsOf(store, slow.fileId!)).toEqual([
        { row_no: 64, column_name: 'cpu_max_pct', value: '40', reason: 'CPU峰值使用率小于CPU平均使用率' },
      ]);
    });
  });

  // Values DuckDB's typed CSV reader accepts but the contract does not: each must be refused the
  // same way whichever path reads it, never stored rounded, and never fail the whole file.
  const odd: [string, string, string][] = [
    ['a fraction in a count', 'active_users', '5.4'],
    ['an empty date', 'date', ''],
    ['an empty system_id', 'system_id', ''],
    ['infinity', 'storage_used_gb', 'inf'],
    ['NaN', 'storage_used_gb', 'nan'],
    // a percentage needs no test of its own for them: its range check (0–100) catches them
    ['infinity in a percentage', 'availability_pct', 'inf'],
    ['NaN in a percentage', 'availability_pct', 'nan'],
    ['a count beyond INTEGER', 'open_high_vulns', '3000000000'],
  ];
  const REASON: Record<string, string> = {
    active_users: '不是整数',
    date: '必填字段为空',
    system_id: '必填字段为空',
    storage_used_gb: '不是有效数字',
    availability_pct: '不是有效的百分比数值（如 45.2 或 45.2%）',
    open_high_vulns: '数值过大（不能超过 2147483647）',
  };
  it.each(odd)('refuses %s (%s = "%s") on both paths with the same reject', async (_label, column, value) => {
    await withStore(async (store, ctx) => {
      await loadRegistry(store, ctx);
      const cols = ['system_id', 'date', 'storage_used_gb', 'active_users', 'open_high_vulns', 'availability_pct'];
      const good = ['S001', '2026-07-01', '10', '3', '0', '99.5'];
      const bad = ['S002', '2026-07-02', '11', '4', '1', '98'];
      bad[cols.indexOf(column)] = value;
      const csv = await ingestFile(store, writeFile(ctx.dir, 'odd.csv', csvText(cols, [good, bad])), {
        now: NOW,
        archiveDir: ctx.archiveDir,
      });
      const json = JSON.stringify([
        Object.fromEntries(cols.map((c, i) => [c, good[i]])),
        Object.fromEntries(cols.map((c, i) => [c, bad[i]])),
      ]);
      const js = await ingestFile(store, writeFile(ctx.dir, 'odd.json', json), { now: NOW, archiveDir: ctx.archiveDir });
      expect([csv.format, js.format]).toEqual(['csv', 'json']);
      for (const o of [csv, js]) {
        expect([o.status, o.rowsLoaded, o.rowsRejected]).toEqual(['partial', 1, 1]);
        expect(await rejectsOf(store, o.fileId!)).toEqual([
          { row_no: o.format === 'csv' ? 3 : 2, column_name: column, value: value === '' ? null : value, reason: REASON[column] },
        ]);
        expect(await storedRows(store, 'telemetry', o.fileId)).toEqual([
          {
            system_id: 'S001',
            date: '2026-07-01',
            cpu_avg_pct: null,
            cpu_max_pct: null,
            mem_avg_pct: null,
            storage_used_gb: 10,
            active_users: 3,
            requests: null,
            availability_pct: 99.5,
            open_high_vulns: 0,
          },
        ]);
      }
    });
  });

  // The fast path checks the contract's rules while the rows go in and the registry on the file's
  // distinct ids afterwards: each rule broken by one row alone must send a CSV and a Parquet file
  // to the general path, which loads the other 61 rows and rejects that one with its reason.
  const broken: [string, Row, string, string][] = [
    ['a date after today', { date: '2026-11-23' }, 'date', '日期晚于今天（2026-11-22）'],
    ['a system not in the registry', { system_id: 'S404' }, 'system_id', '系统编号不在系统目录中（请先导入或更新系统目录）'],
    ['a CPU peak below the mean', { cpu_avg_pct: 50, cpu_max_pct: 40 }, 'cpu_max_pct', 'CPU峰值使用率小于CPU平均使用率'],
    ['a percentage above 100', { availability_pct: 100.5 }, 'availability_pct', '超出范围：应在 0 到 100 之间'],
    ['a negative percentage', { mem_avg_pct: -0.5 }, 'mem_avg_pct', '超出范围：应在 0 到 100 之间'],
    ['a negative storage', { storage_used_gb: -1 }, 'storage_used_gb', '不能为负数'],
    ['a negative count', { requests: -5 }, 'requests', '不能为负数'],
    ['a count beyond INTEGER', { requests: 3000000000 }, 'requests', '数值过大（不能超过 2147483647）'],
  ];
  it.each(broken)(
    'sends a CSV and a Parquet file with %s in one row to the general path, which rejects only that row',
    async (_label, change, column, reason) => {
      await withStore(async (store, ctx) => {
        await loadRegistry(store, ctx);
        const rows = clean();
        rows[10] = { ...rows[10], ...change };
        const csv = await ingestFile(store, writeFile(ctx.dir, 'one.csv', sampleCsv('telemetry', 'en', rows)), {
          now: NOW,
          archiveDir: ctx.archiveDir,
        });
        const pq = await ingestFile(store, await writeParquet(path.join(ctx.dir, 'one.parquet'), 'telemetry', 'en', rows), {
          now: NOW,
          archiveDir: ctx.archiveDir,
        });
        for (const o of [csv, pq]) {
          expect([o.format, o.status, o.fastPath, o.rowsLoaded, o.rowsRejected]).toEqual([o.format, 'partial', false, 61, 1]);
          expect((await rejectsOf(store, o.fileId!)).map((r) => [r.row_no, r.column_name, r.reason])).toEqual([
            [o.format === 'csv' ? 12 : 11, column, reason],
          ]);
          const good = rows.filter((_, i) => i !== 10);
          expect(await storedRows(store, 'telemetry', o.fileId)).toEqual(good);
        }
        expect([csv.format, pq.format]).toEqual(['csv', 'parquet']);
      });
    },
  );

  it('sends a Parquet file whose system ids carry spaces to the general path, which stores them trimmed', async () => {
    await withStore(async (store, ctx) => {
      await loadRegistry(store, ctx);
      const rows = clean();
      const padded = rows.map((r, i) => (i === 5 ? { ...r, system_id: ` ${String(r.system_id)} ` } : r));
      const o = await ingestFile(store, await writeParquet(path.join(ctx.dir, 'pad.parquet'), 'telemetry', 'en', padded), {
        now: NOW,
        archiveDir: ctx.archiveDir,
      });
      expect([o.status, o.fastPath, o.rowsLoaded, o.rowsRejected]).toEqual(['loaded', false, 62, 0]);
      expect(await storedRows(store, 'telemetry', o.fileId)).toEqual(rows);
    });
  });

  it('takes the fast path for a clean CSV with a BOM, CRLF and Chinese headers', async () => {
    await withStore(async (store, ctx) => {
      await loadRegistry(store, ctx);
      const text = '\uFEFF' + sampleCsv('telemetry', 'zh', TELEMETRY, '\r\n');
      const o = await ingestFile(store, writeFile(ctx.dir, 'bom.csv', text), { now: NOW, archiveDir: ctx.archiveDir });
      expect([o.status, o.fastPath, o.encoding, o.rowsLoaded]).toEqual(['loaded', true, 'utf-8-bom', 3]);
      expect(await storedRows(store, 'telemetry', o.fileId)).toEqual(TELEMETRY);
    });
  });
});

describe('ingestPaths(store, paths, opts) — exit codes', () => {
  async function codeOf(files: Record<string, string>, registry = true): Promise<{ code: number; statuses: string[] }> {
    return withStore(async (store, ctx) => {
      if (registry) await loadRegistry(store, ctx);
      const dir = path.join(ctx.dir, 'in');
      for (const [name, text] of Object.entries(files)) writeFile(dir, name, text);
      const r = await ingestPaths(store, [dir], { now: NOW, archiveDir: ctx.archiveDir, log: memoryLog() });
      return { code: r.exitCode, statuses: r.files.map((f) => `${f.name}:${f.status}`) };
    });
  }
  const good = 'system_id,date,cpu_avg_pct\nS001,2026-10-01,5\n';
  const half = 'system_id,date,cpu_avg_pct\nS001,2026-10-02,5\nS001,2026-10-03,500\n';
  const allBad = 'system_id,date,cpu_avg_pct\nS404,2026-10-02,5\n';
  const unusable = 'foo,bar\n1,2\n';

  it('is 0 when every file loaded', async () => {
    expect(await codeOf({ 'a.csv': good })).toEqual({ code: 0, statuses: ['a.csv:loaded'] });
  });
  it('is 2 when some rows were rejected and others loaded', async () => {
    expect(await codeOf({ 'a.csv': good, 'b.csv': half })).toEqual({ code: 2, statuses: ['a.csv:loaded', 'b.csv:partial'] });
    expect(await codeOf({ 'a.csv': half })).toEqual({ code: 2, statuses: ['a.csv:partial'] });
  });
  it('is 2 when one file loaded and another failed', async () => {
    expect(await codeOf({ 'a.csv': good, 'b.csv': unusable })).toEqual({ code: 2, statuses: ['a.csv:loaded', 'b.csv:failed'] });
  });
  it('is 1 when nothing was loaded: every row rejected, or the file unusable', async () => {
    expect(await codeOf({ 'a.csv': allBad })).toEqual({ code: 1, statuses: ['a.csv:rejected'] });
    expect(await codeOf({ 'a.csv': unusable })).toEqual({ code: 1, statuses: ['a.csv:failed'] });
    expect(await codeOf({ 'a.csv': allBad, 'b.csv': unusable })).toEqual({ code: 1, statuses: ['a.csv:rejected', 'b.csv:failed'] });
  });
  it('takes the files of a folder in path-name order, skipping hidden and unsupported files', async () => {
    const r = await codeOf(
      {
        '2-telemetry.csv': good,
        '1-systems.csv': sampleCsv('systems', 'en', SYSTEMS.slice(0, 1)),
        'sub/3-more.ndjson': '{"system_id":"S001","date":"2026-10-05"}\n',
        '.hidden.csv': unusable,
        '~$lock.xlsx': unusable,
        'README.md': '# not data',
      },
      false,
    );
    expect(r).toEqual({ code: 0, statuses: ['1-systems.csv:loaded', '2-telemetry.csv:loaded', '3-more.ndjson:loaded'] });
  });
});

describe('govmon ingest (command line)', () => {
  it('exits 2 with rejects and prints the row numbers', () => {
    const dir = tempDir();
    try {
      const reg = writeFile(dir, 'systems.csv', sampleCsv('systems', 'en'));
      const tel = writeFile(
        dir,
        'tel.csv',
        csvText(
          ['system_id', 'date', 'cpu_avg_pct', 'cpu_max_pct'],
          [
            ['S001', '2025-03-01', '5', '9'],
            ['S001', '2025-03-02', '5', '4'],
            ['S009', '2025-03-03', '5', '9'],
          ],
        ),
      );
      const db = path.join(dir, 'g.duckdb');
      const r = spawnSync(process.execPath, ['bin/govmon.js', '--db', db, 'ingest', reg, tel], {
        cwd: REPO,
        encoding: 'utf8',
        timeout: 120_000,
      });
      expect(r.status).toBe(2);
      expect(r.stdout).toContain('【已导入】systems.csv');
      expect(r.stdout).toContain('【部分导入】tel.csv');
      expect(r.stdout).toContain('tel.csv 第 3 行，列 CPU峰值使用率（cpu_max_pct），值“4”：CPU峰值使用率小于CPU平均使用率');
      expect(r.stdout).toContain('tel.csv 第 4 行，列 系统编号（system_id），值“S009”：系统编号不在系统目录中');
      expect(r.stdout).toContain('合计：2 个文件，导入 4 行，拒收 2 行');
      // and the rows are in the database file
      const again = spawnSync(process.execPath, ['bin/govmon.js', '--db', db, 'ingest', tel], {
        cwd: REPO,
        encoding: 'utf8',
        timeout: 120_000,
      });
      expect(again.status).toBe(0);
      expect(again.stdout).toContain('【重复文件（未改动）】tel.csv');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('exits 1 when nothing could be loaded', () => {
    const dir = tempDir();
    try {
      const bad = writeFile(dir, 'x.csv', 'foo,bar\n1,2\n');
      const r = spawnSync(process.execPath, ['bin/govmon.js', '--db', path.join(dir, 'g.duckdb'), 'ingest', bad], {
        cwd: REPO,
        encoding: 'utf8',
        timeout: 120_000,
      });
      expect(r.status).toBe(1);
      expect(r.stdout).toContain('【无法使用】x.csv');
      expect(r.stdout).toContain('文件表头为：foo、bar');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
