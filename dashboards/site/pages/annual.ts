// 绩效与经费: the latest annual evaluation of a year up to the month's year (docs/decisions.md §5.4, §5.5) —
// the distribution of scores against the grade lines, every system's score by dimension, the
// spot-check list, next year's budget recommendation per system and per department — or a plain
// statement that no year has been evaluated yet.

import { html, type Html } from '../html.ts';
import type { SiteContext } from '../context.ts';
import type { BudgetRow, DepartmentRow, ScoreRow, YearData } from '../data.ts';
import { citations, download, figure, filterBar, kpis, printButton, section, table, type Column } from '../components.ts';
import { num, score, yuan } from '../format.ts';
import { SCORE_DIMENSIONS, budgetReasonZh, label } from '../../../metrics/labels.ts';
import { PAGES, departmentPage, systemPage } from '../paths.ts';
import { scoreHistogram } from '../plot.ts';
import type { PageSpec } from '../layout.ts';

const GRADES = ['优', '良', '中', '差'] as const;

/** 预评价 or 正式评价 and the report year it read, as every page that shows an evaluation says it (docs/decisions.md §5.5a). */
export function evaluationNote(y: YearData): Html | string {
  if (y.provisional)
    return html`<p class="notice provisional" data-provisional="${y.reportYear}"><strong>预评价</strong>：${y.year} 年度运维报表应于 ${y.reportDueDate} 前报送，评价时尚未到期，本结果以 <strong>${y.reportYear} 年度运维报表</strong>代替，等保测评、密评按 ${y.reportYear} 年度的时间窗口判断。报表到期后的正式评价将取代本结果（本结果仍可按运行编号 ${y.run.runId} 导出）。</p>`;
  if (y.provisional === false) return html`<p class="muted" data-final="${y.reportYear}">正式评价：依据 ${y.reportYear} 年度运维报表。</p>`;
  return '';
}

/** "2026 年度绩效预评价" or "2025 年度绩效评价". */
export function evaluationName(y: YearData): string {
  return `${y.year} 年度绩效${y.provisional ? '预评价' : '评价'}`;
}
const RECS = ['withhold', 'suspend', 'reduce', 'fund'] as const;

