// The portal's own pages (docs/outputs.md §7.5) — login, the department's notices, replies,
// exemption requests and uploads, the bureau's inbox and audit log — in the site's layout
// (dashboards/site/layout.ts) and written with its `html` tag, so every value is escaped.

import { formatLocal } from '../../core/clock.ts';
import { groupBy } from '../../core/collections.ts';
import { CONTRACT, DECISIONS, KIND_ZH, columnOf, type Kind } from '../../metrics/contract.ts';
import { MONTHLY_METRICS } from '../../metrics/definitions.ts';
import { LABELS, conditionZh, label, monthZh } from '../../metrics/labels.ts';
import { citations, conditionBadge, facts, section, table, type Column } from '../../dashboards/site/components.ts';
import type { DecisionRow, MetricRow, NoticeRow } from '../../dashboards/site/data.ts';
import { date, num } from '../../dashboards/site/format.ts';
import { html, raw, type Html } from '../../dashboards/site/html.ts';
import { renderPage, type PageSpec } from '../../dashboards/site/layout.ts';
import { departmentPage, systemPage } from '../../dashboards/site/paths.ts';
import { CONDITIONS_OF_METRIC } from '../../dashboards/site/thresholds.ts';
import type { Account } from './accounts.ts';
import type { AuditRow } from './audit.ts';
import type { RejectLine, ReplyRow, RequestRow, UploadRow } from './records.ts';
import { HEADER_SLOT, PORTAL_CSP, type MonthState, type ScopedView } from './site.ts';
import { ROUTES, urlOf } from './routes.ts';
import { pagesOf } from './scope.ts';

export type SessionUser = Pick<Account, 'login' | 'role' | 'department'>;

const STATUS_ZH: Record<string, string> = {
  loaded: '已导入',
  partial: '部分导入',
  rejected: '全部拒收',
  failed: '无法使用',
  duplicate: '重复文件（未改动）',
};

/** The time of a stored timestamp as a person in Beijing reads it. */
export function beijing(t: string | null | undefined): string {
  return t ? `${formatLocal(t, true)}` : '—';
}

/** The header bar of a logged-in page: who, the portal's pages, the logout form. */
export function headerBar(user: SessionUser, csrf: string, month: string | null): Html {
  const site = month ? `/site/${month}/` : null;
  const links: [string, string][] = [];
  if (user.role === 'department') {
    if (site) links.push([`${site}${departmentPage(user.department ?? '')}`, '本单位']);
    links.push(['/portal/notices', '整改通知与回复'], ['/portal/uploads', '填报与上传']);
  }
  if (user.role === 'bureau') links.push(['/bureau/inbox', '回复与申请'], ['/portal/uploads', '上传数据'], ['/bureau/audit', '审计日志']);
  return html`<link rel="stylesheet" href="/assets/portal.css">
<div class="portal-bar screen-only"><span class="who">${user.login}（${label('portal_role', user.role)}${user.department ? `：${user.department}` : ''}）</span>
${links.map(([href, text]) => html`<a href="${href}">${text}</a> `)}
<form method="post" action="/logout"><input type="hidden" name="_csrf" value="${csrf}"><button type="submit">退出</button></form></div>`;
}

/** A page of the portal itself: in the month's layout when there is a month, else a plain shell. */
export function portalPage(state: MonthState | null, v: ScopedView | null, user: SessionUser | null, csrf: string, spec: PageSpec): string {
  if (state && v && user) {
    const meta = { ...v.ctx.meta, portal: { nav: pagesOf(v.scope), csp: PORTAL_CSP, header: raw(HEADER_SLOT) } };
    return renderPage(meta, { ...spec, root: `/site/${state.month}/` }).replace(HEADER_SLOT, headerBar(user, csrf, state.month).value);
  }
  return shell(spec.title, html`${user ? headerBar(user, csrf, null) : ''}${spec.body}`);
}

/** A page outside any month (login, errors): the site's styles, no script at all. */
export function shell(title: string, body: Html): string {
  return html`<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${PORTAL_CSP}">
<meta name="referrer" content="no-referrer">
<title>${title} · 政务信息系统运行监测</title>
<link rel="stylesheet" href="/assets/site.css">
<link rel="stylesheet" href="/assets/portal.css">
</head>
<body class="page">
<header class="site"><div class="brand"><a href="/">政务信息系统运行监测与绩效评价</a></div></header>
<main id="main">
${body}
</main>
</body>
</html>
`.value;
}

