// The files of the sample city as the bureau receives them, named so that path-name order is the
// right ingest order (registry first), with a few invalid rows of every kind planted in them.
// Each planted reject is recorded with the row number a person sees in the file.

import path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { CONTRACT, SHARE_TYPES, STAGES, UPDATE_CYCLES, type EnumValue, type Kind } from '../../metrics/contract.ts';
import { addMonths, daysInMonth, lastAggregatedAt, monthEnd, monthRange, slashDate } from './calendar.ts';
import { firstRow, type City } from './city.ts';
import type { Aggs } from './expected.ts';
import { Random } from './random.ts';
import type { PlannedReport } from './reports.ts';
import { TELEMETRY_COLUMNS, aggregate, monthRows, rowCells, type DayRow } from './telemetry.ts';
import type { CatalogRow, PlantedReject, RejectKind, SystemRow } from './types.ts';
import { csvText, dateCell, writeNdjson, writeParquet, writeText, writeXlsx, type XlsxCell } from './write.ts';

type Cell = XlsxCell;

/** A data row of a file, maybe invalid on purpose. */
interface Entry {
  cells: Cell[];
  reject?: { column: string | null; kind: RejectKind; value: string | null; note: string };
}

/** Planted rejects of a file, numbered as a person sees them (rows above the data + position). */
function numbered(file: string, entries: readonly Entry[], rowsAbove: number): PlantedReject[] {
  const out: PlantedReject[] = [];
  entries.forEach((e, i) => {
    if (e.reject) out.push({ file, row: rowsAbove + i + 1, ...e.reject });
  });
  return out;
}

const zh = (kind: Kind): string[] => CONTRACT[kind].columns.map((c) => c.zh);
const label = (values: readonly EnumValue[], code: string): string => values.find((v) => v.code === code)!.label;
const yesNo = (b: boolean): string => (b ? '是' : '否');
const text = (c: Cell): string => (c === null ? '' : c instanceof Date ? c.toISOString().slice(0, 10) : String(c));

/** The first day after the end month, noon UTC: the fixed document date of every workbook. */
export function documentDate(city: City): Date {
  return new Date(`${addMonths(city.ctx.m, 1)}-03T02:00:00Z`);
}

// ------------------------------------------------------------------ registry

const REGISTRY_FIRST = '01_信息系统目录.csv';
const REGISTRY_UPDATE = '02_信息系统目录_更新.xlsx';

function registryCells(row: SystemRow, date: (d: string | null) => Cell): Cell[] {
  return [
    row.system_id,
    row.system_name,
    row.department,
    label(STAGES, row.stage),
    date(row.go_live_date),
    date(row.initial_acceptance_date),
    date(row.final_acceptance_date),
    row.security_level,
    row.vcpu,
    row.memory_gb,
    row.storage_gb,
    row.cloud_cost_annual,
    row.om_budget_annual,
    yesNo(row.key_project),
    yesNo(row.classified),
    date(row.exempt_until),
    row.exempt_reason,
    row.active_months ?? null,
    row.citywide === undefined ? null : yesNo(row.citywide),
    row.serves_public === undefined ? null : yesNo(row.serves_public),
    row.county ?? null,
  ];
}

/** 01: the registry as first sent, GBK CSV with CRLF; 02: the update, XLSX with a title row. */
export async function writeRegistry(city: City, outDir: string): Promise<{ files: string[]; rejects: PlantedReject[] }> {
  const r = new Random(city.seed).fork('registry-format');
  const cols = CONTRACT.systems.columns.map((c) => c.name);
  const entries: Entry[] = city.systems.map((s) => {
    // Dates the way the department typed them: YYYY-MM-DD or YYYY/MM/DD.
    const slash = r.chance(0.4);
    const cells = registryCells(firstRow(s), (d) => (d === null ? null : slash ? slashDate(d) : d));
    const bad = s.firstReject;
    if (!bad) return { cells };
    cells[cols.indexOf(bad.column)] = bad.value;
    return { cells, reject: { column: bad.column, kind: bad.kind, value: bad.value === '' ? null : bad.value, note: bad.note } };
  });
  writeText(
    path.join(outDir, REGISTRY_FIRST),
    csvText(
      zh('systems'),
      entries.map((e) => e.cells.map(text)),
      '\r\n',
    ),
    'gb18030',
  );
  const update = city.systems.filter((s) => s.inUpdate);
  await writeXlsx(
    path.join(outDir, REGISTRY_UPDATE),
    {
      name: '信息系统目录',
      title: `${city.name}政务信息系统目录（${city.ctx.m} 更新）`,
      header: zh('systems'),
      rows: update.map((s) => registryCells(s.row, dateCell)),
      widths: [14, 34, 24, 8, 12, 12, 12, 8, 8, 8, 8, 12, 12, 8, 6, 12, 24, 10, 8, 8, 10],
    },
    documentDate(city),
  );
  return { files: [REGISTRY_FIRST, REGISTRY_UPDATE], rejects: numbered(REGISTRY_FIRST, entries, 1) };
}

