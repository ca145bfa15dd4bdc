// A page per system: its registry facts; this month's conditions with streaks against the
// profile's warn and eliminate months; twelve-month charts of every metric with the thresholds
// drawn (Plot SVGs that print, and one interactive Vega-Lite chart with a metric picker); the
// month-by-month conditions; its notices and their history; the elimination entry or the
// exemption; right-sizing; data sharing; compliance calendar; annual score and budget
// recommendation; its decision history (docs/decisions.md §5.7); and every article cited. Prints on A4.

import { html, type Html } from '../html.ts';
import { monthEnd } from '../../../core/clock.ts';
import { holding, type SiteContext } from '../context.ts';
import type { MetricRow, SystemInfo } from '../data.ts';
import { citations, conditionBadge, facts, figure, section, table, vegaChart, type Column } from '../components.ts';
import { date, num, pct, score, yuan } from '../format.ts';
import {
  CONDITION_CODES,
  SCORE_DIMENSIONS,
  budgetReasonZh,
  conditionZh,
  label,
  monthZh,
  obligationLabel,
  stageZh,
} from '../../../metrics/labels.ts';
import { departmentPage, systemPage, PAGES } from '../paths.ts';
import { metricChart, sharingChart, type MonthValue } from '../plot.ts';
import { systemMetricsSpec, type SystemMetricPoint } from '../vega.ts';
import { CONDITIONS_OF_METRIC } from '../thresholds.ts';
import { MONTHLY_METRICS, SEASONAL_CONDITIONS, formatMonths } from '../../../metrics/definitions.ts';
import { citationLabels } from '../../../metrics/profiles/rules.ts';
import { addMonths } from '../../../core/clock.ts';
import { evaluationName } from './annual.ts';
import type { ConditionName } from '../../../metrics/profiles/schema.ts';
import type { PageSpec } from '../layout.ts';

function statusLine(ctx: SiteContext, s: SystemInfo): Html {
  const e = ctx.elimination.get(s.system_id);
  const n = ctx.noticeNow.get(s.system_id);
  if (e && !e.exempt)
    return html`<p class="state bad" data-state="elimination">本月列入<a href="../${PAGES.elimination.file}">淘汰退出清单</a>（决定状态：${label('decision_status', e.decision_status)}${e.decision_document_no ? `，${e.decision_document_no}` : ''}）。</p>`;
  if (e?.exempt)
    return html`<p class="state warn" data-state="exempted">本月本应列入淘汰退出清单，因豁免（至 ${date(e.exempt_until)}：${e.exempt_reason ?? ''}）暂不列入。</p>`;
  if (n && (n.status === 'issued' || n.status === 'open'))
    return html`<p class="state warn" data-state="rectification">本月在<a href="../${PAGES.rectification.file}">限期整改清单</a>上（${label('notice_status', n.status)}），整改期限 ${date(n.deadline)}。</p>`;
  if (n) return html`<p class="state ok" data-state="${n.status}">整改通知本月${label('notice_status', n.status)}。</p>`;
  if (!ctx.now.has(s.system_id))
    return html`<p class="state muted" data-state="unmonitored">本月未纳入月度监测（阶段：${stageZh(s.stage)}）。</p>`;
  return html`<p class="state ok" data-state="ok">本月未发现问题。</p>`;
}

/** A seasonal condition in a month outside the system's declared season (docs/metrics.md §4.2): not judged, streak paused. */
const paused = (r: MetricRow | undefined, c: string) => !!r?.off_season && SEASONAL_CONDITIONS.includes(c as ConditionName);