export function message(text: string | null | undefined, tone: 'ok' | 'bad' = 'bad'): Html {
  return text ? html`<p class="message ${tone}" role="alert">${text}</p>` : html``;
}

export function loginPage(csrf: string, o: { message?: string; login?: string; next?: string }): string {
  return shell(
    '登录',
    html`<div class="login-box"><h1>登录</h1>
${message(o.message)}
<form class="portal" method="post" action="/login${o.next ? `?next=${encodeURIComponent(o.next)}` : ''}">
<input type="hidden" name="_csrf" value="${csrf}">
<label for="login">账户</label><input type="text" id="login" name="login" autocomplete="username" required value="${o.login ?? ''}">
<label for="password">密码</label><input type="password" id="password" name="password" autocomplete="current-password" required>
<p><button type="submit">登录</button></p>
</form>
<p class="muted">账户由数据局用 <code>govmon user add</code> 开设；忘记密码请联系数据局重置。</p></div>`,
  );
}

export function errorPage(status: number, text: string): string {
  return shell(`${status}`, html`<h1>${status}</h1>${message(text)}<p><a href="/">返回首页</a></p>`);
}

/** The metrics that decide the conditions of a notice, month by month: the figures behind it. */
function figures(v: ScopedView, n: NoticeRow): Html {
  const conds = n.conditions.map((c) => c.condition);
  const metrics = MONTHLY_METRICS.filter((m) => conds.some((c) => (CONDITIONS_OF_METRIC[m.name] ?? []).includes(c)));
  const rows = (v.ctx.metricsOf.get(n.system_id) ?? []).filter((r) => r.month >= n.issued_month || conds.some((c) => r[c]));
  const last = rows.slice(-6);
  if (!metrics.length || !last.length) return html`<p class="empty">无相关监测数据。</p>`;
  const cols: Column<MetricRow>[] = [
    { head: '月份', cell: (r) => r.month },
    ...metrics.map((m) => ({ head: `${m.zh}（${m.unit}）`, cell: (r: MetricRow) => num(r[m.name], m.digits), num: true })),
    {
      head: '成立的问题',
      cell: (r) => html`${conds.filter((c) => r[c]).map((c) => html`${conditionBadge(c, r[`streak_${c}`] as number)} `)}`,
    },
  ];
  return table(`fig-${n.system_id}`, cols, last);
}

/** The month's site as the portal serves it: the portal's own pages link into it from outside. */
function siteBase(v: ScopedView): string {
  return `/site/${v.ctx.data.month}/`;
}

function noticeHref(n: { system_id: string; issued_month: string }): string {
  return urlOf(ROUTES.notice.url, { system: n.system_id, issued: n.issued_month });
}

/** What a decision of the register says besides its kind: until, reclaimed amounts, reason, the decision it revokes. */
function decisionContent(d: DecisionRow): string {
  return (
    [
      d.until ? `有效期至 ${d.until}` : '',
      d.reclaimed_vcpu !== null || d.reclaimed_memory_gb !== null || d.reclaimed_storage_gb !== null
        ? `收回 vCPU ${num(d.reclaimed_vcpu)} 个、内存 ${num(d.reclaimed_memory_gb, 1)} GB、存储 ${num(d.reclaimed_storage_gb, 1)} GB`
        : '',
      d.revokes ? `撤销决定 ${d.revokes}` : '',
      d.reason ? `理由：${d.reason}` : '',
    ]
      .filter(Boolean)
      .join('；') || '—'
  );
}

/** Whether a decision still counts today (docs/decisions.md §5.7): revoked, expired or in force. */
function decisionState(d: DecisionRow, today: string): string {
  if (d.decision === 'revoke') return '—';
  if (d.revoked_by) return `已撤销（${d.revoked_by}，${d.revoked_date} 起）`;
  if (d.decision === 'exempt' && d.until && d.until < today) return '已到期';
  return '有效';
}

