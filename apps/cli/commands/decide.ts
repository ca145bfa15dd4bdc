// `govmon decide SYSTEM_ID DECISION --date D --by NAME …`: record one decision in the register
// (docs/inputs.md §2.6) through the one ingest path, then show what it changes in the latest run
// month (a rolled-back preview, docs/decisions.md §5.7). Exit code 0 recorded, 1 refused, 2
// recorded with a warning that needs a person (the system is not on the list decided on).

import { UserError } from '../../../core/errors.ts';
import { columnOf } from '../../../metrics/contract.ts';
import { label } from '../../../metrics/labels.ts';
import { loadProfile, type LoadedProfile } from '../../../pipelines/profiles.ts';
import { recordDecision, type DecisionInput } from '../../../pipelines/decisions/record.ts';
import { decisionEffect, describeEffect } from '../../../pipelines/decisions/effect.ts';
import type { Store } from '../../../pipelines/store/database.ts';
import type { Kit } from '../kit.ts';

export interface DecideOptions {
  date?: string;
  by?: string;
  doc?: string;
  reason?: string;
  until?: string;
  revokes?: string;
  vcpu?: string;
  memory?: string;
  storage?: string;
  id?: string;
}

/** The option that gives each column, for the messages. */
const FLAG: Record<string, string> = {
  decision_id: '--id',
  effective_date: '--date',
  decided_by: '--by',
  document_no: '--doc',
  reason: '--reason',
  until: '--until',
  revokes: '--revokes',
  reclaimed_vcpu: '--vcpu',
  reclaimed_memory_gb: '--memory',
  reclaimed_storage_gb: '--storage',
};

/** The profile of the preview: --profile when given, else the one the latest month was run with. */
async function previewProfile(kit: Kit, store: Store): Promise<LoadedProfile> {
  if (kit.profileGiven()) return loadProfile(kit.g.profile);
  const name = await store.value<string | null>(
    'SELECT profile FROM runs WHERE run_id = (SELECT run_id FROM month_runs ORDER BY month DESC LIMIT 1)',
  );
  try {
    return loadProfile(name ?? 'default');
  } catch {
    return loadProfile('default');
  }
}

export async function decide(kit: Kit, systemId: string, decision: string, o: DecideOptions): Promise<number> {
  if (!systemId?.trim())
    throw new UserError('请给出系统编号，如 govmon decide YC-MZ-006 同意关停 --date 2026-11-05 --by 王立新 --doc 临数局〔2026〕12号');
  const input: DecisionInput = {
    decision_id: o.id ?? null,
    system_id: systemId.trim(),
    decision: decision.trim(),
    effective_date: o.date ?? '',
    decided_by: o.by ?? '',
    document_no: o.doc ?? null,
    reason: o.reason ?? null,
    until: o.until ?? null,
    revokes: o.revokes ?? null,
    reclaimed_vcpu: o.vcpu ?? null,
    reclaimed_memory_gb: o.memory ?? null,
    reclaimed_storage_gb: o.storage ?? null,
  };
  return kit.withStore(async (store, log) => {
    const now = new Date();
    const r = await recordDecision(store, input, { now, source: 'govmon-decide' });
    if (r.duplicate) {
      log.info(`该决定此前已登记，未做改动：${r.outcome.message ?? ''}`);
      return 0;
    }
    if (!r.recorded) {
      const lines = ['决定未登记，原因如下：'];
      for (const x of r.rejects) {
        if (!x.column_name) {
          lines.push(`  ${x.reason}`);
          continue;
        }
        const c = columnOf('decisions', x.column_name);
        const flag = FLAG[x.column_name] ? `（${FLAG[x.column_name]}）` : '';
        lines.push(`  ${c.zh}${flag}${x.value !== null ? `“${x.value}”` : ''}：${x.reason}`);
      }
      if (r.rejects.length === 0 && r.outcome.message) lines.push(`  ${r.outcome.message}`);
      throw new UserError(lines.join('\n'), 1);
    }
    const row = await store.one<{ decision: string; effective_date: string; document_no: string | null; decided_by: string }>(
      'SELECT decision, effective_date, document_no, decided_by FROM raw_decisions WHERE decision_id = $1',
      [r.decisionId],
    );
    log.info(
      `已登记处置决定 ${r.decisionId}：${input.system_id} ${label('decision', row!.decision)}（生效日期 ${row!.effective_date}${row!.document_no ? `，文号 ${row!.document_no}` : ''}，决定人 ${row!.decided_by}）`,
    );
    for (const w of r.warnings) log.warn(w);
    const effect = await decisionEffect(
      store,
      { systemId: input.system_id, effectiveDate: row!.effective_date },
      { profile: await previewProfile(kit, store), now },
    );
    log.info(describeEffect(effect, row!.effective_date).join('\n'));
    return r.exitCode;
  });
}
