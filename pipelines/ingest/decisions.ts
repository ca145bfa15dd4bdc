// The checks of a decisions file that need more than the row (docs/inputs.md §2.6): its id unique in
// the register and the file (an empty id gets one: D<file>-<row>), a `revoke` naming a decision
// that exists — in the register or on an earlier row of the file — of the same system, not itself
// a revocation and not revoked already, and reclaimed resources that, with what earlier decisions
// reclaimed, stay within the registry's allocation. All in SQL over the staged rows (gm_stage of
// validate.ts), each failure a reject with its Chinese reason, like the checks of the contract.

import type { Store } from '../store/database.ts';

/** '16', '2.5': a number in a reason, without a trailing .0. */
const num = (x: string) => `regexp_replace(CAST(round(${x}, 3) AS VARCHAR), '\\.0+$', '')`;

/** Assign the ids of rows without one, then add the register's reasons to each row's errors. */
export async function checkDecisions(store: Store, fileId: number): Promise<void> {
  await store.run(
    `CREATE OR REPLACE TEMP TABLE gm_stage AS SELECT * REPLACE (coalesce(decision_id, 'D${fileId}-' || row_no) AS decision_id) FROM gm_stage`,
  );
  const over = (col: string, zh: string, unit: string) => `CASE WHEN s.decision = 'reclaimed' AND s.${col} IS NOT NULL THEN
      CASE WHEN a.${col.replace('reclaimed_', '')} IS NULL
             THEN ${`'系统目录中没有登记该系统已分配的${zh.trim()}，无法收回'`}
           WHEN coalesce(rr.${col}, 0) + c.${col} > a.${col.replace('reclaimed_', '')}
             THEN '收回${zh}累计 ' || ${num(`coalesce(rr.${col}, 0) + c.${col}`)} || '${unit}（含此前已收回 ' || ${num(`coalesce(rr.${col}, 0)`)} || '${unit}），超过系统目录中已分配的 ' || ${num(`a.${col.replace('reclaimed_', '')}`)} || '${unit}'
      END END`;
  await store.run(`CREATE OR REPLACE TEMP TABLE gm_stage AS
    WITH s AS (
      SELECT * FROM gm_stage
    ), ok AS (
      -- the rows valid so far: an earlier one of them can be revoked, and counts in what was reclaimed
      SELECT * FROM s WHERE len(errors) = 0
    ), targets AS (
      SELECT decision_id, system_id, decision, 0 AS row_no FROM raw_decisions
      UNION ALL SELECT decision_id, system_id, decision, row_no FROM ok
    ), revocations AS (
      SELECT revokes, 0 AS row_no, decision_id FROM raw_decisions WHERE decision = 'revoke'
      UNION ALL SELECT revokes, row_no, decision_id FROM ok WHERE decision = 'revoke'
    ), reclaimed_before AS (
      SELECT system_id, sum(reclaimed_vcpu) AS reclaimed_vcpu, sum(reclaimed_memory_gb) AS reclaimed_memory_gb,
        sum(reclaimed_storage_gb) AS reclaimed_storage_gb
      FROM raw_decisions
      WHERE decision = 'reclaimed' AND decision_id NOT IN (SELECT revokes FROM raw_decisions WHERE decision = 'revoke')
      GROUP BY system_id
    ), reclaimed_in_file AS (
      SELECT row_no,
        sum(coalesce(reclaimed_vcpu, 0)) OVER w AS reclaimed_vcpu,
        sum(coalesce(reclaimed_memory_gb, 0)) OVER w AS reclaimed_memory_gb,
        sum(coalesce(reclaimed_storage_gb, 0)) OVER w AS reclaimed_storage_gb
      FROM ok WHERE decision = 'reclaimed'
      WINDOW w AS (PARTITION BY system_id ORDER BY row_no ROWS UNBOUNDED PRECEDING)
    ), checked AS (
      SELECT s.*,
        EXISTS (SELECT 1 FROM raw_decisions r WHERE r.decision_id = s.decision_id) AS gm_taken,
        row_number() OVER (PARTITION BY s.decision_id ORDER BY s.row_no) > 1 AS gm_repeated,
        (SELECT arg_max(t.system_id, t.row_no) FROM targets t WHERE t.decision_id = s.revokes AND t.row_no < s.row_no) AS gm_target_system,
        (SELECT arg_max(t.decision, t.row_no) FROM targets t WHERE t.decision_id = s.revokes AND t.row_no < s.row_no) AS gm_target_decision,
        (SELECT min(v.decision_id) FROM revocations v WHERE v.revokes = s.revokes AND v.row_no < s.row_no) AS gm_revoked_by
      FROM s
    )
    SELECT s.* EXCLUDE (gm_taken, gm_repeated, gm_target_system, gm_target_decision, gm_revoked_by)
      REPLACE (list_concat(s.errors, list_filter([
        {'column': 'decision_id', 'value': s.decision_id, 'reason': CASE
          WHEN s.gm_taken THEN '决定编号已在处置决定登记簿中，不能重复登记（更正请先撤销原决定）'
          WHEN s.gm_repeated THEN '决定编号在本文件中重复' END},
        {'column': 'revokes', 'value': s.r_revokes, 'reason': CASE WHEN s.decision = 'revoke' AND s.revokes IS NOT NULL THEN CASE
          WHEN s.gm_target_system IS NULL THEN '撤销的决定编号不存在（处置决定登记簿和本文件此前的行中都没有）'
          WHEN s.gm_target_system <> s.system_id THEN '撤销的决定属于另一个系统（' || s.gm_target_system || '）'
          WHEN s.gm_target_decision = 'revoke' THEN '撤销决定不能再被撤销；如需恢复，请重新登记原决定'
          WHEN s.gm_revoked_by IS NOT NULL THEN '该决定已被撤销（决定编号 ' || s.gm_revoked_by || '）' END END},
        {'column': 'reclaimed_vcpu', 'value': s.r_reclaimed_vcpu, 'reason': ${over('reclaimed_vcpu', ' vCPU ', ' 个')}},
        {'column': 'reclaimed_memory_gb', 'value': s.r_reclaimed_memory_gb, 'reason': ${over('reclaimed_memory_gb', '内存', ' GB')}},
        {'column': 'reclaimed_storage_gb', 'value': s.r_reclaimed_storage_gb, 'reason': ${over('reclaimed_storage_gb', '存储', ' GB')}}
      ], lambda e: e.reason IS NOT NULL)) AS errors)
    FROM checked s
    LEFT JOIN (SELECT system_id, vcpu, memory_gb, storage_gb FROM systems_current) a USING (system_id)
    LEFT JOIN reclaimed_before rr USING (system_id)
    LEFT JOIN reclaimed_in_file c USING (row_no)`);
}
