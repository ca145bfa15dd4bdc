// A page per department (建设单位): its systems with this month's state, lists, sharing and the
// annual score and budget; the conditions of its systems month by month (a Plot chart that
// prints); the decisions it is waiting for (docs/decisions.md §5.7); and the department-level
// recommendation of the annual evaluation (§5.5).

import { html } from '../html.ts';
import { holding, type SiteContext } from '../context.ts';
import type { SystemInfo } from '../data.ts';
import { citations, conditionBadge, facts, figure, filterBar, section, table, type Column } from '../components.ts';
import { num, pct, score, yuan } from '../format.ts';
import { CONDITION_CODES, budgetReasonZh, conditionZh, label, monthZh, stageZh } from '../../../metrics/labels.ts';
import { PAGES, departmentPage, systemPage } from '../paths.ts';
import { CONDITION_COLORS, conditionBars, type ConditionCount } from '../plot.ts';
import type { PageSpec } from '../layout.ts';

/** What list a system is on this month, in words, and a sortable rank. */
export function listState(ctx: SiteContext, id: string): { zh: string; rank: number; key: string } {
  const e = ctx.elimination.get(id);
  if (e && !e.exempt) return { zh: '淘汰退出', rank: 1, key: 'elimination' };
  if (e) return { zh: '豁免', rank: 2, key: 'exempted' };
  const n = ctx.noticeNow.get(id);
  if (n && (n.status === 'issued' || n.status === 'open'))
    return { zh: `限期整改（${label('notice_status', n.status)}）`, rank: 3, key: 'rectification' };
  if (n) return { zh: label('notice_status', n.status), rank: 4, key: n.status };
  if (!ctx.now.has(id)) return { zh: '未纳入监测', rank: 6, key: 'unmonitored' };
  return { zh: '正常', rank: 5, key: 'ok' };
}

/** The columns of a list of systems (department pages and the systems index). */
export function systemColumns(ctx: SiteContext, root: string, withDepartment: boolean): Column<SystemInfo>[] {
  return [
    { head: '系统名称', cell: (s) => html`<a href="${root}${systemPage(s.system_id)}">${s.system_name}</a>`, sort: (s) => s.system_name },
    { head: '系统编号', cell: (s) => s.system_id, sort: (s) => s.system_id },
    ...(withDepartment
      ? [
          {
            head: '建设单位',
            cell: (s: SystemInfo) => html`<a href="${root}${departmentPage(s.department)}">${s.department}</a>`,
            sort: (s: SystemInfo) => s.department,
          },
        ]
      : []),
    { head: '阶段', cell: (s) => stageZh(s.stage), sort: (s) => s.stage },
    {
      head: '本月问题',
      cell: (s) => {
        const now = ctx.now.get(s.system_id);
        const hs = holding(now);
        return hs.length ? html`${hs.map((c) => html`${conditionBadge(c, now?.[`streak_${c}`] as number)} `)}` : '—';
      },
      sort: (s) => holding(ctx.now.get(s.system_id)).length,
    },
    { head: '清单', cell: (s) => listState(ctx, s.system_id).zh, sort: (s) => listState(ctx, s.system_id).rank },
    {
      head: '归集完整率',
      cell: (s) => pct(ctx.sharingNow.get(s.system_id)?.completeness_pct),
      sort: (s) => ctx.sharingNow.get(s.system_id)?.completeness_pct,
      num: true,
    },
    {
      head: '年度评分',
      cell: (s) =>
        ctx.scores.has(s.system_id) ? `${score(ctx.scores.get(s.system_id)!.score)}（${ctx.scores.get(s.system_id)!.grade}）` : '—',
      sort: (s) => ctx.scores.get(s.system_id)?.score,
      num: true,
    },
    {
      head: '经费建议',
      cell: (s) => (ctx.budget.has(s.system_id) ? label('recommendation', ctx.budget.get(s.system_id)!.recommendation) : '—'),
      sort: (s) => ctx.budget.get(s.system_id)?.recommendation,
    },
  ];
}

export function systemFilters(ctx: SiteContext) {
  return (s: SystemInfo) => ({
    department: s.department,
    stage: s.stage,
    conditions: holding(ctx.now.get(s.system_id)).join(' '),
    list: listState(ctx, s.system_id).key,
  });
}

export const LIST_OPTIONS = [
  ['elimination', '淘汰退出'],
  ['exempted', '豁免'],
  ['rectification', '限期整改'],
  ['resolved', label('notice_status', 'resolved')],
  ['escalated', label('notice_status', 'escalated')],
  ['ok', '正常'],
  ['unmonitored', '未纳入监测'],
] as const;

