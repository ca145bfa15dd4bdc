// `govmon user add|list|disable|reset`: portal accounts (docs/outputs.md §7.1, §7.5). A password is
// read from standard input (its first line) when something is piped in, else generated and printed
// once. Each change is written to the portal's audit log with the operating-system user and 'cli'.

import os from 'node:os';
import { UserError } from '../../../core/errors.ts';
import { formatLocal } from '../../../core/clock.ts';
import { label } from '../../../metrics/labels.ts';
import type { Store } from '../../../pipelines/store/database.ts';
import { ROLES, addAccount, disableAccount, generatePassword, listAccounts, resetAccount, type Role } from '../../portal/accounts.ts';
import { writeAudit, type AuditAction } from '../../portal/audit.ts';
import type { Kit } from '../kit.ts';

/** The first line of standard input when it is piped (not a terminal); '' when nothing came. */
async function piped(): Promise<string> {
  if (process.stdin.isTTY) return '';
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return (
    Buffer.concat(chunks)
      .toString('utf8')
      .replace(/^\uFEFF/, '')
      .split(/\r?\n/, 1)[0] ?? ''
  );
}

async function passwordOf(): Promise<{ password: string; generated: boolean }> {
  const given = await piped();
  return given ? { password: given, generated: false } : { password: generatePassword(), generated: true };
}

function who(): string {
  try {
    return os.userInfo().username;
  } catch {
    return 'unknown';
  }
}

async function audit(store: Store, action: AuditAction, target: string, detail: string): Promise<void> {
  await writeAudit(store, { at: new Date(), login: who(), action, outcome: 'ok', target, detail, address: 'cli' });
}

function shown(kit: Kit, generated: boolean, password: string): void {
  // the one time the password is shown: even with --quiet
  if (generated) process.stdout.write(`初始密码（只显示这一次，请妥善转交）：${password}\n`);
  else kit.log.info('密码已从标准输入读取。');
}

export async function add(kit: Kit, login: string, o: { role?: string; department?: string }): Promise<number> {
  if (!o.role) throw new UserError(`请用 --role 指定角色：${ROLES.join('、')}`);
  if (!ROLES.includes(o.role as Role)) throw new UserError(`--role 应为 ${ROLES.join('、')} 之一（收到“${o.role}”）`);
  const role = o.role as Role;
  const department = o.department?.trim() || undefined;
  const { password, generated } = await passwordOf();
  return kit.withStore(async (store, log) => {
    await store.tx(async () => {
      await addAccount(store, { login, role, department, password, now: new Date() });
      await audit(store, 'user_add', login, `${label('portal_role', role)}${department ? `：${department}` : ''}`);
    });
    log.info(`已新增账户 ${login}（${label('portal_role', role)}${department ? `：${department}` : ''}）`);
    shown(kit, generated, password);
    return 0;
  });
}

export async function list(kit: Kit): Promise<number> {
  return kit.withStore(async (store, log) => {
    const rows = await listAccounts(store);
    if (rows.length === 0) {
      log.info('还没有门户账户（govmon serve 以无登录的静态站点方式运行）。新增：govmon user add 账户名 --role bureau');
      return 0;
    }
    const now = Date.now();
    log.info(`门户账户 ${rows.length} 个（时间为北京时间）：`);
    for (const a of rows) {
      const state = a.disabled_at
        ? `已停用（${formatLocal(a.disabled_at)}）`
        : a.locked_until && Date.parse(a.locked_until) > now
          ? `已锁定至 ${formatLocal(a.locked_until)}`
          : '正常';
      log.info(
        `  ${a.login}　${label('portal_role', a.role)}${a.department ? `：${a.department}` : ''}　${state}　密码设置于 ${formatLocal(a.password_set_at)}`,
      );
    }
    return 0;
  });
}

export async function disable(kit: Kit, login: string): Promise<number> {
  return kit.withStore(async (store, log) => {
    const changed = await store.tx(async () => {
      const c = await disableAccount(store, login, new Date());
      if (c) await audit(store, 'user_disable', login, '停用');
      return c;
    });
    log.info(changed ? `已停用账户 ${login}：不能再登录门户` : `账户 ${login} 已是停用状态`);
    return 0;
  });
}

export async function reset(kit: Kit, login: string): Promise<number> {
  const { password, generated } = await passwordOf();
  return kit.withStore(async (store, log) => {
    const before = await store.tx(async () => {
      const a = await resetAccount(store, login, password, new Date());
      await audit(store, 'user_reset', login, a.disabled_at ? '重置密码并重新启用' : '重置密码');
      return a;
    });
    log.info(`已重置账户 ${login} 的密码${before.disabled_at ? '，并重新启用' : ''}；锁定已解除`);
    shown(kit, generated, password);
    return 0;
  });
}
