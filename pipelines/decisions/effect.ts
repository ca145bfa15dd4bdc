// What a decision changes in the latest run month (docs/decisions.md §5.7): the system's rows in the
// month's current run (what the lists say now) against the same month's models built afresh with
// the register as it now stands (a preview, rolled back: nothing is recorded). Only the decided
// system is compared, so new telemetry of other systems cannot be mistaken for the decision's effect.
// The month's lists themselves change when the month is run again (`govmon run`, the daemon).

import { monthEnd } from '../../core/clock.ts';
import { label, monthZh } from '../../metrics/labels.ts';
import type { LoadedProfile } from '../../metrics/profiles/schema.ts';
import type { Store } from '../store/database.ts';
import { previewMonth } from '../run/month.ts';

interface ListRows {
  elimination: {
    exempt: boolean;
    exempt_until: string | null;
    decision_status: string;
    decision_id: string | null;
    vcpu: number | null;
  } | null;
  notice: { status: string; decision_note: string | null; decision_id: string | null } | null;
  rightsizing: { vcpu: number; recommended_vcpu: number; reclaim_vcpu: number } | null;
  reclaimed: { vcpu: number | null; memory_gb: number | null; storage_gb: number | null; cloud_cost_annual: number | null } | null;
  monitored: boolean;
}

export interface DecisionEffect {
  /** the latest month with a run, null when no month was run yet */
  month: string | null;
  runId: number | null;
  /** does the decision count in that month (effective on or before its last day)? */
  applies: boolean;
  before: ListRows | null;
  after: ListRows | null;
  /** what changes, one line each, in Chinese; empty when nothing does */
  changes: string[];
}

async function rowsOf(store: Store, systemId: string, src: { run: number } | 'models', month: string): Promise<ListRows> {
  const t = (res: string, mart: string) => (src === 'models' ? `${mart} WHERE true` : `${res} WHERE run_id = ${src.run}`);
  const one = <T>(sql: string) => store.one<T>(sql, [systemId, `${month}-01`]);
  return {
    elimination:
      (await one<ListRows['elimination']>(
        `SELECT exempt, exempt_until, decision_status, decision_id, vcpu FROM ${t('res_elimination', 'mart_elimination')} AND system_id = $1 AND month = $2::DATE`,
      )) ?? null,
    notice:
      (await one<ListRows['notice']>(
        `SELECT status, decision_note, decision_id FROM ${t('res_notices', 'mart_notices')} AND system_id = $1 AND month = $2::DATE`,
      )) ?? null,
    rightsizing:
      (await one<ListRows['rightsizing']>(
        `SELECT vcpu, recommended_vcpu, reclaim_vcpu FROM ${t('res_rightsizing', 'mart_rightsizing')} AND system_id = $1 AND month = $2::DATE`,
      )) ?? null,
    reclaimed:
      (await one<ListRows['reclaimed']>(
        `SELECT gm_sum(vcpu) AS vcpu, gm_sum(memory_gb) AS memory_gb, gm_sum(storage_gb) AS storage_gb, gm_sum(cloud_cost_annual) AS cloud_cost_annual
         FROM ${t('res_reclaimed', 'mart_reclaimed')} AND system_id = $1 AND month = $2::DATE HAVING count(*) > 0`,
      )) ?? null,
    monitored:
      (await store.value<number>(`SELECT count(*) FROM ${t('res_metrics', 'mart_metrics')} AND system_id = $1 AND month = $2::DATE`, [
        systemId,
        `${month}-01`,
      ])) > 0,
  };
}

const num = (x: number | null | undefined) => (x === null || x === undefined ? '—' : Number(x.toFixed(2)).toLocaleString('zh-CN'));

function elimText(e: ListRows['elimination']): string {
  if (!e) return '不在淘汰退出清单上';
  const status = label('decision_status', e.decision_status);
  return e.decision_status === 'exempted' ? `${status}（豁免至 ${e.exempt_until}，列入“豁免”部分）` : status;
}

function noticeText(n: ListRows['notice']): string {
  if (!n) return '无整改通知';
  return `${label('notice_status', n.status)}${n.decision_note ? `（${label('notice_decision', n.decision_note)}）` : ''}`;
}

function rsText(r: ListRows['rightsizing']): string {
  return r ? `现有 ${r.vcpu} vCPU，建议 ${r.recommended_vcpu}（可收回 ${r.reclaim_vcpu}）` : '无减配建议';
}

function reclaimedText(r: ListRows['reclaimed']): string {
  return r
    ? `vCPU ${num(r.vcpu)} 个、内存 ${num(r.memory_gb)} GB、存储 ${num(r.storage_gb)} GB，年云资源费用 ${num(r.cloud_cost_annual)} 元`
    : '无';
}

/** The lines that differ between two sets of rows. */
export function changesBetween(before: ListRows, after: ListRows): string[] {
  const out: string[] = [];
  const pair = (what: string, a: string, b: string) => {
    if (a !== b) out.push(`${what}：${a} → ${b}`);
  };
  pair('淘汰退出清单', elimText(before.elimination), elimText(after.elimination));
  pair('限期整改清单', noticeText(before.notice), noticeText(after.notice));
  pair('云资源减配建议', rsText(before.rightsizing), rsText(after.rightsizing));
  pair('本月已收回', reclaimedText(before.reclaimed), reclaimedText(after.reclaimed));
  if (before.monitored !== after.monitored)
    out.push(`月度监测：${before.monitored ? '纳入' : '不纳入'} → ${after.monitored ? '纳入' : '不纳入'}`);
  return out;
}

/** What a decision about `systemId`, effective on `effectiveDate`, changes in the latest run month. */
export async function decisionEffect(
  store: Store,
  d: { systemId: string; effectiveDate: string },
  opts: { profile: LoadedProfile; now: Date },
): Promise<DecisionEffect> {
  const latest = await store.one<{ month: string; run_id: number }>('SELECT month, run_id FROM month_runs ORDER BY month DESC LIMIT 1');
  if (!latest) return { month: null, runId: null, applies: false, before: null, after: null, changes: [] };
  const applies = d.effectiveDate <= monthEnd(latest.month);
  if (!applies) return { month: latest.month, runId: latest.run_id, applies, before: null, after: null, changes: [] };
  const before = await rowsOf(store, d.systemId, { run: latest.run_id }, latest.month);
  const after = await previewMonth(store, { month: latest.month, profile: opts.profile, now: opts.now }, (s) =>
    rowsOf(s, d.systemId, 'models', latest.month),
  );
  return { month: latest.month, runId: latest.run_id, applies, before, after, changes: changesBetween(before, after) };
}

/** The effect for a person, in Chinese lines. */
export function describeEffect(e: DecisionEffect, effectiveDate: string): string[] {
  if (!e.month) return ['尚无月度运行结果：该决定将在其生效月份的月度运行中生效。'];
  if (!e.applies)
    return [
      `该决定生效日期 ${effectiveDate} 晚于最近一次月度运行（${monthZh(e.month)}）的月末，将在 ${effectiveDate.slice(0, 7)} 的月度运行中生效。`,
    ];
  const head = `对最近一次月度运行 ${monthZh(e.month)}（运行编号 ${e.runId}）的影响（按现有数据预演，尚未写入清单）：`;
  if (e.changes.length === 0) return [head, '  该系统在本月清单中的状态不变。'];
  return [head, ...e.changes.map((c) => `  ${c}`), `  运行 govmon run --month ${e.month} 后，清单、看板和文书随之更新。`];
}
