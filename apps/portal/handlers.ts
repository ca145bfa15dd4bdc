// The portal's handlers, one per route of the table (routes.ts). By the time one runs, the user is
// logged in with a role the route allows and every path parameter has been resolved in the user's
// scope (server.ts), so a handler only reads `c.p`. Uploads go through the one ingest path
// (pipelines/ingest/ingest.ts) with the uploader's department; evidence files are archived by
// SHA-256; every download, upload, reply and request leaves an audit row.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { UserError } from '../../core/errors.ts';
import { shanghaiDate } from '../../core/clock.ts';
import type { NoticeRow, SystemInfo } from '../../dashboards/site/data.ts';
import { PAGES } from '../../dashboards/site/paths.ts';
import { defaultArchiveDir, ingestFile } from '../../pipelines/ingest/ingest.ts';
import { writeTemplate } from '../../pipelines/ingest/template.ts';
import { CONTRACT, DECISIONS } from '../../metrics/contract.ts';
import { label } from '../../metrics/labels.ts';
import { recordDecision, type DecisionInput, type RecordedDecision } from '../../pipelines/decisions/record.ts';
import { readAudit } from './audit.ts';
import { HttpError, field, homeOf, type Ctx, type Handler } from './context.ts';
import { doLogin } from './login.ts';
import {
  DECISION_FIELDS,
  auditPage,
  decisionPage,
  exemptionPage,
  headerBar,
  inboxPage,
  loginPage,
  noticePage,
  noticesPage,
  portalPage,
  shell,
  uploadReportPage,
  uploadsPage,
  type DecisionBasis,
  type DecisionForm,
  type InboxItem,
} from './pages.ts';
import {
  addExemptionRequest,
  addReply,
  evidenceFile,
  recordUpload,
  rejectsOf,
  repliesFor,
  repliesOf,
  replyById,
  requestById,
  requestsFor,
  uploadsFor,
  type EvidenceFile,
  type ReplyRow,
  type UploadRow,
} from './records.ts';
import type { RouteName } from './routes.ts';
import { HEADER_SLOT } from './site.ts';
import { html } from '../../dashboards/site/html.ts';
import type { PageSpec } from '../../dashboards/site/layout.ts';

function sendHtml(reply: FastifyReply, body: string, status = 200): FastifyReply {
  return reply.code(status).header('Cache-Control', 'no-store').type('text/html; charset=utf-8').send(body);
}

/** A site page with the user's header in its slot. */
function sendSitePage(reply: FastifyReply, c: Ctx, page: string): FastifyReply {
  return sendHtml(reply, page.replace(HEADER_SLOT, headerBar(c.user!, c.csrf(), c.state?.month ?? null).value));
}

function sendPortalPage(reply: FastifyReply, c: Ctx, spec: PageSpec, status = 200): FastifyReply {
  return sendHtml(reply, portalPage(c.state, c.view, c.user, c.csrf(), spec), status);
}

function sendFile(reply: FastifyReply, body: Buffer, name: string, type: string): FastifyReply {
  return reply
    .header('Cache-Control', 'no-store')
    .header('Content-Disposition', `attachment; filename="download${path.extname(name)}"; filename*=UTF-8''${encodeURIComponent(name)}`)
    .type(type)
    .send(body);
}

const DECISION_CODES = DECISIONS.map((d) => d.code);

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

function sendStatic(reply: FastifyReply, c: Ctx, prefix: string): FastifyReply {
  const f = c.portal.staticFiles.get(`${prefix}/${c.p.file as string}`);
  if (!f) throw new HttpError(404, '未找到该文件。');
  return reply.header('Cache-Control', 'private, max-age=3600').type(f.type).send(f.body);
}

function needView(c: Ctx) {
  if (!c.state || !c.view) throw new HttpError(404, '尚无月度运行结果：数据局完成首次月度运行后即可查看。');
  return { state: c.state, view: c.view };
}

