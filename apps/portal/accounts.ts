// Portal accounts (docs/outputs.md §7.5): add, list, disable, reset, and checking a password. The
// password is hashed with argon2id by @node-rs/argon2 (a maintained binding whose binary ships in
// the npm package); only the PHC string is stored. `govmon user …` and the portal both use this.

import crypto from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';
import { UserError } from '../../core/errors.ts';
import type { Store } from '../../pipelines/store/database.ts';

export type Role = 'bureau' | 'department' | 'finance';
export const ROLES: readonly Role[] = ['bureau', 'department', 'finance'];

export interface Account {
  login: string;
  role: Role;
  department: string | null;
  password_hash: string;
  created_at: string;
  password_set_at: string;
  disabled_at: string | null;
  locked_until: string | null;
}

/** Letters (Chinese too), digits and . _ @ -, 2 to 64 characters. */
export const LOGIN_RE = /^[\p{L}\p{N}._@-]{2,64}$/u;
export const MIN_PASSWORD = 10;

/** argon2id with the binding's defaults (19 MiB, 2 passes: OWASP's minimum for argon2id). */
const ARGON2ID = 2;

export async function hashPassword(password: string): Promise<string> {
  return hash(password, { algorithm: ARGON2ID });
}

/** A hash of a random password: verified against when a login names no account, so both take as long. */
let dummy: Promise<string> | null = null;

/** Does `password` match the stored hash? (A login without an account is checked against a dummy.) */
export async function checkPassword(stored: string | null, password: string): Promise<boolean> {
  if (stored === null) {
    dummy ??= hashPassword(crypto.randomBytes(16).toString('hex'));
    await verify(await dummy, password);
    return false;
  }
  try {
    return await verify(stored, password);
  } catch {
    return false;
  }
}

/** A password to print once: 16 characters without look-alikes (0/O, 1/l/I). */
export function generatePassword(): string {
  const alphabet = 'ABCDEFGHJKMNPQRSTUVWXYZabcdefghjkmnpqrstuvwxyz23456789';
  const bytes = crypto.randomBytes(32);
  let out = '';
  for (const b of bytes) {
    if (b >= 256 - (256 % alphabet.length)) continue; // no modulo bias
    out += alphabet[b % alphabet.length];
    if (out.length === 16) break;
  }
  return out.length === 16 ? out : generatePassword();
}

export function checkNewPassword(password: string): void {
  if ([...password].length < MIN_PASSWORD) throw new UserError(`密码至少 ${MIN_PASSWORD} 个字符`);
  if (/^\s|\s$/.test(password)) throw new UserError('密码首尾不能有空格');
}

export async function getAccount(store: Store, login: string): Promise<Account | undefined> {
  return store.one<Account>('SELECT * FROM portal_users WHERE login = $1', [login]);
}

export async function listAccounts(store: Store): Promise<Account[]> {
  return store.all<Account>('SELECT * FROM portal_users ORDER BY role, department NULLS FIRST, login');
}

export async function countAccounts(store: Store): Promise<number> {
  return store.value<number>('SELECT count(*) FROM portal_users');
}

/** The departments of the registry (classified systems left out, as everywhere). */
export async function registryDepartments(store: Store): Promise<string[]> {
  const rows = await store.all<{ department: string }>(
    'SELECT DISTINCT department FROM systems_current WHERE NOT coalesce(classified, false) ORDER BY department',
  );
  return rows.map((r) => r.department);
}

export interface NewAccount {
  login: string;
  role: Role;
  department?: string;
  password: string;
  now: Date;
}

export async function addAccount(store: Store, a: NewAccount): Promise<void> {
  if (!LOGIN_RE.test(a.login)) throw new UserError(`账户名“${a.login}”无效：只能包含字母、汉字、数字和 . _ @ -，2 到 64 个字符`);
  if (!ROLES.includes(a.role)) throw new UserError(`角色应为 ${ROLES.join('、')} 之一`);
  if (a.role === 'department' && !a.department) throw new UserError('建设单位账户需用 --department 指定建设单位');
  if (a.role !== 'department' && a.department) throw new UserError('只有建设单位（department）账户可以指定 --department');
  if (a.department) {
    const known = await registryDepartments(store);
    if (!known.includes(a.department))
      throw new UserError(
        `建设单位“${a.department}”在系统目录中没有系统${known.length ? `；系统目录中的建设单位有：${known.join('、')}` : '（系统目录为空，请先导入系统目录）'}`,
      );
  }
  checkNewPassword(a.password);
  if (await getAccount(store, a.login)) throw new UserError(`账户“${a.login}”已存在（修改密码请用 govmon user reset）`);
  const h = await hashPassword(a.password);
  const at = a.now.toISOString();
  await store.run(
    `INSERT INTO portal_users (login, role, department, password_hash, created_at, password_set_at)
     VALUES ($1, $2, $3, $4, $5::TIMESTAMPTZ, $5::TIMESTAMPTZ)`,
    [a.login, a.role, a.department ?? null, h, at],
  );
}

async function mustExist(store: Store, login: string): Promise<Account> {
  const a = await getAccount(store, login);
  if (!a) throw new UserError(`没有账户“${login}”（用 govmon user list 查看全部账户）`);
  return a;
}

export async function disableAccount(store: Store, login: string, now: Date): Promise<boolean> {
  const a = await mustExist(store, login);
  if (a.disabled_at) return false;
  await store.run('UPDATE portal_users SET disabled_at = $2::TIMESTAMPTZ WHERE login = $1', [login, now.toISOString()]);
  return true;
}

/** A new password; the lock is lifted, a disabled account enabled again, earlier sessions end. */
export async function resetAccount(store: Store, login: string, password: string, now: Date): Promise<Account> {
  const a = await mustExist(store, login);
  checkNewPassword(password);
  const h = await hashPassword(password);
  await store.run(
    `UPDATE portal_users SET password_hash = $2, password_set_at = $3::TIMESTAMPTZ, disabled_at = NULL, locked_until = NULL
     WHERE login = $1`,
    [login, h, now.toISOString()],
  );
  return a;
}

export async function lockAccount(store: Store, login: string, until: Date): Promise<void> {
  await store.run('UPDATE portal_users SET locked_until = $2::TIMESTAMPTZ WHERE login = $1', [login, until.toISOString()]);
}
