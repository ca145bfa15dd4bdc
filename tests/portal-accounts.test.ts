// The portal's pieces below the web: the uploader's department as a rule of the ingest's SQL (rows
// about another department's systems rejected with a reason, on the general and the fast path; a
// registry file refused whole), `govmon user add|list|disable|reset` (argon2id, a password from
// standard input or generated and printed once, each change in the audit log), `govmon serve`
// refusing another address without TLS or --behind-proxy, and the portal holding the database:
// another command meanwhile gets the Chinese "database in use" line.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestFile } from '../pipelines/ingest/ingest.ts';
import { notOwnReason } from '../pipelines/ingest/validate.ts';
import { Store } from '../pipelines/store/database.ts';
import { checkPassword } from '../apps/portal/accounts.ts';
import { restrictSiteData } from '../apps/portal/scope.ts';
import type { SiteData } from '../dashboards/site/data.ts';
import { NOW, tempDir, withStore, writeFile } from './helpers.ts';
import { CLI, REPO, cli, ingestInProcess, startCli } from './fixtures/reliability.ts';

const SYSTEMS = `系统编号,系统名称,建设单位,阶段
A-1,甲系统,市甲局,运行
A-2,甲二系统,市甲局,运行
B-1,乙系统,市乙局,运行
`;

describe('an upload in the name of a department (ingest with `department`)', () => {
  it('rejects, in the validation SQL, the rows about systems that are not the department’s, with a reason', async () => {
    await withStore(async (store, { dir, archiveDir }) => {
      await ingestFile(store, writeFile(dir, 'systems.csv', SYSTEMS), { now: NOW, archiveDir });
      const catalog = writeFile(
        dir,
        'catalog.csv',
        '系统编号,资源编号,资源名称\nA-1,R1,资源一\nB-1,R2,他人的资源\nZ-9,R3,无此系统\nA-2,R4,资源四\n',
      );
      const o = await ingestFile(store, catalog, { now: NOW, archiveDir, department: '市甲局' });
      expect(o.status).toBe('partial');
      expect([o.rowsRead, o.rowsLoaded, o.rowsRejected]).toEqual([4, 2, 2]);
      const rejects = await store.all('SELECT row_no, column_name, value, reason FROM rejects WHERE file_id = $1 ORDER BY row_no', [
        o.fileId!,
      ]);
      // one reason for "another department's" and "not in the registry": an upload cannot probe which ids exist
      expect(rejects).toEqual([
        { row_no: 3, column_name: 'system_id', value: 'B-1', reason: notOwnReason('市甲局') },
        { row_no: 4, column_name: 'system_id', value: 'Z-9', reason: notOwnReason('市甲局') },
      ]);
      expect(await store.all('SELECT system_id FROM raw_catalog ORDER BY system_id')).toEqual([{ system_id: 'A-1' }, { system_id: 'A-2' }]);
      // the same file from the bureau (no department) rejects only the unknown system
      const bureau = await ingestFile(store, catalog, { now: NOW, archiveDir, force: true });
      expect([bureau.rowsLoaded, bureau.rowsRejected]).toEqual([3, 1]);
    });
  });

  it('takes the fast path of telemetry only when every system is the department’s, else rejects row by row', async () => {
    await withStore(async (store, { dir, archiveDir }) => {
      await ingestFile(store, writeFile(dir, 'systems.csv', SYSTEMS), { now: NOW, archiveDir });
      const head = 'system_id,date,cpu_avg_pct,cpu_max_pct,active_users,requests\n';
      const own = await ingestFile(store, writeFile(dir, 't1.csv', `${head}A-1,2026-10-01,10,20,5,100\nA-2,2026-10-01,11,21,6,101\n`), {
        now: NOW,
        archiveDir,
        department: '市甲局',
      });
      expect([own.status, own.fastPath, own.rowsLoaded]).toEqual(['loaded', true, 2]);
      const mixed = await ingestFile(store, writeFile(dir, 't2.csv', `${head}A-1,2026-10-02,10,20,5,100\nB-1,2026-10-02,11,21,6,101\n`), {
        now: NOW,
        archiveDir,
        department: '市甲局',
      });
      expect([mixed.status, mixed.fastPath, mixed.rowsLoaded, mixed.rowsRejected]).toEqual(['partial', false, 1, 1]);
      expect(await store.value('SELECT count(*) FROM raw_telemetry WHERE system_id = $1', ['B-1'])).toBe(0);
    });
  });

  it('refuses a registry file whole: the registry is the bureau’s', async () => {
    await withStore(async (store, { dir, archiveDir }) => {
      await ingestFile(store, writeFile(dir, 'systems.csv', SYSTEMS), { now: NOW, archiveDir });
      const o = await ingestFile(store, writeFile(dir, 'mine.csv', '系统编号,系统名称,建设单位,阶段,涉密\nA-1,甲系统,市甲局,运行,是\n'), {
        now: NOW,
        archiveDir,
        department: '市甲局',
      });
      expect(o.status).toBe('failed');
      expect(o.message).toContain('由数据局维护');
      expect(await store.value('SELECT count(*) FROM systems_current WHERE classified')).toBe(0);
    });
  });
});

