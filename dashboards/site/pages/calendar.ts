// 合规日历: every dated obligation of the profile per system with its due date and status on the
// month end (docs/decisions.md §5.6): overdue first, then due, then done.

import { html } from '../html.ts';
import type { SiteContext } from '../context.ts';
import type { CalendarRow } from '../data.ts';
import { citations, download, filterBar, kpis, printButton, table, type Column } from '../components.ts';
import { date, num } from '../format.ts';
import { label, monthZh, obligationLabel } from '../../../metrics/labels.ts';
import { PAGES, departmentPage, systemPage } from '../paths.ts';
import type { PageSpec } from '../layout.ts';

const kindOf = (o: string) => o.split(':')[0];
const KIND_ZH: Record<string, string> = {
  catalog: '目录编制及数据归集',
  completion_acceptance: '竣工验收',
  self_evaluation: '绩效自评价',
  annual_report: '年度运维服务情况报表',
};

export function calendarPage(ctx: SiteContext): PageSpec {
  const rows = ctx.data.calendar;
  const n = (s: string) => rows.filter((r) => r.status === s).length;
  const cols: Column<CalendarRow>[] = [
    { head: '系统名称', cell: (r) => html`<a href="${systemPage(r.system_id)}">${r.system_name}</a>`, sort: (r) => r.system_name },
    { head: '建设单位', cell: (r) => html`<a href="${departmentPage(r.department)}">${r.department}</a>`, sort: (r) => r.department },
    { head: '事项', cell: (r) => obligationLabel(r.obligation), sort: (r) => r.obligation },
    { head: '起始日期', cell: (r) => date(r.window_start), sort: (r) => r.window_start ?? '' },
    { head: '截止日期', cell: (r) => date(r.due_date), sort: (r) => r.due_date ?? '' },
    { head: '完成日期', cell: (r) => date(r.done_date), sort: (r) => r.done_date ?? '' },
    {
      head: '状态',
      cell: (r) =>
        html`<span class="status k-${r.status}">${label('calendar_status', r.status)}</span>${r.note ? `（${label('calendar_note', r.note)}）` : ''}`,
      sort: (r) => r.status,
    },
    { head: '依据', cell: (r) => citations(r.citations) },
  ];
  const kinds = [...new Set(rows.map((r) => kindOf(r.obligation)))];
  const departments = [...new Set(rows.map((r) => r.department))].sort((a, b) => a.localeCompare(b, 'zh-CN'));
  const body = html`<h1>${monthZh(ctx.data.month)}合规日历</h1>
${kpis([
  { key: 'overdue', label: '已逾期', value: num(n('overdue')), raw: n('overdue'), tone: n('overdue') ? 'bad' : 'ok' },
  { key: 'due', label: '未到期', value: num(n('due')), raw: n('due') },
  { key: 'done', label: '已完成', value: num(n('done')), raw: n('done') },
])}
<p>状态以 ${ctx.data.month} 月末为准。各事项的期限按政策配置“${ctx.meta.profileName}”的规定计算，见<a href="${PAGES.profile.file}">政策配置</a>。</p>
${filterBar(
  'calendar-table',
  [
    { key: 'status', label: '状态', options: (['overdue', 'due', 'done'] as const).map((s) => [s, label('calendar_status', s)] as const) },
    { key: 'kind', label: '事项', options: kinds.map((k) => [k, KIND_ZH[k] ?? label('obligation', k)] as const) },
    { key: 'department', label: '建设单位', options: departments.map((d) => [d, d] as const) },
  ],
  html`${printButton()} ${download(ctx.downloads.calendar, '下载 XLSX')}`,
)}
${table('calendar-table', cols, rows, { filters: (r) => ({ status: r.status, kind: kindOf(r.obligation), department: r.department }), empty: '本月无合规事项。' })}`;
  return { file: PAGES.calendar.file, title: '合规日历', active: 'calendar', body };
}
