// The portal's audit log (docs/outputs.md §7.5): every login (failed ones too), logout, lock,
// download, upload, reply, exemption request, refused access and account change, with who, when,
// what and from which address. Written in the same database as everything else; never updated.

import type { Store } from '../../pipelines/store/database.ts';
import type { Role } from './accounts.ts';

export type AuditAction =
  | 'login'
  | 'logout'
  | 'lock'
  | 'download'
  | 'upload'
  | 'reply'
  | 'exemption_request'
  | 'decision'
  | 'access'
  | 'user_add'
  | 'user_disable'
  | 'user_reset';

export type AuditOutcome = 'ok' | 'failed' | 'denied';

export interface AuditEntry {
  at: Date;
  login: string | null;
  role?: Role | null;
  department?: string | null;
  action: AuditAction;
  outcome: AuditOutcome;
  target?: string | null;
  detail?: string | null;
  address: string | null;
}

export async function writeAudit(store: Store, e: AuditEntry): Promise<void> {
  await store.run(
    `INSERT INTO portal_audit (audit_id, occurred_at, login, role, department, action, outcome, target, detail, address)
     VALUES (nextval('portal_audit_seq'), $1::TIMESTAMPTZ, $2, $3, $4, $5, $6, $7, $8, $9)`,
    [e.at.toISOString(), e.login, e.role ?? null, e.department ?? null, e.action, e.outcome, e.target ?? null, e.detail ?? null, e.address],
  );
}

export interface AuditRow {
  audit_id: number;
  at: string;
  login: string | null;
  role: string | null;
  department: string | null;
  action: AuditAction;
  outcome: AuditOutcome;
  target: string | null;
  detail: string | null;
  address: string | null;
}

/** The newest entries first, `limit` of them from `offset`, optionally of one action. */
export async function readAudit(
  store: Store,
  o: { limit: number; offset: number; action?: string },
): Promise<{ rows: AuditRow[]; total: number }> {
  const where = o.action ? 'WHERE action = $3' : '';
  const params = o.action ? [o.limit, o.offset, o.action] : [o.limit, o.offset];
  const rows = await store.all<AuditRow>(
    `SELECT audit_id, occurred_at AS at, login, role, department, action, outcome, target, detail, address
     FROM portal_audit ${where} ORDER BY audit_id DESC LIMIT $1 OFFSET $2`,
    params,
  );
  const total = await store.value<number>(
    `SELECT count(*) FROM portal_audit ${o.action ? 'WHERE action = $1' : ''}`,
    o.action ? [o.action] : [],
  );
  return { rows, total };
}
