// The sample city (云川市): a deterministic generator of the inputs a city data bureau receives —
// registry, daily telemetry, data catalog, annual O&M reports — with every case of docs/metrics.md §4 and
// docs/decisions.md §5 planted on purpose, and `.planted.json` beside the files saying what govmon must conclude.
// Same seed and end month → byte-identical files.

import fs from 'node:fs';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { buildCatalog, supplementSystems } from './catalog.ts';
import { buildCity, type City } from './city.ts';
import {
  THRESHOLDS,
  budgetExpectations,
  calendarExpectations,
  monthExpectations,
  provisionalExpectations,
  seasonSuggestions,
  sharingAt,
  yearExpectations,
} from './expected.ts';
import { documentDate, writeCatalog, writeRegistry, writeReports, writeTelemetry } from './files.ts';
import { costShareExpectations, writeCostShareInputs } from './costshare.ts';
import { DEPARTMENTS } from './names.ts';
import { planReports, reportYears, setSelfScores, type PlannedReport } from './reports.ts';
import type { Planted, PlantedCase, Stage } from './types.ts';
import { label } from '../../metrics/labels.ts';
import { applyDecisions, decisionCases, plantDecisions, writeDecisions } from './decisions.ts';

export type { Planted, PlantedCase, PlantedReject, RejectKind } from './types.ts';

/** The fixed default seed of the sample city. */
export const DEFAULT_SEED = 20_251_001;
/** Name of the expectations file inside outDir: a dot file, which ingest skips. */
export const PLANTED_FILE = '.planted.json';

export interface SampleOptions {
  outDir: string;
  /** 'YYYY-MM', the last full month of data */
  endMonth: string;
  /** defaults to DEFAULT_SEED */
  seed?: number;
  /** months of telemetry ending with endMonth; defaults to 24 (at least 24) */
  months?: number;
  /** systems in the city; defaults to 400 */
  systems?: number;
  /** a second sample city (docs/province.md §10): its name and the prefix of its system ids */
  city?: string;
  idPrefix?: string;
}

export interface SampleResult {
  /** absolute paths of the data files, in ingest (path-name) order */
  files: string[];
  planted: Planted;
  /** rows of telemetry written (invalid rows included) */
  telemetryRows: number;
}

/** Files this generator writes into outDir; earlier ones are removed before writing. */
const OWN_FILE = /^(0[1-8]_.+\.(csv|xlsx|parquet|ndjson)|\.planted\.json)$/;

