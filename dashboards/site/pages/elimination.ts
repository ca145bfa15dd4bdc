// 淘汰退出（关停）清单: the document the bureau signs. Title, month, profile, run; the list with
// each system's department, conditions (streak, from which month), the articles cited, what to
// reclaim, the decision status (docs/decisions.md §5.7); totals; the exempted systems with their
// reasons and both sources of an exemption (never silently dropped, §5.1); the articles as numbered
// notes; signature lines kept with the end of the tables; then, as an attachment, each system's
// evidence month by month. Prints on A4 (assets/print.css); the filter narrows the screen view only
// — a printout is always the whole list.

import { html, type Html } from '../html.ts';
import { monthEnd } from '../../../core/clock.ts';
import type { SiteContext } from '../context.ts';
import type { EliminationRow, EvidenceMonth } from '../data.ts';
import {
  citationNotes,
  citations,
  conditionBadge,
  download,
  filterBar,
  printButton,
  signatureBlock,
  table,
  type Column,
} from '../components.ts';
import { num, pct, yuan, date } from '../format.ts';
import { CONDITION_CODES, conditionZh, label, monthZh } from '../../../metrics/labels.ts';
import { PAGES, departmentPage, systemPage } from '../paths.ts';
import { formatLocal } from '../../../core/clock.ts';
import { CONDITIONS, metricDef } from '../../../metrics/definitions.ts';
import { citationLabel } from '../../../metrics/profiles/measures.ts';
import type { PageSpec } from '../layout.ts';

/** The metrics an evidence row carries (as the elimination model writes them). */
const EVIDENCE = [...new Set(['days_reported', ...CONDITIONS.flatMap((c) => c.evidence)])];

function reasons(e: EliminationRow): Html {
  return html`${e.conditions.map((c) => html`${conditionBadge(c.condition, c.streak, `，${c.from_month} 起`)} `)}`;
}

function filtersOf(e: EliminationRow): Record<string, string> {
  return { department: e.department, conditions: e.conditions.map((c) => c.condition).join(' ') };
}

function evidenceValue(metric: string, v: unknown): string {
  const def = metricDef(metric);
  return def.unit === '%' ? pct(v, def.digits) : num(v, def.digits);
}

function evidenceTable(e: EliminationRow): Html {
  const flaggedBy = (metric: string, row: EvidenceMonth) => CONDITIONS.some((c) => c.evidence.includes(metric) && row[c.name] === true);
  return html`<table class="data evidence"><thead><tr><th scope="col">月份</th>${EVIDENCE.map((m) => html`<th scope="col" class="num">${metricDef(m).zh}${metricDef(m).unit === '%' ? '（%）' : ''}</th>`)}<th scope="col">当月成立的问题</th></tr></thead>
<tbody>${e.evidence.map(
    (row) =>
      html`<tr><td>${row.month}</td>${EVIDENCE.map((m) => html`<td class="num${flaggedBy(m, row) ? ' flag' : ''}">${evidenceValue(m, row[m])}</td>`)}<td>${
        CONDITION_CODES.filter((c) => row[c] === true)
          .map(conditionZh)
          .join('、') || '—'
      }</td></tr>`,
  )}</tbody></table>`;
}

