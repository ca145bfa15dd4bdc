// 费用分摊: the city–county cloud cost sharing of the month's year (docs/decisions.md §5.8, the
// cost-sharing rule of the profile): each county's total (市本级 included), each system's split,
// and the systems whose plan or population is missing (also on the compliance calendar). Amounts
// are exact to the fen as the run stored them; totals are summed in fen, never in floating point.

import { html } from '../html.ts';
import type { SiteContext } from '../context.ts';
import type { CostShareRow } from '../data.ts';
import { citations, download, kpis, printButton, section, table, type Column } from '../components.ts';
import { num, pct } from '../format.ts';
import { label } from '../../../metrics/labels.ts';
import { citationLabels } from '../../../metrics/profiles/rules.ts';
import { PAGES, departmentPage, systemPage } from '../paths.ts';
import type { PageSpec } from '../layout.ts';

/** '1234.56' → 123456n; sums of amounts stay exact. */
const fen = (s: string | null): bigint => (s === null ? 0n : BigInt(s.replace('.', '')));
/** 123456n → '1,234.56 元' */
export function fenYuan(f: bigint): string {
  const neg = f < 0n;
  const a = neg ? -f : f;
  return `${neg ? '-' : ''}${(a / 100n).toLocaleString('zh-CN')}.${String(a % 100n).padStart(2, '0')} 元`;
}

interface CountyLine {
  county: string;
  systems: number;
  total: bigint;
}

export function costSharePage(ctx: SiteContext): PageSpec {
  const rule = ctx.profile.cost_sharing;
  const rows = ctx.data.costShares;
  const shared = rows.filter((r) => r.status === 'shared');
  const missing = rows.filter((r) => r.status !== 'shared');
  const year = rows[0]?.year ?? Number(ctx.data.month.slice(0, 4));
  const byCounty = new Map<string, CountyLine>();
  for (const r of shared) {
    const k = r.county ?? '';
    const line = byCounty.get(k) ?? { county: k, systems: 0, total: 0n };
    line.systems++;
    line.total += fen(r.amount);
    byCounty.set(k, line);
  }
  const counties = [...byCounty.values()].sort((a, b) =>
    a.total === b.total ? (a.county < b.county ? -1 : 1) : a.total > b.total ? -1 : 1,
  );
  const total = counties.reduce((a, c) => a + c.total, 0n);
  const systems = new Set(shared.map((r) => r.system_id)).size;

  const countyCols: Column<CountyLine>[] = [
    { head: '区县', cell: (c) => c.county, sort: (c) => c.county },
    { head: '分摊系统数', cell: (c) => num(c.systems), sort: (c) => c.systems, num: true },
    { head: '分摊金额合计', cell: (c) => fenYuan(c.total), sort: (c) => Number(c.total), num: true },
    { head: '占比', cell: (c) => (total ? pct((100 * Number(c.total)) / Number(total), 2) : '—'), num: true },
  ];
  const splitCols: Column<CostShareRow>[] = [
    { head: '系统', cell: (r) => html`<a href="${systemPage(r.system_id)}">${r.system_name}</a>`, sort: (r) => r.system_name },
    { head: '牵头部门', cell: (r) => html`<a href="${departmentPage(r.department)}">${r.department}</a>`, sort: (r) => r.department },
    { head: '分摊方式', cell: (r) => label('cost_share_basis', r.basis) },
    { head: '年云资源费用', cell: (r) => fenYuan(fen(r.cost)), num: true },
    { head: '区县', cell: (r) => r.county ?? '—', sort: (r) => r.county ?? '' },
    {
      head: '依据',
      cell: (r) =>
        r.basis === 'population' ? `${r.population_year} 年常住人口 ${num(r.population)} 人` : `方案比例 ${num(r.plan_share_pct, 2)}%`,
    },
    { head: '分摊比例', cell: (r) => pct(r.share_pct, 4), sort: (r) => r.share_pct ?? 0, num: true },
    { head: '分摊金额', cell: (r) => fenYuan(fen(r.amount)), sort: (r) => Number(fen(r.amount)), num: true },
    { head: '尾差', cell: (r) => (fen(r.remainder) === 0n ? '' : fenYuan(fen(r.remainder))), num: true },
  ];
  const missingCols: Column<CostShareRow>[] = [
    { head: '系统', cell: (r) => html`<a href="${systemPage(r.system_id)}">${r.system_name}</a>` },
    { head: '牵头部门', cell: (r) => r.department },
    { head: '年云资源费用', cell: (r) => fenYuan(fen(r.cost)), num: true },
    { head: '问题', cell: (r) => html`<span class="flag-text">${label('cost_share_status', r.status)}</span>` },
  ];

  const body = rule
    ? html`<h1>${year} 年云资源费用市县分摊</h1>
${kpis([
  { key: 'systems', label: '分摊系统', value: num(systems), raw: systems },
  { key: 'total', label: '分摊金额合计', value: fenYuan(total), raw: Number(total) / 100 },
  { key: 'missing', label: '缺少方案或人口数据', value: num(missing.length), raw: missing.length, tone: missing.length ? 'warn' : 'ok' },
])}
<p>全市性系统年云资源费用达到（含）${num(rule.threshold_yuan)} 元的，在市本级与各区、县（市）之间分摊：直接面向基层民生的按 ${year - 1} 年常住人口比例分摊给各区、县（市），其他按牵头部门的分摊方案。每项金额四舍五入到分，尾差计入份额最大的一方，合计恰等于费用。</p>
<p class="screen-only">${printButton()} ${download(ctx.downloads.costshare, '下载 XLSX（每个区县一张表）')}</p>
${section('各区县合计', table('county-table', countyCols, counties, { empty: '本年度没有需要分摊的系统。' }))}
${section('各系统分摊明细', table('costshare-table', splitCols, shared, { empty: '本年度没有需要分摊的系统。' }))}
${section(
  '缺少分摊方案或人口数据',
  html`${table('costshare-missing', missingCols, missing, { empty: '无。' })}<p class="muted">这些系统同时列入<a href="${PAGES.calendar.file}">合规日历</a>。</p>`,
)}
${section('依据', citations(citationLabels(rule)))}`
    : html`<h1>云资源费用市县分摊</h1><p class="empty">政策配置“${ctx.meta.profileName}”不实行市县云资源费用分摊。</p>`;
  return { file: PAGES.costshare.file, title: '费用分摊', active: 'costshare', body };
}
