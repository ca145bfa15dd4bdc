// 数据共享: completeness of every system at the month end (docs/decisions.md §5.3) — cataloged, shareable,
// aggregated, timely, duplicates, the catalog deadline — the city's trend over twelve months, and
// the XLSX of the `sharing` export.

import { html } from '../html.ts';
import type { SiteContext } from '../context.ts';
import type { SharingRow } from '../data.ts';
import { download, filterBar, kpis, printButton, section, table, vegaChart, type Column } from '../components.ts';
import { date, num, pct } from '../format.ts';
import { monthZh, stageZh } from '../../../metrics/labels.ts';
import { PAGES, departmentPage, systemPage } from '../paths.ts';
import { sharingTrendSpec, type SharingTrendPoint } from '../vega.ts';
import { computeKpis } from '../kpis.ts';
import { citationLabels } from '../../../metrics/profiles/rules.ts';
import { citations } from '../components.ts';
import type { PageSpec } from '../layout.ts';

export function sharingPage(ctx: SiteContext): PageSpec {
  const k = computeKpis(ctx);
  const rows = [...ctx.sharingNow.values()].sort(
    (a, b) =>
      Number(b.sharing_failure) - Number(a.sharing_failure) ||
      a.department.localeCompare(b.department, 'zh-CN') ||
      a.system_id.localeCompare(b.system_id),
  );
  const trend: SharingTrendPoint[] = ctx.data.months.map((m) => {
    const ms = ctx.data.sharing.filter((r) => r.month === m);
    const shareable = ms.reduce((a, r) => a + r.shareable, 0);
    return {
      month: m,
      completeness_pct: shareable ? (100 * ms.reduce((a, r) => a + r.timely, 0)) / shareable : null,
      failures: ms.filter((r) => r.sharing_failure).length,
    };
  });
  const cols: Column<SharingRow>[] = [
    { head: '系统名称', cell: (r) => html`<a href="${systemPage(r.system_id)}">${r.system_name}</a>`, sort: (r) => r.system_name },
    { head: '建设单位', cell: (r) => html`<a href="${departmentPage(r.department)}">${r.department}</a>`, sort: (r) => r.department },
    { head: '阶段', cell: (r) => stageZh(r.stage), sort: (r) => r.stage },
    { head: '已编目', cell: (r) => num(r.cataloged), sort: (r) => r.cataloged, num: true },
    { head: '可共享', cell: (r) => num(r.shareable), sort: (r) => r.shareable, num: true },
    { head: '已归集', cell: (r) => num(r.aggregated), sort: (r) => r.aggregated, num: true },
    { head: '按时更新', cell: (r) => num(r.timely), sort: (r) => r.timely, num: true },
    { head: '重复采集', cell: (r) => num(r.duplicates), sort: (r) => r.duplicates, num: true },
    { head: '归集完整率', cell: (r) => pct(r.completeness_pct), sort: (r) => r.completeness_pct, num: true },
    {
      head: '结论',
      cell: (r) =>
        r.sharing_failure
          ? html`<span class="flag-text">不达标</span>${r.uncataloged ? '（未编目）' : r.duplicates > 0 ? '（重复采集）' : ''}`
          : '达标',
      sort: (r) => (r.sharing_failure ? 1 : 0),
    },
    {
      head: '编目期限',
      cell: (r) => html`${date(r.catalog_due_date)}${r.catalog_overdue ? html` <span class="flag-text">逾期</span>` : ''}`,
      sort: (r) => r.catalog_due_date ?? '',
    },
  ];
  const departments = [...new Set(rows.map((r) => r.department))].sort((a, b) => a.localeCompare(b, 'zh-CN'));
  const body = html`<h1>${monthZh(ctx.data.month)}数据共享</h1>
${kpis([
  {
    key: 'sharing_completeness_pct',
    label: '全市归集完整率',
    value: pct(k.sharingCompletenessPct),
    raw: k.sharingCompletenessPct,
    note: '按时更新资源数 ÷ 可共享资源数',
  },
  {
    key: 'sharing_failures',
    label: '共享不达标系统',
    value: num(k.sharingFailures),
    raw: k.sharingFailures,
    tone: k.sharingFailures ? 'warn' : 'ok',
  },
  { key: 'uncataloged', label: '未编目系统', value: num(k.uncataloged), raw: k.uncataloged },
  { key: 'catalog_overdue', label: '编目逾期', value: num(k.catalogOverdue), raw: k.catalogOverdue },
])}
<p>达标线：归集完整率不低于 ${ctx.profile.sharing.min_pct}%，且无重复采集、运行中的系统已编目。依据：</p>
${citations(citationLabels(ctx.profile.sharing))}
${section('近 12 个月', vegaChart('chart-sharing', sharingTrendSpec(trend, ctx.profile.sharing.min_pct)))}
${section(
  '各系统',
  html`${filterBar(
    'sharing-table',
    [
      {
        key: 'result',
        label: '结论',
        options: [
          ['fail', '不达标'],
          ['pass', '达标'],
        ],
      },
      { key: 'department', label: '建设单位', options: departments.map((d) => [d, d] as const) },
    ],
    html`${printButton()} ${download(ctx.downloads.sharing, '下载 XLSX')}`,
  )}
${table('sharing-table', cols, rows, { filters: (r) => ({ result: r.sharing_failure ? 'fail' : 'pass', department: r.department }), empty: '无' })}`,
)}
<p class="muted">口径见<a href="${PAGES.definitions.file}#sharing">指标口径</a>。</p>`;
  return { file: PAGES.sharing.file, title: '数据共享', active: 'sharing', body, vega: true };
}
