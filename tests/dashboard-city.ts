// A small synthetic city for the dashboard tests: a dozen healthy systems and one system for each
// thing the site must show — an elimination, an exempted one, rectification notices of several
// kinds, a right-sizing, a classified system that must never appear, and a system and a department
// whose names carry HTML. Twelve months of telemetry (2025-11 … 2026-10), a catalog and a few O&M
// reports; every month is run and the year 2025 evaluated, as `govmon demo` would.
// (The e2e test uses the generated sample city instead when apps/sample/ provides it.)

import fs from 'node:fs';
import path from 'node:path';
import { ingestPaths } from '../pipelines/ingest/ingest.ts';
import { runMonth } from '../pipelines/run/month.ts';
import { evaluateYear } from '../pipelines/run/year.ts';
import { loadProfile } from '../pipelines/profiles.ts';
import type { Store } from '../pipelines/store/database.ts';
import {
  buildCity,
  month,
  months,
  system,
  toCsv,
  IDLE,
  LOW,
  DOWN,
  VULN,
  type SystemRow,
  type TelemetryRow,
} from './fixtures/monthly/city.ts';
import { NOW, writeFile } from './helpers.ts';

export const MONTH = '2026-10';
export const WINDOW = [
  '2025-11',
  '2025-12',
  '2026-01',
  '2026-02',
  '2026-03',
  '2026-04',
  '2026-05',
  '2026-06',
  '2026-07',
  '2026-08',
  '2026-09',
  '2026-10',
];
const LAST3 = WINDOW.slice(-3);

export const XSS_NAME = '<img src=x onerror="window.__xss=1">申报<b>系统</b>';
export const XSS_DEPT = '<script>window.__xss=2</script>市"测试"局&';
export const CLASSIFIED = { id: 'CLS-SECRET-9', name: '绝密指挥调度系统' };

const DEPTS = ['市数据局', '市教育局', '市卫生健康委员会'];

/** The systems and what each one is for. */
export const SYSTEMS: SystemRow[] = [
  ...Array.from({ length: 12 }, (_, i) =>
    system(`YC-${String(i + 1).padStart(3, '0')}`, {
      system_name: `云川市${['政务服务', '教育管理', '医疗监管'][i % 3]}平台${i + 1}`,
      department: DEPTS[i % 3],
    }),
  ),
  system('YC-IDLE', {
    system_name: '旧版办公自动化系统',
    department: '市教育局',
    vcpu: 16,
    memory_gb: 32,
    storage_gb: 500,
    cloud_cost_annual: 48000,
  }),
  system('YC-EXEMPT', {
    system_name: '中考报名系统',
    department: '市教育局',
    exempt_until: '2027-06-30',
    exempt_reason: '季节性使用，仅在报名季开放',
  }),
  system('YC-LOW', { system_name: '档案数字化平台', department: '市数据局' }),
  system('YC-DOWN', { system_name: '网上预约挂号系统', department: '市卫生健康委员会' }),
  system('YC-VULN', { system_name: '疫苗接种登记系统', department: '市卫生健康委员会' }),
  system('YC-RS', { system_name: '数据交换平台', department: '市数据局', vcpu: 8 }),
  system('YC-NODATA', { system_name: '公共资源交易平台', department: '市数据局' }),
  system('YC-XSS', { system_name: XSS_NAME, department: XSS_DEPT, vcpu: 2, memory_gb: 4, storage_gb: 50, cloud_cost_annual: 6000 }),
  system(CLASSIFIED.id, { system_name: CLASSIFIED.name, department: '市数据局', classified: true }),
  system('YC-BUILD', { system_name: '城市大脑二期', department: '市数据局', stage: 'construction', go_live_date: null }),
  system('YC-OLD', { system_name: '已停用的旧门户', department: '市数据局', stage: 'retired' }),
];

