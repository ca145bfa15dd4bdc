// `govmon serve`: the site over HTTP on this machine (127.0.0.1 unless told otherwise). Serves only
// files under the site folder: GET and HEAD, no directory listings, no dot files; a path that
// leaves the folder — `..` in any spelling (`%2e%2e`, `%2f`, backslashes), a NUL, or a symlink
// pointing out — is refused before the disk is touched. The pages' security headers come along.

import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { CSP } from './layout.ts';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.txt': 'text/plain; charset=utf-8',
  '.xlsx': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

export interface ServeOptions {
  dir: string;
  port: number;
  host?: string;
}

/** The file a request path names inside `root`, or why not: 400 (malformed), 403 (outside), 404. */
export function resolveRequest(root: string, rawUrl: string): { file: string } | { status: 400 | 403 | 404 } {
  const pathname = rawUrl.split(/[?#]/, 1)[0];
  if (!pathname.startsWith('/')) return { status: 400 };
  const segments: string[] = [];
  for (const raw of pathname.split('/').slice(1)) {
    let seg: string;
    try {
      seg = decodeURIComponent(raw);
    } catch {
      return { status: 400 };
    }
    // a decoded separator, a parent or self step, a NUL, a dot file: never a file of the site
    if (seg.includes('/') || seg.includes('\\') || seg.includes('\0')) return { status: 403 };
    if (seg === '..' || seg === '.') return { status: 403 };
    if (seg.startsWith('.')) return { status: 404 };
    segments.push(seg);
  }
  if (segments.length === 0 || segments[segments.length - 1] === '') segments[Math.max(0, segments.length - 1)] = 'index.html';
  const file = path.join(root, ...segments);
  const rel = path.relative(root, file);
  if (rel.startsWith('..') || path.isAbsolute(rel)) return { status: 403 };
  return { file };
}

function send(res: http.ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' });
  res.end(body);
}

const MESSAGES: Record<number, string> = { 400: '400 请求无效', 403: '403 禁止访问', 404: '404 未找到', 405: '405 只支持 GET 和 HEAD' };

export function createSiteServer(dir: string): http.Server {
  const root = fs.realpathSync(path.resolve(dir));
  return http.createServer((req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      return send(res, 405, MESSAGES[405]);
    }
    const r = resolveRequest(root, req.url ?? '/');
    if ('status' in r) return send(res, r.status, MESSAGES[r.status]);
    let file = r.file;
    let real: string;
    try {
      if (fs.statSync(file).isDirectory()) file = path.join(file, 'index.html');
      real = fs.realpathSync(file);
    } catch {
      return send(res, 404, MESSAGES[404]);
    }
    // a symlink inside the site that points out of it
    if (real !== root && !real.startsWith(root + path.sep)) return send(res, 403, MESSAGES[403]);
    let st: fs.Stats;
    try {
      st = fs.statSync(real);
      if (!st.isFile()) return send(res, 404, MESSAGES[404]);
    } catch {
      return send(res, 404, MESSAGES[404]);
    }
    res.writeHead(200, {
      'Content-Type': TYPES[path.extname(real).toLowerCase()] ?? 'application/octet-stream',
      'Content-Length': st.size,
      'Cache-Control': 'no-cache',
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      'Content-Security-Policy': CSP,
    });
    if (req.method === 'HEAD') return res.end();
    fs.createReadStream(real)
      .on('error', () => res.destroy())
      .pipe(res);
  });
}

/** Start serving; resolves with the server and its address once it listens. */
export function serveSite(opts: ServeOptions): Promise<{ server: http.Server; url: string }> {
  const server = createSiteServer(opts.dir);
  const host = opts.host ?? '127.0.0.1';
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, host, () => {
      const a = server.address();
      const port = typeof a === 'object' && a ? a.port : opts.port;
      resolve({ server, url: `http://${host.includes(':') ? `[${host}]` : host}:${port}/` });
    });
  });
}