/** The bureau's decisions of the register (docs/inputs.md §2.6), the latest first. */
export function decisionsTable(
  id: string,
  rows: readonly DecisionRow[],
  o: { today: string; empty: string; system?: (systemId: string) => Html | string },
): Html {
  const cols: Column<DecisionRow>[] = [
    ...(o.system ? [{ head: '系统', cell: (d: DecisionRow) => o.system!(d.system_id) }] : []),
    { head: '决定编号', cell: (d) => d.decision_id, className: 'c-id' },
    { head: '决定', cell: (d) => label('decision', d.decision) },
    { head: '生效日期', cell: (d) => date(d.effective_date), className: 'c-date' },
    { head: '文号', cell: (d) => d.document_no ?? '—' },
    { head: '决定人', cell: (d) => d.decided_by },
    { head: '内容', cell: (d) => decisionContent(d) },
    { head: '状态', cell: (d) => decisionState(d, o.today), className: 'c-status' },
  ];
  return table(id, cols, [...rows].reverse(), { empty: o.empty });
}

export function noticesPage(
  v: ScopedView,
  replies: readonly ReplyRow[],
  requests: readonly RequestRow[],
  o: { flash: string | null; today: string },
): PageSpec {
  const month = v.ctx.data.month;
  const current = [...v.ctx.noticeNow.values()].sort((a, b) => (a.deadline ?? '9999').localeCompare(b.deadline ?? '9999'));
  const replied = groupBy(replies, (r) => `${r.system_id}|${r.issued_month}`);
  const cols: Column<NoticeRow>[] = [
    { head: '系统', cell: (n) => html`<a href="${siteBase(v)}${systemPage(n.system_id)}">${n.system_name}</a>（${n.system_id}）` },
    { head: '状态', cell: (n) => label('notice_status', n.status) },
    { head: '问题（连续月数）', cell: (n) => html`${n.conditions.map((c) => html`${conditionBadge(c.condition, c.streak)} `)}` },
    { head: '下发月份', cell: (n) => n.issued_month },
    { head: '整改期限', cell: (n) => date(n.deadline) },
    {
      head: '整改回复',
      cell: (n) => {
        const rs = replied.get(`${n.system_id}|${n.issued_month}`) ?? [];
        return html`${rs.length ? `已回复 ${rs.length} 次（最近 ${beijing(rs[rs.length - 1].submitted_at)}）` : '未回复'}　<a href="${noticeHref(n)}">查看并回复</a>`;
      },
    },
  ];
  const elim = [...v.ctx.elimination.values()];
  const elimCols: Column<(typeof elim)[number]>[] = [
    { head: '系统', cell: (e) => html`<a href="${siteBase(v)}${systemPage(e.system_id)}">${e.system_name}</a>（${e.system_id}）` },
    { head: '原因', cell: (e) => html`${e.conditions.map((c) => html`${conditionBadge(c.condition, c.streak)} `)}` },
    { head: '豁免', cell: (e) => (e.exempt ? `至 ${date(e.exempt_until)}：${e.exempt_reason ?? ''}` : '—') },
    { head: '依据', cell: (e) => citations(e.citations) },
    {
      head: '',
      cell: (e) => html`<a href="${urlOf(ROUTES.exemptionForm.url, { system: e.system_id })}">申请豁免</a>`,
    },
  ];
  const reqCols: Column<RequestRow>[] = [
    { head: '系统', cell: (r) => r.system_id },
    { head: '申请至', cell: (r) => date(r.until) },
    { head: '理由', cell: (r) => r.reason },
    { head: '提交人', cell: (r) => r.login },
    { head: '提交时间（北京时间）', cell: (r) => beijing(r.submitted_at) },
  ];
  const body = html`<h1>整改通知与回复</h1>
<p class="doc-meta">${monthZh(month)} ｜ 运行编号 ${v.ctx.meta.runId}</p>
${message(o.flash, 'ok')}
${section('本月整改通知', table('notices', cols, current, { empty: '本月本单位没有整改通知。' }))}
${section('淘汰退出清单中的本单位系统', table('elimination', elimCols, elim, { empty: '本月本单位没有系统列入淘汰退出清单。' }))}
${section('豁免申请', table('requests', reqCols, requests, { empty: '尚未提交豁免申请。' }))}
${section(
  '数据局的处置决定',
  decisionsTable('decisions', v.ctx.data.decisions, {
    today: o.today,
    empty: '数据局尚未对本单位的系统作出处置决定。',
    system: (id) => html`<a href="${siteBase(v)}${systemPage(id)}">${v.ctx.systems.get(id)?.system_name ?? id}</a>（${id}）`,
  }),
)}
${section(
  '为本单位的系统申请豁免',
  html`<p>${v.ctx.data.systems.map((x) => html`<a href="${urlOf(ROUTES.exemptionForm.url, { system: x.system_id })}">${x.system_name}</a>　`)}</p>`,
)}`;
  return { file: 'portal/notices.html', title: '整改通知与回复', body };
}