export function departmentDetailPage(ctx: SiteContext, department: string): PageSpec {
  const file = departmentPage(department);
  const systems = ctx.systemsOf.get(department) ?? [];
  const ids = new Set(systems.map((s) => s.system_id));
  const tally = new Map<string, number>();
  for (const id of ids)
    for (const r of ctx.metricsOf.get(id) ?? [])
      for (const c of CONDITION_CODES) if (r[c]) tally.set(`${r.month}|${c}`, (tally.get(`${r.month}|${c}`) ?? 0) + 1);
  const counts: ConditionCount[] = [];
  for (const m of ctx.data.months)
    for (const c of CONDITION_CODES) {
      const n = tally.get(`${m}|${c}`) ?? 0;
      if (n) counts.push({ month: m, condition: c, systems: n });
    }
  const d = ctx.departmentRows.get(department);
  const year = ctx.data.year;
  const om = systems.reduce((a, s) => a + (s.om_budget_annual ?? 0), 0);
  const cloud = systems.reduce((a, s) => a + (s.cloud_cost_annual ?? 0), 0);

  // what awaits a decision: its systems on the elimination list without one, and its open notices
  // (a reply to confirm or refuse), nearest deadline first
  const pending = [
    ...systems
      .map((s) => ctx.elimination.get(s.system_id))
      .filter((e) => e && !e.exempt && e.decision_status === 'pending')
      .map((e) => ({ id: e!.system_id, name: e!.system_name, what: '淘汰退出清单：待决定（同意关停、豁免）', due: '' })),
    ...systems
      .map((s) => ctx.noticeNow.get(s.system_id))
      .filter((n) => n && (n.status === 'issued' || n.status === 'open') && n.decision_note !== 'rectified')
      .map((n) => ({
        id: n!.system_id,
        name: n!.system_name,
        what: `限期整改（${label('notice_status', n!.status)}）：待确认整改${n!.decision_note ? `；${label('notice_decision', n!.decision_note)}` : ''}`,
        due: n!.deadline ?? '',
      }))
      .sort((a, b) => a.due.localeCompare(b.due)),
  ];
  const pendingSection = section(
    `待决定事项（${pending.length} 项）`,
    table(
      'dept-pending',
      [
        { head: '系统名称', cell: (p) => html`<a href="../${systemPage(p.id)}">${p.name}</a>` },
        { head: '系统编号', cell: (p) => p.id },
        { head: '事项', cell: (p) => p.what },
        { head: '整改期限', cell: (p) => (p.due ? p.due : '—') },
      ] satisfies Column<(typeof pending)[number]>[],
      pending,
      { empty: '本月没有待决定的事项。' },
    ),
    'pending',
  );

  const body = html`<h1>${department}</h1>
<p class="doc-meta">建设单位 ｜ ${monthZh(ctx.data.month)} ｜ 系统 ${systems.length} 个</p>
${facts([
  ['系统数', `${num(systems.length)} 个（运行 ${systems.filter((s) => s.stage === 'operation').length} 个）`],
  ['本月存在问题', `${num(systems.filter((s) => holding(ctx.now.get(s.system_id)).length > 0).length)} 个`],
  ['限期整改', `${num(systems.filter((s) => listState(ctx, s.system_id).key === 'rectification').length)} 个`],
  ['淘汰退出', `${num(systems.filter((s) => listState(ctx, s.system_id).key === 'elimination').length)} 个`],
  ['年云资源费用合计', yuan(cloud)],
  ['年运维经费合计', yuan(om)],
])}
${pendingSection}
${section(
  '系统',
  html`${filterBar('dept-systems', [
    { key: 'list', label: '清单', options: LIST_OPTIONS.filter(([k]) => systems.some((s) => listState(ctx, s.system_id).key === k)) },
    { key: 'conditions', label: '问题', options: CONDITION_CODES.map((c) => [c, conditionZh(c)] as const) },
  ])}
${table('dept-systems', systemColumns(ctx, '../', false), systems, { filters: systemFilters(ctx), empty: '无系统' })}`,
)}
${section(
  '近 12 个月各类问题',
  counts.length
    ? figure(
        conditionBars(ctx.data.months, counts),
        html`本部门各月存在各类问题的系统数：${CONDITION_CODES.map((c) => html`<span class="swatch" style="background:${CONDITION_COLORS[c]}"></span>${conditionZh(c)} `)}`,
      )
    : html`<p class="empty">近 12 个月本部门系统未出现问题。</p>`,
)}
${
  year
    ? section(
        `${year.year} 年度${year.provisional ? '预评价' : '评价'}：部门建议`,
        d
          ? facts([
              ['参评系统', `${num(d.systems)} 个，平均分 ${score(d.mean_score)}`],
              ['运维经费', `本年度 ${yuan(d.om_budget_annual)} → 建议 ${yuan(d.recommended_om_budget)}`],
              ['暂停新项目申报', d.suspend_new_projects ? html`<span class="flag-text">建议暂停</span>` : '否'],
              ['原因', d.reasons.length ? d.reasons.map(budgetReasonZh).join('；') : '—'],
              ['依据', citations(d.citations)],
            ])
          : html`<p class="empty">本部门没有参评系统。</p>`,
      )
    : ''
}
<p class="muted"><a href="../${PAGES.departments.file}">全部建设单位</a></p>`;
  return { file, title: department, active: 'departments', body };
}
