// 限期整改清单: the systems on the rectification list this month (issued, open) and the notices
// that ended this month (resolved, escalated), as the `rectification` export holds them (docs/decisions.md
// §5.1) — with each condition's streak, the deadline and the articles cited. Sortable,
// filterable, printable, with the XLSX.

import { html } from '../html.ts';
import type { SiteContext } from '../context.ts';
import type { NoticeRow } from '../data.ts';
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
import { date, num } from '../format.ts';
import { CONDITION_CODES, conditionZh, label, monthZh } from '../../../metrics/labels.ts';
import { PAGES, departmentPage, systemPage } from '../paths.ts';
import { citationLabel } from '../../../metrics/profiles/measures.ts';
import type { PageSpec } from '../layout.ts';

const ORDER: Record<string, number> = { issued: 1, open: 2, escalated: 3, resolved: 4 };

export function rectificationPage(ctx: SiteContext): PageSpec {
  const m = ctx.data.month;
  const rows = [...ctx.noticeNow.values()].sort(
    (a, b) =>
      ORDER[a.status] - ORDER[b.status] ||
      String(a.deadline ?? '9999').localeCompare(String(b.deadline ?? '9999')) ||
      a.system_id.localeCompare(b.system_id),
  );
  const count = (s: string) => rows.filter((r) => r.status === s).length;
  const notes = citationNotes(rows, (r) => r.citations);
  const cols: Column<NoticeRow>[] = [
    { head: '系统名称', cell: (r) => html`<a href="${systemPage(r.system_id)}">${r.system_name}</a>`, sort: (r) => r.system_name },
    { head: '系统编号', cell: (r) => r.system_id, sort: (r) => r.system_id, className: 'c-id' },
    { head: '建设单位', cell: (r) => html`<a href="${departmentPage(r.department)}">${r.department}</a>`, sort: (r) => r.department },
    {
      head: '状态',
      cell: (r) =>
        html`<span class="status s-${r.status}">${label('notice_status', r.status)}</span>${
          r.decision_note
            ? html`<span class="decision-note d-${r.decision_note}" title="${[r.decision_document_no, r.decision_date, r.decided_by].filter(Boolean).join('，')}">${label('notice_decision', r.decision_note)}${r.decision_note === 'reply_rejected' && r.decision_reason ? `：${r.decision_reason}` : ''}</span>`
            : ''
        }`,
      sort: (r) => ORDER[r.status],
      className: 'c-status',
    },
    {
      head: '问题（连续月数）',
      cell: (r) => html`${r.conditions.map((c) => html`${conditionBadge(c.condition, c.streak)} `)}`,
      sort: (r) => r.conditions.map((c) => c.condition).join(','),
    },
    { head: '下发月份', cell: (r) => r.issued_month, sort: (r) => r.issued_month, className: 'c-month' },
    { head: '持续月数', cell: (r) => num(r.months_open), sort: (r) => r.months_open, num: true, className: 'c-num' },
    { head: '整改期限', cell: (r) => date(r.deadline), sort: (r) => r.deadline ?? '', className: 'c-date' },
    { head: '依据', cell: notes.cell, className: 'c-ref' },
  ];
  const statuses = ['issued', 'open', 'resolved', 'escalated'].filter((s) => count(s) > 0);
  const departments = [...new Set(rows.map((r) => r.department))].sort((a, b) => a.localeCompare(b, 'zh-CN'));
  const present = CONDITION_CODES.filter((c) => rows.some((r) => r.conditions.some((x) => x.condition === c)));
  const rule = ctx.profile.rectification;

  const body = html`<article class="document">
<h1>${monthZh(m)}限期整改清单</h1>
<p class="doc-meta">月份：${m} ｜ 政策配置：${ctx.meta.profileName} ｜ 运行编号：${ctx.meta.runId}</p>
<p>问题连续月数达到预警月数、尚未达到淘汰月数的系统，由建设单位限期整改；整改期限为问题将达到淘汰月数的当月末（多项问题取最早者）。本月在清单上 <strong data-count-list="rectification">${num(count('issued') + count('open'))}</strong> 个（新下发 ${count('issued')}，${label('notice_status', 'open')} ${count('open')}）；本月${label('notice_status', 'resolved')} ${count('resolved')} 个，${label('notice_status', 'escalated')} ${count('escalated')} 个。依据：</p>
${citations(rule.citations.map((c) => `${citationLabel(c)}：“${c.quote}”`))}
${filterBar(
  'rect-table',
  [
    { key: 'status', label: '状态', options: statuses.map((s) => [s, label('notice_status', s)] as const) },
    { key: 'department', label: '建设单位', options: departments.map((d) => [d, d] as const) },
    { key: 'conditions', label: '问题', options: present.map((c) => [c, conditionZh(c)] as const) },
  ],
  html`${printButton('打印清单')} ${download(ctx.downloads.rectification, '下载 XLSX')}`,
)}
${table('rect-table', cols, rows, {
  filters: (r) => ({ status: r.status, department: r.department, conditions: r.conditions.map((c) => c.condition).join(' ') }),
  empty: '本月无整改通知。',
})}
${notes.notes}
${signatureBlock(`以上共 ${num(rows.length)} 项（在清单上 ${num(count('issued') + count('open'))} 项）。`, ['经办人', '审核人', '批准人'])}
</article>`;
  return { file: PAGES.rectification.file, title: '限期整改清单', active: 'rectification', body, document: true };
}