export function noticePage(
  v: ScopedView,
  history: readonly NoticeRow[],
  replies: readonly ReplyRow[],
  o: { csrf: string; canReply: boolean; today: string; flash?: string | null; error?: string | null },
): PageSpec {
  const n = history[history.length - 1];
  const replyCols: Column<ReplyRow>[] = [
    { head: '提交时间（北京时间）', cell: (r) => beijing(r.submitted_at) },
    { head: '提交人', cell: (r) => r.login },
    { head: '整改说明', cell: (r) => html`<div class="pre">${r.explanation}</div>` },
    {
      head: '佐证材料',
      cell: (r) =>
        r.evidence.length
          ? html`${r.evidence.map(
              (e) =>
                html`<a href="${urlOf(ROUTES.evidence.url, { reply: String(r.reply_id), seq: String(e.seq) })}">${e.file_name}</a>（SHA-256 ${e.sha256.slice(0, 12)}…）<br>`,
            )}`
          : '—',
    },
  ];
  const form = o.canReply
    ? html`<form class="portal" method="post" action="${urlOf(ROUTES.reply.url, { system: n.system_id, issued: n.issued_month })}" enctype="multipart/form-data">
<input type="hidden" name="_csrf" value="${o.csrf}">
<label for="explanation">整改说明</label><textarea id="explanation" name="explanation" required maxlength="20000"></textarea>
<label for="evidence">佐证材料（可多选）</label><input type="file" id="evidence" name="evidence" multiple>
<p class="hint">佐证材料按 SHA-256 归档保存，数据局可下载核对。</p>
<p><button type="submit">提交整改回复</button></p></form>`
    : html``;
  const body = html`<h1>整改通知：${n.system_name}</h1>
<p class="doc-meta">${n.system_id} ｜ ${n.department} ｜ ${n.issued_month} 下发 ｜ 本月状态：${label('notice_status', n.status)}</p>
${message(o.flash, 'ok')}${message(o.error)}
${facts([
  ['问题（连续月数）', html`${n.conditions.map((c) => html`${conditionBadge(c.condition, c.streak)} `)}`],
  ['整改期限', date(n.deadline)],
  ['依据', citations(n.citations)],
  ['系统页面', html`<a href="${siteBase(v)}${systemPage(n.system_id)}">查看系统运行指标</a>`],
])}
${section('相关指标（近几个月）', figures(v, n))}
${section('各月状态', html`<p>${history.map((h) => html`${h.month}：${label('notice_status', h.status)}　`)}</p>`)}
${section('整改回复', table('replies', replyCols, replies, { empty: '尚未回复。' }))}
${section(
  '数据局的处置决定',
  decisionsTable('decisions', v.ctx.decisionsOf.get(n.system_id) ?? [], { today: o.today, empty: '数据局尚未对该系统作出处置决定。' }),
)}
${o.canReply ? form : html`<p><a href="${urlOf(ROUTES.decisionForm.url, { system: n.system_id })}">对该系统登记处置决定</a></p>`}`;
  return { file: 'portal/notice.html', title: `整改通知：${n.system_name}`, body };
}

export function exemptionPage(
  v: ScopedView,
  systemId: string,
  o: { csrf: string; error?: string | null; reason?: string; until?: string },
): PageSpec {
  const s = v.ctx.systems.get(systemId)!;
  const e = v.ctx.elimination.get(systemId);
  const body = html`<h1>豁免申请：${s.system_name}</h1>
<p class="doc-meta">${s.system_id} ｜ ${s.department}</p>
${message(o.error)}
${e ? html`<p>本月${e.exempt ? '因豁免未列入' : '列入'}淘汰退出清单，原因：${e.conditions.map((c) => conditionZh(c.condition)).join('、')}。</p>` : html`<p>本月未列入淘汰退出清单。</p>`}
<form class="portal" method="post" action="${urlOf(ROUTES.exemption.url, { system: systemId })}">
<input type="hidden" name="_csrf" value="${o.csrf}">
<label for="reason">豁免理由</label><textarea id="reason" name="reason" required maxlength="5000">${o.reason ?? ''}</textarea>
<label for="until">豁免至</label><input type="date" id="until" name="until" required value="${o.until ?? ''}">
<p class="hint">申请由数据局审核决定；决定前系统仍按清单处理。</p>
<p><button type="submit">提交豁免申请</button></p></form>`;
  return { file: 'portal/exemption.html', title: '豁免申请', body };
}