/** The notice of a system that began in `issued`, month by month in this run, or a 404. */
function noticeOf(c: Ctx, system: SystemInfo, issued: string): NoticeRow[] {
  const { view } = needView(c);
  const rows = (view.ctx.noticesOf.get(system.system_id) ?? []).filter((n) => n.issued_month === issued);
  if (!rows.length) throw new HttpError(404, '未找到该整改通知。');
  return rows;
}

/** The files of a multipart field, in the order sent. */
function filesOf(body: unknown, name: string): EvidenceFile[] {
  const v = (body as Record<string, unknown> | undefined)?.[name];
  const list = Array.isArray(v) ? v : v === undefined ? [] : [v];
  return list.filter((x): x is EvidenceFile => typeof x === 'object' && x !== null && 'path' in x);
}

async function uploadsPageFor(c: Ctx, error: string | null): Promise<PageSpec> {
  const dept = c.user!.role === 'department' ? c.user!.department : null;
  const uploads: UploadRow[] = await c.portal.db.use((s) => uploadsFor(s, dept));
  const year = c.view?.ctx.data.year?.year ?? Number(shanghaiDate(c.now).slice(0, 4)) - 1;
  return uploadsPage(c.user!, uploads, { csrf: c.csrf(), error, year });
}

const loginForm: Handler = async (req, reply, c) => {
  if (c.user) return reply.redirect('/');
  const next = (req.query as Record<string, string | undefined>)?.next;
  return sendHtml(reply, loginPage(c.csrf(), { next }));
};

const logout: Handler = async (req, reply, c) => {
  await c.audit('logout', 'ok', c.user!.login);
  await req.session.destroy();
  return reply.redirect('/login');
};

const home: Handler = async (_req, reply, c) => {
  const to = homeOf(c);
  if (to) return reply.redirect(to);
  return sendHtml(
    reply,
    shell(
      '首页',
      html`${headerBar(c.user!, c.csrf(), null)}<h1>政务信息系统运行监测</h1><p class="empty">尚无月度运行结果：数据局完成首次月度运行后，这里将显示监测看板。</p>`,
    ),
  );
};

const sitePage: Handler = async (_req, reply, c) => {
  const { state, view } = needView(c);
  const page = c.portal.views.page(state, view, PAGES[c.p.page as keyof typeof PAGES].file);
  if (!page) throw new HttpError(404, '未找到该页面。');
  return sendSitePage(reply, c, page);
};

const detailPage: Handler = async (_req, reply, c) => {
  const { state, view } = needView(c);
  const page = c.portal.views.page(state, view, c.p.page as string);
  if (!page) throw new HttpError(404, '未找到该页面。');
  return sendSitePage(reply, c, page);
};

const download: Handler = async (_req, reply, c) => {
  const { state, view } = needView(c);
  const rel = c.p.file as string;
  const body = await c.portal.views.download(state, view, rel);
  if (!body) throw new HttpError(404, '未找到该文件。');
  await c.audit('download', 'ok', rel, `${state.month} 运行编号 ${view.ctx.meta.runId}`);
  return sendFile(reply, body, path.basename(rel), XLSX);
};

const dataFile: Handler = async (_req, reply, c) => {
  const { state, view } = needView(c);
  return reply.header('Cache-Control', 'no-store').type('text/javascript; charset=utf-8').send(c.portal.views.metricsJs(state, view));
};

const notices: Handler = async (_req, reply, c) => {
  const { view } = needView(c);
  const dept = c.user!.department!;
  const [replies, requests] = await c.portal.db.use(async (s) => [await repliesFor(s, dept), await requestsFor(s, dept)] as const);
  const flash = ((_req.query as Record<string, string | undefined>)?.sent ?? null) === 'request' ? '豁免申请已提交，待数据局决定。' : null;
  return sendPortalPage(reply, c, noticesPage(view, replies, requests, { flash, today: shanghaiDate(c.now) }));
};

