// Classified systems (docs/inputs.md §2.1: "excluded from every computation and output"): the sample city
// (whose registry marks five systems 涉密) plus one more classified system of our own put into
// every input — registry, telemetry, catalog and O&M report, as CSV, XLSX, Parquet, JSON and
// NDJSON, through `govmon ingest` and the inbox — and made idle, under-used and vulnerable so it
// would be on every list if it were not excluded. Its id and name, and those of the city's own
// classified systems, must appear in no export of any kind or format, no page or data file of the
// site, and no line the commands print or write (command output, inbox reports). They are, of
// course, in the database's raw tables and in the archive: that is where inputs are kept.

import fs from 'node:fs';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Store } from '../pipelines/store/database.ts';
import { EXPORTS, writeExport } from '../dashboards/exports/write.ts';
import { inboxJob } from '../apps/daemon/jobs.ts';
import { loadConfig } from '../apps/jobs/config.ts';
import { memoryLog } from '../core/log.ts';
import { lastFullMonth } from '../core/clock.ts';
import { sqlString } from '../core/sql.ts';
import { sampleCity } from './fixtures/sample-cache.ts';
import { copyTo } from './fixtures/ingest.ts';
import { tempDir, writeFile } from './helpers.ts';
import { cli, walk, type CliResult } from './fixtures/reliability.ts';

const OURS = { system_id: 'CLS-ISSUE8-0001', system_name: '绝密测试系统甲' };
const MONTH = lastFullMonth(new Date());

let root: string;
let home: string;
let db: string;
let secrets: { system_id: string; system_name: string }[];
let evalYear: number;
const printed: { what: string; text: string }[] = [];
const record = (what: string, r: CliResult) => {
  printed.push({ what: `${what} (stdout)`, text: r.stdout }, { what: `${what} (stderr)`, text: r.stderr });
  return r;
};

/** Days of the month as YYYY-MM-DD. */
function daysOf(month: string): string[] {
  const [y, m] = month.split('-').map(Number);
  const n = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return Array.from({ length: n }, (_, i) => `${month}-${String(i + 1).padStart(2, '0')}`);
}

/** Our classified system in every kind and format: idle, under-used, vulnerable — every list's case. */
async function writeClassifiedInputs(dir: string, department: string): Promise<string[]> {
  fs.mkdirSync(dir, { recursive: true });
  const files: string[] = [];
  files.push(
    writeFile(
      dir,
      '10_涉密系统目录.csv',
      `系统编号,系统名称,建设单位,阶段,上线日期,初验日期,vCPU,内存GB,存储GB,年云资源费用,年运维经费,涉密\n${OURS.system_id},${OURS.system_name},${department},运行,2023-01-01,2023-03-01,64,256,4096,900000,500000,是\n`,
    ),
  );
  const day = (d: string, i: number) => ({
    system_id: OURS.system_id,
    date: d,
    cpu_avg_pct: 1,
    cpu_max_pct: 3,
    mem_avg_pct: 5,
    storage_used_gb: 10,
    active_users: 0,
    requests: i % 3,
    availability_pct: 70,
    open_high_vulns: 4,
  });
  const months = [-3, -2, -1, 0].map((k) => {
    const [y, m] = MONTH.split('-').map(Number);
    const d = new Date(Date.UTC(y, m - 1 + k, 1));
    return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
  });
  const rows = months.flatMap(daysOf).map(day);
  const cols = Object.keys(rows[0]);
  const quarter = Math.ceil(rows.length / 4);
  const [a, b, c, d] = [0, 1, 2, 3].map((k) => rows.slice(k * quarter, (k + 1) * quarter));
  // XLSX
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('运行监测数据');
  ws.addRow(cols);
  for (const r of a)
    ws.addRow(cols.map((k) => (k === 'date' ? new Date(`${r.date}T00:00:00Z`) : (r as Record<string, unknown>)[k])) as ExcelJS.CellValue[]);
  files.push(path.join(dir, '11_涉密运行监测.xlsx'));
  await wb.xlsx.writeFile(files[files.length - 1]);
  // Parquet
  files.push(path.join(dir, '12_涉密运行监测.parquet'));
  await copyTo(
    b
      .map(
        (r) =>
          `SELECT ${cols.map((k) => `${k === 'date' ? `DATE ${sqlString(r.date)}` : typeof (r as Record<string, unknown>)[k] === 'string' ? sqlString(String((r as Record<string, unknown>)[k])) : (r as Record<string, unknown>)[k]} AS ${k}`).join(', ')}`,
      )
      .join(' UNION ALL '),
    files[files.length - 1],
    'parquet',
  );
  // JSON and NDJSON
  files.push(writeFile(dir, '13_涉密运行监测.json', JSON.stringify(c)));
  files.push(writeFile(dir, '14_涉密运行监测.ndjson', d.map((r) => JSON.stringify(r)).join('\n') + '\n'));
  // catalog (XLSX, sheet named like the kind) and O&M report (JSON)
  const cw = new ExcelJS.Workbook();
  const cs = cw.addWorksheet('数据资源目录');
  cs.addRow(['系统编号', '资源编号', '资源名称', '共享属性', '更新周期', '编目日期', '最近归集日期', '重复采集来源']);
  cs.addRow([
    OURS.system_id,
    'CLS-RES-1',
    `${OURS.system_name}的数据`,
    '无条件共享',
    '每日',
    new Date('2024-01-01T00:00:00Z'),
    null,
    'R-ELSEWHERE',
  ]);
  files.push(path.join(dir, '15_涉密数据资源目录.xlsx'));
  await cw.xlsx.writeFile(files[files.length - 1]);
  files.push(
    writeFile(
      dir,
      '16_涉密运维报表.json',
      JSON.stringify([
        {
          system_id: OURS.system_id,
          year: evalYear,
          submitted_date: `${evalYear + 1}-01-10`,
          incidents: 9,
          goals_total: 5,
          goals_met: 0,
          integration_points: 0,
          self_score: 100,
          notes: `${OURS.system_name}自评`,
        },
      ]),
    ),
  );
  return files;
}