export function uploadsPage(
  user: SessionUser,
  uploads: readonly UploadRow[],
  o: { csrf: string; error?: string | null; year: number },
): PageSpec {
  const cols: Column<UploadRow>[] = [
    { head: '文件', cell: (u) => html`<a href="${urlOf(ROUTES.uploadReport.url, { file: String(u.file_id) })}">${u.file_name}</a>` },
    { head: '类型', cell: (u) => (u.kind ? KIND_ZH[u.kind as Kind] : '—') },
    { head: '结果', cell: (u) => STATUS_ZH[u.status] ?? u.status },
    { head: '导入 / 拒收（行）', cell: (u) => `${num(u.rows_loaded ?? 0)} / ${num(u.rows_rejected ?? 0)}` },
    ...(user.role === 'bureau' ? [{ head: '建设单位', cell: (u: UploadRow) => u.department ?? '数据局' }] : []),
    { head: '上传人', cell: (u) => u.login },
    { head: '上传时间（北京时间）', cell: (u) => beijing(u.uploaded_at) },
  ];
  const kinds = user.role === 'department' ? (['om_report', 'catalog', 'telemetry'] as Kind[]) : (Object.keys(CONTRACT) as Kind[]);
  const body = html`<h1>${user.role === 'department' ? '填报与上传' : '上传数据'}</h1>
${message(o.error)}
${
  user.role === 'department'
    ? section(
        '年度运维服务情况报表',
        html`<p>下载已预填本单位系统的模板，填写后在下方上传。</p>
<form class="portal" method="get" action="/portal/template"><label for="year">运维年度</label>
<input type="number" id="year" name="year" min="2000" max="2100" value="${o.year}"><p><button type="submit">下载预填模板（XLSX）</button></p></form>`,
      )
    : ''
}
${section(
  '上传文件',
  html`<form class="portal" method="post" action="/portal/uploads" enctype="multipart/form-data">
<input type="hidden" name="_csrf" value="${o.csrf}">
<label for="file">文件（CSV、XLSX、Parquet、JSON）</label><input type="file" id="file" name="file" required>
<p class="hint">可上传：${kinds.map((k) => KIND_ZH[k]).join('、')}。${user.role === 'department' ? '只接受本单位系统的数据，其他单位系统的行将被拒收并说明原因；系统目录由数据局维护。' : ''}导入规则与命令行 govmon ingest 相同，拒收的行会列在结果页上。</p>
<p><button type="submit">上传并导入</button></p></form>`,
)}
${section('已上传的文件', table('uploads', cols, uploads, { empty: '尚未上传文件。' }))}`;
  return { file: 'portal/uploads.html', title: '填报与上传', body };
}

export function uploadReportPage(u: UploadRow, rejects: { rows: readonly RejectLine[]; total: number }, flash: string | null): PageSpec {
  const kind = u.kind as Kind | null;
  const colZh = (c: string | null) => {
    const col = kind ? CONTRACT[kind]?.columns.find((x) => x.name === c) : undefined;
    return col ? `${col.zh}（${col.name}）` : (c ?? '—');
  };
  const cols: Column<RejectLine>[] = [
    { head: '行', cell: (r) => (r.row_no === null ? '整个文件' : `第 ${r.row_no} 行`), num: true },
    { head: '列', cell: (r) => colZh(r.column_name) },
    { head: '值', cell: (r) => r.value ?? '—' },
    { head: '原因', cell: (r) => r.reason },
  ];
  const body = html`<h1>上传结果：${u.file_name}</h1>
${message(flash, u.rows_rejected || u.status === 'failed' ? 'bad' : 'ok')}
${facts([
  ['类型', kind ? KIND_ZH[kind] : '—'],
  ['结果', STATUS_ZH[u.status] ?? u.status],
  ['读取 / 导入 / 拒收（行）', `${num(u.rows_read ?? 0)} / ${num(u.rows_loaded ?? 0)} / ${num(u.rows_rejected ?? 0)}`],
  ['说明', u.message ?? '—'],
  ['上传人', `${u.login}${u.department ? `（${u.department}）` : ''}`],
  ['上传时间（北京时间）', beijing(u.uploaded_at)],
  ['文件编号', String(u.file_id)],
])}
${section(
  `拒收明细（${num(rejects.total)} 处）`,
  html`${table('rejects', cols, rejects.rows, { empty: '没有拒收的行。' })}${rejects.total > rejects.rows.length ? html`<p class="muted">仅列出前 ${rejects.rows.length} 处。</p>` : ''}`,
)}
<p class="muted">导入的行将在下一次月度运行或年度评价中使用。<a href="/portal/uploads">返回上传页面</a></p>`;
  return { file: 'portal/upload.html', title: '上传结果', body };
}