async function noticeView(c: Ctx, reply: FastifyReply, o: { flash?: string | null; error?: string | null; status?: number }) {
  const { view } = needView(c);
  const system = c.p.system as SystemInfo;
  const history = noticeOf(c, system, c.p.issued as string);
  const replies: ReplyRow[] = await c.portal.db.use((s) => repliesOf(s, system.system_id, c.p.issued as string));
  const spec = noticePage(view, history, replies, {
    csrf: c.csrf(),
    canReply: c.user!.role === 'department',
    today: shanghaiDate(c.now),
    ...o,
  });
  return sendPortalPage(reply, c, spec, o.status ?? 200);
}

const notice: Handler = async (req, reply, c) =>
  noticeView(c, reply, {
    flash: (req.query as Record<string, string | undefined>)?.sent ? '整改回复已提交，数据局可在“回复与申请”中查看。' : null,
  });

const replyTo: Handler = async (req, reply, c) => {
  const system = c.p.system as SystemInfo;
  const issued = c.p.issued as string;
  const history = noticeOf(c, system, issued);
  const explanation = (field(req.body, 'explanation') ?? '').trim();
  if (!explanation) return noticeView(c, reply, { error: '请填写整改说明。', status: 400 });
  if (explanation.length > 20_000) return noticeView(c, reply, { error: '整改说明不能超过 20,000 字。', status: 400 });
  const files = filesOf(req.body, 'evidence');
  const id = await c.portal.db.use((s) =>
    addReply(
      s,
      {
        systemId: system.system_id,
        issuedMonth: issued,
        deadline: history[history.length - 1].deadline,
        department: system.department,
        login: c.user!.login,
        explanation,
        now: c.now,
      },
      files,
    ),
  );
  await c.audit('reply', 'ok', `${system.system_id} ${issued}`, `回复编号 ${id}，佐证材料 ${files.length} 个`);
  return reply.redirect(`${req.url.replace(/\/reply$/, '')}?sent=1`);
};

const exemptionForm: Handler = async (_req, reply, c) => {
  const { view } = needView(c);
  return sendPortalPage(reply, c, exemptionPage(view, (c.p.system as SystemInfo).system_id, { csrf: c.csrf() }));
};

const exemption: Handler = async (req, reply, c) => {
  const { view } = needView(c);
  const system = c.p.system as SystemInfo;
  const reason = (field(req.body, 'reason') ?? '').trim();
  const until = (field(req.body, 'until') ?? '').trim();
  const today = shanghaiDate(c.now);
  const bad = (error: string) =>
    sendPortalPage(reply, c, exemptionPage(view, system.system_id, { csrf: c.csrf(), error, reason, until }), 400);
  if (!reason) return bad('请填写豁免理由。');
  if (reason.length > 5000) return bad('豁免理由不能超过 5,000 字。');
  if (!/^\d{4}-\d{2}-\d{2}$/.test(until) || new Date(`${until}T00:00:00Z`).toISOString().slice(0, 10) !== until)
    return bad('“豁免至”应为有效日期（YYYY-MM-DD）。');
  if (until <= today) return bad(`“豁免至”应晚于今天（${today}）。`);
  const id = await c.portal.db.use((s) =>
    addExemptionRequest(s, { systemId: system.system_id, department: system.department, login: c.user!.login, reason, until, now: c.now }),
  );
  await c.audit('exemption_request', 'ok', system.system_id, `申请编号 ${id}，至 ${until}`);
  return reply.redirect('/portal/notices?sent=request');
};

const evidence: Handler = async (_req, reply, c) => {
  const r = c.p.reply as ReplyRow;
  const f = await c.portal.db.use((s) => evidenceFile(s, r.reply_id, c.p.seq as number));
  if (!f) throw new HttpError(404, '未找到该文件。');
  let body: Buffer;
  try {
    body = fs.readFileSync(f.archive_path);
  } catch {
    throw new HttpError(404, '归档中找不到该文件。');
  }
  await c.audit('download', 'ok', `佐证材料 ${f.file_name}`, `回复编号 ${r.reply_id}`);
  return sendFile(reply, body, f.file_name, 'application/octet-stream');
};