beforeAll(async () => {
  root = tempDir('govmon-classified-');
  home = path.join(root, 'home');
  db = path.join(home, 'g.duckdb');
  fs.mkdirSync(home, { recursive: true });
  const sample = await sampleCity({ outDir: path.join(root, 'sample'), endMonth: MONTH, systems: 150 });
  evalYear = sample.planted.evalYear;
  secrets = [...sample.planted.classified, OURS];
  record('ingest', await cli(['--db', db, 'ingest', path.join(root, 'sample')]));
  // Ours arrive through the inbox, as the scheduler takes files.
  const inbox = path.join(home, 'inbox');
  fs.mkdirSync(inbox, { recursive: true });
  // dropped a minute before the scan: with stable_seconds 0 a file is taken once its mtime is not
  // after the scan's `now`, and a copy made in the same millisecond as \`new Date()\` below can be
  // (a fraction of a millisecond) after it — that file would wait for the next scan
  const dropped = new Date(Date.now() - 60_000);
  for (const f of await writeClassifiedInputs(path.join(root, 'ours'), '市数据局')) {
    const to = path.join(inbox, path.basename(f));
    fs.copyFileSync(f, to);
    fs.utimesSync(to, dropped, dropped);
  }
  fs.writeFileSync(path.join(home, 'govmon.config.json'), JSON.stringify({ stable_seconds: 0 }));
  const log = memoryLog();
  const r = await inboxJob({
    config: loadConfig(home),
    profile: 'default',
    now: new Date(),
    log,
    trigger: 'schedule',
    openStore: () => Store.open(db),
  });
  printed.push({ what: 'inbox job log', text: [...log.lines, r.summary].join('\n') });
  record('run', await cli(['--db', db, 'run', '--month', MONTH]));
  record('evaluate', await cli(['--db', db, 'evaluate', '--year', String(evalYear)]));
  record('status', await cli(['--db', db, 'status']));
  record(
    'export',
    await cli(['--db', db, 'export', 'elimination', '--month', MONTH, '--out', path.join(home, 'cli-export', 'elimination.csv')]),
  );
  record(
    'export',
    await cli(['--db', db, 'export', 'budget', '--year', String(evalYear), '--out', path.join(home, 'cli-export', 'budget.xlsx')]),
  );
  // The O&M report form a department fills: pre-filled with its systems, never the classified one.
  record(
    'template',
    await cli([
      '--db',
      db,
      'template',
      'om_report',
      '--department',
      '市数据局',
      '--year',
      String(evalYear),
      '--out',
      path.join(home, 'cli-export', 'om_report_form.xlsx'),
    ]),
  );
  // Every export kind in every format.
  const store = await Store.open(db);
  try {
    for (const [kind, spec] of Object.entries(EXPORTS))
      for (const ext of ['csv', 'xlsx', 'parquet', 'json']) {
        const period = spec.period === 'year' ? { year: evalYear } : kind === 'rejects' ? {} : { month: MONTH };
        await writeExport(store, kind, period, path.join(home, 'all-exports', `${kind}.${ext}`));
        if (spec.period === 'any' && kind !== 'rejects')
          await writeExport(store, kind, { year: evalYear }, path.join(home, 'all-exports', `${kind}-year.${ext}`));
      }
  } finally {
    store.close();
  }
});

afterAll(() => {
  fs.rmSync(root, { recursive: true, force: true });
});

/** The text of an output file: XLSX cells, Parquet rows, or the bytes as UTF-8. */
async function textOf(file: string): Promise<string> {
  if (file.endsWith('.xlsx')) {
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(file);
    const out: string[] = [];
    wb.eachSheet((ws) => {
      out.push(ws.name);
      ws.eachRow((row) => row.eachCell((c) => out.push(String(c.text ?? c.value))));
    });
    return out.join('\n');
  }
  if (file.endsWith('.parquet')) {
    const inst = await DuckDBInstance.create(':memory:');
    const c = await inst.connect();
    try {
      return JSON.stringify((await c.runAndReadAll(`SELECT * FROM read_parquet(${sqlString(file)})`)).getRowObjectsJson());
    } finally {
      c.closeSync();
      inst.closeSync();
    }
  }
  return fs.readFileSync(file).toString('utf8');
}