describe('what a scope may see of the site data', () => {
  it('keeps a department’s rows in every list naming a system or a department, and empties city-wide lists', () => {
    const data = {
      month: '2026-10',
      months: ['2026-10'],
      systems: [
        { system_id: 'A-1', department: '甲' },
        { system_id: 'B-1', department: '乙' },
      ],
      notices: [
        { system_id: 'A-1', department: '甲' },
        { system_id: 'B-1', department: '乙' },
      ],
      trends: [{ month: '2026-10', elimination: 3 }],
      future_list: [{ system_id: 'B-1' }],
      year: { year: 2025, departments: [{ department: '甲' }, { department: '乙' }], scores: [{ system_id: 'B-1' }] },
    } as unknown as SiteData;
    const a = restrictSiteData(data, { kind: 'department', department: '甲' }) as unknown as Record<string, unknown>;
    expect(a.systems).toEqual([{ system_id: 'A-1', department: '甲' }]);
    expect(a.notices).toEqual([{ system_id: 'A-1', department: '甲' }]);
    expect(a.trends).toEqual([]);
    expect(a.future_list).toEqual([]);
    expect(a.months).toEqual(['2026-10']);
    expect(a.year).toEqual({ year: 2025, departments: [{ department: '甲' }], scores: [] });
    const f = restrictSiteData(data, { kind: 'finance' }) as unknown as Record<string, unknown>;
    expect([f.systems, f.notices, f.trends]).toEqual([[], [], []]);
    expect(f.year).toBe(data.year);
  });
});

/** `govmon ARGS` with `input` on standard input. */
function cliWithInput(args: string[], input: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: REPO, env: { ...process.env, GOVMON_DB: '', CI: 'true' } });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

