// `npm run bench -- --systems N --days D [--repeat R] [--memory-limit 16GB] [--no-dashboard]`:
// generates a city of that size (telemetry as CSV and as Parquet), then measures side by side,
// repeated, in one run: raw DuckDB loading the same file with a bare CREATE TABLE … AS SELECT * and
// a bare monthly aggregate; govmon's ingest of the same file (archive, hashing and validation
// included); govmon's monthly run (metrics, conditions, decisions, exports); the dashboard build.
// Every step runs in its own process (its peak memory is its own). Prints a table with the ratios
// govmon / raw DuckDB and writes it as JSON. This is the measurement; unit tests time nothing.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { Command } from 'commander';
import { z } from 'zod';
import { generateBenchCity, type BenchCity } from './city.ts';
import { lastFullMonth, monthEnd, shanghaiDate } from '../../core/clock.ts';

import { ROOT } from '../../core/paths.ts';

const Args = z.object({
  systems: z.coerce.number().int().min(10).max(1_000_000),
  days: z.coerce.number().int().min(31).max(3650),
  repeat: z.coerce.number().int().min(1).max(20),
  out: z.string(),
  work: z.string(),
  memoryLimit: z.string().optional(),
  dashboard: z.boolean(),
  evaluate: z.boolean(),
  formats: z.array(z.enum(['csv', 'parquet'])).min(1),
  keep: z.boolean().optional(),
});

interface Sample {
  step: string;
  ms: number;
  maxRssMb: number;
  rows: number;
  /** the steps of a run as it recorded them (runs.timings), for the run steps */
  timings?: Record<string, number>;
  /** what the step left on disk (the dashboard: the site, each file once however many names it has) */
  bytes?: number;
}