// ------------------------------------------------------------------ telemetry

type TelemetryFormat = 'csv' | 'csv-zh-bom' | 'parquet';

const PARQUET_TYPES: Record<(typeof TELEMETRY_COLUMNS)[number], string> = {
  system_id: 'VARCHAR',
  date: 'DATE',
  cpu_avg_pct: 'DOUBLE',
  cpu_max_pct: 'DOUBLE',
  mem_avg_pct: 'DOUBLE',
  storage_used_gb: 'DOUBLE',
  active_users: 'BIGINT',
  requests: 'BIGINT',
  availability_pct: 'DOUBLE',
  open_high_vulns: 'INTEGER',
};

/** Months 2, 9 and 16 come as Parquet, month 6 as a UTF-8-with-BOM CSV with Chinese headers and % signs. */
function formatOf(i: number, n: number): TelemetryFormat {
  if ((i === 1 || i === 8 || i === 15) && i < n - 2) return 'parquet';
  if (i === 5 && i < n - 2) return 'csv-zh-bom';
  return 'csv';
}

const col = (name: (typeof TELEMETRY_COLUMNS)[number]): number => TELEMETRY_COLUMNS.indexOf(name);

/** A system id that is not in the registry: the id with a digit dropped, as typed by hand. */
const typo = (id: string): string => {
  const t = id.replace(/-0(\d\d)$/, '-$1');
  return t === id ? `${id}0` : t;
};

interface TelemetryPlant {
  kind: RejectKind;
  column: string | null;
  note: string;
  mutate: (cells: Cell[], month: string) => Cell[];
}

/** The row with one cell changed (a planted mistake). */
function set(c: Cell[], name: (typeof TELEMETRY_COLUMNS)[number], value: Cell): Cell[] {
  c[col(name)] = value;
  return c;
}

const P = {
  requiredEmpty: { kind: 'required_empty', column: 'system_id', note: '系统编号为空', mutate: (c) => set(c, 'system_id', '') },
  notInteger: { kind: 'not_integer', column: 'active_users', note: '活跃用户数不是整数', mutate: (c) => set(c, 'active_users', '12.5') },
  unknownSystem: {
    kind: 'unknown_system',
    column: 'system_id',
    note: '系统编号不在系统目录中（少打一位数字）',
    mutate: (c) => set(c, 'system_id', typo(String(c[col('system_id')]))),
  },
  cpuMaxLtAvg: {
    kind: 'cpu_max_lt_avg',
    column: 'cpu_max_pct',
    note: 'CPU 峰值小于 CPU 平均值',
    mutate: (c) => set(set(c, 'cpu_avg_pct', 35), 'cpu_max_pct', 20),
  },
  badDateFormat: {
    kind: 'bad_date_format',
    column: 'date',
    note: '日期写成“日/月/年”',
    mutate: (c) => {
      const d = String(c[col('date')]);
      c[col('date')] = `${d.slice(8, 10)}/${d.slice(5, 7)}/${d.slice(0, 4)}`;
      return c;
    },
  },
  negative: { kind: 'negative', column: 'requests', note: '访问量为负数', mutate: (c) => set(c, 'requests', '-5') },
  tooMany: { kind: 'too_many_columns', column: null, note: '该行比表头多一列', mutate: (c) => [...c, '备注：补录'] },
  tooFew: { kind: 'too_few_columns', column: null, note: '该行比表头少两列', mutate: (c) => c.slice(0, c.length - 2) },
  notNumber: {
    kind: 'not_number',
    column: 'storage_used_gb',
    note: '存储使用量不是数字（字母 O 误作 0）',
    mutate: (c) => set(c, 'storage_used_gb', '12O.5'),
  },
  outOfRange: {
    kind: 'out_of_range',
    column: 'availability_pct',
    note: '可用率 101%，超出 0–100',
    mutate: (c) => set(c, 'availability_pct', '101%'),
  },
  impossibleDate: {
    kind: 'impossible_date',
    column: 'date',
    note: '日期不存在（当月没有这一天）',
    mutate: (c, month) => set(c, 'date', `${month}-${daysInMonth(month) + 1}`),
  },
  futureDate: {
    kind: 'future_date',
    column: 'date',
    note: '年份误录，日期在将来',
    mutate: (c, month) => set(c, 'date', `${Number(month.slice(0, 4)) + 10}${month.slice(4)}-15`),
  },
} satisfies Record<string, TelemetryPlant>;

