// Record one decision (docs/inputs.md §2.6): what `govmon decide` and the portal call. The decision
// becomes a one-row decisions file that goes through the one ingest path — archived by SHA-256,
// validated by the same SQL as any decisions file, stored in one transaction, its rejects and
// warnings kept — so there is no second copy of the rules.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CONTRACT } from '../../metrics/contract.ts';
import type { Store } from '../store/database.ts';
import { ingestFile, type FileOutcome, type RejectRow } from '../ingest/ingest.ts';

/** One decision as a person gives it; `decision` is a code or its Chinese label. */
export interface DecisionInput {
  decision_id?: string | null;
  system_id: string;
  decision: string;
  effective_date: string;
  decided_by: string;
  until?: string | null;
  document_no?: string | null;
  reason?: string | null;
  revokes?: string | null;
  reclaimed_vcpu?: number | string | null;
  reclaimed_memory_gb?: number | string | null;
  reclaimed_storage_gb?: number | string | null;
}

export interface RecordedDecision {
  /** stored: the decision is in the register (warnings may say it needs a look) */
  recorded: boolean;
  /** the same decision was recorded before (the same bytes): nothing changed */
  duplicate: boolean;
  decisionId: string | null;
  rejects: RejectRow[];
  warnings: string[];
  outcome: FileOutcome;
  /** 0 recorded, 1 refused, 2 recorded with a warning that needs a person */
  exitCode: 0 | 1 | 2;
}

const cell = (v: unknown): string => {
  if (v === null || v === undefined) return '';
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/** The one-row CSV of a decision, with the contract's English headers. */
export function decisionCsv(d: DecisionInput): string {
  const cols = CONTRACT.decisions.columns.map((c) => c.name);
  const row = d as unknown as Record<string, unknown>;
  return `${cols.join(',')}\n${cols.map((c) => cell(row[c])).join(',')}\n`;
}

export async function recordDecision(
  store: Store,
  d: DecisionInput,
  opts: { now: Date; archiveDir?: string; source?: string },
): Promise<RecordedDecision> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'govmon-decide-'));
  // the file name a person will see in `govmon status` and the ingest log
  const name = `${opts.source ?? '处置决定'}-${String(d.system_id)
    .replace(/[^\p{L}\p{N}_.-]/gu, '_')
    .slice(0, 60)}.csv`;
  const file = path.join(dir, name);
  try {
    fs.writeFileSync(file, decisionCsv(d));
    const o = await ingestFile(store, file, { now: opts.now, archiveDir: opts.archiveDir, kind: 'decisions' });
    let decisionId: string | null = null;
    if (o.status === 'loaded' && o.fileId !== undefined)
      decisionId = await store.value<string>('SELECT decision_id FROM raw_decisions WHERE file_id = $1', [o.fileId]);
    const rejects =
      o.fileId !== undefined && o.status !== 'loaded'
        ? await store.all<RejectRow>(
            'SELECT row_no, column_name, value, reason FROM rejects WHERE file_id = $1 ORDER BY row_no NULLS FIRST, column_name',
            [o.fileId],
          )
        : [];
    const recorded = o.status === 'loaded';
    return {
      recorded,
      duplicate: o.status === 'duplicate',
      decisionId,
      rejects,
      // one decision: the row number of its one-row file means nothing to a person
      warnings: o.warnings.map((w) => w.replace(/^第 \d+ 行：/, '')),
      outcome: o,
      exitCode: recorded ? (o.warnings.length ? 2 : 0) : o.status === 'duplicate' ? 0 : 1,
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