function conditionTable(ctx: SiteContext, now: MetricRow | undefined): Html {
  const mon = ctx.profile.monitoring;
  const rows = CONDITION_CODES.map((c) => ({
    c,
    holds: !!now?.[c],
    paused: paused(now, c),
    streak: (now?.[`streak_${c}`] as number | undefined) ?? 0,
  }));
  const cols: Column<(typeof rows)[number]>[] = [
    { head: '问题', cell: (r) => conditionZh(r.c) },
    {
      head: '本月',
      cell: (r) =>
        r.holds
          ? html`<span class="flag-text">成立</span>`
          : r.paused
            ? html`<span class="muted" title="连续月数保持不变">非使用季</span>`
            : '—',
    },
    { head: '连续月数', cell: (r) => num(r.streak), num: true },
    { head: '预警月数', cell: (r) => num(mon[r.c].warn_months), num: true },
    { head: '淘汰月数', cell: (r) => (mon[r.c].eliminate_months === null ? '不淘汰' : num(mon[r.c].eliminate_months)), num: true },
    {
      head: '判定阈值',
      cell: (r) =>
        ctx.thresholds
          .filter((t) => t.condition === r.c)
          .map((t) => t.rule)
          .join('，且 '),
    },
    { head: '依据', cell: (r) => citations(citationLabels(mon[r.c])) },
  ];
  return table('cond-table', cols, rows, { rowClass: (r) => (r.holds ? 'holds' : '') });
}

function streakGrid(ctx: SiteContext, rows: readonly MetricRow[]): Html {
  const byMonth = new Map(rows.map((r) => [r.month, r]));
  return html`<div class="table-wrap"><table class="data streaks"><thead><tr><th scope="col">问题</th>${ctx.data.months.map(
    (m) => html`<th scope="col" class="num">${m.slice(2)}</th>`,
  )}</tr></thead><tbody>${CONDITION_CODES.map(
    (c) =>
      html`<tr><th scope="row">${conditionZh(c)}</th>${ctx.data.months.map((m) => {
        const r = byMonth.get(m);
        if (!r) return html`<td class="num muted">·</td>`;
        const s = r[`streak_${c}`] as number;
        if (paused(r, c))
          return html`<td class="num muted off-season" title="${m} 非使用季：不判定${conditionZh(c)}，连续月数保持 ${s}">季</td>`;
        // a blank cell says "not holding" (the note below); only a holding one carries a tooltip
        return r[c]
          ? html`<td class="num on c-${c}" title="${m} ${conditionZh(c)}：连续 ${s} 个月">${s}</td>`
          : html`<td class="num"></td>`;
      })}</tr>`,
  )}</tbody></table></div>
<p class="muted">格中数字为该月问题成立时的连续月数；空白表示不成立，“·”表示该月未纳入监测，“季”表示非使用季（不判定闲置和使用率低，连续月数保持不变）。</p>`;
}

function metricCharts(ctx: SiteContext, s: SystemInfo, rows: readonly MetricRow[]): Html {
  const figs = MONTHLY_METRICS.map((def) => {
    const values: MonthValue[] = rows.map((r) => ({
      month: r.month,
      value: (r[def.name] as number | null) ?? null,
      days_in_month: r.days_in_month,
      flagged: (CONDITIONS_OF_METRIC[def.name] ?? []).some((c) => r[c as ConditionName]),
    }));
    const ts = ctx.thresholds.filter((t) => t.metric === def.name);
    const allocated = def.name === 'storage_used_gb' && s.storage_gb ? `已分配 ${num(s.storage_gb)} GB` : null;
    const extra = allocated ? [{ value: s.storage_gb!, tag: '已分配' }] : [];
    const svg = metricChart(def, ctx.data.months, values, ts, extra);
    const lines = [...ts.map((t) => t.label), ...(allocated ? [`灰色：${allocated}`] : [])];
    return figure(
      svg,
      html`<strong>${def.zh}</strong>（${def.unit}）${lines.length ? html`<span class="muted"> · 虚线：${lines.join('；')}</span>` : ''}`,
      'metric',
    );
  });
  return html`<div class="charts">${figs}</div>
<p class="muted">红色圆点：使用该指标判定的问题在当月成立。口径见<a href="../${PAGES.definitions.file}">指标口径</a>。</p>`;
}

/** The season govmon suggests for a system without one (docs/metrics.md §4.2): shown, never applied. */
function seasonNote(ctx: SiteContext, id: string): Html | string {
  const g = ctx.seasonSuggestion.get(id);
  if (!g) return '';
  return html`<p class="state warn" data-state="season-suggestion">建议登记使用月份 <strong>${formatMonths(g.season_months)}</strong>：近 12 个月 ${pct(g.recent_share_pct)}、之前 12 个月 ${pct(g.earlier_share_pct)} 的访问量集中在这些月份（${num(g.months_of_data)} 个月有监测数据）。本建议不会自动生效，确认后请在系统目录的“使用月份”中登记。</p>`;
}