export interface TelemetryOutput {
  files: string[];
  aggs: Aggs;
  rejects: PlantedReject[];
  rows: number;
}

/** Generate the telemetry month by month: metrics of the stored truth, and the files. */
export async function writeTelemetry(city: City, outDir: string, conn: DuckDBConnection): Promise<TelemetryOutput> {
  const { ctx } = city;
  const root = new Random(city.seed);
  const pick = root.fork('telemetry-rejects');
  const aggs: Aggs = new Map();
  const files: string[] = [];
  const rejects: PlantedReject[] = [];
  let total = 0;
  const n = ctx.months;
  const formats = Array.from({ length: n }, (_, i) => formatOf(i, n));
  const impossibleAt = formats.findIndex((f, i) => f === 'csv' && daysInMonth(addMonths(ctx.first, i)) < 31 && i < n - 1);
  const plants = new Map<number, TelemetryPlant[]>([
    [0, [P.requiredEmpty, P.notInteger]],
    [1, [P.unknownSystem, P.cpuMaxLtAvg]],
    [3, [P.badDateFormat, P.negative, P.tooMany, P.tooFew, P.notNumber]],
    [5, [P.outOfRange]],
    [n - 1, [P.futureDate]],
  ]);
  plants.set(impossibleAt, [...(plants.get(impossibleAt) ?? []), P.impossibleDate]);

  for (let i = 0; i < n; i++) {
    const month = addMonths(ctx.first, i);
    const exported: DayRow[] = [];
    const corrected: DayRow[] = [];
    for (const s of city.systems) {
      const plan = s.telemetry;
      if (!plan.from) continue;
      const spec = plan.months[month];
      const label = `telemetry:${s.row.system_id}:${month}`;
      const jitter = plan.jitter && !spec;
      const truth = monthRows(s.row, plan, month, i, spec, root.fork(label), jitter);
      if (truth.length === 0) continue;
      let m = aggs.get(s.row.system_id);
      if (!m) aggs.set(s.row.system_id, (m = new Map()));
      m.set(month, aggregate(truth));
      const fe = plan.firstExport[month];
      if (fe) {
        exported.push(...monthRows(s.row, plan, month, i, { ...(spec ?? {}), ...fe }, root.fork(label), jitter));
        corrected.push(...truth);
      } else exported.push(...truth);
    }
    exported.sort((a, b) =>
      a.date < b.date ? -1 : a.date > b.date ? 1 : a.system_id < b.system_id ? -1 : a.system_id > b.system_id ? 1 : 0,
    );
    const fmt = formats[i];
    const entries: Entry[] = exported.map((r) => ({ cells: fmt === 'parquet' ? parquetCells(r) : rowCells(r, fmt === 'csv-zh-bom') }));
    // A row sent twice in one file: the later one wins (the first copy still shows a vulnerability).
    if (month === ctx.m) {
      for (const s of city.systems.filter((x) => x.telemetry.duplicateLastDayVulns !== undefined)) {
        const idx = exported.findIndex((r) => r.system_id === s.row.system_id && r.date === ctx.mEnd);
        const copy = { ...exported[idx], vulns: s.telemetry.duplicateLastDayVulns! };
        entries.splice(idx, 0, { cells: rowCells(copy) });
      }
    }
    for (const plant of plants.get(i) ?? []) {
      // Invalid rows copy a background system's valid row, so the stored truth is unchanged.
      let at = Math.floor(entries.length * pick.range(0.1, 0.9));
      while (entries[at].reject || city.byId.get(String(entries[at].cells[0]))?.key !== null) at++;
      const cells = plant.mutate([...entries[at].cells], month);
      const value = plant.column ? text(cells[col(plant.column as (typeof TELEMETRY_COLUMNS)[number])]) : null;
      entries.splice(at + 1, 0, {
        cells,
        reject: { column: plant.column, kind: plant.kind, value: value === '' ? null : value, note: plant.note },
      });
    }
    const base = `03_运行监测_${month}`;
    const name = `${base}.${fmt === 'parquet' ? 'parquet' : 'csv'}`;
    if (fmt === 'parquet') {
      await writeParquet(
        conn,
        path.join(outDir, name),
        csvText(
          TELEMETRY_COLUMNS,
          entries.map((e) => e.cells.map(text)),
        ),
        PARQUET_TYPES,
      );
      rejects.push(...numbered(name, entries, 0));
    } else if (fmt === 'csv-zh-bom') {
      writeText(
        path.join(outDir, name),
        csvText(
          zh('telemetry'),
          entries.map((e) => e.cells.map(text)),
          '\r\n',
        ),
        'utf-8-bom',
      );
      rejects.push(...numbered(name, entries, 1));
    } else {
      writeText(
        path.join(outDir, name),
        csvText(
          TELEMETRY_COLUMNS,
          entries.map((e) => e.cells.map(text)),
        ),
        'utf-8',
      );
      rejects.push(...numbered(name, entries, 1));
    }
    files.push(name);
    total += entries.length;
    if (corrected.length) {
      // The corrected re-export of the month: only the rows that changed, sent again.
      const fix = `${base}_更正.csv`;
      writeText(
        path.join(outDir, fix),
        csvText(
          TELEMETRY_COLUMNS,
          corrected.map((r) => rowCells(r)),
        ),
        'utf-8',
      );
      files.push(fix);
      total += corrected.length;
    }
  }
  return { files, aggs, rejects, rows: total };
}