export function annualPage(ctx: SiteContext): PageSpec {
  const y = ctx.data.year;
  const base = { file: PAGES.annual.file, title: '绩效与经费', active: 'annual' as const };
  if (!y)
    return {
      ...base,
      body: html`<h1>年度绩效评价与经费建议</h1>
<p class="empty" data-no-year>尚无 ${ctx.data.month.slice(0, 4)} 年或以前年度的评价结果。年度评价由 <code>govmon evaluate --year YYYY</code> 生成（默认每年 9 月 1 日自动运行）。</p>`,
    };
  const scores = y.scores;
  const budget = y.budget;
  const g = ctx.profile.scoring.grades;
  const scoreCols: Column<ScoreRow>[] = [
    { head: '系统名称', cell: (r) => html`<a href="${systemPage(r.system_id)}">${r.system_name}</a>`, sort: (r) => r.system_name },
    { head: '建设单位', cell: (r) => html`<a href="${departmentPage(r.department)}">${r.department}</a>`, sort: (r) => r.department },
    { head: '总分', cell: (r) => score(r.score), sort: (r) => r.score, num: true },
    { head: '等级', cell: (r) => r.grade, sort: (r) => GRADES.indexOf(r.grade as (typeof GRADES)[number]) },
    ...SCORE_DIMENSIONS.map((d) => ({
      head: d.zh,
      cell: (r: ScoreRow) => score(r[d.key]),
      sort: (r: ScoreRow) => r[d.key] as number,
      num: true,
    })),
    { head: '自评分', cell: (r) => score(r.self_score), sort: (r) => r.self_score, num: true },
    {
      head: '备注',
      cell: (r) => [r.inflation ? '自评偏高（抽查复核）' : '', r.report_missing ? '未报送运维报表' : ''].filter(Boolean).join('；') || '—',
    },
  ];
  const budgetCols: Column<BudgetRow>[] = [
    { head: '系统名称', cell: (r) => html`<a href="${systemPage(r.system_id)}">${r.system_name}</a>`, sort: (r) => r.system_name },
    { head: '建设单位', cell: (r) => r.department, sort: (r) => r.department },
    {
      head: '建议',
      cell: (r) => html`<span class="status b-${r.recommendation}">${label('recommendation', r.recommendation)}</span>`,
      sort: (r) => RECS.indexOf(r.recommendation),
    },
    { head: '本年度运维经费', cell: (r) => yuan(r.om_budget_annual), sort: (r) => r.om_budget_annual, num: true },
    { head: '建议运维经费', cell: (r) => yuan(r.recommended_om_budget), sort: (r) => r.recommended_om_budget, num: true },
    { head: '建议云资源费用', cell: (r) => yuan(r.recommended_cloud_cost), sort: (r) => r.recommended_cloud_cost, num: true },
    { head: '原因', cell: (r) => (r.reasons.length ? r.reasons.map(budgetReasonZh).join('；') : '—') },
    { head: '依据', cell: (r) => citations(r.citations) },
  ];
  const deptCols: Column<DepartmentRow>[] = [
    { head: '建设单位', cell: (r) => html`<a href="${departmentPage(r.department)}">${r.department}</a>`, sort: (r) => r.department },
    { head: '参评系统', cell: (r) => num(r.systems), sort: (r) => r.systems, num: true },
    { head: '平均分', cell: (r) => score(r.mean_score), sort: (r) => r.mean_score, num: true },
    {
      head: '运维经费',
      cell: (r) => `${yuan(r.om_budget_annual)} → ${yuan(r.recommended_om_budget)}`,
      sort: (r) => r.recommended_om_budget,
      num: true,
    },
    {
      head: '建议暂停新项目申报',
      cell: (r) => (r.suspend_new_projects ? html`<span class="flag-text">是</span>` : '否'),
      sort: (r) => (r.suspend_new_projects ? 1 : 0),
    },
    { head: '原因', cell: (r) => (r.reasons.length ? r.reasons.map(budgetReasonZh).join('；') : '—') },
    { head: '依据', cell: (r) => citations(r.citations) },
  ];
  const gradeCount = (x: string) => scores.filter((s) => s.grade === x).length;
  const recCount = (x: string) => budget.filter((b) => b.recommendation === x).length;
  const departments = [...new Set(scores.map((s) => s.department))].sort((a, b) => a.localeCompare(b, 'zh-CN'));
  const body = html`<h1>${evaluationName(y)}与 ${y.year + 1} 年度经费建议${y.provisional ? '（预评价）' : ''}</h1>
<p class="doc-meta">评价年度 ${y.year}（截至 ${y.asOfMonth ?? '—'} 月末的数据）｜ ${y.provisional ? '预评价' : '年度评价'}运行编号 ${y.run.runId} ｜ 政策配置 ${y.run.profile ?? '—'}${y.reportYear !== null ? ` ｜ 所用运维报表：${y.reportYear} 年度` : ''}</p>
${evaluationNote(y)}
${kpis([
  {
    key: 'scored',
    label: '参评系统',
    value: num(scores.length),
    raw: scores.length,
    note: GRADES.map((x) => `${x} ${gradeCount(x)}`).join('，'),
  },
  {
    key: 'inflation',
    label: '自评偏高（抽查复核）',
    value: num(scores.filter((s) => s.inflation).length),
    raw: scores.filter((s) => s.inflation).length,
  },
  {
    key: 'report_missing',
    label: '未报送运维报表',
    value: num(scores.filter((s) => s.report_missing).length),
    raw: scores.filter((s) => s.report_missing).length,
  },
  {
    key: 'budget',
    label: `${y.year + 1} 年度建议运维经费`,
    value: yuan(budget.reduce((a, b) => a + (b.recommended_om_budget ?? 0), 0)),
    raw: budget.reduce((a, b) => a + (b.recommended_om_budget ?? 0), 0),
    note: RECS.map((r) => `${label('recommendation', r)} ${recCount(r)}`).join('，'),
  },
])}
${section(
  '得分分布',
  figure(
    scoreHistogram(
      scores.map((s) => s.score),
      g,
    ),
    `各系统 ${y.year} 年度评价得分（每 5 分一组），虚线为等级分数线`,
  ),
)}
${section(
  '绩效评价',
  html`${filterBar(
    'scores-table',
    [
      { key: 'grade', label: '等级', options: GRADES.map((x) => [x, x] as const) },
      {
        key: 'flag',
        label: '备注',
        options: [
          ['inflation', '自评偏高'],
          ['report_missing', '未报送运维报表'],
        ],
      },
      { key: 'department', label: '建设单位', options: departments.map((d) => [d, d] as const) },
    ],
    html`${printButton()} ${download(ctx.downloads.scores, '下载 XLSX')}`,
  )}
${table('scores-table', scoreCols, scores, {
  filters: (r) => ({
    grade: r.grade,
    department: r.department,
    flag: [r.inflation ? 'inflation' : '', r.report_missing ? 'report_missing' : ''].filter(Boolean).join(' '),
  }),
  empty: '无参评系统',
})}`,
)}
${section(
  `${y.year + 1} 年度经费建议${y.provisional ? `（预评价，依据 ${y.reportYear} 年度运维报表）` : ''}`,
  html`${filterBar(
    'budget-table',
    [{ key: 'rec', label: '建议', options: RECS.map((r) => [r, label('recommendation', r)] as const) }],
    download(ctx.downloads.budget, '下载 XLSX'),
  )}
${table('budget-table', budgetCols, budget, { filters: (r) => ({ rec: r.recommendation, department: r.department }), empty: '无' })}`,
)}
${section('建设单位', table('dept-budget-table', deptCols, y.departments, { empty: '无' }))}
<p class="muted">计分办法见<a href="${PAGES.profile.file}#scoring">政策配置</a>。分数显示保留一位小数，导出文件中为原值。</p>`;
  return { ...base, body };
}