export interface InboxItem {
  kind: 'reply' | 'request';
  id: number;
  system_id: string;
  system_name: string;
  department: string;
  deadline: string | null;
  submitted_at: string;
  login: string;
  text: string;
  until?: string;
  evidence?: ReplyRow['evidence'];
  issued_month?: string;
}

export function inboxPage(v: ScopedView | null, items: readonly InboxItem[]): PageSpec {
  const cols: Column<InboxItem>[] = [
    { head: '期限', cell: (i) => date(i.deadline), sort: (i) => i.deadline ?? '9999' },
    { head: '类别', cell: (i) => (i.kind === 'reply' ? '整改回复' : '豁免申请'), sort: (i) => i.kind },
    {
      head: '系统',
      cell: (i) => (v ? html`<a href="${siteBase(v)}${systemPage(i.system_id)}">${i.system_name}</a>（${i.system_id}）` : i.system_id),
      sort: (i) => i.system_id,
    },
    { head: '建设单位', cell: (i) => i.department, sort: (i) => i.department },
    {
      head: '内容',
      cell: (i) =>
        i.kind === 'reply'
          ? html`<div class="pre">${i.text}</div>${(i.evidence ?? []).map(
              (e) => html`<a href="${urlOf(ROUTES.evidence.url, { reply: String(i.id), seq: String(e.seq) })}">${e.file_name}</a> `,
            )}<br><a href="${urlOf(ROUTES.notice.url, { system: i.system_id, issued: i.issued_month ?? '' })}">通知详情</a>`
          : html`申请豁免至 ${date(i.until)}：${i.text}`,
    },
    { head: '提交人', cell: (i) => i.login },
    { head: '提交时间（北京时间）', cell: (i) => beijing(i.submitted_at), sort: (i) => i.submitted_at },
    {
      head: '处置',
      cell: (i) =>
        v?.ctx.systems.has(i.system_id)
          ? html`<a href="${urlOf(ROUTES.decisionForm.url, { system: i.system_id })}?${i.kind}=${String(i.id)}">登记决定</a>`
          : '—',
    },
  ];
  // the systems of the month's elimination list still waiting for a decision (docs/decisions.md §5.7)
  const pending = [...(v?.ctx.elimination.values() ?? [])].filter((e) => !e.exempt && e.decision_status === 'pending');
  const pendingCols: Column<(typeof pending)[number]>[] = [
    { head: '系统', cell: (e) => html`<a href="${siteBase(v!)}${systemPage(e.system_id)}">${e.system_name}</a>（${e.system_id}）` },
    { head: '建设单位', cell: (e) => e.department },
    { head: '原因', cell: (e) => html`${e.conditions.map((c) => html`${conditionBadge(c.condition, c.streak)} `)}` },
    { head: '决定状态', cell: (e) => label('decision_status', e.decision_status) },
    { head: '处置', cell: (e) => html`<a href="${urlOf(ROUTES.decisionForm.url, { system: e.system_id })}">登记决定</a>` },
  ];
  const body = html`<h1>回复与申请</h1>
<p class="doc-meta">建设单位的整改回复和豁免申请，按期限排列（无期限的在后）。处置决定在“登记决定”页面登记，与命令行 govmon decide 写入同一处置决定登记簿。</p>
${table('inbox', cols, items, { empty: '暂无整改回复或豁免申请。' })}
<p class="muted">豁免申请的期限为该系统本月整改通知的期限（如有）。</p>
${v ? section(`${monthZh(v.ctx.data.month)}淘汰退出清单中待决定的系统`, table('pending', pendingCols, pending, { empty: '没有待决定的系统。' })) : ''}`;
  return { file: 'portal/inbox.html', title: '回复与申请', body };
}