/** This system's share of the city–county cost sharing (docs/decisions.md §5.8). */
function costShares(ctx: SiteContext, id: string): Html | string {
  const rows = ctx.costSharesOf.get(id) ?? [];
  if (!rows.length) return '';
  const r0 = rows[0];
  if (r0.status !== 'shared')
    return section(
      '云资源费用市县分摊',
      html`<p class="flag-text">${label('cost_share_status', r0.status)}（${r0.year} 年）：见<a href="../${PAGES.costshare.file}">费用分摊</a>和合规日历。</p>`,
    );
  return section(
    `${r0.year} 年云资源费用市县分摊（${label('cost_share_basis', r0.basis)}）`,
    html`<table class="data"><thead><tr><th scope="col">区县</th><th scope="col" class="num">比例</th><th scope="col" class="num">金额（元）</th></tr></thead><tbody>${rows.map(
      (r) => html`<tr><td>${r.county}</td><td class="num">${pct(r.share_pct, 4)}</td><td class="num">${r.amount}</td></tr>`,
    )}</tbody></table><p class="muted">年云资源费用 ${r0.cost} 元；各项四舍五入到分，尾差计入份额最大的一方。</p>`,
  );
}

/**
 * A system on this month's elimination list whose budget advice comes from an evaluation made
 * before it was listed (the month one of its conditions reached the eliminate months): the advice
 * does not know of the listing, so the page says so and what the listing means for the budget.
 */
export function staleBudgetNote(ctx: SiteContext, s: SystemInfo): Html | '' {
  const e = ctx.elimination.get(s.system_id);
  const bu = ctx.budget.get(s.system_id);
  const y = ctx.data.year;
  if (!e || e.exempt || !bu || !y?.asOfMonth || bu.reasons.includes('eliminated')) return '';
  const mon = ctx.profile.monitoring;
  const listed = e.conditions
    .map((c) => (mon[c.condition].eliminate_months === null ? null : addMonths(c.from_month, mon[c.condition].eliminate_months! - 1)))
    .filter((m): m is string => m !== null)
    .sort()[0];
  if (!listed || y.asOfMonth >= listed) return '';
  return html`<p class="notice stale-advice" data-stale-advice="${listed}">注意：以上经费建议来自${evaluationName(y)}（数据截至 ${y.asOfMonth} 月末），早于本系统列入淘汰退出清单（${listed}），未反映列入清单。列入淘汰退出清单的系统不予安排运维经费（${citationLabels(ctx.profile.budget.withhold_elimination).join('；')}），请以重新评价的结果为准。</p>`;
}

/**
 * Whether a system is on one of the month's lists or flagged: a condition holds, a notice this month,
 * the elimination list (exempted too), right-sizing, or the spot-check list (self-score inflated).
 * Neither the budget advice (every system in operation has one) nor data sharing below the mark is:
 * an uncatalogued system fails sharing, which in the 20,000-system benchmark city is every system;
 * the page states the shortfall in its 数据共享 section and sharing.html lists it. The
 * static site draws the twelve static charts only on these systems' pages (docs/outputs.md §7.3);
 * the others' pages keep every table and the interactive chart, which is what keeps a
 * province-sized site small and fast.
 */
export function isListed(ctx: SiteContext, id: string): boolean {
  return (
    holding(ctx.now.get(id)).length > 0 ||
    ctx.noticeNow.has(id) ||
    ctx.elimination.has(id) ||
    ctx.rightsizing.has(id) ||
    !!ctx.scores.get(id)?.inflation
  );
}

export interface SystemPageOptions {
  /** draw the twelve static (Plot) charts and the sharing chart; default true (the portal always does) */
  staticCharts?: boolean;
}

