// govmon serve: binds 127.0.0.1 by default, serves only the site folder, refuses path traversal
// in every spelling — requests are sent with raw paths (http.request, not fetch, which would
// normalise `..` away before it reached the server).

import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveRequest, serveSite } from '../dashboards/site/serve.ts';
import { buildProgram } from '../apps/cli/program.ts';
import { tempDir } from './helpers.ts';

let root: string;
let site: string;
let server: http.Server;
let port: number;

beforeAll(async () => {
  root = tempDir('govmon-serve-');
  site = path.join(root, 'site');
  fs.mkdirSync(path.join(site, 'systems'), { recursive: true });
  fs.writeFileSync(path.join(site, 'index.html'), '<!doctype html><title>概览</title>');
  fs.writeFileSync(path.join(site, 'systems', 'abc.html'), '<p>系统</p>');
  fs.writeFileSync(path.join(site, 'systems', 'index.html'), '<p>系统列表</p>');
  fs.writeFileSync(path.join(site, '.govmon-site'), '{}');
  fs.writeFileSync(path.join(root, 'secret.txt'), 'SECRET');
  fs.symlinkSync(path.join(root, 'secret.txt'), path.join(site, 'link.txt'));
  const s = await serveSite({ dir: site, port: 0 });
  server = s.server;
  port = (server.address() as { port: number }).port;
});

afterAll(async () => {
  await new Promise((r) => server?.close(r));
  fs.rmSync(root, { recursive: true, force: true });
});

function get(rawPath: string, method = 'GET'): Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: rawPath, method }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('serveSite({ dir, port })', () => {
  it('binds 127.0.0.1 unless told otherwise', () => {
    expect((server.address() as { address: string }).address).toBe('127.0.0.1');
  });

  it('serves the pages of the site, index.html for a folder, with the security headers', async () => {
    const r = await get('/');
    expect(r.status).toBe(200);
    expect(r.body).toContain('概览');
    expect(r.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(r.headers['content-security-policy']).toContain("connect-src 'none'");
    expect(r.headers['x-content-type-options']).toBe('nosniff');
    expect((await get('/systems/abc.html')).body).toBe('<p>系统</p>');
    expect((await get('/systems/')).body).toBe('<p>系统列表</p>');
    expect((await get('/systems/abc.html?x=1#y')).status).toBe(200);
    expect((await get('/systems/abc.html', 'HEAD')).status).toBe(200);
  });

  it.each([
    '/../secret.txt',
    '/../../etc/passwd',
    '/%2e%2e/secret.txt',
    '/%2E%2E/secret.txt',
    '/systems/%2e%2e/%2e%2e/secret.txt',
    '/.%2e/secret.txt',
    '/%2e./secret.txt',
    '/..%2fsecret.txt',
    '/..%2Fsecret.txt',
    '/%2e%2e%2fsecret.txt',
    '/..%5csecret.txt',
    '/systems/..%5c..%5csecret.txt',
    '/%00index.html',
    '/index.html%00.txt',
  ])('refuses %s', async (p) => {
    const r = await get(p);
    expect([400, 403]).toContain(r.status);
    expect(r.body).not.toContain('SECRET');
  });

  it('does not follow a link out of the folder, shows no dot files, answers 404 for what is not there', async () => {
    expect((await get('/link.txt')).status).toBe(403);
    expect((await get('/.govmon-site')).status).toBe(404);
    expect((await get('/%2egovmon-site')).status).toBe(404);
    expect((await get('/nothing.html')).status).toBe(404);
    // double encoding names a file called "%2e%2e", which does not exist: still nothing outside
    const r = await get('/%252e%252e/secret.txt');
    expect(r.status).toBe(404);
    expect(r.body).not.toContain('SECRET');
  });

  it('refuses malformed escapes and methods other than GET and HEAD', async () => {
    expect((await get('/%E4%B8')).status).toBe(400);
    expect((await get('/index.html', 'POST')).status).toBe(405);
    expect((await get('/index.html', 'PUT')).status).toBe(405);
  });
});

describe('resolveRequest(root, url)', () => {
  it('maps a request to a file under the root or says why not', () => {
    const r = '/srv/site';
    expect(resolveRequest(r, '/')).toEqual({ file: '/srv/site/index.html' });
    expect(resolveRequest(r, '/systems/a%20b.html')).toEqual({ file: '/srv/site/systems/a b.html' });
    expect(resolveRequest(r, 'index.html')).toEqual({ status: 400 });
    expect(resolveRequest(r, '/a/%2e%2e/%2e%2e/x')).toEqual({ status: 403 });
  });
});

describe('govmon serve and govmon dashboard (buildProgram)', () => {
  it('declares both commands with their options', () => {
    const program = buildProgram();
    const serve = program.commands.find((c) => c.name() === 'serve')!;
    const dashboard = program.commands.find((c) => c.name() === 'dashboard')!;
    expect(serve.options.map((o) => o.long)).toEqual([
      '--dir',
      '--port',
      '--host',
      '--tls-cert',
      '--tls-key',
      '--behind-proxy',
      '--schedule',
      '--config',
    ]);
    expect(serve.options.find((o) => o.long === '--host')!.defaultValue).toBe('127.0.0.1');
    expect(dashboard.options.map((o) => o.long)).toEqual(['--month', '--out']);
  });
});
