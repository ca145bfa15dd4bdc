// 概览: the month at a glance — systems monitored and flagged, the lists, what can be reclaimed,
// data sharing — and the twelve-month trends (Vega-Lite; the condition trend and the scatter are
// computed in the page from the Arrow metrics table).

import { html } from '../html.ts';
import type { SiteContext } from '../context.ts';
import { kpis, section, table, vegaChart, type Column } from '../components.ts';
import { computeKpis } from '../kpis.ts';
import { num, pct, yuan } from '../format.ts';
import { CONDITION_CODES, conditionZh, label, monthZh } from '../../../metrics/labels.ts';
import { PAGES, departmentPage } from '../paths.ts';
import { conditionTrendSpec, listTrendSpec, reclaimTrendSpec, systemsScatterSpec } from '../vega.ts';
import type { PageSpec } from '../layout.ts';

interface DeptLine {
  department: string;
  systems: number;
  monitored: number;
  flagged: number;
  rectification: number;
  elimination: number;
}

export function overviewPage(ctx: SiteContext): PageSpec {
  const k = computeKpis(ctx);
  const m = ctx.data.month;
  const tiles = kpis([
    {
      key: 'monitored',
      label: '监测系统',
      value: num(k.monitored),
      raw: k.monitored,
      note: `在册系统 ${num(k.registered)} 个（不含涉密系统）`,
      href: PAGES.systems.file,
    },
    {
      key: 'flagged',
      label: '存在问题的系统',
      value: num(k.flagged),
      raw: k.flagged,
      tone: k.flagged ? 'warn' : 'ok',
      note:
        CONDITION_CODES.filter((c) => k.byCondition[c])
          .map((c) => `${conditionZh(c)} ${k.byCondition[c]}`)
          .join('，') || '无',
    },
    {
      key: 'rectification',
      label: '限期整改清单',
      value: num(k.rectification),
      raw: k.rectification,
      tone: k.rectification ? 'warn' : 'ok',
      href: PAGES.rectification.file,
      note: `本月新下发 ${k.issued}，${label('notice_status', 'resolved')} ${k.resolved}，${label('notice_status', 'escalated')} ${k.escalated}`,
    },
    {
      key: 'elimination',
      label: '淘汰退出清单',
      value: num(k.elimination),
      raw: k.elimination,
      tone: k.elimination ? 'bad' : 'ok',
      href: PAGES.elimination.file,
      note: `另有豁免 ${k.exempted} 个；待决定 ${k.pendingDecisions} 个`,
    },
    { key: 'exempted', label: '豁免', value: num(k.exempted), raw: k.exempted, href: `${PAGES.elimination.file}#exempted` },
    {
      key: 'reclaim_vcpu',
      label: '可收回 vCPU',
      value: num(k.reclaimVcpu),
      raw: k.reclaimVcpu,
      note: html`年云资源费用 <span data-kpi-cost="reclaim">${yuan(k.reclaimCostAnnual)}</span>；淘汰退出（待关停）与减配建议（${k.rightsizing} 个系统）合计`,
    },
    {
      key: 'reclaimed_vcpu',
      label: '本月已收回 vCPU',
      value: num(k.reclaimedVcpu),
      raw: k.reclaimedVcpu,
      tone: k.reclaimedVcpu ? 'ok' : undefined,
      note: html`年云资源费用 <span data-kpi-cost="reclaimed">${yuan(k.reclaimedCostAnnual)}</span>；按处置决定（${label('decision', 'shutdown_done')}、${label('decision', 'reclaimed')}）统计，${ctx.data.reclaimed.length} 项`,
    },
    { key: 'reclaim_cost_annual', label: '可节约年云资源费用', value: yuan(k.reclaimCostAnnual), raw: k.reclaimCostAnnual },
    { key: 'reclaimed_cost_annual', label: '本月已收回年云资源费用', value: yuan(k.reclaimedCostAnnual), raw: k.reclaimedCostAnnual },
    {
      key: 'sharing_completeness_pct',
      label: '数据归集完整率',
      value: pct(k.sharingCompletenessPct),
      raw: k.sharingCompletenessPct,
      href: PAGES.sharing.file,
      note: `共享不达标 ${k.sharingFailures} 个，未编目 ${k.uncataloged} 个`,
      tone: k.sharingFailures ? 'warn' : 'ok',
    },
  ]);

  const lines: DeptLine[] = ctx.departments.map((d) => {
    const ids = (ctx.systemsOf.get(d) ?? []).map((s) => s.system_id);
    return {
      department: d,
      systems: ids.length,
      monitored: ids.filter((id) => ctx.now.has(id)).length,
      flagged: ids.filter((id) => CONDITION_CODES.some((c) => ctx.now.get(id)?.[c])).length,
      rectification: ids.filter((id) => ['issued', 'open'].includes(ctx.noticeNow.get(id)?.status ?? '')).length,
      elimination: ids.filter((id) => ctx.elimination.has(id) && !ctx.elimination.get(id)!.exempt).length,
    };
  });
  const deptCols: Column<DeptLine>[] = [
    { head: '建设单位', cell: (r) => html`<a href="${departmentPage(r.department)}">${r.department}</a>`, sort: (r) => r.department },
    { head: '系统数', cell: (r) => num(r.systems), sort: (r) => r.systems, num: true },
    { head: '监测中', cell: (r) => num(r.monitored), sort: (r) => r.monitored, num: true },
    { head: '存在问题', cell: (r) => num(r.flagged), sort: (r) => r.flagged, num: true },
    { head: '限期整改', cell: (r) => num(r.rectification), sort: (r) => r.rectification, num: true },
    { head: '淘汰退出', cell: (r) => num(r.elimination), sort: (r) => r.elimination, num: true },
  ];

  const body = html`<h1>${monthZh(m)}运行监测概览</h1>
${ctx.profileNote ? html`<p class="notice">${ctx.profileNote}</p>` : ''}
${tiles}
${section(
  '近 12 个月趋势',
  html`<div class="grid2">
  ${vegaChart('chart-conditions', conditionTrendSpec(ctx.data.months), ['metrics'])}
  ${vegaChart('chart-lists', listTrendSpec(ctx.data.trends))}
  ${vegaChart('chart-reclaim', reclaimTrendSpec(ctx.data.trends))}
  ${vegaChart('chart-scatter', systemsScatterSpec(m), ['metrics'])}
</div>
<p class="muted screen-only">点击图例可筛选；将鼠标移到点上查看数值，点击散点图中的系统可打开其页面。淘汰退出、可收回与已收回资源按各月当期运行结果统计，未运行的月份为空。</p>`,
)}
${section('各建设单位', table('dept-table', deptCols, lines, { empty: '无系统' }))}`;
  return { file: PAGES.overview.file, title: '概览', active: 'overview', body, vega: true, arrow: ['metrics'] };
}