export function auditPage(rows: readonly AuditRow[], o: { total: number; page: number; pages: number; action: string | null }): PageSpec {
  const cols: Column<AuditRow>[] = [
    { head: '时间（北京时间）', cell: (r) => beijing(r.at) },
    { head: '账户', cell: (r) => r.login ?? '—' },
    { head: '角色', cell: (r) => (r.role ? label('portal_role', r.role) : '—') },
    { head: '建设单位', cell: (r) => r.department ?? '—' },
    { head: '操作', cell: (r) => label('audit_action', r.action) },
    { head: '结果', cell: (r) => label('audit_outcome', r.outcome) },
    { head: '对象', cell: (r) => r.target ?? '—' },
    { head: '说明', cell: (r) => r.detail ?? '—' },
    { head: '地址', cell: (r) => r.address ?? '—' },
  ];
  const q = (p: number) => `/bureau/audit?page=${p}${o.action ? `&action=${encodeURIComponent(o.action)}` : ''}`;
  const body = html`<h1>审计日志</h1>
<p class="doc-meta">共 ${num(o.total)} 条，第 ${o.page} / ${Math.max(1, o.pages)} 页（最新的在前）</p>
<form class="portal" method="get" action="/bureau/audit"><label for="action">操作</label><select id="action" name="action">
<option value="">全部</option>${Object.keys(LABELS.audit_action).map((a) => html`<option value="${a}"${a === o.action ? raw(' selected') : ''}>${label('audit_action', a)}</option>`)}
</select><p><button type="submit">筛选</button></p></form>
${table('audit', cols, rows, { empty: '暂无记录。' })}
<p>${o.page > 1 ? html`<a href="${q(o.page - 1)}">上一页</a>　` : ''}${o.page < o.pages ? html`<a href="${q(o.page + 1)}">下一页</a>` : ''}</p>`;
  return { file: 'portal/audit.html', title: '审计日志', body };
}

/** The fields of the bureau's decision form: the register's columns a person fills (docs/inputs.md §2.6). */
export const DECISION_FIELDS = [
  'decision',
  'effective_date',
  'document_no',
  'until',
  'reason',
  'revokes',
  'reclaimed_vcpu',
  'reclaimed_memory_gb',
  'reclaimed_storage_gb',
] as const;
export type DecisionField = (typeof DECISION_FIELDS)[number];
export type DecisionForm = Partial<Record<DecisionField, string>>;

/** A reply or an exemption request the bureau is deciding on, shown above the form. */
export type DecisionBasis = { kind: 'reply'; reply: ReplyRow } | { kind: 'request'; request: RequestRow };

/**
 * The bureau's form that records one decision about a system into the register — the same
 * recordDecision as `govmon decide`, the logged-in account as 决定人 — with what the month says of
 * the system and the decisions already recorded.
 */
