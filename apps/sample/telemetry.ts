// Daily telemetry of the sample city. Each system-month draws its random values from its own
// stream, always in the same order, and only then applies the month's planted deviations; so the
// first (wrong) export and the corrected re-export of a month differ exactly where planted.
// `aggregate` computes the monthly metrics of docs/metrics.md §4 from the rows on the generator's own path.

import { daysInMonth, monthEnd, weekday } from './calendar.ts';
import { type Random, round } from './random.ts';
import type { MonthSpec, SystemRow, TelemetryPlan } from './types.ts';

export interface DayRow {
  system_id: string;
  date: string;
  cpu_avg: number;
  cpu_max: number;
  mem: number;
  storage: number;
  users: number | null;
  requests: number;
  avail: number;
  vulns: number;
}

const DD = Array.from({ length: 32 }, (_, d) => String(d).padStart(2, '0'));

/** Days of a month on which a system reports, before planted deviations (no jitter yet). */
function reportingDays(plan: TelemetryPlan, month: string, dim: number): number[] {
  if (!plan.from) return [];
  const start = `${month}-01`;
  const end = monthEnd(month);
  if (plan.from > end || (plan.until !== null && plan.until < start)) return [];
  const first = plan.from > start ? Number(plan.from.slice(8, 10)) : 1;
  const last = plan.until !== null && plan.until < end ? Number(plan.until.slice(8, 10)) : dim;
  const out: number[] = [];
  for (let d = first; d <= last; d++) out.push(d);
  return out;
}

/** Spread an integer total over n days: equal shares, the remainder on the first days. */
function spread(total: number, n: number, i: number): number {
  const base = Math.floor(total / n);
  return base + (i < total - base * n ? 1 : 0);
}

/**
 * The rows of one system in one month. `spec` is the month's deviation (the truth, or what the
 * first export said). `monthIndex` counts months from the first month of the data.
 */
export function monthRows(
  sys: SystemRow,
  plan: TelemetryPlan,
  month: string,
  monthIndex: number,
  spec: MonthSpec | undefined,
  rng: Random,
  /** random missing days and passing vulnerabilities this month (background systems, healthy months) */
  jitter: boolean,
): DayRow[] {
  const dim = daysInMonth(month);
  // Jitter draws happen first and always, so the stream stays aligned whatever the spec.
  const missing = new Set<number>();
  const jm = rng.next();
  const jd1 = rng.int(2, dim - 1);
  const jd2 = rng.int(2, dim - 1);
  const jv = rng.next();
  const jvFrom = rng.int(3, 10);
  const jvTo = rng.int(jvFrom, dim - 7);
  const jvN = rng.int(1, 2);
  if (jitter) {
    if (jm < 0.25) missing.add(jd1);
    if (jm < 0.08) missing.add(jd2);
  }
  const passingVulns = jitter && jv < 0.04;

  let days = reportingDays(plan, month, dim).filter((d) => !missing.has(d));
  if (spec?.days !== undefined) days = days.slice(0, spec.days);
  const w1 = weekday(`${month}-01`);
  const rows: DayRow[] = [];
  days.forEach((day, i) => {
    const date = `${month}-${DD[day]}`;
    const u = [rng.next(), rng.next(), rng.next(), rng.next(), rng.next(), rng.next(), rng.next()];
    const w = (w1 + day - 1) % 7;
    const weekend = w === 0 || w === 6;
    let cpuAvg = round(12 + 26 * u[0], 1);
    let cpuMax = round(48 + 44 * u[1], 1);
    const mem = round(30 + 50 * u[2], 1);
    let users: number | null = Math.max(1, Math.round(plan.usersBase * (0.6 + 0.7 * u[3]) * (weekend ? 0.3 : 1)));
    let requests = Math.round(users * plan.requestsPerUser * (0.7 + 0.6 * u[4]));
    let avail = round(99.2 + 0.8 * u[5], 2);
    let storage = round(sys.storage_gb * plan.storageFill * (1 + 0.01 * monthIndex + 0.0003 * day), 1);
    let vulns = passingVulns && day >= jvFrom && day <= jvTo ? jvN : 0;
    if (spec) {
      if (spec.cpuMaxRange) cpuMax = round(spec.cpuMaxRange[0] + (spec.cpuMaxRange[1] - spec.cpuMaxRange[0]) * u[1], 1);
      if (spec.cpuAvgRange) cpuAvg = round(spec.cpuAvgRange[0] + (spec.cpuAvgRange[1] - spec.cpuAvgRange[0]) * u[0], 1);
      if (spec.low) {
        cpuAvg = 2;
        cpuMax = 6;
      }
      if (spec.cpu) {
        cpuAvg = spec.cpu.avg;
        cpuMax = spec.cpu.max;
      }
      if (spec.inactive) users = 0;
      if (spec.usersNull) users = null;
      if (spec.requestsTotal !== undefined) requests = spread(spec.requestsTotal, days.length, i);
      else if (spec.inactive) requests = 2;
      if (spec.availabilityRange)
        avail = round(spec.availabilityRange[0] + (spec.availabilityRange[1] - spec.availabilityRange[0]) * u[5], 2);
      if (spec.unusable) avail = 80;
      if (spec.availability !== undefined) avail = spec.availability;
      if (spec.vulns !== undefined) vulns = spec.vulns;
      if (spec.vulnsEarly) vulns = day <= spec.vulnsEarly.lastDay ? spec.vulnsEarly.n : 0;
      if (spec.storageFactor) storage = round(storage * spec.storageFactor, 1);
    }
    rows.push({ system_id: sys.system_id, date, cpu_avg: cpuAvg, cpu_max: cpuMax, mem, storage, users, requests, avail, vulns });
  });
  return rows;
}