function parquetCells(r: DayRow): Cell[] {
  return [r.system_id, r.date, r.cpu_avg, r.cpu_max, r.mem, r.storage, r.users, r.requests, r.avail, r.vulns];
}

// ------------------------------------------------------------------ catalog

const catalogFile = (month: string, ext: 'csv' | 'xlsx') => `04_数据资源目录_${month}.${ext}`;
const CATALOG_SUPPLEMENT = '04_数据资源目录_补充.ndjson';

/**
 * 04: the platform's monthly catalog exports — one per month of the data, each with every
 * resource cataloged by that month's end and its last aggregation by then (CSV, Chinese headers
 * and labels), the end month's as a workbook with a few invalid rows; then a department's late
 * supplement as NDJSON (English keys, codes): resources missing from the end month's workbook and
 * one resource sent again with its aggregation. Read in path-name order, a later export replaces
 * the rows of an earlier one, and each month's export stays the history of that month.
 */
export async function writeCatalog(
  city: City,
  outDir: string,
  truth: readonly CatalogRow[],
  supplement: ReadonlySet<string>,
): Promise<{ files: string[]; rejects: PlantedReject[] }> {
  const { ctx } = city;
  const months = monthRange(ctx.first, ctx.m);
  const monthly: string[] = [];
  for (const month of months.slice(0, -1)) {
    const end = monthEnd(month);
    const rows = truth
      .filter((x) => x.cataloged_date <= end)
      .map((x) => [
        x.system_id,
        x.resource_id,
        x.resource_name,
        label(SHARE_TYPES, x.share_type),
        label(UPDATE_CYCLES, x.update_cycle),
        x.cataloged_date,
        lastAggregatedAt(x.aggregation, end) ?? '',
        x.duplicate_of ?? '',
      ]);
    const name = catalogFile(month, 'csv');
    writeText(path.join(outDir, name), csvText(zh('catalog'), rows), 'utf-8');
    monthly.push(name);
  }
  const CATALOG_MAIN = catalogFile(ctx.m, 'xlsx');
  const r = new Random(city.seed).fork('catalog-files');
  const lastOf = new Map(truth.map((x) => [x.system_id, x]));
  const inSupplement = [...lastOf.values()].filter((x) => supplement.has(x.system_id));
  // One resource of a background system is sent again: the workbook still says "never aggregated".
  const resent = r.pick(
    truth.filter((x) => {
      const s = city.byId.get(x.system_id)!;
      return (
        !supplement.has(x.system_id) &&
        s.catalog.kind === 'normal' &&
        !s.key &&
        s.row.stage === 'operation' &&
        x.share_type !== 'none' &&
        x.update_cycle === 'yearly'
      );
    }),
  );
  const cells = (x: CatalogRow, last = x.last_aggregated_date): Cell[] => [
    x.system_id,
    x.resource_id,
    x.resource_name,
    label(SHARE_TYPES, x.share_type),
    label(UPDATE_CYCLES, x.update_cycle),
    r.chance(0.1) ? x.cataloged_date : dateCell(x.cataloged_date),
    dateCell(last),
    x.duplicate_of,
  ];
  const entries: Entry[] = truth.filter((x) => !inSupplement.includes(x)).map((x) => ({ cells: x === resent ? cells(x, null) : cells(x) }));
  const background = (e: Entry) => {
    const s = city.byId.get(String(e.cells[0]));
    return !!s && !s.key && !supplement.has(s.row.system_id);
  };
  const plant = (frac: number, make: (c: Cell[]) => { cells: Cell[]; reject: NonNullable<Entry['reject']> }) => {
    let at = Math.floor(entries.length * frac);
    while (entries[at].reject || !background(entries[at])) at++;
    entries.splice(at + 1, 0, make([...entries[at].cells]));
  };
  plant(0.3, (c) => {
    const id = typo(String(c[0]));
    c[0] = id;
    c[1] = `${c[1]}-X`;
    return { cells: c, reject: { column: 'system_id', kind: 'unknown_system', value: id, note: '系统编号不在系统目录中' } };
  });
  plant(0.7, (c) => {
    c[1] = `${c[1]}-B`;
    c[4] = '每半年';
    return { cells: c, reject: { column: 'update_cycle', kind: 'unknown_enum', value: '每半年', note: '更新周期不是可识别的取值' } };
  });
  await writeXlsx(
    path.join(outDir, CATALOG_MAIN),
    { name: '数据资源目录', header: zh('catalog'), rows: entries.map((e) => e.cells), widths: [14, 18, 40, 12, 10, 12, 14, 18] },
    documentDate(city),
  );
  const rec = (x: CatalogRow): Record<string, unknown> => ({
    system_id: x.system_id,
    resource_id: x.resource_id,
    resource_name: x.resource_name,
    share_type: x.share_type,
    update_cycle: x.update_cycle,
    cataloged_date: x.cataloged_date,
    last_aggregated_date: x.last_aggregated_date,
    duplicate_of: x.duplicate_of,
  });
  const lines: Entry[] = [...inSupplement, resent].map((x) => ({ cells: [JSON.stringify(rec(x))] }));
  const broken = { ...rec(inSupplement[0]) };
  delete broken.resource_id;
  lines.splice(2, 0, {
    cells: [JSON.stringify(broken)],
    reject: { column: 'resource_id', kind: 'required_empty', value: null, note: '记录缺少资源编号（resource_id 键不存在）' },
  });
  writeNdjson(
    path.join(outDir, CATALOG_SUPPLEMENT),
    lines.map((l) => JSON.parse(String(l.cells[0])) as Record<string, unknown>),
  );
  return {
    files: [...monthly, CATALOG_MAIN, CATALOG_SUPPLEMENT],
    rejects: [...numbered(CATALOG_MAIN, entries, 1), ...numbered(CATALOG_SUPPLEMENT, lines, 0)],
  };
}