/** The ways a text can be written: as is, JSON \u escapes, HTML character references. */
function spellings(s: string): string[] {
  const u = (cp: number) => `\\u${cp.toString(16).padStart(4, '0')}`;
  const jsonLower = [...s].map((ch) => (ch.charCodeAt(0) > 127 ? u(ch.charCodeAt(0)) : ch)).join('');
  return [
    s,
    jsonLower,
    jsonLower.toUpperCase().replace(/\\U/g, '\\u'),
    [...s].map((ch) => `&#${ch.codePointAt(0)};`).join(''),
    [...s].map((ch) => `&#x${ch.codePointAt(0)!.toString(16)};`).join(''),
  ];
}

function leaks(text: string): string[] {
  const found: string[] = [];
  for (const s of secrets) for (const v of [s.system_id, s.system_name]) if (spellings(v).some((x) => text.includes(x))) found.push(v);
  return found;
}

describe('classified systems never appear in an output', () => {
  it('are in the inputs and the database (so the test would see them if they leaked)', async () => {
    const store = await Store.open(db);
    try {
      for (const s of secrets) {
        expect(await store.value<boolean>('SELECT classified FROM systems_current WHERE system_id = $1', [s.system_id]), s.system_id).toBe(
          true,
        );
        expect(
          await store.value<number>('SELECT count(*) FROM raw_telemetry WHERE system_id = $1', [s.system_id]),
          s.system_id,
        ).toBeGreaterThan(0);
      }
      expect(await store.value<number>('SELECT count(*) FROM raw_catalog WHERE system_id = $1', [OURS.system_id])).toBe(1);
      expect(await store.value<number>('SELECT count(*) FROM raw_om_report WHERE system_id = $1', [OURS.system_id])).toBe(1);
      const formats = await store.all<{ format: string }>(
        "SELECT DISTINCT format FROM files WHERE file_name LIKE '1_\\_涉密%' ESCAPE '\\' ORDER BY 1",
      );
      expect(formats.map((f) => f.format).sort()).toEqual(['csv', 'json', 'ndjson', 'parquet', 'xlsx']);
      expect(await store.value<number>("SELECT count(*) FROM files WHERE status <> 'loaded' AND file_name LIKE '%涉密%'")).toBe(0);
      // and the ids are distinct enough that finding one is a real leak, not a substring of another id
      for (const s of secrets)
        expect(
          await store.value<number>('SELECT count(*) FROM systems_current WHERE system_id <> $1 AND contains(system_id, $1)', [
            s.system_id,
          ]),
        ).toBe(0);
    } finally {
      store.close();
    }
  });

  it('appear in no export: every kind, in CSV, XLSX, Parquet and JSON, the run’s exports and the department’s O&M form', async () => {
    const files = [...walk(path.join(home, 'all-exports')), ...walk(path.join(home, 'cli-export')), ...walk(path.join(home, 'exports'))];
    expect(files.map((f) => path.basename(f))).toContain('om_report_form.xlsx');
    // the form does list the department's other systems (YC-SS-001 is one of its classified ones)
    expect(await textOf(path.join(home, 'cli-export', 'om_report_form.xlsx'))).toMatch(/YC-SS-0\d\d/);
    expect(files.length).toBeGreaterThan(Object.keys(EXPORTS).length * 4);
    for (const f of files) expect(leaks(await textOf(f)), path.relative(home, f)).toEqual([]);
  });

  it('appear on no page and in no data file of the dashboard', async () => {
    const files = walk(path.join(home, 'site'));
    expect(files.filter((f) => f.endsWith('.html')).length).toBeGreaterThan(10);
    for (const f of files) expect(leaks(await textOf(f)), path.relative(home, f)).toEqual([]);
  });

  it('appear in no line the commands print, the inbox reports or the run log', async () => {
    expect(printed.find((p) => p.what === 'run (stdout)')?.text).toMatch(/月度运行完成/);
    for (const p of printed) expect(leaks(p.text), `${p.what}: ${p.text.slice(0, 300)}`).toEqual([]);
    const reports = walk(path.join(home, 'inbox')).filter((f) => f.endsWith('.report.txt'));
    expect(reports.length).toBe(7);
    for (const f of reports) expect(leaks(fs.readFileSync(f, 'utf8')), f).toEqual([]);
    const store = await Store.open(db);
    try {
      const log = await store.all<{ message: string | null; counts: string | null }>(
        'SELECT message, CAST(counts AS VARCHAR) AS counts FROM runs',
      );
      expect(leaks(JSON.stringify(log))).toEqual([]);
    } finally {
      store.close();
    }
  });
});