function telemetry(): TelemetryRow[] {
  const rows: TelemetryRow[] = [];
  for (let i = 1; i <= 12; i++) {
    const id = `YC-${String(i + 0).padStart(3, '0')}`;
    // healthy, with a little variety so the charts are not flat lines
    for (const [k, m] of WINDOW.entries())
      rows.push(
        ...month(id, m, (d) => ({
          cpu_avg_pct: 15 + ((i * 7 + k * 3 + d) % 20),
          cpu_max_pct: 50 + ((i * 5 + k * 4 + d) % 40),
          active_users: 5 + ((i + k + d) % 30),
          requests: 80 + ((i * 13 + k * 7 + d) % 90),
        })),
      );
  }
  const upTo = (id: string, over: object, last: readonly string[]) => [
    ...months(
      id,
      WINDOW.filter((m) => !last.includes(m)),
    ),
    ...months(id, last, over),
  ];
  rows.push(...upTo('YC-IDLE', IDLE, LAST3));
  rows.push(...upTo('YC-EXEMPT', IDLE, LAST3));
  rows.push(...upTo('YC-LOW', LOW, LAST3));
  rows.push(...upTo('YC-DOWN', DOWN, WINDOW.slice(-1)));
  rows.push(...upTo('YC-VULN', VULN, WINDOW.slice(-2)));
  rows.push(...months('YC-RS', WINDOW, { cpu_avg_pct: 12, cpu_max_pct: 30 }));
  rows.push(...months('YC-NODATA', WINDOW.slice(0, -2)));
  rows.push(...upTo('YC-XSS', IDLE, LAST3));
  rows.push(...upTo(CLASSIFIED.id, IDLE, LAST3));
  return rows;
}

const CATALOG_COLUMNS = [
  'system_id',
  'resource_id',
  'resource_name',
  'share_type',
  'update_cycle',
  'cataloged_date',
  'last_aggregated_date',
  'duplicate_of',
];
const REPORT_COLUMNS = [
  'system_id',
  'year',
  'submitted_date',
  'incidents',
  'security_assessment_date',
  'crypto_assessment_date',
  'om_paid',
  'goals_total',
  'goals_met',
  'integration_points',
  'self_score',
  'notes',
];

function catalog(): Record<string, string | null>[] {
  const out: Record<string, string | null>[] = [];
  for (let i = 1; i <= 12; i++) {
    const id = `YC-${String(i).padStart(3, '0')}`;
    for (let r = 1; r <= 3; r++)
      out.push({
        system_id: id,
        resource_id: `R-${id}-${r}`,
        resource_name: `数据资源${r}`,
        share_type: r === 3 ? 'conditional' : 'unconditional',
        update_cycle: 'monthly',
        cataloged_date: '2025-06-01',
        // one system lets a resource go stale: completeness 66.7 % < 80 %
        last_aggregated_date: i === 2 && r === 3 ? '2025-12-15' : '2026-10-20',
        duplicate_of: null,
      });
  }
  out.push({
    system_id: 'YC-XSS',
    resource_id: 'R-XSS-1',
    resource_name: '<i>资源</i>',
    share_type: 'unconditional',
    update_cycle: 'daily',
    cataloged_date: '2025-06-01',
    last_aggregated_date: '2026-10-31',
    duplicate_of: null,
  });
  out.push({
    system_id: CLASSIFIED.id,
    resource_id: 'R-CLS-1',
    resource_name: '涉密资源',
    share_type: 'none',
    update_cycle: 'daily',
    cataloged_date: '2025-06-01',
    last_aggregated_date: null,
    duplicate_of: null,
  });
  return out;
}

function reports(): Record<string, string | number | null>[] {
  return ['YC-001', 'YC-002', 'YC-003', 'YC-XSS'].map((id, i) => ({
    system_id: id,
    year: 2025,
    submitted_date: '2026-01-20',
    incidents: i,
    security_assessment_date: '2025-05-01',
    crypto_assessment_date: '2025-06-01',
    om_paid: 10000,
    goals_total: 4,
    goals_met: 4 - i,
    integration_points: 3,
    self_score: i === 3 ? 98 : 85,
    notes: i === 3 ? '<script>alert(1)</script>' : '',
  }));
}

