// A city of any size for the benchmark and the scale tests: N systems in operation, D days of
// telemetry ending on a given date, written as CSV and as Parquet by DuckDB itself (deterministic:
// every value is a hash of system and day). About 3% of systems are idle, 5% under-used, 2%
// unavailable, 1% with open high-risk vulnerabilities, so the lists are of realistic size.

import fs from 'node:fs';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { addDays } from '../../core/clock.ts';
import { sqlString } from '../../core/sql.ts';

export interface BenchCity {
  dir: string;
  systemsCsv: string;
  telemetryCsv: string;
  telemetryParquet: string;
  rows: number;
  firstDate: string;
  lastDate: string;
}

export async function generateBenchCity(opts: {
  dir: string;
  systems: number;
  days: number;
  lastDate: string;
  parquet?: boolean;
  csv?: boolean;
}): Promise<BenchCity> {
  fs.mkdirSync(opts.dir, { recursive: true });
  const firstDate = addDays(opts.lastDate, -(opts.days - 1));
  const systemsCsv = path.join(opts.dir, '01_systems.csv');
  const telemetryCsv = path.join(opts.dir, '02_telemetry.csv');
  const telemetryParquet = path.join(opts.dir, '02_telemetry.parquet');
  // a national-scale city is larger than memory while it is sorted: spill beside the output
  const inst = await DuckDBInstance.create(':memory:', { temp_directory: path.join(opts.dir, '.tmp') });
  const c = await inst.connect();
  try {
    await c.run(`COPY (
      SELECT 'S' || lpad(CAST(i AS VARCHAR), 7, '0') AS system_id,
        '系统' || i AS system_name,
        '部门' || (i % 97) AS department,
        'operation' AS stage,
        DATE '2020-01-01' + CAST(i % 365 AS INTEGER) AS go_live_date,
        DATE '2020-01-01' + CAST(i % 365 AS INTEGER) AS initial_acceptance_date,
        CASE WHEN i % 10 = 0 THEN NULL ELSE DATE '2021-01-01' + CAST(i % 365 AS INTEGER) END AS final_acceptance_date,
        1 + i % 3 AS security_level,
        4 * (1 + i % 8) AS vcpu, 8 * (1 + i % 8) AS memory_gb, 100 * (1 + i % 10) AS storage_gb,
        12000 * (1 + i % 8) AS cloud_cost_annual, 50000 + 1000 * (i % 50) AS om_budget_annual,
        i % 20 = 0 AS key_project, false AS classified
      FROM range(${opts.systems}) t(i)) TO ${sqlString(systemsCsv)} (HEADER)`);
    // class of a system: 0–2 idle, 3–7 low utilisation, 8–9 unavailable, 10 vulnerable, else healthy
    const sql = `
      SELECT 'S' || lpad(CAST(s AS VARCHAR), 7, '0') AS system_id,
        DATE ${sqlString(firstDate)} + CAST(d AS INTEGER) AS date,
        CASE WHEN cls BETWEEN 3 AND 7 THEN 1 + h % 300 / 100.0 ELSE 10 + h % 5000 / 100.0 END AS cpu_avg_pct,
        CASE WHEN cls BETWEEN 3 AND 7 THEN 5 + h % 400 / 100.0 ELSE 60 + h % 3900 / 100.0 END AS cpu_max_pct,
        20 + h % 6000 / 100.0 AS mem_avg_pct,
        50 + h % 400 AS storage_used_gb,
        CASE WHEN cls <= 2 THEN 0 ELSE 5 + h % 500 END AS active_users,
        CASE WHEN cls <= 2 THEN 0 ELSE 100 + h % 20000 END AS requests,
        CASE WHEN cls BETWEEN 8 AND 9 THEN 70 + h % 1500 / 100.0 ELSE 99 + h % 100 / 100.0 END AS availability_pct,
        CASE WHEN cls = 10 THEN 1 + h % 3 ELSE 0 END AS open_high_vulns
      FROM (SELECT s, d, hash(s, d) % 1000000 AS h, hash(s) % 100 AS cls
            FROM range(${opts.systems}) a(s), range(${opts.days}) b(d))
      ORDER BY d, s`;
    if (opts.csv !== false) {
      await c.run(`COPY (${sql}) TO ${sqlString(telemetryCsv)} (HEADER)`);
      // the Parquet file holds what a reader of the CSV sees (its types as DuckDB infers them)
      if (opts.parquet !== false)
        await c.run(`COPY (SELECT * FROM read_csv(${sqlString(telemetryCsv)})) TO ${sqlString(telemetryParquet)} (FORMAT parquet)`);
    } else await c.run(`COPY (${sql}) TO ${sqlString(telemetryParquet)} (FORMAT parquet)`);
  } finally {
    c.closeSync();
    inst.closeSync();
    fs.rmSync(path.join(opts.dir, '.tmp'), { recursive: true, force: true });
  }
  return { dir: opts.dir, systemsCsv, telemetryCsv, telemetryParquet, rows: opts.systems * opts.days, firstDate, lastDate: opts.lastDate };
}
