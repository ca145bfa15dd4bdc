// What the documents of a month say, read from the month's current run through the read API
// (docs/outputs.md §7.4): the notices issued or open and the figures of the months each system's
// conditions have held, the elimination list with the exempted systems, and the articles quoted
// from the profile the month was run with. Classified systems are left out, as everywhere.

import { addMonths } from '../../core/clock.ts';
import { CONDITIONS } from '../../metrics/definitions.ts';
import type { ConditionName } from '../../metrics/profiles/schema.ts';
import { currentMonthRun, loadProfile, type LoadedProfile, type Results, type Row } from '../../pipelines/read.ts';

const VISIBLE = `system_id NOT IN (SELECT system_id FROM systems_current WHERE coalesce(classified, false))`;

export interface MonthFigures {
  month: string;
  holds: ConditionName[];
  [metric: string]: string | number | null | ConditionName[];
}

export interface NoticeSystem {
  system_id: string;
  system_name: string;
  department: string;
  status: 'issued' | 'open';
  issued_month: string;
  months_open: number;
  deadline: string;
  conditions: { condition: ConditionName; streak: number; warned: boolean }[];
  decision_note: string | null;
  decision_document_no: string | null;
  decision_date: string | null;
  decision_reason: string | null;
  /** the months in which the notice's conditions held, with the figures that show it */
  figures: MonthFigures[];
}

export interface EliminationEntry {
  system_id: string;
  system_name: string;
  department: string;
  conditions: { condition: ConditionName; streak: number; from_month: string }[];
  vcpu: number | null;
  memory_gb: number | null;
  storage_gb: number | null;
  cloud_cost_annual: number | null;
  exempt: boolean;
  exempt_until: string | null;
  exempt_reason: string | null;
  exempt_source: string | null;
  exempt_document_no: string | null;
  decision_status: string;
  decision_document_no: string | null;
}

export interface MonthDocumentsData {
  month: string;
  runId: number;
  profile: LoadedProfile;
  notices: NoticeSystem[];
  elimination: EliminationEntry[];
}

/** The metrics that show each condition (metrics/definitions.ts), and days reported for every month. */
export const FIGURES = [...new Set(['days_reported', ...CONDITIONS.flatMap((c) => c.evidence)])];

export async function loadMonthDocuments(store: Results, month: string, given?: LoadedProfile): Promise<MonthDocumentsData> {
  const runId = await currentMonthRun(store, { month });
  const run = await store.one<{ profile: string | null; profile_sha256: string | null }>(
    'SELECT profile, profile_sha256 FROM runs WHERE run_id = $1',
    [runId],
  );
  // the articles are quoted from the profile the month was run with: the one given if it is that
  // one (its content hash), else the shipped profile of that name
  let profile = given && given.sha256 === run?.profile_sha256 ? given : undefined;
  if (!profile) {
    try {
      profile = loadProfile(run?.profile ?? 'default');
    } catch {
      profile = given ?? loadProfile('default');
    }
  }
  const notices = await store.all<Omit<NoticeSystem, 'figures'>>(
    `SELECT system_id, system_name, department, status, strftime(issued_month, '%Y-%m') AS issued_month, months_open, deadline, conditions,
       decision_note, decision_document_no, decision_date, decision_reason
     FROM res_notices WHERE run_id = $1 AND month = $2::DATE AND status IN ('issued', 'open') AND ${VISIBLE}
     ORDER BY department, deadline, system_id`,
    [runId, `${month}-01`],
  );
  const longest = Math.max(1, ...notices.flatMap((n) => n.conditions.map((c) => c.streak)));
  const metrics = await store.all<Row>(
    `SELECT system_id, strftime(month, '%Y-%m') AS month, ${FIGURES.join(', ')}, no_data, inactive, low_util, unusable, security
     FROM res_metrics WHERE run_id = $1 AND month >= $2::DATE AND month <= $3::DATE ORDER BY system_id, month`,
    [runId, `${addMonths(month, -(longest - 1))}-01`, `${month}-01`],
  );
  const bySystem = new Map<string, Row[]>();
  for (const m of metrics) {
    const list = bySystem.get(String(m.system_id)) ?? [];
    list.push(m);
    bySystem.set(String(m.system_id), list);
  }
  const withFigures = notices.map((n): NoticeSystem => {
    const from = (c: { streak: number }) => addMonths(month, -(c.streak - 1));
    const figures = (bySystem.get(n.system_id) ?? [])
      .filter((r) => n.conditions.some((c) => String(r.month) >= from(c)))
      .map((r) => ({
        month: String(r.month),
        holds: n.conditions.map((c) => c.condition).filter((c) => r[c] === true),
        ...Object.fromEntries(FIGURES.map((f) => [f, (r[f] as number | null) ?? null])),
      }));
    return { ...n, figures };
  });
  const elimination = await store.all<EliminationEntry>(
    `SELECT system_id, system_name, department,
       list_transform(conditions, lambda x: {'condition': x.condition, 'streak': x.streak, 'from_month': strftime(x.from_month, '%Y-%m')}) AS conditions,
       vcpu, memory_gb, storage_gb, cloud_cost_annual, exempt, exempt_until, exempt_reason, exempt_source, exempt_document_no,
       decision_status, decision_document_no
     FROM res_elimination WHERE run_id = $1 AND ${VISIBLE} ORDER BY exempt, department, system_id`,
    [runId],
  );
  return { month, runId, profile, notices: withFigures, elimination };
}