// ------------------------------------------------------------------ O&M reports

/** 05: one workbook per complete year, a title row above the Chinese header. */
export async function writeReports(
  city: City,
  outDir: string,
  year: number,
  reports: readonly PlannedReport[],
): Promise<{ files: string[]; rejects: PlantedReject[] }> {
  const name = `05_年度运维报表_${year}.xlsx`;
  const entries: Entry[] = reports.map((p) => {
    const x = p.row;
    const cells: Cell[] = [
      x.system_id,
      x.year,
      dateCell(x.submitted_date),
      x.incidents,
      dateCell(x.security_assessment_date),
      dateCell(x.crypto_assessment_date),
      x.om_paid,
      x.goals_total,
      x.goals_met,
      x.integration_points,
      x.self_score,
      x.notes === '' ? null : x.notes,
    ];
    return p.rejected
      ? {
          cells,
          reject: { column: 'goals_met', kind: 'goals_met_gt_total', value: String(x.goals_met), note: '已完成目标数大于绩效目标数' },
        }
      : { cells };
  });
  if (year === city.ctx.Y) {
    let at = Math.floor(entries.length / 2);
    while (entries[at].reject) at++;
    const c = [...entries[at].cells];
    c[0] = typo(String(c[0]));
    entries.splice(at + 1, 0, {
      cells: c,
      reject: { column: 'system_id', kind: 'unknown_system', value: String(c[0]), note: '系统编号不在系统目录中' },
    });
  }
  await writeXlsx(
    path.join(outDir, name),
    {
      name: '年度运维服务情况报表',
      title: `${city.name}政务信息系统 ${year} 年度运维服务情况报表`,
      header: zh('om_report'),
      rows: entries.map((e) => e.cells),
      widths: [14, 8, 12, 8, 12, 12, 12, 10, 10, 10, 8, 30],
    },
    documentDate(city),
  );
  return { files: [name], rejects: numbered(name, entries, 2) };
}
