// 政策配置: the profile in force, rule by rule — what it rests on (a measure, with each article and
// its quoted passage, or the bureau's own practice), its parameters, its note — and the content
// hash the runs record (docs/profiles.md §6).

import { html, type Html } from '../html.ts';
import type { SiteContext } from '../context.ts';
import { facts, section } from '../components.ts';
import { rulesOf } from '../../../metrics/profiles/schema.ts';
import { citationLabel, measureOf } from '../../../metrics/profiles/measures.ts';
import { PRACTICE_LABEL } from '../../../metrics/labels.ts';
import { formatParamValue, paramOf, paramsOf, ruleName } from '../../../metrics/profiles/labels.ts';
import { compositeNote } from '../../../metrics/profiles/show.ts';
import type { PageSpec } from '../layout.ts';

function ruleTitle(p: string): string {
  return p.startsWith('monitoring.') ? `问题判定：${ruleName(p)}` : ruleName(p);
}

function ruleBlock(p: string, rule: ReturnType<typeof rulesOf>[number]['rule']): Html {
  const params = paramsOf(rule, p);
  return html`<section class="rule" id="${p.replace(/\./g, '-')}">
<h3>${ruleTitle(p)} <span class="muted"><code>${p}</code></span></h3>
<p>${rule.basis === 'measure' ? html`<span class="badge basis-measure">依据办法</span>` : html`<span class="badge basis-practice">${PRACTICE_LABEL}</span>`}</p>
${params.length ? html`<table class="data params"><tbody>${params.map(([k, v]) => html`<tr><th scope="row">${paramOf(k).label} <span class="muted"><code>${k.slice(p.length + 1)}</code></span></th><td>${formatParamValue(paramOf(k), v)}</td></tr>`)}</tbody></table>` : ''}
${rule.note ? html`<p class="note">说明：${rule.note}</p>` : ''}
${rule.citations.length ? html`<ul class="cites">${rule.citations.map((c) => html`<li>${citationLabel(c)}：<q>${c.quote}</q></li>`)}</ul>` : ''}
</section>`;
}

export function profilePage(ctx: SiteContext): PageSpec {
  const p = ctx.profile;
  const measure = p.measure ? measureOf(p.measure.file) : undefined;
  const composite = compositeNote(p);
  const body = html`<h1>政策配置：${p.title}</h1>
${ctx.profileNote ? html`<p class="notice">${ctx.profileNote}</p>` : ''}
${composite ? html`<p class="notice" data-composite>${composite}</p>` : ''}
${facts([
  ['名称', html`<code>${p.name}</code>${p.extends ? html`（继承 <code>${p.extends}</code>）` : ''}`],
  ['所依据的办法', measure ? `《${measure.title}》${measure.docNo ? `（${measure.docNo}）` : ''}` : '不对应单一办法（综合配置，见上）'],
  ['内容哈希（SHA-256）', html`<code>${ctx.meta.profileSha256}</code>`],
  ['说明', p.description ?? '—'],
])}
${section(
  '规则',
  rulesOf(p).map(({ path, rule }) => ruleBlock(path, rule)),
)}`;
  return { file: 'profile.html', title: '政策配置', active: 'profile', body };
}
