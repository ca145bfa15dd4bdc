// Keeps agg_telemetry_monthly current (migration 0005): the months a telemetry file touched since
// they were last aggregated are aggregated again, over the current versions of their rows (the
// latest file wins, within a file the later row — the rule of the telemetry_current view). Only
// system-months whose row count exceeds their distinct days hold a replaced row, so only those
// pay for the de-duplication.

import type { Store } from '../store/database.ts';
import { PLACEHOLDERS } from '../../metrics/model-sql.ts';
import { addMonths, monthEnd, monthStart } from '../../core/clock.ts';

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
  // the stale months as date ranges (consecutive months merged), so the scan can skip row groups
  const ranges: [string, string][] = [];
  for (const { month } of stale) {
    const m = month.slice(0, 7);
    const last = ranges.at(-1);
    if (last && addMonths(last[1].slice(0, 7), 1) === m) last[1] = monthEnd(m);
    else ranges.push([monthStart(m), monthEnd(m)]);
  }
  const inStale = `(${ranges.map(([a, b]) => `t.date BETWEEN DATE '${a}' AND DATE '${b}'`).join(' OR ')})`;
  // One scan aggregates every stale month straight from the raw rows into the cache (no copy of
  // the rows is kept: materialising millions of rows costs more than the aggregate itself).
  await store.run(`INSERT INTO agg_telemetry_monthly BY NAME
    SELECT t.system_id, CAST(date_trunc('month', t.date) AS DATE) AS month, count(*) AS rows_total,
      ${aggregates}
    FROM raw_telemetry t WHERE ${inStale}
    GROUP BY ALL`);
  // A system-month with more rows than distinct days holds a replaced row: only those are
  // aggregated again, over the current versions — a narrow second pass, run when a correction came.
  await store.run(
    `CREATE OR REPLACE TEMP TABLE gm_replaced AS
       SELECT system_id, month, rows_total FROM agg_telemetry_monthly
       WHERE month IN (SELECT month FROM gm_stale_months) AND rows_total > days_reported`,
  );
  if ((await store.value<number>('SELECT count(*) FROM gm_replaced')) > 0) {
    await store.run('DELETE FROM agg_telemetry_monthly a USING gm_replaced r WHERE a.system_id = r.system_id AND a.month = r.month');
    await store.run(`INSERT INTO agg_telemetry_monthly BY NAME
      WITH current_rows AS (
        SELECT t.*, g.month, g.rows_total FROM raw_telemetry t
        JOIN gm_replaced g ON g.system_id = t.system_id AND g.month = CAST(date_trunc('month', t.date) AS DATE)
        WHERE ${inStale}
        QUALIFY row_number() OVER (PARTITION BY t.system_id, t.date ORDER BY t.file_id DESC, t.rowid DESC) = 1
      )
      SELECT t.system_id, t.month, any_value(t.rows_total) AS rows_total,
        ${aggregates}
      FROM current_rows t GROUP BY t.system_id, t.month`);
  }
  await store.run('DROP TABLE gm_replaced');
  await store.run(
    `INSERT OR REPLACE INTO agg_telemetry_months
    SELECT s.month, s.wm, (SELECT count(*) FROM agg_telemetry_monthly a WHERE a.month = s.month), $1::TIMESTAMPTZ
    FROM gm_stale_months s`,
    [now.toISOString()],
  );
  await store.run('DROP TABLE gm_stale_months');
  return { months: stale.map((s) => s.month.slice(0, 7)) };
}