export function decisionPage(
  v: ScopedView,
  systemId: string,
  o: {
    csrf: string;
    login: string;
    today: string;
    values: DecisionForm;
    basis?: DecisionBasis | null;
    flash?: string | null;
    errors?: readonly string[];
    warnings?: readonly string[];
  },
): PageSpec {
  const s = v.ctx.systems.get(systemId)!;
  const n = v.ctx.noticeNow.get(systemId);
  const e = v.ctx.elimination.get(systemId);
  const decided = v.ctx.decisionsOf.get(systemId) ?? [];
  const val = (f: DecisionField) => o.values[f] ?? '';
  const zh = (f: DecisionField) => columnOf('decisions', f).zh;
  const hint = (f: DecisionField) => html`<p class="hint">${columnOf('decisions', f).note}。</p>`;
  const revocable = decided.filter((d) => d.decision !== 'revoke' && !d.revoked_by);
  const basis = o.basis
    ? o.basis.kind === 'reply'
      ? section(
          '所依据的整改回复',
          facts([
            ['回复编号', String(o.basis.reply.reply_id)],
            [
              '整改通知',
              html`<a href="${noticeHref({ system_id: systemId, issued_month: o.basis.reply.issued_month })}">${o.basis.reply.issued_month} 下发</a>`,
            ],
            ['提交人', `${o.basis.reply.login}（${beijing(o.basis.reply.submitted_at)}）`],
            ['整改说明', html`<div class="pre">${o.basis.reply.explanation}</div>`],
          ]),
        )
      : section(
          '所依据的豁免申请',
          facts([
            ['申请编号', String(o.basis.request.request_id)],
            ['申请豁免至', date(o.basis.request.until)],
            ['提交人', `${o.basis.request.login}（${beijing(o.basis.request.submitted_at)}）`],
            ['理由', html`<div class="pre">${o.basis.request.reason}</div>`],
          ]),
        )
    : '';
  const body = html`<h1>登记处置决定：${s.system_name}</h1>
<p class="doc-meta">${s.system_id} ｜ ${s.department} ｜ ${monthZh(v.ctx.data.month)}运行结果</p>
${message(o.flash, 'ok')}
${(o.warnings ?? []).map((w) => message(`注意：${w}`))}
${o.errors?.length ? html`<div class="message bad" role="alert"><p>决定未登记，原因如下：</p><ul>${o.errors.map((x) => html`<li>${x}</li>`)}</ul></div>` : ''}
${facts([
  ['本月整改通知', n ? html`<a href="${noticeHref(n)}">${label('notice_status', n.status)}</a>，整改期限 ${date(n.deadline)}` : '无'],
  [
    '本月淘汰退出清单',
    e
      ? `${e.exempt ? '已豁免（不列入）' : '列入'}，原因：${e.conditions.map((c) => conditionZh(c.condition)).join('、')}；决定状态：${label('decision_status', e.decision_status)}`
      : '未列入',
  ],
  ['已分配资源', `vCPU ${num(s.vcpu)} 个、内存 ${num(s.memory_gb, 1)} GB、存储 ${num(s.storage_gb, 1)} GB`],
  ['系统页面', html`<a href="${siteBase(v)}${systemPage(systemId)}">查看系统运行指标与处置历史</a>`],
])}
${basis}
<form class="portal" method="post" action="${urlOf(ROUTES.decide.url, { system: systemId })}">
<input type="hidden" name="_csrf" value="${o.csrf}">
<label for="decision">${zh('decision')}</label><select id="decision" name="decision" required>
<option value="">请选择</option>${DECISIONS.map((d) => html`<option value="${d.code}"${d.code === val('decision') ? raw(' selected') : ''}>${label('decision', d.code)}</option>`)}
</select>
<label for="effective_date">${zh('effective_date')}</label><input type="date" id="effective_date" name="effective_date" required max="${o.today}" value="${val('effective_date') || o.today}">${hint('effective_date')}
<label for="document_no">${zh('document_no')}</label><input type="text" id="document_no" name="document_no" maxlength="100" value="${val('document_no')}">${hint('document_no')}
<label for="until">${zh('until')}</label><input type="date" id="until" name="until" value="${val('until')}">${hint('until')}
<label for="reason">${zh('reason')}</label><textarea id="reason" name="reason" maxlength="5000">${val('reason')}</textarea>${hint('reason')}
<label for="revokes">${zh('revokes')}</label><select id="revokes" name="revokes">
<option value="">（不撤销）</option>${revocable.map((d) => html`<option value="${d.decision_id}"${d.decision_id === val('revokes') ? raw(' selected') : ''}>${d.decision_id} ${label('decision', d.decision)}（${d.effective_date}${d.document_no ? `，${d.document_no}` : ''}）</option>`)}
</select>${hint('revokes')}
<label for="reclaimed_vcpu">${zh('reclaimed_vcpu')}</label><input type="number" id="reclaimed_vcpu" name="reclaimed_vcpu" min="0" step="1" value="${val('reclaimed_vcpu')}">
<label for="reclaimed_memory_gb">${zh('reclaimed_memory_gb')}</label><input type="number" id="reclaimed_memory_gb" name="reclaimed_memory_gb" min="0" step="any" value="${val('reclaimed_memory_gb')}">
<label for="reclaimed_storage_gb">${zh('reclaimed_storage_gb')}</label><input type="number" id="reclaimed_storage_gb" name="reclaimed_storage_gb" min="0" step="any" value="${val('reclaimed_storage_gb')}">${hint('reclaimed_vcpu')}
<p class="hint">决定人：${o.login}（当前登录账户）。决定经与命令行 govmon decide 相同的校验，写入处置决定登记簿，只增不改；更正请登记“撤销决定”后重新登记。决定自下一次月度运行起计入清单状态，建设单位在“整改通知与回复”和系统页面可见。</p>
<p><button type="submit">登记处置决定</button></p></form>
${section('已登记的处置决定', decisionsTable('decisions', decided, { today: o.today, empty: '尚无处置决定。' }))}`;
  return { file: 'portal/decision.html', title: `登记处置决定：${s.system_name}`, body };
}
