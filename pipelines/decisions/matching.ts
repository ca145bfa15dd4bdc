// Is a decision about a system on the list it decides on (docs/decisions.md §5.7)? A decision that
// is not is stored all the same and reported as a warning that needs a person (exit code 2): an
// exemption or a shutdown of a system that is not on the elimination list, resources reclaimed
// from one that is on neither the elimination nor the right-sizing list, a rectification
// confirmed or a reply refused where no notice is open. The list is the one of the decision's
// month or of the month before (a list is decided on in the month after it): the current runs of
// those months at ingest, the run itself and the previous month's current run during a run.

import { label, monthZh } from '../../metrics/labels.ts';
import type { Store } from '../store/database.ts';

/** The list each decision is checked against. A `revoke` is checked against none. */
export const MATCHING_LIST: Readonly<Record<string, 'elimination' | 'reclaim' | 'rectification'>> = {
  exempt: 'elimination',
  confirm_shutdown: 'elimination',
  shutdown_done: 'elimination',
  reclaimed: 'reclaim',
  rectified: 'rectification',
  reject_reply: 'rectification',
};

const LIST_ZH = { elimination: '淘汰退出清单', reclaim: '淘汰退出清单或云资源减配建议', rectification: '限期整改清单' } as const;

export interface Unmatched {
  row_no: number | null;
  decision_id: string;
  system_id: string;
  decision: string;
  effective_date: string;
  months: string[];
}

/**
 * Decisions of the temporary table gm_decision_check(row_no, decision_id, system_id, decision,
 * effective_date, run_ids INTEGER[], months VARCHAR[]) — `run_ids` the monthly runs whose lists
 * count, `months` their months — that are on none of those lists. Rows with no run to check
 * against are not reported (nothing is known yet).
 */
export async function unmatchedDecisions(store: Store): Promise<Unmatched[]> {
  return store.all<Unmatched>(
    `SELECT c.row_no, c.decision_id, c.system_id, c.decision, c.effective_date, c.months
     FROM gm_decision_check c
     WHERE len(c.run_ids) > 0 AND c.decision IN ('exempt', 'confirm_shutdown', 'shutdown_done', 'reclaimed', 'rectified', 'reject_reply')
       AND NOT CASE
         WHEN c.decision IN ('exempt', 'confirm_shutdown', 'shutdown_done') THEN
           EXISTS (SELECT 1 FROM res_elimination e WHERE list_contains(c.run_ids, e.run_id) AND e.system_id = c.system_id)
         WHEN c.decision = 'reclaimed' THEN
           EXISTS (SELECT 1 FROM res_elimination e WHERE list_contains(c.run_ids, e.run_id) AND e.system_id = c.system_id)
           OR EXISTS (SELECT 1 FROM res_rightsizing r WHERE list_contains(c.run_ids, r.run_id) AND r.system_id = c.system_id)
         ELSE
           EXISTS (SELECT 1 FROM res_notices n JOIN runs u ON u.run_id = n.run_id
                   WHERE list_contains(c.run_ids, n.run_id) AND n.system_id = c.system_id
                     AND strftime(n.month, '%Y-%m') = u.period AND n.status IN ('issued', 'open'))
       END
     ORDER BY c.row_no NULLS FIRST, c.decision_id`,
  );
}

/** One warning line for a person. */
export function unmatchedText(u: Unmatched, where?: string): string {
  const list = LIST_ZH[MATCHING_LIST[u.decision]];
  const months = u.months.map(monthZh).join('和');
  return `${where ? `${where}：` : ''}系统 ${u.system_id} 的“${label('decision', u.decision)}”决定（决定编号 ${u.decision_id}，生效日期 ${u.effective_date}）——该系统不在${months}的${list}上；决定已登记，请核对`;
}

/**
 * At ingest: the rows of decisions file `fileId` just stored, checked against the current runs of
 * each decision's month and the month before; `rows` names a table that gives each decision_id
 * its row number in the file.
 */
export async function unmatchedInFile(store: Store, fileId: number, rows: string): Promise<Unmatched[]> {
  await store.run(`CREATE OR REPLACE TEMP TABLE gm_decision_check AS
    WITH d AS (
      SELECT x.decision_id, x.system_id, x.decision, x.effective_date, g.row_no,
        strftime(x.effective_date, '%Y-%m') AS m, strftime(x.effective_date - INTERVAL 1 MONTH, '%Y-%m') AS prev
      FROM raw_decisions x LEFT JOIN ${rows} g USING (decision_id) WHERE x.file_id = ${Number(fileId)}
    )
    SELECT d.row_no, d.decision_id, d.system_id, d.decision, d.effective_date,
      list_filter([r1.run_id, r0.run_id], lambda x: x IS NOT NULL) AS run_ids,
      list_filter([CASE WHEN r0.run_id IS NOT NULL THEN d.prev END, CASE WHEN r1.run_id IS NOT NULL THEN d.m END], lambda x: x IS NOT NULL) AS months
    FROM d
    LEFT JOIN month_runs r1 ON r1.month = d.m
    LEFT JOIN month_runs r0 ON r0.month = d.prev`);
  const out = await unmatchedDecisions(store);
  await store.run('DROP TABLE IF EXISTS gm_decision_check');
  return out;
}
