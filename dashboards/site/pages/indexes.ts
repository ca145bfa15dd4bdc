// The two index pages: every system (系统一览, filterable by department, stage, condition and
// list) and every department (建设单位) with its counts.

import { html } from '../html.ts';
import { holding, type SiteContext } from '../context.ts';
import { filterBar, table, type Column } from '../components.ts';
import { num, score } from '../format.ts';
import { CONDITION_CODES, conditionZh, monthZh } from '../../../metrics/labels.ts';
import { STAGES } from '../../../metrics/contract.ts';
import { PAGES, departmentPage } from '../paths.ts';
import { LIST_OPTIONS, listState, systemColumns, systemFilters } from './department.ts';
import type { PageSpec } from '../layout.ts';

export function systemsIndexPage(ctx: SiteContext): PageSpec {
  const systems = ctx.data.systems;
  const body = html`<h1>系统一览</h1>
<p class="doc-meta">${monthZh(ctx.data.month)} ｜ 在册系统 ${num(systems.length)} 个（不含涉密系统）</p>
${filterBar('systems-table', [
  { key: 'department', label: '建设单位', options: ctx.departments.map((d) => [d, d] as const) },
  { key: 'stage', label: '阶段', options: STAGES.map((s) => [s.code, s.label] as const) },
  { key: 'conditions', label: '问题', options: CONDITION_CODES.map((c) => [c, conditionZh(c)] as const) },
  { key: 'list', label: '清单', options: LIST_OPTIONS },
])}
${table('systems-table', systemColumns(ctx, '', true), systems, { filters: systemFilters(ctx), empty: '无系统' })}`;
  return { file: PAGES.systems.file, title: '系统一览', active: 'systems', body };
}

interface DeptLine {
  department: string;
  systems: number;
  flagged: number;
  rectification: number;
  elimination: number;
  mean: number | null;
  suspend: boolean;
}

export function departmentsIndexPage(ctx: SiteContext): PageSpec {
  const lines: DeptLine[] = ctx.departments.map((d) => {
    const ss = ctx.systemsOf.get(d) ?? [];
    const row = ctx.departmentRows.get(d);
    return {
      department: d,
      systems: ss.length,
      flagged: ss.filter((s) => holding(ctx.now.get(s.system_id)).length > 0).length,
      rectification: ss.filter((s) => listState(ctx, s.system_id).key === 'rectification').length,
      elimination: ss.filter((s) => listState(ctx, s.system_id).key === 'elimination').length,
      mean: row?.mean_score ?? null,
      suspend: row?.suspend_new_projects ?? false,
    };
  });
  const y = ctx.data.year?.year;
  const cols: Column<DeptLine>[] = [
    { head: '建设单位', cell: (r) => html`<a href="${departmentPage(r.department)}">${r.department}</a>`, sort: (r) => r.department },
    { head: '系统数', cell: (r) => num(r.systems), sort: (r) => r.systems, num: true },
    { head: '本月存在问题', cell: (r) => num(r.flagged), sort: (r) => r.flagged, num: true },
    { head: '限期整改', cell: (r) => num(r.rectification), sort: (r) => r.rectification, num: true },
    { head: '淘汰退出', cell: (r) => num(r.elimination), sort: (r) => r.elimination, num: true },
    { head: y ? `${y} 年度平均分` : '年度平均分', cell: (r) => score(r.mean), sort: (r) => r.mean, num: true },
    {
      head: '建议暂停新项目申报',
      cell: (r) => (r.suspend ? html`<span class="flag-text">是</span>` : '否'),
      sort: (r) => (r.suspend ? 1 : 0),
    },
  ];
  const body = html`<h1>建设单位</h1>
<p class="doc-meta">${monthZh(ctx.data.month)} ｜ ${num(lines.length)} 个建设单位</p>
${filterBar('departments-table', [])}
${table('departments-table', cols, lines, { empty: '无' })}`;
  return { file: PAGES.departments.file, title: '建设单位', active: 'departments', body };
}