describe('govmon user and govmon serve with accounts', () => {
  let dir: string;
  let db: string;
  beforeAll(async () => {
    dir = tempDir('govmon-users-');
    db = path.join(dir, 'govmon.duckdb');
    writeFile(dir, 'systems.csv', SYSTEMS);
    // the registry the accounts name their departments from (the commands under test are `user` and `serve`)
    expect(await ingestInProcess(db, [path.join(dir, 'systems.csv')])).toBe(0);
  }, 60_000);
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('adds accounts with a password from standard input or a generated one, hashed with argon2id', async () => {
    const piped = await cliWithInput(
      ['--db', db, 'user', 'add', '甲局联络员', '--role', 'department', '--department', '市甲局'],
      'a-long-password\n',
    );
    expect(piped.code, piped.stderr).toBe(0);
    expect(piped.stdout).toContain('已新增账户 甲局联络员（建设单位：市甲局）');
    expect(piped.stdout).not.toContain('a-long-password');
    const gen = await cli(['--db', db, 'user', 'add', 'chief', '--role', 'bureau']);
    expect(gen.code, gen.stderr).toBe(0);
    const password = /只显示这一次[^：]*：(\S+)/.exec(gen.stdout)?.[1];
    expect(password).toMatch(/^[A-Za-z2-9]{16}$/);
    const store = await Store.open(db, { readOnly: true });
    try {
      const rows = await store.all<{ login: string; password_hash: string }>(
        'SELECT login, password_hash FROM portal_users ORDER BY login',
      );
      expect(rows.map((r) => r.login)).toEqual(['chief', '甲局联络员']);
      for (const r of rows) expect(r.password_hash).toMatch(/^\$argon2id\$v=19\$/);
      expect(await checkPassword(rows[0].password_hash, password!)).toBe(true);
      expect(await checkPassword(rows[1].password_hash, 'a-long-password')).toBe(true);
      expect(await checkPassword(rows[1].password_hash, 'a-long-passwor')).toBe(false);
      expect(await store.all("SELECT action, target, address FROM portal_audit WHERE action LIKE 'user_%' ORDER BY audit_id")).toEqual([
        { action: 'user_add', target: '甲局联络员', address: 'cli' },
        { action: 'user_add', target: 'chief', address: 'cli' },
      ]);
    } finally {
      store.close();
    }
  }, 60_000);

  it('refuses a department not in the registry, a short password and a taken login, in Chinese', async () => {
    const r1 = await cli(['--db', db, 'user', 'add', 'x1', '--role', 'department', '--department', '市丙局']);
    expect([r1.code, r1.stderr]).toEqual([
      1,
      expect.stringContaining('建设单位“市丙局”在系统目录中没有系统；系统目录中的建设单位有：市乙局、市甲局'),
    ]);
    const r2 = await cliWithInput(['--db', db, 'user', 'add', 'x2', '--role', 'finance'], 'short\n');
    expect([r2.code, r2.stderr.trim()]).toEqual([1, '错误：密码至少 10 个字符']);
    const r3 = await cli(['--db', db, 'user', 'add', 'chief', '--role', 'finance']);
    expect(r3.stderr).toContain('账户“chief”已存在');
    const r4 = await cli(['--db', db, 'user', 'add', 'x3', '--role', 'admin']);
    expect(r4.stderr).toContain('--role 应为 bureau、department、finance 之一');
  }, 60_000);

  it('disables and resets an account, and lists them', async () => {
    expect((await cli(['--db', db, 'user', 'disable', 'chief'])).stdout).toContain('已停用账户 chief');
    expect((await cli(['--db', db, 'user', 'list'])).stdout).toMatch(/chief　数据局　已停用/);
    const r = await cliWithInput(['--db', db, 'user', 'reset', 'chief'], 'another-long-password\n');
    expect(r.stdout).toContain('已重置账户 chief 的密码，并重新启用');
    expect((await cli(['--db', db, 'user', 'list'])).stdout).toMatch(/chief　数据局　正常/);
    expect((await cli(['--db', db, 'user', 'reset', 'nobody'])).stderr).toContain('没有账户“nobody”');
  }, 60_000);

  it('refuses another address than loopback without TLS or --behind-proxy', async () => {
    const r = await cli(['--db', db, 'serve', '--host', '0.0.0.0', '--port', '0']);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(
      '错误：拒绝在 0.0.0.0 上提供服务：本机以外可访问的地址需要 TLS（--tls-cert 与 --tls-key），或在提供 TLS 的反向代理之后运行并明确给出 --behind-proxy',
    );
  }, 60_000);

  it('holds the database while it serves: another command gets the "database in use" line', async () => {
    const serve = startCli(['--db', db, 'serve', '--port', '0']);
    let out = '';
    await new Promise<void>((resolve, reject) => {
      serve.child.stdout!.on('data', (d: string) => {
        out += d;
        if (out.includes('正在提供')) resolve();
      });
      void serve.done.then((r) => reject(new Error(`serve ended: ${r.stderr}`)));
    });
    expect(out).toMatch(/门户：数据库 .*由本进程独占/);
    try {
      const r = await cli(['--db', db, 'user', 'list']);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/^错误：数据库 .* 正被另一个 govmon 进程（PID \d+）使用/);
    } finally {
      serve.child.kill('SIGTERM');
      await serve.done;
    }
  }, 60_000);
});