function step(name: string, db: string, file: string, month: string, memoryLimit: string | undefined, env: NodeJS.ProcessEnv): Sample {
  const out = execFileSync(process.execPath, [path.join(ROOT, 'dist/apps/bench/step.js'), name, db, file, month, memoryLimit ?? ''], {
    cwd: ROOT,
    env,
    encoding: 'utf8',
    maxBuffer: 64 << 20,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return JSON.parse(out.trim().split('\n').pop()!) as Sample;
}

const TIME = '/usr/bin/time'; // GNU time: the peak RSS of a whole child process (Debian package `time`)

/**
 * One whole process timed from the outside, start-up included: node and its modules, DuckDB's
 * library, opening the database. Peak RSS from GNU time when the machine has it.
 */
function proc(name: string, argv: string[], env: NodeJS.ProcessEnv, rows = 0): Sample {
  const rss = path.join(os.tmpdir(), `govmon-bench-rss-${process.pid}`);
  const gnuTime = fs.existsSync(TIME);
  const t0 = performance.now();
  execFileSync(gnuTime ? TIME : process.execPath, gnuTime ? ['-f', '%M', '-o', rss, process.execPath, ...argv] : argv, {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const ms = Math.round(performance.now() - t0);
  const maxRssMb = gnuTime ? Math.round(Number(fs.readFileSync(rss, 'utf8').trim().split('\n').pop()) / 1024) : 0;
  fs.rmSync(rss, { force: true });
  return { step: name, ms, maxRssMb, rows };
}

/**
 * Read a file once, untimed, so that every step that reads it starts from the same warm page
 * cache: otherwise the first reader after a large step (the dashboard evicts gigabytes) pays for
 * the disk and the ratios measure the cache, not the code.
 */
function warm(file: string): void {
  const fd = fs.openSync(file, 'r');
  const buf = Buffer.allocUnsafe(8 << 20);
  try {
    while (fs.readSync(fd, buf, 0, buf.length, null) > 0);
  } finally {
    fs.closeSync(fd);
  }
}

function rmDb(db: string): void {
  for (const f of [db, `${db}.wal`]) fs.rmSync(f, { force: true });
  fs.rmSync(`${db}.tmp`, { recursive: true, force: true });
  fs.rmSync(path.join(path.dirname(db), 'archive'), { recursive: true, force: true });
}

export const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** The median of each recorded step over the repeats, slowest first. */
function runSteps(runs: Sample[]): Record<string, number> {
  const names = [...new Set(runs.flatMap((r) => Object.keys(r.timings ?? {})))];
  const med = names.map((n) => [n, median(runs.map((r) => r.timings?.[n] ?? 0))] as const);
  return Object.fromEntries(med.sort((a, b) => b[1] - a[1]));
}

async function main(): Promise<void> {
  const program = new Command()
    .name('bench')
    .option('--systems <n>', '系统数 / systems', '20000')
    .option('--days <n>', '天数 / days of telemetry', '365')
    .option('--repeat <n>', '重复次数 / repetitions', '3')
    .option('--out <file>', '结果 JSON / result file')
    .option('--work <dir>', '工作目录 / work folder', path.join(os.tmpdir(), 'govmon-bench'))
    .option('--memory-limit <size>', 'DuckDB memory_limit, e.g. 16GB')
    .option('--no-dashboard', '不测看板 / skip the dashboard build')
    .option('--no-evaluate', '不测年度评价 / skip the annual evaluation')
    .option('--formats <list>', '监测数据格式 / telemetry formats: csv,parquet', 'csv,parquet')
    .option('--keep', '保留生成的数据 / keep generated data')
    .parse(process.argv);
  const o = program.opts();
  const a = Args.parse({
    ...o,
    out: o.out ?? path.join(ROOT, 'bench', 'out', `bench-${o.systems}x${o.days}.json`),
    formats: String(o.formats)
      .split(',')
      .map((f) => f.trim()),
  });
  const csv = a.formats.includes('csv');
  const parquet = a.formats.includes('parquet');
  const now = new Date();
  const month = lastFullMonth(now);
  const endDate = monthEnd(month); // telemetry ends on the last day of the last full month
  const cityDir = path.join(a.work, `city-${a.systems}x${a.days}`);
  const t0 = performance.now();
  const have = (f: string) => fs.existsSync(path.join(cityDir, f));
  let city: Pick<BenchCity, 'systemsCsv' | 'telemetryCsv' | 'telemetryParquet' | 'rows'>;
  if ((!csv || have('02_telemetry.csv')) && (!parquet || have('02_telemetry.parquet')) && have('01_systems.csv')) {
    city = {
      systemsCsv: path.join(cityDir, '01_systems.csv'),
      telemetryCsv: path.join(cityDir, '02_telemetry.csv'),
      telemetryParquet: path.join(cityDir, '02_telemetry.parquet'),
      rows: a.systems * a.days,
    };
    console.error(`使用已生成的数据 ${cityDir}`);
  } else {
    console.error(`生成 ${a.systems} 个系统 × ${a.days} 天的监测数据（${a.formats.join('、')}）……`);
    city = await generateBenchCity({ dir: cityDir, systems: a.systems, days: a.days, lastDate: endDate, csv, parquet });
  }
  const genMs = performance.now() - t0;
  const csvBytes = csv ? fs.statSync(city.telemetryCsv).size : 0;
  const parquetBytes = parquet ? fs.statSync(city.telemetryParquet).size : 0;
  const env = { ...process.env, BENCH_NOW: now.toISOString(), CI: '1' };
  const runDir = path.join(a.work, 'run');
  fs.mkdirSync(runDir, { recursive: true });
  const db = path.join(runDir, 'govmon.duckdb');
  const rawDb = path.join(runDir, 'raw.duckdb');
  const samples: Sample[] = [];
  for (let r = 0; r < a.repeat; r++) {
    console.error(`第 ${r + 1}/${a.repeat} 轮……`);
    // raw DuckDB: the bare load of the same files and the bare monthly aggregate
    rmDb(rawDb);
    if (csv) {
      warm(city.telemetryCsv);
      samples.push(step('raw-csv', rawDb, city.telemetryCsv, month, a.memoryLimit, env));
      samples.push(step('raw-aggregate', rawDb, city.telemetryCsv, month, a.memoryLimit, env));
    }
    rmDb(rawDb);
    if (parquet) {
      warm(city.telemetryParquet);
      samples.push(step('raw-parquet', rawDb, city.telemetryParquet, month, a.memoryLimit, env));
      if (!csv) samples.push(step('raw-aggregate', rawDb, city.telemetryParquet, month, a.memoryLimit, env));
    }
    rmDb(rawDb);
    // govmon: ingest of the same files into a database holding the registry; the run, a re-run,
    // the evaluation and the dashboard on the database of the last format ingested
    if (parquet) {
      rmDb(db);
      step('prepare', db, city.systemsCsv, month, a.memoryLimit, env);
      warm(city.telemetryParquet);
      samples.push(step('ingest-parquet', db, city.telemetryParquet, month, a.memoryLimit, env));
    }
    if (csv) {
      rmDb(db);
      step('prepare', db, city.systemsCsv, month, a.memoryLimit, env);
      warm(city.telemetryCsv);
      samples.push(step('ingest-csv', db, city.telemetryCsv, month, a.memoryLimit, env));
    }
    samples.push(step('run', db, '', month, a.memoryLimit, env));
    samples.push(step('rerun', db, '', month, a.memoryLimit, env));
    if (a.evaluate) samples.push(step('evaluate', db, '', month, a.memoryLimit, env));
    if (a.dashboard) samples.push(step('dashboard', db, '', month, a.memoryLimit, env));
    samples.push({ step: 'database', ms: 0, maxRssMb: 0, rows: Math.round(fs.statSync(db).size / 2 ** 20) });
    // whole processes, start-up included (docs/performance.md): DuckDB loading the CSV bare and
    // aggregating the month in one process, against `govmon ingest` then `govmon run --no-dashboard`
    const govmon = path.join(ROOT, 'bin', 'govmon.js');
    const stepJs = path.join(ROOT, 'dist/apps/bench/step.js');
    if (csv) {
      rmDb(rawDb);
      warm(city.telemetryCsv);
      samples.push(proc('raw-total', [stepJs, 'raw-load-aggregate', rawDb, city.telemetryCsv, month, a.memoryLimit ?? ''], env, city.rows));
      rmDb(rawDb);
      rmDb(db);
      step('prepare', db, city.systemsCsv, month, a.memoryLimit, env);
      warm(city.telemetryCsv);
      const ingest = proc('cli-ingest', [govmon, '--db', db, '-q', 'ingest', city.telemetryCsv], env, city.rows);
      const run = proc('cli-run', [govmon, '--db', db, '-q', 'run', '--month', month, '--no-dashboard'], env, a.systems);
      samples.push(ingest, run, {
        step: 'govmon-total',
        ms: ingest.ms + run.ms,
        maxRssMb: Math.max(ingest.maxRssMb, run.maxRssMb),
        rows: city.rows,
      });
    }
    // start-up and `govmon status` on the database of this size
    for (let i = 0; i < 5; i++) {
      samples.push(proc('help', [govmon, '--help'], env));
      samples.push(proc('version', [govmon, '--version'], env));
    }
    samples.push(proc('status', [govmon, '--db', db, 'status'], env));
  }
  const stats = (name: string) => {
    const xs = samples.filter((s) => s.step === name);
    if (!xs.length) return null;
    return {
      median_ms: median(xs.map((x) => x.ms)),
      min_ms: Math.min(...xs.map((x) => x.ms)),
      max_ms: Math.max(...xs.map((x) => x.ms)),
      peak_rss_mb: Math.max(...xs.map((x) => x.maxRssMb)),
      rows: xs[0].rows,
      ...(xs[0].bytes !== undefined ? { disk_mb: Math.round(xs[0].bytes / 2 ** 20) } : {}),
    };
  };
  const names = [
    'raw-csv',
    'ingest-csv',
    'raw-parquet',
    'ingest-parquet',
    'raw-aggregate',
    'run',
    'rerun',
    'evaluate',
    'dashboard',
    'raw-total',
    'cli-ingest',
    'cli-run',
    'govmon-total',
    'help',
    'version',
    'status',
  ];
  const table = Object.fromEntries(names.map((n) => [n, stats(n)] as const).filter(([, v]) => v !== null)) as Record<
    string,
    NonNullable<ReturnType<typeof stats>>
  >;
  const ratio = (a1: string, b1: string) => (table[a1] && table[b1] ? table[a1].median_ms / table[b1].median_ms : null);
  const result = {
    machine: {
      cpus: os.cpus().length,
      cpu: os.cpus()[0]?.model,
      memory_gb: Math.round(os.totalmem() / 2 ** 30),
      node: process.version,
      platform: `${os.type()} ${os.release()}`,
    },
    date: shanghaiDate(now),
    size: {
      systems: a.systems,
      days: a.days,
      rows: city.rows,
      csv_mb: Math.round(csvBytes / 2 ** 20),
      parquet_mb: Math.round(parquetBytes / 2 ** 20),
      database_mb: samples.findLast((x) => x.step === 'database')?.rows ?? null,
      month,
    },
    memory_limit: a.memoryLimit ?? 'DuckDB default (80% of RAM)',
    generate_ms: Math.round(genMs),
    repeat: a.repeat,
    steps: table,
    ratios: {
      ingest_csv_vs_raw_csv: ratio('ingest-csv', 'raw-csv'),
      ingest_parquet_vs_raw_parquet: ratio('ingest-parquet', 'raw-parquet'),
      run_vs_raw_aggregate: ratio('run', 'raw-aggregate'),
      ingest_run_vs_raw_load_aggregate: ratio('govmon-total', 'raw-total'),
    },
    targets: {
      ingest_csv_within_1_5x_raw: (ratio('ingest-csv', 'raw-csv') ?? Infinity) <= 1.5,
      ingest_run_within_1_5x_raw: (ratio('govmon-total', 'raw-total') ?? Infinity) <= 1.5,
      help_under_0_3s: (table.help?.median_ms ?? Infinity) < 300,
      version_under_0_3s: (table.version?.median_ms ?? Infinity) < 300,
      status_under_1s: (table.status?.median_ms ?? Infinity) < 1000,
      dashboard_under_60s: table.dashboard ? table.dashboard.median_ms < 60_000 : null,
      dashboard_under_400mb: table.dashboard?.disk_mb !== undefined ? table.dashboard.disk_mb < 400 : null,
      dashboard_under_2gb: table.dashboard ? table.dashboard.peak_rss_mb < 2048 : null,
    },
    // where the monthly run's time goes: its own per-step timings, the median over the repeats
    run_steps: runSteps(samples.filter((x) => x.step === 'run')),
    rerun_steps: runSteps(samples.filter((x) => x.step === 'rerun')),
    samples: samples.filter((x) => x.step !== 'database').map(({ timings: _, ...x }) => x),
  };
  fs.mkdirSync(path.dirname(a.out), { recursive: true });
  fs.writeFileSync(a.out, JSON.stringify(result, null, 2));
  const label: Record<string, string> = {
    'raw-csv': 'DuckDB 裸读 CSV（CREATE TABLE AS read_csv）',
    'ingest-csv': 'govmon ingest CSV（归档、哈希、校验）',
    'raw-parquet': 'DuckDB 裸读 Parquet',
    'ingest-parquet': 'govmon ingest Parquet',
    'raw-aggregate': 'DuckDB 单月裸聚合',
    run: 'govmon run（指标、条件、决定、导出）',
    rerun: 'govmon run 同月重跑（月度汇总已缓存）',
    evaluate: 'govmon evaluate（年度评分、经费建议、导出）',
    dashboard: 'govmon dashboard（看板）',
    'raw-total': 'DuckDB 裸读 CSV + 单月裸聚合（一个进程，含启动）',
    'cli-ingest': '`govmon ingest`（整个进程，含启动）',
    'cli-run': '`govmon run --no-dashboard`（整个进程，含启动）',
    'govmon-total': 'govmon ingest + run 合计（两个进程）',
    help: '`govmon --help`（5 次）',
    version: '`govmon --version`（5 次）',
    status: '`govmon status`（该规模数据库）',
  };
  console.log(
    `\n${a.systems} 个系统 × ${a.days} 天 = ${city.rows.toLocaleString('zh-CN')} 行（CSV ${result.size.csv_mb} MB，Parquet ${result.size.parquet_mb} MB，数据库 ${result.size.database_mb} MB），重复 ${a.repeat} 次，月份 ${month}`,
  );
  console.log('| 步骤 | 中位数 (s) | 最小–最大 (s) | 峰值内存 (MB) |\n| --- | ---: | ---: | ---: |');
  for (const [k, v] of Object.entries(table))
    if (v)
      console.log(
        `| ${label[k]} | ${(v.median_ms / 1000).toFixed(2)} | ${(v.min_ms / 1000).toFixed(2)}–${(v.max_ms / 1000).toFixed(2)} | ${v.peak_rss_mb} |`,
      );
  const f = (x: number | null) => (x === null ? '—' : `${x.toFixed(2)} ×`);
  console.log(
    `\n比值：ingest CSV / 裸读 CSV = ${f(result.ratios.ingest_csv_vs_raw_csv)}（目标 ≤ 1.5 ×）；ingest Parquet / 裸读 Parquet = ${f(result.ratios.ingest_parquet_vs_raw_parquet)}；run / 裸聚合 = ${f(result.ratios.run_vs_raw_aggregate)}`,
  );
  console.log(
    `整个进程（含启动）：ingest + run / 裸读 + 裸聚合 = ${f(result.ratios.ingest_run_vs_raw_load_aggregate)}（目标 ≤ 1.5 ×）；--help ${table.help ? (table.help.median_ms / 1000).toFixed(2) : '—'} 秒、--version ${table.version ? (table.version.median_ms / 1000).toFixed(2) : '—'} 秒（目标 < 0.3 秒）；status ${table.status ? (table.status.median_ms / 1000).toFixed(2) : '—'} 秒（目标 < 1 秒）`,
  );
  const d = table.dashboard;
  if (d)
    console.log(
      `看板：${d.rows.toLocaleString('zh-CN')} 个页面，${(d.median_ms / 1000).toFixed(1)} 秒（目标 < 60 秒），磁盘 ${d.disk_mb ?? '—'} MB（目标 < 400 MB），峰值内存 ${d.peak_rss_mb} MB（目标 < 2 GB）`,
    );
  console.log(`月度运行 ${table.run ? (table.run.median_ms / 1000).toFixed(2) : '—'} 秒（目标 < 5 秒）\n结果已写入 ${a.out}`);
  const top = Object.entries(result.run_steps).slice(0, 12);
  if (top.length) {
    console.log('\n月度运行各步骤耗时（首次运行，中位数，由慢到快）：\n| 步骤 | 毫秒 |\n| --- | ---: |');
    for (const [k, ms] of top) console.log(`| ${k} | ${ms} |`);
  }
  if (!a.keep) fs.rmSync(runDir, { recursive: true, force: true });
}

await main();
