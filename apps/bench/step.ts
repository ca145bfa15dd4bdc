// One measured step of the benchmark, run in its own process so that its peak memory (max RSS,
// DuckDB's native memory included) is its own. Prints one JSON line: { ms, maxRssMb, rows }.
// Steps: raw-csv, raw-parquet, raw-aggregate, raw-load-aggregate (bare DuckDB), ingest-csv,
// ingest-parquet, run, rerun (the same month again: the month aggregates are cached), evaluate,
// dashboard (govmon). The whole-process comparisons (start-up included) are run by main.ts.

import fs from 'node:fs';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { Store } from '../../pipelines/store/database.ts';
import { migrate } from '../../pipelines/store/migrate.ts';
import { ingestFile } from '../../pipelines/ingest/ingest.ts';
import { monthJob } from '../jobs/month.ts';
import { yearJob } from '../jobs/year.ts';
import { siteJob } from '../jobs/site.ts';
import { loadProfile } from '../../pipelines/profiles.ts';
import { sqlString } from '../../core/sql.ts';
import { monthEnd, monthStart } from '../../core/clock.ts';

const [step, db, file, month, memoryLimit] = process.argv.slice(2);
const now = new Date(process.env.BENCH_NOW ?? Date.now());
const opts: Record<string, string> = { temp_directory: `${db}.tmp` };
if (memoryLimit) opts.memory_limit = memoryLimit;

async function raw(sql: string): Promise<number> {
  const inst = await DuckDBInstance.create(db, opts);
  const c = await inst.connect();
  try {
    await c.run(sql);
    // CREATE TABLE AS reports no row count; the table's own count is metadata, not a scan
    return Number((await c.runAndReadAll('SELECT count(*) FROM t')).getRows()[0][0]);
  } finally {
    c.closeSync();
    inst.closeSync();
  }
}

// the bare monthly aggregate of the same data: the metrics of one month, nothing else
const RAW_AGGREGATE = `SELECT count(*) FROM (
  SELECT system_id, count(DISTINCT date), avg(cpu_avg_pct), quantile_cont(cpu_max_pct, 0.95), avg(mem_avg_pct),
    arg_max(storage_used_gb, date), avg(active_users), max(active_users), sum(requests), avg(availability_pct),
    arg_max(open_high_vulns, date)
  FROM t WHERE date BETWEEN DATE ${sqlString(monthStart(month ?? '2000-01'))} AND DATE ${sqlString(monthEnd(month ?? '2000-01'))} GROUP BY system_id)`;

async function measure(): Promise<{ rows: number; timings?: Record<string, number>; bytes?: number }> {
  switch (step) {
    case 'raw-csv':
      return { rows: await raw(`CREATE TABLE t AS SELECT * FROM read_csv(${sqlString(file)})`) };
    case 'raw-parquet':
      return { rows: await raw(`CREATE TABLE t AS SELECT * FROM read_parquet(${sqlString(file)})`) };
    case 'raw-aggregate': {
      const inst = await DuckDBInstance.create(db, opts);
      const c = await inst.connect();
      try {
        return { rows: Number((await c.runAndReadAll(RAW_AGGREGATE)).getRows()[0][0]) };
      } finally {
        c.closeSync();
        inst.closeSync();
      }
    }
    case 'raw-load-aggregate': {
      // what `govmon ingest` + `govmon run` is compared with as whole processes (docs/performance.md):
      // one process that loads the file bare and computes the bare monthly aggregate
      const inst = await DuckDBInstance.create(db, opts);
      const c = await inst.connect();
      try {
        await c.run(`CREATE TABLE t AS SELECT * FROM read_csv(${sqlString(file)})`);
        return { rows: Number((await c.runAndReadAll(RAW_AGGREGATE)).getRows()[0][0]) };
      } finally {
        c.closeSync();
        inst.closeSync();
      }
    }
    case 'ingest-csv':
    case 'ingest-parquet': {
      const store = await Store.open(db, { memoryLimit });
      try {
        const o = await ingestFile(store, file, { now, kind: 'telemetry' });
        if (o.status !== 'loaded') throw new Error(`ingest ${o.status}: ${o.message}`);
        return { rows: o.rowsLoaded };
      } finally {
        store.close();
      }
    }
    case 'run':
    case 'rerun': {
      const store = await Store.open(db, { memoryLimit });
      try {
        const { run } = await monthJob(store, {
          month,
          profile: loadProfile('default'),
          now,
          trigger: 'test',
          exportsRoot: path.join(path.dirname(db), 'exports'),
        });
        return { rows: run.counts.systems, timings: run.timings };
      } finally {
        store.close();
      }
    }
    case 'evaluate': {
      // the annual evaluation of the run month's year (scores, budget, departments) and its exports
      const store = await Store.open(db, { memoryLimit });
      try {
        const year = Number(month.slice(0, 4));
        const { run } = await yearJob(store, {
          year,
          profile: loadProfile('default'),
          now,
          trigger: 'test',
          exportsRoot: path.join(path.dirname(db), 'exports'),
        });
        return { rows: run.counts.scored };
      } finally {
        store.close();
      }
    }
    case 'dashboard': {
      const store = await Store.open(db, { memoryLimit });
      try {
        const r = await siteJob(store, { month, outDir: path.join(path.dirname(db), 'site'), now, trigger: 'test' });
        return { rows: r.pages, bytes: r.bytes };
      } finally {
        store.close();
      }
    }
    case 'prepare': {
      // a database with the registry ingested (not measured)
      fs.rmSync(db, { force: true });
      const store = await Store.open(db);
      try {
        await migrate(store);
        const o = await ingestFile(store, file, { now, kind: 'systems' });
        return { rows: o.rowsLoaded };
      } finally {
        store.close();
      }
    }
  }
  throw new Error(`unknown step ${step}`);
}

const t0 = performance.now();
const r = await measure();
const ms = performance.now() - t0;
process.stdout.write(
  `${JSON.stringify({ step, ms: Math.round(ms), maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024), rows: r.rows, timings: r.timings, bytes: r.bytes })}\n`,
);
