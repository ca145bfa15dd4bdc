// The overview's numbers, each defined once here from the loaded results — the same rows the
// exports hold (the end-to-end test checks them against `exportRows`):
//   monitored: systems with a metrics row in the month (in operation, not classified);
//   flagged: of those, any condition holds; rectification: notices issued or open in the month;
//   elimination: listed and not exempt; exempted: listed but exempt (shown apart);
//   reclaim (可收回): vCPU and yearly cloud cost of the elimination list (not exempt, not shut down
//   already) plus right-sizing, as the run's own counts; reclaimed (已收回): what the month's
//   decisions took back (docs/decisions.md §5.7); sharing: 100 × Σ timely ÷ Σ shareable over the
//   month's sharing rows.

import type { SiteContext } from './context.ts';
import { CONDITION_CODES } from '../../metrics/labels.ts';
import type { ConditionName } from '../../metrics/profiles/schema.ts';

export interface Kpis {
  registered: number;
  monitored: number;
  flagged: number;
  byCondition: Record<ConditionName, number>;
  rectification: number;
  issued: number;
  resolved: number;
  escalated: number;
  elimination: number;
  exempted: number;
  rightsizing: number;
  reclaimVcpu: number;
  reclaimCostAnnual: number;
  reclaimedVcpu: number;
  reclaimedCostAnnual: number;
  /** elimination rows awaiting a decision (待决定) */
  pendingDecisions: number;
  sharingSystems: number;
  sharingCompletenessPct: number | null;
  sharingFailures: number;
  uncataloged: number;
  catalogOverdue: number;
}

export function computeKpis(ctx: SiteContext): Kpis {
  const now = [...ctx.now.values()];
  const notices = [...ctx.noticeNow.values()];
  const elim = ctx.data.elimination.filter((e) => !e.exempt);
  const reclaimable = elim.filter((e) => e.decision_status !== 'shut_down');
  const sharing = [...ctx.sharingNow.values()];
  const shareable = sharing.reduce((a, s) => a + s.shareable, 0);
  const timely = sharing.reduce((a, s) => a + s.timely, 0);
  const byCondition = Object.fromEntries(CONDITION_CODES.map((c) => [c, now.filter((r) => r[c]).length])) as Record<ConditionName, number>;
  return {
    registered: ctx.data.systems.length,
    monitored: now.length,
    flagged: now.filter((r) => CONDITION_CODES.some((c) => r[c])).length,
    byCondition,
    rectification: notices.filter((n) => n.status === 'issued' || n.status === 'open').length,
    issued: notices.filter((n) => n.status === 'issued').length,
    resolved: notices.filter((n) => n.status === 'resolved').length,
    escalated: notices.filter((n) => n.status === 'escalated').length,
    elimination: elim.length,
    exempted: ctx.data.elimination.length - elim.length,
    rightsizing: ctx.data.rightsizing.length,
    reclaimVcpu: reclaimable.reduce((a, e) => a + (e.vcpu ?? 0), 0) + ctx.data.rightsizing.reduce((a, r) => a + r.reclaim_vcpu, 0),
    reclaimCostAnnual:
      reclaimable.reduce((a, e) => a + (e.cloud_cost_annual ?? 0), 0) +
      ctx.data.rightsizing.reduce((a, r) => a + (r.reclaim_cost_annual ?? 0), 0),
    reclaimedVcpu: ctx.data.reclaimed.reduce((a, r) => a + (r.vcpu ?? 0), 0),
    reclaimedCostAnnual: ctx.data.reclaimed.reduce((a, r) => a + (r.cloud_cost_annual ?? 0), 0),
    pendingDecisions: elim.filter((e) => e.decision_status === 'pending').length,
    sharingSystems: sharing.length,
    sharingCompletenessPct: shareable > 0 ? (100 * timely) / shareable : null,
    sharingFailures: sharing.filter((s) => s.sharing_failure).length,
    uncataloged: sharing.filter((s) => s.uncataloged).length,
    catalogOverdue: sharing.filter((s) => s.catalog_overdue).length,
  };
}
