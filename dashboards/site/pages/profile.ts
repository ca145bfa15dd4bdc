// 政策配置: the profile in force, rule by rule — what it rests on (a measure, with each article and
// its quoted passage, or the bureau's own practice), its parameters, its note — and the content
// hash the runs record (SPEC §6).

import { html, type Html } from '../html.ts';
import type { SiteContext } from '../context.ts';
import { facts, section } from '../components.ts';
import { rulesOf } from '../../../metrics/profiles/schema.ts';
import { citationLabel, measureOf } from '../../../metrics/profiles/measures.ts';
import { PRACTICE_LABEL } from '../../../metrics/models.ts';
import { conditionZh } from '../labels.ts';
import type { PageSpec } from '../layout.ts';

const RULE_ZH: Record<string, string> = {
  rectification: '限期整改',
  elimination: '淘汰退出（关停）',
  rightsizing: '云资源减配',
  sharing: '数据共享完整性',
  catalog_deadline: '目录编制期限',
  scoring: '年度绩效评价计分',
  inflation: '自评偏高抽查复核',
  budget: '下一年度经费建议',
  'budget.withhold_elimination': '不予安排：列入淘汰退出清单',
  'budget.withhold_no_acceptance': '不予安排：运行中未竣工验收',
  'budget.withhold_security': '不予安排：等保或密评不合规',
  'budget.withhold_sharing': '不予安排：数据共享不达标',
  'budget.withhold_poor_open': '不予安排：评价为差且整改未完成',
  'budget.suspend': '暂缓安排（待整改）',
  'budget.reduce': '核减',
  'budget.department_suspension': '部门暂停新项目申报',
  'calendar.self_evaluation': '绩效自评价期限',
  'calendar.annual_report': '年度运维服务情况报表',
  'calendar.completion_acceptance': '竣工验收期限',
};

const PARAM_ZH: Record<string, string> = {
  warn_months: '预警月数',
  eliminate_months: '淘汰月数',
  min_days_ratio: '最低报送天数比例',
  dau_max: '最高日活跃用户上限',
  requests_max: '月访问量上限',
  cpu_avg_max: 'CPU 月均使用率上限（%）',
  cpu_p95_max: 'CPU 峰值 P95 上限（%）',
  availability_max: '可用率下限（%，低于即成立）',
  p95_max: 'CPU 峰值 P95 上限（%）',
  months: '连续月数',
  target_p95: '目标利用率（%）',
  min_pct: '归集完整率达标线（%）',
  working_days: '工作日数',
  margin: '自评分高出评价分的幅度',
  reduce_factor: '核减系数',
  open_months: '整改未完成月数',
  anchor: '起算点',
  from_months: '起始月数',
  to_months: '截止月数',
  due_days_after_year_end: '年度结束后天数',
  min_days: '最短天数',
  max_days: '最长天数',
};

function ruleTitle(p: string): string {
  if (p.startsWith('monitoring.')) return `问题判定：${conditionZh(p.slice('monitoring.'.length))}`;
  return RULE_ZH[p] ?? p;
}

/** The scalar parameters of a rule, nested objects flattened (`availability.points`); sub-rules left out. */
function paramsOf(rule: Record<string, unknown>, prefix = ''): [string, string][] {
  const out: [string, string][] = [];
  for (const [k, v] of Object.entries(rule)) {
    if (['basis', 'citations', 'note'].includes(k)) continue;
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      if ('basis' in v) continue;
      out.push(...paramsOf(v as Record<string, unknown>, `${prefix}${k}.`));
    } else out.push([`${prefix}${k}`, v === null ? '无' : Array.isArray(v) ? v.join('、') : String(v)]);
  }
  return out;
}

function ruleBlock(p: string, rule: ReturnType<typeof rulesOf>[number]['rule']): Html {
  const params = paramsOf(rule);
  return html`<section class="rule" id="${p.replace(/\./g, '-')}">
<h3>${ruleTitle(p)} <span class="muted"><code>${p}</code></span></h3>
<p>${rule.basis === 'measure' ? html`<span class="badge basis-measure">依据办法</span>` : html`<span class="badge basis-practice">${PRACTICE_LABEL}</span>`}</p>
${params.length ? html`<table class="data params"><tbody>${params.map(([k, v]) => html`<tr><th scope="row"><code>${k}</code>${PARAM_ZH[k.split('.').pop()!] ? html` <span class="muted">${PARAM_ZH[k.split('.').pop()!]}</span>` : ''}</th><td>${v}</td></tr>`)}</tbody></table>` : ''}
${rule.note ? html`<p class="note">说明：${rule.note}</p>` : ''}
${rule.citations.length ? html`<ul class="cites">${rule.citations.map((c) => html`<li>${citationLabel(c)}：<q>${c.quote}</q></li>`)}</ul>` : ''}
</section>`;
}

export function profilePage(ctx: SiteContext): PageSpec {
  const p = ctx.profile;
  const measure = p.measure ? measureOf(p.measure.file) : undefined;
  const body = html`<h1>政策配置：${p.title}</h1>
${ctx.profileNote ? html`<p class="notice">${ctx.profileNote}</p>` : ''}
${facts([
  ['名称', html`<code>${p.name}</code>${p.extends ? html`（继承 <code>${p.extends}</code>）` : ''}`],
  ['所依据的办法', measure ? `《${measure.title}》${measure.docNo ? `（${measure.docNo}）` : ''}` : '各市办法的共同要求'],
  ['内容哈希（SHA-256）', html`<code>${ctx.meta.profileSha256}</code>`],
  ['说明', p.description ?? '—'],
])}
${section('规则', rulesOf(p).map(({ path, rule }) => ruleBlock(path, rule)))}`;
  return { file: 'profile.html', title: '政策配置', active: 'profile', body };
}