const uploads: Handler = async (_req, reply, c) => sendPortalPage(reply, c, await uploadsPageFor(c, null));

const upload: Handler = async (req, reply, c) => {
  const [file] = filesOf(req.body, 'file');
  if (!file) return sendPortalPage(reply, c, await uploadsPageFor(c, '请选择要上传的文件。'), 400);
  const department = c.user!.role === 'department' ? c.user!.department! : undefined;
  const o = await c.portal.db.use(async (s) => {
    const out = await ingestFile(s, file.path, { now: c.now, department, archiveDir: defaultArchiveDir(s) });
    if (out.fileId !== undefined)
      await recordUpload(s, { fileId: out.fileId, login: c.user!.login, department: department ?? null, now: c.now });
    return out;
  });
  const what = `读取 ${o.rowsRead} 行，导入 ${o.rowsLoaded} 行，拒收 ${o.rowsRejected} 行`;
  await c.audit(
    'upload',
    o.status === 'failed' ? 'failed' : 'ok',
    file.name,
    o.status === 'duplicate' ? (o.message ?? '重复文件') : `${o.status}：${what}${o.message ? `；${o.message}` : ''}`,
  );
  await c.portal.views.refresh(true);
  if (o.fileId === undefined) {
    // the same bytes again: nothing was stored, the page says which earlier file it was
    return sendPortalPage(reply, c, await uploadsPageFor(c, `${file.name}：${o.message ?? '未导入'}`), 200);
  }
  return reply.redirect(`/portal/uploads/${o.fileId}?sent=1`);
};

const uploadReport: Handler = async (req, reply, c) => {
  const u = c.p.file as UploadRow;
  const rejects = await c.portal.db.use((s) => rejectsOf(s, u.file_id));
  const sent = (req.query as Record<string, string | undefined>)?.sent;
  const flash = sent
    ? u.status === 'failed'
      ? `文件无法使用：${u.message ?? ''}`
      : `已导入 ${u.rows_loaded ?? 0} 行${u.rows_rejected ? `，拒收 ${u.rows_rejected} 行（见下方明细）` : ''}。`
    : null;
  return sendPortalPage(reply, c, uploadReportPage(u, rejects, flash));
};

const template: Handler = async (req, reply, c) => {
  const raw = (req.query as Record<string, string | undefined>)?.year;
  const year = raw === undefined || raw === '' ? undefined : Number(raw);
  if (year !== undefined && (!Number.isInteger(year) || year < 2000 || year > 2100))
    throw new HttpError(400, '年度应为 2000 到 2100 之间的四位年份。');
  const dept = c.user!.department!;
  const tmp = path.join(os.tmpdir(), `govmon-template-${process.pid}-${crypto.randomBytes(6).toString('hex')}.xlsx`);
  try {
    await c.portal.db.use((s) => writeTemplate('om_report', tmp, { store: s, department: dept, year }));
    const body = fs.readFileSync(tmp);
    await c.audit('download', 'ok', '年度运维服务情况报表模板', `${dept}${year ? ` ${year} 年度` : ''}`);
    return sendFile(reply, body, `年度运维服务情况报表-${dept}${year ? `-${year}` : ''}.xlsx`, XLSX);
  } catch (e) {
    if (e instanceof UserError) throw new HttpError(400, e.message);
    throw e;
  } finally {
    fs.rmSync(tmp, { force: true });
  }
};

