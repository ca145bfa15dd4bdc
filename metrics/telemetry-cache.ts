// Keeps agg_telemetry_monthly current (migration 0005): the months a telemetry file touched since
// they were last aggregated are aggregated again, over the current versions of their rows (the
// latest file wins, within a file the later row — the rule of the telemetry_current view). Only
// system-months whose row count exceeds their distinct days hold a replaced row, so only those
// pay for the de-duplication.

import type { Store } from '../pipelines/store/database.ts';
import { PLACEHOLDERS } from './models.ts';

export async function refreshTelemetryCache(store: Store, now: Date): Promise<{ months: string[] }> {
  const stale = await store.all<{ month: string; wm: number }>(
    `SELECT f.month, max(f.file_id) AS wm
     FROM file_months f
     WHERE f.month <= (SELECT month FROM run_params)
     GROUP BY f.month
     HAVING max(f.file_id) IS DISTINCT FROM (SELECT source_watermark FROM agg_telemetry_months c WHERE c.month = f.month)
     ORDER BY f.month`,
  );
  if (stale.length === 0) return { months: [] };
  await store.run('CREATE OR REPLACE TEMP TABLE gm_stale_months (month DATE, wm INTEGER)');
  for (const s of stale) await store.run('INSERT INTO gm_stale_months VALUES ($1::DATE, $2)', [s.month, s.wm]);
  const aggregates = PLACEHOLDERS.aggregates();
  await store.run('DELETE FROM agg_telemetry_monthly WHERE month IN (SELECT month FROM gm_stale_months)');
  await store.run(`INSERT INTO agg_telemetry_monthly BY NAME
    WITH t AS (
      SELECT r.*, r.rowid AS gm_rowid, CAST(date_trunc('month', r.date) AS DATE) AS month
      FROM raw_telemetry r
      WHERE r.date >= (SELECT min(month) FROM gm_stale_months)
        AND r.date <= (SELECT last_day(max(month)) FROM gm_stale_months)
        AND CAST(date_trunc('month', r.date) AS DATE) IN (SELECT month FROM gm_stale_months)
    ), direct AS (
      SELECT t.system_id, t.month, count(*) AS gm_rows,
        ${aggregates}
      FROM t GROUP BY t.system_id, t.month
    ), replaced AS (
      SELECT system_id, month FROM direct WHERE gm_rows > days_reported
    ), current_rows AS (
      SELECT t.* FROM t SEMI JOIN replaced ON t.system_id = replaced.system_id AND t.month = replaced.month
      QUALIFY row_number() OVER (PARTITION BY t.system_id, t.date ORDER BY t.file_id DESC, t.gm_rowid DESC) = 1
    ), repaired AS (
      SELECT t.system_id, t.month,
        ${aggregates}
      FROM current_rows t GROUP BY t.system_id, t.month
    )
    SELECT * EXCLUDE (gm_rows) FROM direct ANTI JOIN replaced USING (system_id, month)
    UNION ALL BY NAME
    SELECT * FROM repaired`);
  await store.run(`INSERT OR REPLACE INTO agg_telemetry_months
    SELECT s.month, s.wm, (SELECT count(*) FROM agg_telemetry_monthly a WHERE a.month = s.month), $1::TIMESTAMPTZ
    FROM gm_stale_months s`, [now.toISOString()]);
  await store.run('DROP TABLE gm_stale_months');
  return { months: stale.map((s) => s.month.slice(0, 7)) };
}