export async function generateSampleCity(opts: SampleOptions): Promise<SampleResult> {
  if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(opts.endMonth)) throw new Error(`invalid end month ${opts.endMonth} (YYYY-MM)`);
  const seed = opts.seed ?? DEFAULT_SEED;
  const months = opts.months ?? 24;
  if (!Number.isInteger(months) || months < 24 || months > 120) throw new Error('months must be an integer from 24 to 120');
  const city = buildCity({
    endMonth: opts.endMonth,
    seed,
    months,
    systems: opts.systems ?? 400,
    name: opts.city,
    idPrefix: opts.idPrefix,
  });
  const { ctx } = city;

  fs.mkdirSync(opts.outDir, { recursive: true });
  for (const f of fs.readdirSync(opts.outDir)) if (OWN_FILE.test(f)) fs.rmSync(path.join(opts.outDir, f), { force: true });

  const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
  const conn = await instance.connect();
  try {
    const registry = await writeRegistry(city, opts.outDir);
    const telemetry = await writeTelemetry(city, opts.outDir, conn);
    const catalog = buildCatalog(city);
    const cat = await writeCatalog(city, opts.outDir, catalog, new Set(supplementSystems(city).map((s) => s.row.system_id)));

    const month = monthExpectations(city, telemetry.aggs);
    // the decision register: written with the other inputs, its effect applied to the month's lists
    const decisions = plantDecisions(city);
    const decisionFiles = writeDecisions(opts.outDir, decisions);
    const decided = applyDecisions(city, month.planted, decisions);
    const sharing = { month: sharingAt(city, catalog, ctx.m), year: sharingAt(city, catalog, `${ctx.Y}-12`) };

    // Reports: scores first (they do not depend on the self-score), then the self-scores.
    const years = reportYears(city);
    const reports = new Map<number, PlannedReport[]>(years.map((y) => [y, planReports(city, y)]));
    const validY = () => (reports.get(ctx.Y) ?? []).filter((p) => !p.rejected).map((p) => p.row);
    const firstPass = yearExpectations(city, month.histories, validY(), sharing.year);
    const scoreMap = new Map(firstPass.scores.map((x) => [x.system_id, x]));
    for (const y of years) setSelfScores(city, reports.get(y)!, scoreMap);
    const year = yearExpectations(city, month.histories, validY(), sharing.year);
    const valid = [...reports.values()]
      .flat()
      .filter((p) => !p.rejected)
      .map((p) => p.row);
    const reportFiles = [];
    for (const y of years) reportFiles.push(await writeReports(city, opts.outDir, y, reports.get(y)!));

    const costInputs = await writeCostShareInputs(city, opts.outDir, documentDate(city));
    const names = [
      ...registry.files,
      ...telemetry.files,
      ...cat.files,
      ...reportFiles.flatMap((r) => r.files),
      ...costInputs.files,
      ...decisionFiles,
    ].sort();
    const rejects = [registry, telemetry, cat, ...reportFiles, costInputs]
      .flatMap((x) => x.rejects)
      .sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.row - b.row));

    const planted: Planted = {
      generator: 'govmon sample city (apps/sample)',
      city: city.name,
      seed,
      endMonth: ctx.m,
      firstMonth: ctx.first,
      months,
      evalYear: ctx.Y,
      reportYears: years,
      files: names,
      plantedFile: PLANTED_FILE,
      systems: {
        total: city.systems.length,
        by_stage: countStages(city),
        classified: city.systems.filter((s) => s.row.classified).length,
        departments: DEPARTMENTS.length,
      },
      counts: {
        systems: city.systems.length,
        telemetry: [...telemetry.aggs.values()].reduce((n, m) => n + [...m.values()].reduce((k, a) => k + a.days, 0), 0),
        catalog: catalog.length,
        om_report: [...reports.values()].flat().filter((p) => !p.rejected).length,
      },
      seasons: { suggested: seasonSuggestions(city, telemetry.aggs) },
      costshare: costShareExpectations(city),
      thresholds: THRESHOLDS as unknown as Record<string, unknown>,
      cases: [],
      month: month.planted,
      sharing,
      year,
      budget: budgetExpectations(city, month.histories, year, sharing.year),
      calendar: calendarExpectations(city, valid, catalog),
      provisional: provisionalExpectations(city, month.histories, valid, sharing.month, decided),
      rejects,
      classified: city.systems.filter((s) => s.row.classified).map((s) => ({ system_id: s.row.system_id, system_name: s.row.system_name })),
      decisions: decided,
    };
    planted.cases = decisionCases(city, cases(city, planted), decisions, decided);
    checkBackgroundIsQuiet(city, planted);
    fs.writeFileSync(path.join(opts.outDir, PLANTED_FILE), JSON.stringify(planted, null, 2) + '\n');
    return { files: names.map((n) => path.join(opts.outDir, n)), planted, telemetryRows: telemetry.rows };
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

function countStages(city: City): Record<Stage, number> {
  const out: Record<Stage, number> = { construction: 0, trial: 0, operation: 0, retired: 0 };
  for (const s of city.systems) out[s.row.stage]++;
  return out;
}

/**
 * Each planted system with what was planted and, from the expectations, what must come out. The
 * description names codes by their labels in the registry (metrics/labels.ts): a label is a name, not
 * a conclusion, so the expectations stay independent of govmon.
 */
