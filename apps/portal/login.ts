// The login (docs/outputs.md §7.5): the password checked against its argon2id hash, the session
// renewed on success; rate-limited per account and address by the route's @fastify/rate-limit
// (server.ts); and the lockout: the sixth wrong password for an account within a minute locks it
// for the configured time. Every attempt leaves an audit row.

import type { FastifyReply, FastifyRequest } from 'fastify';
import { formatLocal } from '../../core/clock.ts';
import { checkPassword, lockAccount } from './accounts.ts';
import { writeAudit, type AuditAction, type AuditOutcome } from './audit.ts';
import { field, type Ctx, type Portal } from './context.ts';
import { loginPage } from './pages.ts';

/** Wrong passwords within this window count towards the lock; the sixth locks (docs/outputs.md §7.5). */
export const FAIL_WINDOW_MS = 60_000;
export const FAILS_TO_LOCK = 6;

/** The login: rate-limited per account and address; the sixth wrong password within a minute locks the account. */
export async function doLogin(portal: Portal, req: FastifyRequest, reply: FastifyReply, c: Ctx): Promise<unknown> {
  const login = (field(req.body, 'login') ?? '').trim().slice(0, 64);
  const password = (field(req.body, 'password') ?? '').slice(0, 1024);
  const t = portal.now();
  const a = portal.accounts.get(login);
  const audit = (outcome: AuditOutcome, detail: string, action: AuditAction = 'login') =>
    portal.db.use((s) =>
      writeAudit(s, {
        at: t,
        login: login || null,
        role: a?.role ?? null,
        department: a?.department ?? null,
        action,
        outcome,
        target: login || null,
        detail,
        address: c.address,
      }),
    );
  const page = (msg: string, status = 401) =>
    reply
      .code(status)
      .type('text/html; charset=utf-8')
      .send(loginPage(reply.generateCsrf(), { message: msg, login, next: (req.query as Record<string, string | undefined>)?.next }));
  if (a?.locked_until && Date.parse(a.locked_until) > t.getTime()) {
    await audit('denied', `账户锁定中（至 ${formatLocal(a.locked_until)}）`);
    return page(`账户已锁定，请于 ${formatLocal(a.locked_until)}（北京时间）后再试，或请数据局重置密码。`, 423);
  }
  const ok = await checkPassword(a ? a.password_hash : null, password);
  if (!ok || !a) {
    const fails = (failures.get(portal) ?? new Map<string, number[]>()).set(login, [
      ...(failures.get(portal)?.get(login) ?? []).filter((x) => t.getTime() - x < FAIL_WINDOW_MS),
      t.getTime(),
    ]);
    failures.set(portal, fails);
    const n = fails.get(login)!.length;
    if (a && n >= FAILS_TO_LOCK) {
      const until = new Date(t.getTime() + portal.opts.lockMinutes * 60_000);
      await portal.db.use((s) => lockAccount(s, a.login, until));
      a.locked_until = until.toISOString();
      fails.delete(login);
      await audit('failed', `密码错误（1 分钟内第 ${n} 次）`);
      await audit('ok', `锁定 ${portal.opts.lockMinutes} 分钟，至 ${formatLocal(until)}`, 'lock');
      return page(`密码错误次数过多，账户已锁定 ${portal.opts.lockMinutes} 分钟（至 ${formatLocal(until)}，北京时间）。`, 423);
    }
    await audit('failed', a ? `密码错误（1 分钟内第 ${n} 次）` : '无此账户');
    return page('账户或密码错误。');
  }
  if (a.disabled_at) {
    await audit('denied', '账户已停用');
    return page('账户已停用，请联系数据局。', 403);
  }
  failures.get(portal)?.delete(login);
  await req.session.regenerate();
  req.session.set('login', a.login);
  req.session.set('pwdAt', a.password_set_at);
  await portal.db.use((s) =>
    writeAudit(s, {
      at: t,
      login: a.login,
      role: a.role,
      department: a.department,
      action: 'login',
      outcome: 'ok',
      target: a.login,
      address: c.address,
    }),
  );
  const next = (req.query as Record<string, string | undefined>)?.next;
  return reply.redirect(next && /^\/(?!\/)[^\\]*$/.test(next) ? next : '/');
}

/** Recent wrong passwords per portal and login (times in ms). */
const failures = new WeakMap<Portal, Map<string, number[]>>();
