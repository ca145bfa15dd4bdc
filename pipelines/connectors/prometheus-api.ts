// A small client of the Prometheus HTTP API (only `query_range`, which the connector needs). Every
// failure — the server unreachable, an HTTP error, a PromQL error, a reply that is not the API's —
// becomes one Chinese UserError line; nothing here ends in a stack trace.

import { UserError } from '../../core/errors.ts';

/** One series of a range query: its labels and its [unix seconds, value text] points. */
export interface Series {
  metric: Record<string, string>;
  values: [number, string][];
}

export interface RangeResult {
  series: Series[];
  /** warnings the server attached to an otherwise successful answer */
  warnings: string[];
}

export interface ClientOptions {
  /** per request; defaults to 120 s (a month of 1d subqueries over many hosts takes a while) */
  timeoutMs?: number;
}

export class PrometheusClient {
  /** the API base with a trailing slash, credentials removed */
  readonly base: URL;
  private readonly authorization?: string;
  private readonly timeoutMs: number;

  constructor(url: string, opts: ClientOptions = {}) {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      throw new UserError(`Prometheus 地址无效：${url}（应形如 http://主机:9090）`);
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new UserError(`Prometheus 地址应以 http:// 或 https:// 开头：${url}`);
    // fetch refuses URLs with credentials; `http://user:pass@host` becomes a Basic header instead.
    if (u.username || u.password) {
      this.authorization = 'Basic ' + Buffer.from(`${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`).toString('base64');
      u.username = '';
      u.password = '';
    }
    u.search = '';
    u.hash = '';
    if (!u.pathname.endsWith('/')) u.pathname += '/';
    this.base = u;
    this.timeoutMs = opts.timeoutMs ?? 120_000;
  }

  /** Where the server is, for messages (never with credentials). */
  get where(): string {
    return this.base.href;
  }

  /** `query_range` with start, end and step in unix seconds. `what` names the query in a PromQL error. */
  async queryRange(expr: string, start: number, end: number, stepSeconds: number, what: string): Promise<RangeResult> {
    const data = await this.call(
      'api/v1/query_range',
      { query: expr, start: String(start), end: String(end), step: String(stepSeconds) },
      what,
    );
    const d = data.data as { resultType?: string; result?: unknown } | undefined;
    if (d?.resultType !== 'matrix' || !Array.isArray(d.result))
      throw new UserError(`Prometheus ${this.where} 对${what}的回答不是区间查询结果（resultType 为 ${d?.resultType ?? '空'}）`);
    const series: Series[] = [];
    for (const s of d.result as { metric?: Record<string, string>; values?: [number, string][] }[])
      series.push({ metric: s.metric ?? {}, values: s.values ?? [] });
    return { series, warnings: Array.isArray(data.warnings) ? data.warnings.map(String) : [] };
  }

  private async call(endpoint: string, params: Record<string, string>, what: string): Promise<{ data?: unknown; warnings?: unknown[] }> {
    const url = new URL(endpoint, this.base);
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
    if (this.authorization) headers.authorization = this.authorization;
    let res: Response;
    try {
      // POST: a long PromQL expression does not fit every proxy's URL limit.
      res = await fetch(url, { method: 'POST', headers, body: new URLSearchParams(params), signal: AbortSignal.timeout(this.timeoutMs) });
    } catch (e) {
      throw new UserError(this.networkReason(e));
    }
    const text = await res.text().catch(() => '');
    let body: { status?: string; errorType?: string; error?: string; data?: unknown; warnings?: unknown[] } | undefined;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    if (body && body.status === 'error')
      throw new UserError(`Prometheus 拒绝了${what}（${body.errorType ?? `HTTP ${res.status}`}）：${body.error ?? '未说明原因'}`);
    if (!res.ok) throw new UserError(httpReason(res.status, this.where));
    if (body?.status !== 'success')
      throw new UserError(`${this.where} 的回答不是 Prometheus API 的 JSON（请检查 --url 是否指向 Prometheus）`);
    return body;
  }

  private networkReason(e: unknown): string {
    const err = e as Error & { cause?: { code?: string; message?: string } };
    if (err?.name === 'TimeoutError' || err?.name === 'AbortError')
      return `Prometheus ${this.where} 在 ${Math.round(this.timeoutMs / 1000)} 秒内没有回答（可用 --timeout 放宽，或缩小日期范围）`;
    const code = err?.cause?.code;
    const why: Record<string, string> = {
      ECONNREFUSED: '连接被拒绝（端口上没有服务在监听）',
      ENOTFOUND: '主机名无法解析',
      EAI_AGAIN: '主机名暂时无法解析（DNS 不可用）',
      ECONNRESET: '连接被对方重置',
      EHOSTUNREACH: '主机不可达',
      ENETUNREACH: '网络不可达',
      ETIMEDOUT: '连接超时',
      CERT_HAS_EXPIRED: 'HTTPS 证书已过期',
      DEPTH_ZERO_SELF_SIGNED_CERT: 'HTTPS 证书为自签名证书，不受信任',
      UNABLE_TO_VERIFY_LEAF_SIGNATURE: '无法验证 HTTPS 证书',
    };
    if (err?.cause?.message === 'bad port') return `Prometheus 地址 ${this.where} 的端口被 fetch 视为不安全端口而拒绝，请换用其他端口`;
    const reason = (code && why[code]) ?? err?.cause?.message ?? err?.message ?? String(e);
    return `无法连接 Prometheus ${this.where}：${reason}${code && why[code] ? `（${code}）` : ''}；请检查 --url 的地址和端口，以及 Prometheus 是否在运行`;
  }
}

function httpReason(status: number, where: string): string {
  if (status === 401 || status === 403)
    return `Prometheus ${where} 拒绝访问（HTTP ${status}）：需要认证时可把用户名和密码写进地址，如 http://用户:密码@主机:9090`;
  if (status === 404) return `${where} 上没有 Prometheus API（HTTP 404）：--url 应为 Prometheus 的根地址（有路径前缀时带上前缀）`;
  if (status === 503) return `Prometheus ${where} 暂时不可用（HTTP 503），可能正在启动或过载，请稍后重试`;
  if (status >= 500) return `Prometheus ${where} 内部错误（HTTP ${status}）`;
  return `Prometheus ${where} 返回 HTTP ${status}`;
}
