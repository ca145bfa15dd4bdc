-- 0009 the portal (docs/outputs.md §7.5): accounts, the audit log, the files departments upload,
-- their replies to notices with the evidence files, and their exemption requests. Sessions are not
-- stored: they live in the portal process and end when it stops (docs/operations.md, "the portal").
-- Every table here is written only by the portal and `govmon user`; audit rows are never updated.
-- Ids come from sequences named in the INSERTs, not column defaults: `govmon backup` recreates the
-- sequences after the tables, which a default would depend on (pipelines/store/backup.ts).

-- One row per account. The password is an argon2id PHC string (never the password itself);
-- `password_set_at` ends the sessions opened before a reset; a disabled account cannot log in.
CREATE TABLE portal_users (
  login           VARCHAR PRIMARY KEY,
  role            VARCHAR NOT NULL CHECK (role IN ('bureau', 'department', 'finance')),
  department      VARCHAR,            -- required for role department, NULL otherwise
  password_hash   VARCHAR NOT NULL,
  created_at      TIMESTAMPTZ NOT NULL,
  password_set_at TIMESTAMPTZ NOT NULL,
  disabled_at     TIMESTAMPTZ,        -- NULL: enabled
  locked_until    TIMESTAMPTZ,        -- after repeated wrong passwords (the configured lock time)
  CHECK ((role = 'department') = (department IS NOT NULL))
);

CREATE SEQUENCE portal_audit_seq START 1;

-- The audit log: who did what, when and from where. `login` is the name typed for a failed login
-- (possibly no account); `address` is the client's address as the portal saw it ('cli' for a
-- `govmon user` command). Append-only.
CREATE TABLE portal_audit (
  audit_id   BIGINT PRIMARY KEY,        -- nextval('portal_audit_seq')
  occurred_at TIMESTAMPTZ NOT NULL,
  login      VARCHAR,
  role       VARCHAR,
  department VARCHAR,
  action     VARCHAR NOT NULL,        -- login | logout | download | upload | reply | exemption_request | decision | user_* | lock
  outcome    VARCHAR NOT NULL,        -- ok | denied | failed
  target     VARCHAR,                 -- what was acted on: a system, a file, a page
  detail     VARCHAR,
  address    VARCHAR
);

-- A file uploaded through the portal: the ingest's own row in `files` (file_id) and who sent it.
CREATE TABLE portal_uploads (
  file_id     INTEGER NOT NULL,
  login       VARCHAR NOT NULL,
  department  VARCHAR,
  uploaded_at TIMESTAMPTZ NOT NULL
);

CREATE SEQUENCE portal_reply_seq START 1;

-- A department's reply to a rectification notice (整改说明). A notice is a system's run of months
-- on the list from `issued_month`; the deadline is the notice's as shown when the reply was sent.
CREATE TABLE portal_replies (
  reply_id     INTEGER PRIMARY KEY,     -- nextval('portal_reply_seq')
  system_id    VARCHAR NOT NULL,
  issued_month DATE NOT NULL,
  deadline     DATE,
  department   VARCHAR NOT NULL,
  login        VARCHAR NOT NULL,
  submitted_at TIMESTAMPTZ NOT NULL,
  explanation  VARCHAR NOT NULL
);

-- The evidence files of a reply, archived by SHA-256 beside the input files (archive/).
CREATE TABLE portal_evidence (
  reply_id     INTEGER NOT NULL,
  seq          INTEGER NOT NULL,
  file_name    VARCHAR NOT NULL,
  sha256       VARCHAR NOT NULL,
  size_bytes   BIGINT NOT NULL,
  archive_path VARCHAR NOT NULL
);

CREATE SEQUENCE portal_request_seq START 1;

-- A department's request that a system be exempted from elimination until a date (豁免申请).
CREATE TABLE portal_exemption_requests (
  request_id   INTEGER PRIMARY KEY,     -- nextval('portal_request_seq')
  system_id    VARCHAR NOT NULL,
  department   VARCHAR NOT NULL,
  login        VARCHAR NOT NULL,
  submitted_at TIMESTAMPTZ NOT NULL,
  reason       VARCHAR NOT NULL,
  until        DATE NOT NULL
);