export interface MonthAgg {
  days: number;
  cpu_avg: number | null;
  cpu_p95: number | null;
  mem_avg: number | null;
  storage_used: number | null;
  dau_avg: number | null;
  dau_max: number | null;
  requests_total: number | null;
  availability: number | null;
  vulns: number | null;
}

export const EMPTY_AGG: MonthAgg = {
  days: 0,
  cpu_avg: null,
  cpu_p95: null,
  mem_avg: null,
  storage_used: null,
  dau_avg: null,
  dau_max: null,
  requests_total: null,
  availability: null,
  vulns: null,
};

const mean = (xs: number[]): number | null => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);

/** 95th percentile, continuous with linear interpolation (like DuckDB quantile_cont). */
export function quantileCont(xs: readonly number[], q: number): number | null {
  if (xs.length === 0) return null;
  const s = xs.slice().sort((a, b) => a - b);
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo] + (s[hi] - s[lo]) * (pos - lo);
}

/** docs/metrics.md §4 monthly metrics of the rows of one system-month (the rows that end up stored). */
export function aggregate(rows: readonly DayRow[]): MonthAgg {
  if (rows.length === 0) return EMPTY_AGG;
  const users = rows.map((r) => r.users).filter((u): u is number => u !== null);
  const latest = rows.reduce((a, b) => (b.date > a.date ? b : a));
  return {
    days: new Set(rows.map((r) => r.date)).size,
    cpu_avg: mean(rows.map((r) => r.cpu_avg)),
    cpu_p95: quantileCont(
      rows.map((r) => r.cpu_max),
      0.95,
    ),
    mem_avg: mean(rows.map((r) => r.mem)),
    storage_used: latest.storage,
    dau_avg: mean(users),
    dau_max: users.length ? Math.max(...users) : null,
    requests_total: rows.reduce((a, r) => a + r.requests, 0),
    availability: mean(rows.map((r) => r.avail)),
    vulns: latest.vulns,
  };
}

export const TELEMETRY_COLUMNS = [
  'system_id',
  'date',
  'cpu_avg_pct',
  'cpu_max_pct',
  'mem_avg_pct',
  'storage_used_gb',
  'active_users',
  'requests',
  'availability_pct',
  'open_high_vulns',
] as const;

/** The cells of a row as text, in TELEMETRY_COLUMNS order; `pct` appends '%' to the percentages. */
export function rowCells(r: DayRow, pct = false): string[] {
  const p = (x: number) => (pct ? `${x}%` : String(x));
  return [
    r.system_id,
    r.date,
    p(r.cpu_avg),
    p(r.cpu_max),
    p(r.mem),
    String(r.storage),
    r.users === null ? '' : String(r.users),
    String(r.requests),
    p(r.avail),
    String(r.vulns),
  ];
}