/** Ingest the city, run every month of the window and evaluate 2025. */
export async function buildDashboardCity(store: Store, ctx: { dir: string; archiveDir: string }): Promise<void> {
  await buildCity(store, ctx, SYSTEMS, telemetry());
  const extra = [
    writeFile(ctx.dir, 'catalog.csv', toCsv(CATALOG_COLUMNS, catalog())),
    writeFile(ctx.dir, 'om_report.csv', toCsv(REPORT_COLUMNS, reports())),
  ];
  const r = await ingestPaths(store, extra, { now: NOW, archiveDir: ctx.archiveDir });
  const bad = r.files.filter((f) => f.status !== 'loaded');
  if (bad.length) throw new Error(`fixture files did not load: ${bad.map((f) => `${f.name} ${f.status}`).join(', ')}`);
  const profile = loadProfile('default');
  for (const m of WINDOW) await runMonth(store, { month: m, profile, now: NOW, trigger: 'test' });
  await evaluateYear(store, { year: 2025, profile, now: NOW, trigger: 'test' });
}

/** Every file of a folder, recursively, as [relative path, bytes]. */
export function filesOf(dir: string): [string, Buffer][] {
  const out: [string, Buffer][] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.push([path.relative(dir, p), fs.readFileSync(p)]);
    }
  };
  walk(dir);
  return out.sort((a, b) => a[0].localeCompare(b[0]));
}

/** The overview's numbers as the exports give them (what the site must show). */
export async function kpisFromExports(store: Store, month: string): Promise<Record<string, number | null>> {
  const { exportRows } = await import('../dashboards/exports/write.ts');
  const rows = async (kind: string) => (await exportRows(store, kind, { month })).rows;
  const metrics = await rows('metrics');
  const conditions = ['no_data', 'inactive', 'low_util', 'unusable', 'security'];
  const rect = await rows('rectification');
  const elim = await rows('elimination');
  const rs = await rows('rightsizing');
  const sharing = await rows('sharing');
  const listed = elim.filter((r) => r.exempt === false);
  // 可收回: the listed systems not shut down yet (docs/decisions.md §5.7), and right-sizing
  const reclaimable = listed.filter((r) => r.decision_status !== 'shut_down');
  const reclaimed = await rows('reclaimed');
  const sum = (xs: Record<string, unknown>[], k: string) => xs.reduce((a, r) => a + Number(r[k] ?? 0), 0);
  const shareable = sum(sharing, 'shareable');
  return {
    monitored: metrics.length,
    flagged: metrics.filter((r) => conditions.some((c) => r[c] === true)).length,
    rectification: rect.filter((r) => r.status === 'issued' || r.status === 'open').length,
    elimination: listed.length,
    exempted: elim.length - listed.length,
    reclaim_vcpu: sum(reclaimable, 'vcpu') + sum(rs, 'reclaim_vcpu'),
    reclaim_cost_annual: sum(reclaimable, 'cloud_cost_annual') + sum(rs, 'reclaim_cost_annual'),
    reclaimed_vcpu: sum(reclaimed, 'vcpu'),
    reclaimed_cost_annual: sum(reclaimed, 'cloud_cost_annual'),
    sharing_completeness_pct: shareable > 0 ? (100 * sum(sharing, 'timely')) / shareable : null,
  };
}

/** Relative links (href, src) of an HTML page that point into the site. */
export function localLinks(html: string): string[] {
  const out: string[] = [];
  for (const m of html.matchAll(/\b(?:href|src)="([^"]*)"/g)) {
    const url = m[1].replaceAll('&amp;', '&');
    if (url.startsWith('#') || url === '') continue;
    out.push(url.split('#')[0]);
  }
  return out;
}
