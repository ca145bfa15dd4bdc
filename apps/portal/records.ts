// What departments send through the portal, in the database (migration 0009): replies to notices
// with their evidence files (archived by SHA-256 like the input files, pipelines/ingest/archive.ts),
// exemption requests, and who uploaded which ingested file.

import type { Store } from '../../pipelines/store/database.ts';
import { archiveFile } from '../../pipelines/ingest/archive.ts';
import { defaultArchiveDir } from '../../pipelines/ingest/ingest.ts';

export interface ReplyRow {
  reply_id: number;
  system_id: string;
  issued_month: string;
  deadline: string | null;
  department: string;
  login: string;
  submitted_at: string;
  explanation: string;
  evidence: { seq: number; file_name: string; sha256: string; size_bytes: number }[];
}

export interface EvidenceFile {
  /** where the uploaded copy is now */
  path: string;
  /** the name the department gave it */
  name: string;
}

/** A reply and its evidence files (each archived first, then recorded), in one transaction. */
export async function addReply(
  store: Store,
  r: { systemId: string; issuedMonth: string; deadline: string | null; department: string; login: string; explanation: string; now: Date },
  files: readonly EvidenceFile[],
): Promise<number> {
  const archived: { f: EvidenceFile; a: Awaited<ReturnType<typeof archiveFile>> }[] = [];
  for (const f of files) archived.push({ f, a: await archiveFile(f.path, defaultArchiveDir(store)) });
  return store.tx(async () => {
    const id = await store.value<number>(
      `INSERT INTO portal_replies (reply_id, system_id, issued_month, deadline, department, login, submitted_at, explanation)
       VALUES (nextval('portal_reply_seq'), $1, $2::DATE, $3::DATE, $4, $5, $6::TIMESTAMPTZ, $7) RETURNING reply_id`,
      [r.systemId, `${r.issuedMonth}-01`, r.deadline, r.department, r.login, r.now.toISOString(), r.explanation],
    );
    for (const [i, { f, a }] of archived.entries())
      await store.run('INSERT INTO portal_evidence VALUES ($1, $2, $3, $4, $5, $6)', [
        id,
        i + 1,
        f.name,
        a.sha256,
        a.sizeBytes,
        a.archivePath,
      ]);
    return id;
  });
}

const REPLY_SELECT = `SELECT r.reply_id, r.system_id, strftime(r.issued_month, '%Y-%m') AS issued_month, r.deadline, r.department, r.login,
    r.submitted_at, r.explanation,
    coalesce((SELECT list({'seq': e.seq, 'file_name': e.file_name, 'sha256': e.sha256, 'size_bytes': e.size_bytes} ORDER BY e.seq)
              FROM portal_evidence e WHERE e.reply_id = r.reply_id), []) AS evidence
  FROM portal_replies r`;

export async function repliesOf(store: Store, systemId: string, issuedMonth: string): Promise<ReplyRow[]> {
  return store.all<ReplyRow>(`${REPLY_SELECT} WHERE r.system_id = $1 AND r.issued_month = $2::DATE ORDER BY r.reply_id`, [
    systemId,
    `${issuedMonth}-01`,
  ]);
}

export async function replyById(store: Store, id: number): Promise<ReplyRow | undefined> {
  return store.one<ReplyRow>(`${REPLY_SELECT} WHERE r.reply_id = $1`, [id]);
}

/** Replies of a department (all, for the bureau), the nearest deadline first. */
export async function repliesFor(store: Store, department: string | null): Promise<ReplyRow[]> {
  return store.all<ReplyRow>(
    `${REPLY_SELECT} WHERE $1::VARCHAR IS NULL OR r.department = $1 ORDER BY r.deadline NULLS LAST, r.submitted_at, r.reply_id`,
    [department],
  );
}

export async function evidenceFile(
  store: Store,
  replyId: number,
  seq: number,
): Promise<{ file_name: string; archive_path: string } | undefined> {
  return store.one('SELECT file_name, archive_path FROM portal_evidence WHERE reply_id = $1 AND seq = $2', [replyId, seq]);
}

export interface RequestRow {
  request_id: number;
  system_id: string;
  department: string;
  login: string;
  submitted_at: string;
  reason: string;
  until: string;
}

export async function addExemptionRequest(
  store: Store,
  r: { systemId: string; department: string; login: string; reason: string; until: string; now: Date },
): Promise<number> {
  return store.value<number>(
    `INSERT INTO portal_exemption_requests (request_id, system_id, department, login, submitted_at, reason, until)
     VALUES (nextval('portal_request_seq'), $1, $2, $3, $4::TIMESTAMPTZ, $5, $6::DATE) RETURNING request_id`,
    [r.systemId, r.department, r.login, r.now.toISOString(), r.reason, r.until],
  );
}

export async function requestById(store: Store, id: number): Promise<RequestRow | undefined> {
  return store.one<RequestRow>('SELECT * FROM portal_exemption_requests WHERE request_id = $1', [id]);
}

export async function requestsFor(store: Store, department: string | null): Promise<RequestRow[]> {
  return store.all<RequestRow>(
    `SELECT * FROM portal_exemption_requests WHERE $1::VARCHAR IS NULL OR department = $1 ORDER BY submitted_at DESC, request_id DESC`,
    [department],
  );
}

export async function recordUpload(
  store: Store,
  u: { fileId: number; login: string; department: string | null; now: Date },
): Promise<void> {
  await store.run('INSERT INTO portal_uploads VALUES ($1, $2, $3, $4::TIMESTAMPTZ)', [
    u.fileId,
    u.login,
    u.department,
    u.now.toISOString(),
  ]);
}

export interface UploadRow {
  file_id: number;
  login: string;
  department: string | null;
  uploaded_at: string;
  file_name: string;
  kind: string | null;
  status: string;
  rows_read: number | null;
  rows_loaded: number | null;
  rows_rejected: number | null;
  message: string | null;
}

const UPLOAD_SELECT = `SELECT u.file_id, u.login, u.department, u.uploaded_at, f.file_name, f.kind, f.status, f.rows_read, f.rows_loaded,
    f.rows_rejected, f.message
  FROM portal_uploads u JOIN files f USING (file_id)`;

export async function uploadsFor(store: Store, department: string | null, limit = 50): Promise<UploadRow[]> {
  return store.all<UploadRow>(`${UPLOAD_SELECT} WHERE $1::VARCHAR IS NULL OR u.department = $1 ORDER BY u.file_id DESC LIMIT $2`, [
    department,
    limit,
  ]);
}

export async function uploadById(store: Store, fileId: number): Promise<UploadRow | undefined> {
  return store.one<UploadRow>(`${UPLOAD_SELECT} WHERE u.file_id = $1`, [fileId]);
}

export interface RejectLine {
  row_no: number | null;
  column_name: string | null;
  value: string | null;
  reason: string;
}

export async function rejectsOf(store: Store, fileId: number, limit = 500): Promise<{ rows: RejectLine[]; total: number }> {
  const rows = await store.all<RejectLine>(
    'SELECT row_no, column_name, value, reason FROM rejects WHERE file_id = $1 ORDER BY row_no NULLS FIRST, column_name LIMIT $2',
    [fileId, limit],
  );
  const total = await store.value<number>('SELECT count(*) FROM rejects WHERE file_id = $1', [fileId]);
  return { rows, total };
}