const inbox: Handler = async (_req, reply, c) => {
  const [replies, requests] = await c.portal.db.use(async (s) => [await repliesFor(s, null), await requestsFor(s, null)] as const);
  const v = c.view;
  const name = (id: string) => v?.ctx.systems.get(id)?.system_name ?? id;
  const items: InboxItem[] = [
    ...replies.map(
      (r): InboxItem => ({
        kind: 'reply',
        id: r.reply_id,
        system_id: r.system_id,
        system_name: name(r.system_id),
        department: r.department,
        deadline: r.deadline,
        submitted_at: r.submitted_at,
        login: r.login,
        text: r.explanation,
        evidence: r.evidence,
        issued_month: r.issued_month,
      }),
    ),
    ...requests.map(
      (q): InboxItem => ({
        kind: 'request',
        id: q.request_id,
        system_id: q.system_id,
        system_name: name(q.system_id),
        department: q.department,
        deadline: v?.ctx.noticeNow.get(q.system_id)?.deadline ?? null,
        submitted_at: q.submitted_at,
        login: q.login,
        text: q.reason,
        until: q.until,
      }),
    ),
  ].sort((a, b) => (a.deadline ?? '9999-12-31').localeCompare(b.deadline ?? '9999-12-31') || a.submitted_at.localeCompare(b.submitted_at));
  return sendPortalPage(reply, c, inboxPage(v, items));
};

/** The reply or exemption request a decision answers (?reply=ID or ?request=ID), when it is about this system. */
async function decisionBasis(c: Ctx, q: Record<string, string | undefined>, systemId: string): Promise<DecisionBasis | null> {
  const id = (v: string | undefined) => {
    const n = Number(v);
    return Number.isInteger(n) && n > 0 && n < 2 ** 31 ? n : null;
  };
  const replyId = id(q.reply);
  if (replyId !== null) {
    const r = await c.portal.db.use((s) => replyById(s, replyId));
    if (r && r.system_id === systemId) return { kind: 'reply', reply: r };
  }
  const requestId = id(q.request);
  if (requestId !== null) {
    const r = await c.portal.db.use((s) => requestById(s, requestId));
    if (r && r.system_id === systemId) return { kind: 'request', request: r };
  }
  return null;
}

/** What a reply or a request suggests: an exemption as requested, or a rectification confirmed. */
function suggested(basis: DecisionBasis | null): DecisionForm {
  if (basis?.kind === 'request') return { decision: 'exempt', until: basis.request.until, reason: basis.request.reason };
  if (basis?.kind === 'reply') return { decision: 'rectified' };
  return {};
}

const decisionForm: Handler = async (req, reply, c) => {
  const { view } = needView(c);
  const system = c.p.system as SystemInfo;
  const basis = await decisionBasis(c, (req.query as Record<string, string | undefined>) ?? {}, system.system_id);
  return sendPortalPage(
    reply,
    c,
    decisionPage(view, system.system_id, {
      csrf: c.csrf(),
      login: c.user!.login,
      today: shanghaiDate(c.now),
      values: suggested(basis),
      basis,
    }),
  );
};

/** The register's refusal of a decision as lines for the page, each naming the field (as `govmon decide` does). */
function refusalLines(r: RecordedDecision): string[] {
  const lines = r.rejects.map((x) => {
    if (!x.column_name) return x.reason;
    const name = CONTRACT.decisions.columns.find((col) => col.name === x.column_name)?.zh ?? x.column_name;
    return `${name}${x.value !== null ? `“${x.value}”` : ''}：${x.reason}`;
  });
  if (!lines.length) lines.push(r.outcome.message ?? '决定未能登记。');
  return lines;
}