function cases(city: City, p: Planted): PlantedCase[] {
  const m = p.month;
  const find = <T extends { system_id: string }>(xs: readonly T[], id: string) => xs.find((x) => x.system_id === id);
  const has = (xs: readonly string[], id: string) => xs.includes(id);
  return city.systems
    .filter((s) => s.key)
    .map((s) => {
      const id = s.row.system_id;
      const out: string[] = [];
      const rect = find(m.rectification, id);
      if (rect)
        out.push(
          `${m.month} 列入限期整改清单（${label('notice_status', rect.status)} ${rect.status}），条件：${rect.conditions
            .map((c) => `${label('condition', c)} ${rect.streaks[c]} 个月`)
            .join('、')}，整改期限 ${rect.deadline}`,
        );
      const el = find(m.elimination, id);
      if (el) out.push(`列入淘汰退出清单，原因：${el.conditions.map((c) => label('condition', c)).join('、')}`);
      const ex = find(m.exempted, id);
      if (ex)
        out.push(
          `达到淘汰条件（${ex.conditions.map((c) => label('condition', c)).join('、')}）但在豁免期内（至 ${ex.exempt_until}），列入“豁免”部分`,
        );
      if (find(m.escalated, id)) out.push(`整改通知本月${label('notice_status', 'escalated')}（escalated）`);
      if (find(m.resolved, id)) out.push(`整改通知本月${label('notice_status', 'resolved')}（resolved）`);
      const rs = find(m.rightsizing, id);
      if (rs) out.push(`建议减配：${rs.vcpu} → ${rs.recommended_vcpu} vCPU（可回收 ${rs.reclaim_vcpu}）`);
      if (s.row.stage === 'operation' && !s.row.classified && !rect && !el && !ex && !rs && !find(m.resolved, id))
        out.push(`${m.month} 不在整改、淘汰、豁免、减配清单`);
      if (!(s.row.stage === 'operation' && !s.row.classified))
        out.push(s.row.classified ? '涉密：不出现在任何输出中' : '不在运行阶段：不在任何清单');
      for (const [when, sh] of [
        ['本月末', p.sharing.month],
        [`${p.evalYear} 年末`, p.sharing.year],
      ] as const) {
        const row = sh.rows.find((r) => r.system_id === id);
        if (!row) continue;
        if (row.sharing_failure || row.catalog_overdue || s.tags.includes('sharing'))
          out.push(
            `${when}数据共享：编目 ${row.cataloged}、可共享 ${row.shareable}、已归集 ${row.aggregated}、及时 ${row.timely}、完整率 ${row.completeness_pct === null ? '空' : `${Math.round(row.completeness_pct * 10) / 10}%`}、重复 ${row.duplicates}${row.uncataloged ? '、未编目' : ''}${row.sharing_failure ? '，共享不达标' : '，达标'}${row.catalog_overdue ? '，编目逾期' : ''}`,
          );
      }
      const y = p.year;
      const flags = [
        has(y.report_missing, id) ? '运维报表缺失' : '',
        has(y.security_missing, id) ? '缺少等保测评' : '',
        has(y.crypto_missing, id) ? '缺少密评' : '',
        find(y.inflated, id) ? '自评偏高，列入抽查复核' : '',
        has(y.no_final_acceptance, id) ? '未竣工验收' : '',
      ].filter(Boolean);
      if (flags.length) out.push(`${p.evalYear} 年度：${flags.join('、')}`);
      const b = p.budget.rows.find((r) => r.system_id === id);
      if (b && b.recommendation !== 'fund')
        out.push(
          `${p.budget.year} 年经费建议：${label('recommendation', b.recommendation)}（${b.reasons.map((r) => label('budget_reason', r)).join('、')}）`,
        );
      const pb = p.provisional.rows.find((r) => r.system_id === id);
      if (pb && pb.recommendation !== 'fund')
        out.push(
          `${p.provisional.year} 年度预评价（以 ${p.provisional.report_year} 年度报表代替）的 ${p.provisional.budget_year} 年经费建议：${label('recommendation', pb.recommendation)}（${pb.reasons.map((r) => label('budget_reason', r)).join('、')}）`,
        );
      const late = p.calendar.overdue.filter((x) => x.system_id === id);
      if (late.length)
        out.push(
          `合规日历（${p.calendar.month} 月末）${label('calendar_status', 'overdue')}：${late.map((x) => `${x.obligation}（截止 ${x.due_date}）`).join('、')}`,
        );
      return {
        system_id: id,
        system_name: s.row.system_name,
        department: s.row.department,
        stage: s.row.stage,
        tags: [s.key!, ...s.tags],
        description: `${s.what} 预期：${out.join('；')}。`,
      };
    });
}

/**
 * The planted lists must be complete: a background system on any of them means the data design
 * is wrong (a threshold crossed by chance), not that govmon should find it.
 */
function checkBackgroundIsQuiet(city: City, p: Planted): void {
  const planted = (id: string) => city.byId.get(id)!.key !== null;
  const lists: [string, string[]][] = [
    ['rectification', p.month.rectification.map((x) => x.system_id)],
    ['resolved', p.month.resolved.map((x) => x.system_id)],
    ['escalated', p.month.escalated.map((x) => x.system_id)],
    ['elimination', p.month.elimination.map((x) => x.system_id)],
    ['exempted', p.month.exempted.map((x) => x.system_id)],
    ['rightsizing', p.month.rightsizing.map((x) => x.system_id)],
    ['sharing.month.failure', p.sharing.month.failure],
    ['sharing.month.overdue', p.sharing.month.catalog_overdue.map((x) => x.system_id)],
    ['sharing.year.failure', p.sharing.year.failure],
    ['sharing.year.overdue', p.sharing.year.catalog_overdue.map((x) => x.system_id)],
    ['year.report_missing', p.year.report_missing],
    ['year.security_missing', p.year.security_missing],
    ['year.crypto_missing', p.year.crypto_missing],
    ['year.inflated', p.year.inflated.map((x) => x.system_id)],
    ['year.no_final_acceptance', p.year.no_final_acceptance],
    ['budget (not fund)', p.budget.rows.filter((r) => r.recommendation !== 'fund').map((r) => r.system_id)],
    ['provisional budget (not fund)', p.provisional.rows.filter((r) => r.recommendation !== 'fund').map((r) => r.system_id)],
    ['calendar (overdue)', p.calendar.overdue.map((x) => x.system_id)],
  ];
  for (const [name, ids] of lists) {
    const stray = ids.filter((id) => !planted(id));
    if (stray.length) throw new Error(`sample city: background systems on ${name}: ${stray.join(', ')}`);
  }
}