export function systemDetailPage(ctx: SiteContext, s: SystemInfo, opts: SystemPageOptions = {}): PageSpec {
  const staticCharts = opts.staticCharts ?? true;
  const file = systemPage(s.system_id);
  const rows = ctx.metricsOf.get(s.system_id) ?? [];
  const now = ctx.now.get(s.system_id);
  const notices = (ctx.noticesOf.get(s.system_id) ?? []).slice().reverse();
  const e = ctx.elimination.get(s.system_id);
  const rs = ctx.rightsizing.get(s.system_id);
  const sharingRows = ctx.sharingOf.get(s.system_id) ?? [];
  const sh = ctx.sharingNow.get(s.system_id);
  const cal = ctx.calendarOf.get(s.system_id) ?? [];
  const sc = ctx.scores.get(s.system_id);
  const bu = ctx.budget.get(s.system_id);
  const year = ctx.data.year;
  const allCitations = new Set<string>();
  for (const list of [...notices.map((n) => n.citations), e?.citations, rs?.citations, bu?.citations, ...cal.map((k) => k.citations)])
    for (const c of list ?? []) allCitations.add(c);

  const info = facts([
    ['系统编号', s.system_id],
    ['建设单位', html`<a href="../${departmentPage(s.department)}">${s.department}</a>`],
    ['阶段', stageZh(s.stage)],
    ['上线日期', date(s.go_live_date)],
    ['初验日期', date(s.initial_acceptance_date)],
    ['竣工验收日期', date(s.final_acceptance_date)],
    ['等保级别', s.security_level === null ? '—' : `${s.security_level} 级`],
    ['已分配资源', `vCPU ${num(s.vcpu)} 个，内存 ${num(s.memory_gb, 1)} GB，存储 ${num(s.storage_gb, 1)} GB`],
    ['年云资源费用', yuan(s.cloud_cost_annual)],
    ['年运维经费', yuan(s.om_budget_annual)],
    ['重点项目', s.key_project ? '是' : '否'],
    ['使用月份', s.active_months ? `${s.active_months}（季节性系统，非使用季不判定闲置和使用率低）` : '全年'],
    ...(s.citywide ? ([['全市性系统', s.serves_public ? '是（直接面向基层民生）' : '是']] as [string, string][]) : []),
    ...(s.county ? ([['所属区县', s.county]] as [string, string][]) : []),
    ...(s.exempt_until ? ([['豁免', `至 ${date(s.exempt_until)}：${s.exempt_reason ?? ''}`]] as [string, string][]) : []),
  ]);

  const noticeCols: Column<(typeof notices)[number]>[] = [
    { head: '月份', cell: (n) => n.month, sort: (n) => n.month },
    {
      head: '状态',
      cell: (n) =>
        html`<span class="status s-${n.status}">${label('notice_status', n.status)}</span>${n.decision_note ? html`<br><span class="decision-note">${label('notice_decision', n.decision_note)}</span>` : ''}`,
    },
    { head: '问题（连续月数）', cell: (n) => html`${n.conditions.map((c) => html`${conditionBadge(c.condition, c.streak)} `)}` },
    { head: '下发月份', cell: (n) => n.issued_month },
    { head: '整改期限', cell: (n) => date(n.deadline) },
    { head: '依据', cell: (n) => citations(n.citations) },
  ];

  const monitoring = rows.length
    ? html`${section('本月问题与连续月数', conditionTable(ctx, now))}
${section(
  '近 12 个月运行指标',
  html`${vegaChart('chart-system', systemMetricsSpec(ctx.data.months, rows as unknown as SystemMetricPoint[], ctx.thresholds))}
${
  staticCharts
    ? metricCharts(ctx, s, rows)
    : html`<p class="muted" data-static-charts="none">本系统本月未列入任何清单，页面不附逐项静态图表（打印版）；上图可选择任一指标，查看近 12 个月的数值与阈值。口径见<a href="../${PAGES.definitions.file}">指标口径</a>。</p>`
}`,
  'metrics',
)}
${section('各月问题（连续月数）', streakGrid(ctx, rows))}`
    : section('运行监测', html`<p class="empty">近 12 个月无月度监测记录（仅运行阶段的系统纳入月度监测）。</p>`);

  const elimination = e
    ? section(
        e.exempt ? '淘汰退出（豁免）' : '淘汰退出',
        html`${facts([
          ['原因', html`${e.conditions.map((c) => html`${conditionBadge(c.condition, c.streak, `，${c.from_month} 起`)} `)}`],
          [
            '回收资源',
            `vCPU ${num(e.vcpu)} 个，内存 ${num(e.memory_gb, 1)} GB，存储 ${num(e.storage_gb, 1)} GB；年云资源费用 ${yuan(e.cloud_cost_annual)}`,
          ],
          ...(e.exempt
            ? ([
                [
                  '豁免',
                  `至 ${date(e.exempt_until)}：${e.exempt_reason ?? ''}（${label('exempt_source', e.exempt_source ?? 'registry')}）`,
                ],
              ] as [string, string][])
            : []),
          ['决定状态', `${label('decision_status', e.decision_status)}${e.decision_document_no ? `（${e.decision_document_no}）` : ''}`],
          ['依据', citations(e.citations)],
        ])}<p><a href="../${PAGES.elimination.file}">查看淘汰退出清单及证据</a></p>`,
      )
    : '';

  const rightsizing = rs
    ? section(
        '云资源减配建议',
        facts([
          ['现有 vCPU', num(rs.vcpu)],
          ['近期 CPU 峰值 P95 最大值', pct(rs.max_p95_pct)],
          ['建议 vCPU', num(rs.recommended_vcpu)],
          ['可回收', `vCPU ${num(rs.reclaim_vcpu)} 个，年费用约 ${yuan(rs.reclaim_cost_annual)}`],
          ['依据', citations(rs.citations)],
        ]),
      )
    : '';

  const sharing = sh
    ? section(
        '数据共享',
        html`${facts([
          [
            '已编目 / 可共享 / 已归集 / 按时更新',
            `${num(sh.cataloged)} / ${num(sh.shareable)} / ${num(sh.aggregated)} / ${num(sh.timely)}`,
          ],
          ['归集完整率', pct(sh.completeness_pct)],
          ['重复采集', num(sh.duplicates)],
          ['结论', sh.sharing_failure ? html`<span class="flag-text">共享不达标</span>${sh.uncataloged ? '（未编目）' : ''}` : '达标'],
          [
            '编目期限',
            html`${date(sh.catalog_due_date)}${sh.catalog_overdue ? html` <span class="flag-text">${label('calendar_status', 'overdue')}</span>` : ''}`,
          ],
        ])}
${
  staticCharts && sharingRows.some((r) => r.completeness_pct !== null)
    ? figure(
        sharingChart(
          ctx.data.months,
          sharingRows.map((r) => ({ month: r.month, value: r.completeness_pct, flagged: r.sharing_failure })),
          ctx.profile.sharing.min_pct,
        ),
        html`<strong>归集完整率</strong>（%）<span class="muted"> · 虚线：达标线；红点：当月共享不达标</span>`,
        'metric',
      )
    : ''
}`,
      )
    : '';

  const calendar = cal.length
    ? section(
        '合规日历',
        table(
          'cal-table',
          [
            { head: '事项', cell: (k) => obligationLabel(k.obligation) },
            { head: '起始日期', cell: (k) => date(k.window_start) },
            { head: '截止日期', cell: (k) => date(k.due_date) },
            { head: '完成日期', cell: (k) => date(k.done_date) },
            {
              head: '状态',
              cell: (k) =>
                html`<span class="status k-${k.status}">${label('calendar_status', k.status)}</span>${k.note ? `（${label('calendar_note', k.note)}）` : ''}`,
            },
            { head: '依据', cell: (k) => citations(k.citations) },
          ] satisfies Column<(typeof cal)[number]>[],
          cal,
        ),
      )
    : '';

  const annual = year
    ? section(
        `${evaluationName(year)}与 ${year.year + 1} 年度经费建议`,
        sc
          ? html`${facts([
              ['总分', html`<strong data-score>${score(sc.score)}</strong> 分（${sc.grade}）`],
              [
                '自评分',
                sc.self_score === null
                  ? '—'
                  : html`${score(sc.self_score)} 分${sc.inflation ? html` <span class="flag-text">自评偏高，列入抽查复核</span>` : ''}`,
              ],
              ['运维报表', sc.report_missing ? html`<span class="flag-text">未报送</span>（相关指标计 0 分）` : '已报送'],
            ])}
<table class="data"><thead><tr>${SCORE_DIMENSIONS.map((d) => html`<th scope="col" class="num">${d.zh}</th>`)}</tr></thead><tbody><tr>${SCORE_DIMENSIONS.map(
              (d) => html`<td class="num">${score(sc[d.key])}</td>`,
            )}</tr></tbody></table>
${
  bu
    ? facts([
        ['经费建议', html`<strong>${label('recommendation', bu.recommendation)}</strong>`],
        ['建议运维经费', `${yuan(bu.recommended_om_budget)}（本年度 ${yuan(bu.om_budget_annual)}）`],
        ['原因', bu.reasons.length ? bu.reasons.map(budgetReasonZh).join('；') : '—'],
        ['依据', citations(bu.citations)],
        ...(year.provisional ? ([['评价类型', `预评价（以 ${year.reportYear} 年度运维报表代替）`]] as const) : []),
      ])
    : ''
}${staleBudgetNote(ctx, s)}`
          : html`<p class="empty">${year.year} 年度未参加评价（仅运行阶段的系统参评）。</p>`,
      )
    : section('年度绩效评价', html`<p class="empty">尚无 ${ctx.data.month.slice(0, 4)} 年或以前年度的评价结果。</p>`);

  const decided = ctx.decisionsOf.get(s.system_id) ?? [];
  const monthEndDay = monthEnd(ctx.data.month);
  const decisionState = (d: (typeof decided)[number]) =>
    d.decision === 'revoke'
      ? `撤销 ${d.revokes}`
      : d.revoked_by
        ? `已撤销（${d.revoked_by}，${d.revoked_date} 起）`
        : d.effective_date > monthEndDay
          ? '本月之后生效'
          : d.decision === 'exempt' && d.until && d.until < monthEndDay
            ? '已到期'
            : '有效';
  const decisions = section(
    '处置决定',
    table(
      'decision-table',
      [
        { head: '决定编号', cell: (d) => d.decision_id, className: 'c-id' },
        { head: '生效日期', cell: (d) => date(d.effective_date), className: 'c-date' },
        { head: '决定', cell: (d) => label('decision', d.decision) },
        { head: '文号', cell: (d) => d.document_no ?? '—' },
        { head: '决定人', cell: (d) => d.decided_by },
        {
          head: '内容',
          cell: (d) =>
            [
              d.until ? `有效期至 ${d.until}` : '',
              d.reclaimed_vcpu !== null || d.reclaimed_memory_gb !== null || d.reclaimed_storage_gb !== null
                ? `收回 vCPU ${num(d.reclaimed_vcpu)} 个、内存 ${num(d.reclaimed_memory_gb, 1)} GB、存储 ${num(d.reclaimed_storage_gb, 1)} GB`
                : '',
              d.reason ? `理由：${d.reason}` : '',
            ]
              .filter(Boolean)
              .join('；') || '—',
        },
        { head: '状态', cell: (d) => decisionState(d), className: 'c-status' },
      ] satisfies Column<(typeof decided)[number]>[],
      decided,
      { empty: '无处置决定。' },
    ),
    'decisions',
  );

  const body = html`<article class="document system">
<h1>${s.system_name}</h1>
<p class="doc-meta">${s.system_id} ｜ <a href="../${departmentPage(s.department)}">${s.department}</a> ｜ ${stageZh(s.stage)} ｜ ${monthZh(ctx.data.month)} ｜ 运行编号 ${ctx.meta.runId} ｜ 政策配置 ${ctx.meta.profileName}</p>
${statusLine(ctx, s)}
${seasonNote(ctx, s.system_id)}
${holding(now).length ? html`<p>本月成立的问题：${holding(now).map((c) => html`${conditionBadge(c, now?.[`streak_${c}`] as number)} `)}</p>` : ''}
${section('基本信息', info)}
${monitoring}
${section('整改通知及历史', table('notice-table', noticeCols, notices, { empty: '无整改通知。' }))}
${elimination}
${decisions}
${rightsizing}
${sharing}
${costShares(ctx, s.system_id)}
${calendar}
${annual}
${section('依据汇总', citations([...allCitations].sort()))}
</article>`;
  return { file, title: s.system_name, active: 'systems', body, vega: rows.length > 0, document: true };
}