const decide: Handler = async (req, reply, c) => {
  const system = c.p.system as SystemInfo;
  const values: DecisionForm = {};
  for (const f of DECISION_FIELDS) values[f] = (field(req.body, f) ?? '').trim();
  const today = shanghaiDate(c.now);
  const page = async (o: { status: number; errors?: string[]; warnings?: string[]; flash?: string; keep: boolean }) => {
    // a decision recorded shows the register as it now stands: the month's view is read again
    await c.portal.views.refresh(true);
    const state = c.state ? await c.portal.views.month(c.state.month) : null;
    if (!state || !c.scope) throw new HttpError(404, '尚无月度运行结果：数据局完成首次月度运行后即可查看。');
    const view = c.portal.views.view(state, c.scope);
    const spec = decisionPage(view, system.system_id, {
      csrf: c.csrf(),
      login: c.user!.login,
      today,
      values: o.keep ? values : {},
      flash: o.flash,
      errors: o.errors,
      warnings: o.warnings,
    });
    return sendHtml(reply, portalPage(state, view, c.user, c.csrf(), spec), o.status);
  };
  // what the register's own checks cannot say: a choice the form did not offer, text too long for a page
  const pre: string[] = [];
  if (!values.decision) pre.push('请选择决定。');
  else if (!(DECISION_CODES as readonly string[]).includes(values.decision)) pre.push(`决定“${values.decision}”不在可选范围内。`);
  if ((values.reason ?? '').length > 5000) pre.push('理由不能超过 5,000 字。');
  if ((values.document_no ?? '').length > 100) pre.push('文号不能超过 100 字。');
  if (pre.length) {
    await c.audit('decision', 'failed', system.system_id, pre.join(' '));
    return page({ status: 400, errors: pre, keep: true });
  }
  const input: DecisionInput = {
    system_id: system.system_id,
    decision: values.decision!,
    effective_date: values.effective_date ?? '',
    decided_by: c.user!.login,
  };
  for (const f of DECISION_FIELDS) if (f !== 'decision' && f !== 'effective_date') input[f] = values[f] || null;
  const r = await c.portal.db.use((s) =>
    recordDecision(s, input, { now: c.now, archiveDir: defaultArchiveDir(s), source: `门户-${c.user!.login}` }),
  );
  const what = `${label('decision', values.decision!)}，生效日期 ${values.effective_date || '（未填）'}${values.document_no ? `，文号 ${values.document_no}` : ''}`;
  if (r.duplicate) {
    await c.audit('decision', 'ok', system.system_id, `与此前登记的决定相同，未改动：${what}`);
    return page({ status: 200, flash: '该决定此前已登记（内容完全相同），未做改动。', keep: false });
  }
  if (!r.recorded) {
    const errors = refusalLines(r);
    await c.audit('decision', 'failed', system.system_id, `${what}；${errors.join('；')}`.slice(0, 2000));
    return page({ status: 400, errors, keep: true });
  }
  await c.audit('decision', 'ok', system.system_id, `决定编号 ${r.decisionId}：${what}`);
  return page({
    status: 200,
    flash: `已登记处置决定 ${r.decisionId}：${system.system_id} ${what}，决定人 ${c.user!.login}。`,
    warnings: r.warnings,
    keep: false,
  });
};

const PER_PAGE = 100;

const audit: Handler = async (req, reply, c) => {
  const q = req.query as Record<string, string | undefined>;
  const page = Math.max(1, Math.min(1_000_000, Number.parseInt(q.page ?? '1', 10) || 1));
  const action = q.action && /^[a-z_]{1,40}$/.test(q.action) ? q.action : null;
  const r = await c.portal.db.use((s) => readAudit(s, { limit: PER_PAGE, offset: (page - 1) * PER_PAGE, action: action ?? undefined }));
  return sendPortalPage(reply, c, auditPage(r.rows, { total: r.total, page, pages: Math.ceil(r.total / PER_PAGE), action }));
};

export const HANDLERS: Record<RouteName, Handler> = {
  loginForm,
  login: (req: FastifyRequest, reply: FastifyReply, c: Ctx) => doLogin(c.portal, req, reply, c),
  publicAsset: async (_req, reply, c) => sendStatic(reply, c, 'assets'),
  logout,
  home,
  sitePage,
  systemPage: detailPage,
  departmentPage: detailPage,
  download,
  dataFile,
  siteAsset: async (_req, reply, c) => sendStatic(reply, c, 'assets'),
  siteVendor: async (_req, reply, c) => sendStatic(reply, c, 'vendor'),
  notices,
  notice,
  reply: replyTo,
  exemptionForm,
  exemption,
  evidence,
  uploads,
  upload,
  uploadReport,
  template,
  inbox,
  decisionForm,
  decide,
  audit,
};