export function eliminationPage(ctx: SiteContext): PageSpec {
  const m = ctx.data.month;
  const listed = ctx.data.elimination.filter((e) => !e.exempt);
  const exempt = ctx.data.elimination.filter((e) => e.exempt);
  const notes = citationNotes([...listed, ...exempt], (e) => e.citations);
  const total = (f: (e: EliminationRow) => number | null) => listed.reduce((a, e) => a + (f(e) ?? 0), 0);
  const totals = {
    vcpu: total((e) => e.vcpu),
    memory: total((e) => e.memory_gb),
    storage: total((e) => e.storage_gb),
    cost: total((e) => e.cloud_cost_annual),
  };
  const rule = ctx.profile.elimination;
  const departments = [...new Set(listed.map((e) => e.department))].sort((a, b) => a.localeCompare(b, 'zh-CN'));
  const present = CONDITION_CODES.filter((c) => listed.some((e) => e.conditions.some((x) => x.condition === c)));

  const cols: Column<EliminationRow>[] = [
    { head: '序号', cell: (e) => String(listed.indexOf(e) + 1), sort: (e) => listed.indexOf(e) + 1, num: true },
    { head: '系统名称', cell: (e) => html`<a href="${systemPage(e.system_id)}">${e.system_name}</a>`, sort: (e) => e.system_name },
    { head: '系统编号', cell: (e) => e.system_id, sort: (e) => e.system_id, className: 'c-id' },
    { head: '建设单位', cell: (e) => html`<a href="${departmentPage(e.department)}">${e.department}</a>`, sort: (e) => e.department },
    { head: '淘汰原因（连续月数，起始月份）', cell: reasons, sort: (e) => e.conditions.map((c) => c.condition).join(',') },
    { head: '回收 vCPU', cell: (e) => num(e.vcpu), sort: (e) => e.vcpu, num: true, className: 'c-num' },
    { head: '回收内存（GB）', cell: (e) => num(e.memory_gb, 1), sort: (e) => e.memory_gb, num: true, className: 'c-num' },
    { head: '回收存储（GB）', cell: (e) => num(e.storage_gb, 1), sort: (e) => e.storage_gb, num: true, className: 'c-num' },
    { head: '年云资源费用', cell: (e) => yuan(e.cloud_cost_annual), sort: (e) => e.cloud_cost_annual, num: true },
    {
      head: '决定状态',
      cell: (e) =>
        html`<span class="decision d-${e.decision_status}" data-decision="${e.decision_status}">${label('decision_status', e.decision_status)}</span>${
          e.decision_document_no ? html`<br><span class="muted">${e.decision_document_no}</span>` : ''
        }`,
      sort: (e) => e.decision_status,
      className: 'c-status',
    },
    { head: '依据', cell: notes.cell, className: 'c-ref' },
  ];
  const exemptCols: Column<EliminationRow>[] = [
    { head: '系统名称', cell: (e) => html`<a href="${systemPage(e.system_id)}">${e.system_name}</a>`, sort: (e) => e.system_name },
    { head: '系统编号', cell: (e) => e.system_id, sort: (e) => e.system_id, className: 'c-id' },
    { head: '建设单位', cell: (e) => e.department, sort: (e) => e.department },
    { head: '本应列入的原因', cell: reasons },
    { head: '豁免至', cell: (e) => date(e.exempt_until), sort: (e) => e.exempt_until, className: 'c-date' },
    { head: '豁免原因', cell: (e) => e.exempt_reason ?? '—' },
    {
      head: '来源',
      cell: (e) =>
        html`${label('exempt_source', e.exempt_source ?? 'registry')}${
          e.exempt_decision_id
            ? html`<br><span class="muted">处置决定 ${e.exempt_document_no ?? e.exempt_decision_id}（${e.exempt_decided_by ?? ''}，至 ${date(e.exempt_decision_until)}）</span>`
            : ''
        }${
          e.registry_exempt_until
            ? html`<br><span class="muted">系统目录至 ${date(e.registry_exempt_until)}${e.registry_exempt_until < monthEnd(m) ? '（已过期）' : ''}</span>`
            : ''
        }`,
    },
    { head: '依据', cell: notes.cell, className: 'c-ref' },
  ];

  const entries = listed.map(
    (
      e,
      i,
    ) => html`<section class="entry" data-filter-group="elim-table" data-f-department="${e.department}" data-f-conditions="${filtersOf(e).conditions}">
  <h3>${i + 1}. ${e.system_name}<span class="muted">（${e.system_id}）</span></h3>
  <dl class="facts">
    <div><dt>建设单位</dt><dd>${e.department}</dd></div>
    <div><dt>淘汰原因</dt><dd>${reasons(e)}</dd></div>
    <div><dt>回收资源</dt><dd>vCPU ${num(e.vcpu)} 个，内存 ${num(e.memory_gb, 1)} GB，存储 ${num(e.storage_gb, 1)} GB；年云资源费用 ${yuan(e.cloud_cost_annual)}</dd></div>
    <div><dt>依据</dt><dd>${citations(e.citations)}</dd></div>
  </dl>
  <h4>证据：问题持续期间各月指标</h4>
  ${evidenceTable(e)}
</section>`,
  );

  const body = html`<article class="document">
<h1>${monthZh(m)}政务信息系统淘汰退出（关停）清单</h1>
<p class="doc-meta">月份：${m} ｜ 政策配置：${ctx.meta.profileName}（内容哈希 ${ctx.meta.profileSha256.slice(0, 12)}）｜ 运行编号：${ctx.meta.runId} ｜ 运行时间：${formatLocal(ctx.data.run.startedAt, true)}（北京时间）｜ 输入文件：${ctx.data.run.inputFiles} 个（文件名与 SHA-256 记录于该运行）</p>
<p>下列系统的问题连续月数已达到政策配置规定的淘汰月数，且不在豁免期内，列入淘汰退出（关停）清单，按规定收回云资源、关停系统。依据：</p>
${citations(rule.citations.map((c) => `${citationLabel(c)}：“${c.quote}”`))}
${filterBar(
  'elim-table',
  [
    { key: 'department', label: '建设单位', options: departments.map((d) => [d, d] as const) },
    { key: 'conditions', label: '淘汰原因', options: present.map((c) => [c, conditionZh(c)] as const) },
  ],
  html`${printButton('打印清单')} ${download(ctx.downloads.elimination, '下载 XLSX')}`,
)}
<h2>清单（${listed.length} 个系统）</h2>
${table('elim-table', cols, listed, { filters: filtersOf, empty: '本月无系统列入淘汰退出清单。' })}
<h2>合计</h2>
<table class="data totals" id="elim-totals"><tbody>
<tr><th scope="row">列入系统</th><td class="num" data-total="systems">${num(listed.length)} 个</td></tr>
<tr><th scope="row">回收 vCPU</th><td class="num" data-total="vcpu">${num(totals.vcpu)} 个</td></tr>
<tr><th scope="row">回收内存</th><td class="num" data-total="memory_gb">${num(totals.memory, 1)} GB</td></tr>
<tr><th scope="row">回收存储</th><td class="num" data-total="storage_gb">${num(totals.storage, 1)} GB</td></tr>
<tr><th scope="row">年云资源费用</th><td class="num" data-total="cloud_cost_annual">${yuan(totals.cost)}</td></tr>
</tbody></table>
<h2 id="exempted">豁免（本应列入、因豁免暂不列入）（${exempt.length} 个系统）</h2>
${table('exempt-table', exemptCols, exempt, { empty: '本月无豁免系统。' })}
${notes.notes}
${signatureBlock(`以上清单共 ${num(listed.length)} 个系统，豁免 ${num(exempt.length)} 个系统。`, ['经办人', '审核人', '批准人'])}
${listed.length ? html`<h2 class="attachment">附件：逐项说明（问题持续期间各月指标）</h2>${entries}` : ''}
<p class="muted screen-only"><a href="${PAGES.rectification.file}">限期整改清单</a> ｜ <a href="${PAGES.profile.file}">政策配置</a></p>
</article>`;
  return { file: PAGES.elimination.file, title: '淘汰退出清单', active: 'elimination', body, document: true };
}
