// The sample city's decision register (docs/inputs.md §2.6, docs/decisions.md §5.7): a file of
// decisions a bureau took on the lists of the last months, planted on systems whose outcome is
// already known, and what govmon must conclude from them — computed here from the rules of §5.7,
// on a path of its own (nothing of govmon's decision code is imported): the decision status of
// each elimination row, exemptions from both sources (the later until wins), a shutdown reclaimed
// in its month, right-sizing on what is left after a reclaim, the notes on notices, a revocation,
// and a decision about a system on no list (stored, warned).

import path from 'node:path';
import { addMonths, monthEnd } from './calendar.ts';
import type { City, CitySystem } from './city.ts';
import { csvText, writeText } from './write.ts';
import type { Planted, PlantedCase, PlantedDecisions } from './types.ts';
import { label } from '../../metrics/labels.ts';

export interface SampleDecision {
  decision_id: string;
  system_id: string;
  /** the code, and the Chinese label the file carries */
  decision: 'exempt' | 'confirm_shutdown' | 'shutdown_done' | 'reclaimed' | 'rectified' | 'reject_reply' | 'revoke';
  effective_date: string;
  until: string | null;
  document_no: string | null;
  decided_by: string;
  reason: string | null;
  revokes: string | null;
  reclaimed_vcpu: number | null;
  /** what is planted, in Chinese */
  what: string;
}

const LABEL = (d: SampleDecision['decision']): string => label('decision', d);

export const DECISIONS_FILE = '08_处置决定.csv';

/** The planted decisions, dated in the last three months of the city (k = 0 is the end month). */
export function plantDecisions(city: City): SampleDecision[] {
  const { ctx } = city;
  const m = ctx.m;
  const y = Number(m.slice(0, 4));
  const id = (key: string) => {
    const s = city.byKey.get(key);
    if (!s) throw new Error(`sample city: no case ${key}`);
    return s.row.system_id;
  };
  const doc = (n: number) => `云数局〔${y}〕${n}号`;
  const at = (k: number, day: number) => `${addMonths(m, -k)}-${String(day).padStart(2, '0')}`;
  // a healthy system of the background: on no list, so a decision about it is stored and warned
  const quiet = city.systems.find((s) => s.key === null && s.row.stage === 'operation' && !s.row.classified)!;
  const d = (x: Partial<SampleDecision> & Pick<SampleDecision, 'decision_id' | 'system_id' | 'decision' | 'effective_date' | 'what'>) => ({
    until: null,
    document_no: null,
    decided_by: '刘建国',
    reason: null,
    revokes: null,
    reclaimed_vcpu: null,
    ...x,
  });
  return [
    d({
      decision_id: 'YC-JD-001',
      system_id: id('LOW5'),
      decision: 'reclaimed',
      effective_date: at(2, 25),
      reclaimed_vcpu: 14,
      what: '前第 2 个月（首次可减配）收回 14 个 vCPU（16 → 2）',
    }),
    d({
      decision_id: 'YC-JD-002',
      system_id: id('LOW7'),
      decision: 'confirm_shutdown',
      effective_date: at(1, 20),
      document_no: doc(28),
      what: '上月（列入淘汰清单的第一个月）同意关停',
    }),
    d({
      decision_id: 'YC-JD-003',
      system_id: id('SEC2'),
      decision: 'rectified',
      effective_date: at(1, 28),
      decided_by: '周敏',
      what: '上月确认整改完成，但本月月末仍有未修复高危漏洞',
    }),
    d({
      decision_id: 'YC-JD-004',
      system_id: id('SEC3'),
      decision: 'exempt',
      effective_date: at(0, 3),
      until: monthEnd(addMonths(m, 2)),
      document_no: doc(30),
      reason: '漏洞修复窗口期',
      what: '本月 3 日豁免',
    }),
    d({
      decision_id: 'YC-JD-005',
      system_id: id('EXEMPT_A'),
      decision: 'exempt',
      effective_date: at(0, 5),
      until: monthEnd(addMonths(m, 3)),
      document_no: doc(32),
      reason: '换届选举保障任务延长',
      what: `系统目录豁免至本月末之外，本月 5 日以处置决定豁免至 ${monthEnd(addMonths(m, 3))}`,
    }),
    d({
      decision_id: 'YC-JD-006',
      system_id: quiet.row.system_id,
      decision: 'confirm_shutdown',
      effective_date: at(0, 8),
      document_no: doc(35),
      what: '运行正常、不在任何清单上的系统，本月 8 日登记了同意关停',
    }),
    d({
      decision_id: 'YC-JD-007',
      system_id: id('EXEMPT_EXPIRED'),
      decision: 'exempt',
      effective_date: at(0, 10),
      until: monthEnd(addMonths(m, 6)),
      document_no: doc(31),
      reason: '系统整合迁移延期，保留至迁移完成',
      what: `系统目录豁免已于本月 15 日到期，本月 10 日以处置决定豁免至 ${monthEnd(addMonths(m, 6))}`,
    }),
    d({
      decision_id: 'YC-JD-008',
      system_id: id('INACT4'),
      decision: 'confirm_shutdown',
      effective_date: at(0, 12),
      document_no: doc(33),
      what: '本月 12 日同意关停',
    }),
    d({
      decision_id: 'YC-JD-009',
      system_id: id('SEC3'),
      decision: 'revoke',
      effective_date: at(0, 16),
      document_no: doc(34),
      decided_by: '周敏',
      reason: '漏洞未按承诺修复，撤销豁免',
      revokes: 'YC-JD-004',
      what: '本月 16 日撤销 YC-JD-004 的豁免',
    }),
    d({
      decision_id: 'YC-JD-010',
      system_id: id('MULTI'),
      decision: 'reject_reply',
      effective_date: at(0, 18),
      decided_by: '周敏',
      reason: '整改说明未附运行监测数据佐证',
      what: '本月 18 日对整改说明不予认可',
    }),
    d({
      decision_id: 'YC-JD-011',
      system_id: id('NODATA3'),
      decision: 'rectified',
      effective_date: at(0, 20),
      decided_by: '周敏',
      what: '本月 20 日确认整改完成',
    }),
    d({
      decision_id: 'YC-JD-012',
      system_id: id('LOW7'),
      decision: 'shutdown_done',
      effective_date: at(0, 25),
      what: '本月 25 日关停完成',
    }),
  ];
}

/** The decisions as a bureau keeps them: CSV, UTF-8 with BOM, Chinese headers and labels. */
export function writeDecisions(outDir: string, decisions: readonly SampleDecision[]): string[] {
  const header = ['决定编号', '系统编号', '决定', '生效日期', '有效期至', '文号', '决定人', '理由', '撤销的决定编号', '收回vCPU'];
  const rows = decisions.map((d) => [
    d.decision_id,
    d.system_id,
    LABEL(d.decision),
    d.effective_date,
    d.until ?? '',
    d.document_no ?? '',
    d.decided_by,
    d.reason ?? '',
    d.revokes ?? '',
    d.reclaimed_vcpu === null ? '' : String(d.reclaimed_vcpu),
  ]);
  writeText(path.join(outDir, DECISIONS_FILE), csvText(header, rows), 'utf-8-bom');
  return [DECISIONS_FILE];
}

/**
 * Apply the decisions to the end month's expected lists (docs/decisions.md §5.7, the register as it
 * stands at the end of the month) and say what govmon must conclude: the decision status of every
 * elimination row, the notes on notices, what was reclaimed in each month, the warned decisions.
 */
export function applyDecisions(city: City, month: Planted['month'], decisions: readonly SampleDecision[]): PlantedDecisions {
  const m = city.ctx.m;
  const L = monthEnd(m);
  const revoked = new Set(decisions.filter((d) => d.decision === 'revoke' && d.effective_date <= L).map((d) => d.revokes));
  const live = decisions.filter((d) => d.decision !== 'revoke' && d.effective_date <= L && !revoked.has(d.decision_id));
  const of = (id: string, kind: SampleDecision['decision']) => live.filter((d) => d.system_id === id && d.decision === kind);
  const sys = (id: string): CitySystem => city.byId.get(id)!;

  // exemptions by decision active at the month end; the later until wins over the registry's
  for (const d of live.filter((x) => x.decision === 'exempt' && x.effective_date <= L && x.until! >= L)) {
    const listed = month.elimination.findIndex((e) => e.system_id === d.system_id);
    if (listed >= 0) {
      const e = month.elimination.splice(listed, 1)[0];
      month.exempted.push({ system_id: e.system_id, conditions: e.conditions, exempt_until: d.until!, exempt_reason: d.reason! });
    }
    const ex = month.exempted.find((e) => e.system_id === d.system_id);
    if (ex && d.until! >= ex.exempt_until) Object.assign(ex, { exempt_until: d.until!, exempt_reason: d.reason! });
  }
  month.exempted.sort((a, b) => (a.system_id < b.system_id ? -1 : 1));

  // right-sizing on the allocation left after what was reclaimed
  for (const r of month.rightsizing) {
    const back = of(r.system_id, 'reclaimed').reduce((a, d) => a + (d.reclaimed_vcpu ?? 0), 0);
    if (!back) continue;
    const s = sys(r.system_id).row;
    const left = s.vcpu - back;
    const rec = Math.max(1, Math.ceil((left * r.max_p95) / 60));
    Object.assign(r, {
      vcpu: left,
      recommended_vcpu: rec,
      reclaim_vcpu: left - rec,
      reclaim_cost_annual: (s.cloud_cost_annual * (left - rec)) / s.vcpu,
    });
  }
  month.rightsizing = month.rightsizing.filter((r) => r.reclaim_vcpu > 0);

  const latest = (xs: SampleDecision[]) => [...xs].sort((a, b) => (a.effective_date < b.effective_date ? 1 : -1))[0];
  const status: PlantedDecisions['elimination'] = [...month.elimination.map((e) => e.system_id), ...month.exempted.map((e) => e.system_id)]
    .sort()
    .map((id) => {
      const shut = of(id, 'shutdown_done')[0];
      if (shut) return { system_id: id, status: 'shut_down' as const, decision_id: shut.decision_id };
      if (month.exempted.some((e) => e.system_id === id)) {
        const ex = latest(of(id, 'exempt').filter((d) => d.until! >= L));
        return { system_id: id, status: 'exempted' as const, decision_id: ex?.decision_id ?? null };
      }
      const conf = latest(of(id, 'confirm_shutdown'));
      return conf
        ? { system_id: id, status: 'confirmed' as const, decision_id: conf.decision_id }
        : { system_id: id, status: 'pending' as const, decision_id: null };
    });

  // a notice's note: the latest rectified / reject_reply decision since the notice was issued
  const notes: PlantedDecisions['notices'] = [];
  for (const n of month.rectification) {
    const d = latest(live.filter((x) => x.system_id === n.system_id && (x.decision === 'rectified' || x.decision === 'reject_reply')));
    if (!d) continue;
    const note = d.decision === 'reject_reply' ? 'reply_rejected' : d.effective_date.slice(0, 7) < m ? 'rectified_not_held' : 'rectified';
    notes.push({ system_id: n.system_id, status: n.status, note, decision_id: d.decision_id });
  }

  // what was reclaimed, month by month: a completed shutdown its allocation, a reclaim its vCPU
  const reclaimed: PlantedDecisions['reclaimed'] = live
    .filter((d) => d.decision === 'shutdown_done' || d.decision === 'reclaimed')
    .map((d) => {
      const s = sys(d.system_id).row;
      const earlier = of(d.system_id, 'reclaimed').filter((x) => x.effective_date <= d.effective_date && x !== d);
      const vcpu = d.decision === 'reclaimed' ? d.reclaimed_vcpu! : s.vcpu - earlier.reduce((a, x) => a + (x.reclaimed_vcpu ?? 0), 0);
      return {
        month: d.effective_date.slice(0, 7),
        system_id: d.system_id,
        decision_id: d.decision_id,
        vcpu,
        memory_gb: d.decision === 'reclaimed' ? null : s.memory_gb,
        storage_gb: d.decision === 'reclaimed' ? null : s.storage_gb,
        cloud_cost_annual: (s.cloud_cost_annual * vcpu) / s.vcpu,
      };
    })
    .sort((a, b) => (a.month < b.month ? -1 : a.month > b.month ? 1 : a.system_id < b.system_id ? -1 : 1));

  const onElimination = new Set(status.map((x) => x.system_id));
  const unmatched = live
    .filter((d) => d.effective_date.startsWith(m) && ['exempt', 'confirm_shutdown', 'shutdown_done'].includes(d.decision))
    .filter((d) => !onElimination.has(d.system_id))
    .map((d) => d.decision_id);

  return {
    file: DECISIONS_FILE,
    rows: decisions.map(({ what: _, ...r }) => r),
    elimination: status,
    notices: notes,
    reclaimed,
    unmatched,
  };
}

/** Each decision as a planted case sentence, appended to its system's case (a new case for a system on no list). */
export function decisionCases(city: City, cases: PlantedCase[], decisions: readonly SampleDecision[], p: PlantedDecisions): PlantedCase[] {
  const out = [...cases];
  for (const d of decisions) {
    const st = p.elimination.find((x) => x.system_id === d.system_id);
    const note = p.notices.find((x) => x.system_id === d.system_id);
    const expect = p.unmatched.includes(d.decision_id)
      ? '该系统不在淘汰退出清单上：决定照常登记，导入和月度运行给出警告，不改变任何清单'
      : st
        ? `${city.ctx.m} 淘汰退出清单的决定状态为“${label('decision_status', st.status)}”`
        : note
          ? `${city.ctx.m} 整改通知附注“${{ rectified: '已确认整改', rectified_not_held: '已确认整改，但问题仍存在，重新打开', reply_rejected: '整改说明不予认可' }[note.note]}”`
          : d.decision === 'reclaimed'
            ? '从生效日起按收回后的 vCPU 计算减配建议，并计入当月“已收回”'
            : '见同系统的其他决定';
    const sentence = `处置决定 ${d.decision_id}（${LABEL(d.decision)}，生效日期 ${d.effective_date}）：${d.what}。预期：${expect}。`;
    const c = out.find((x) => x.system_id === d.system_id);
    if (c) c.description = `${c.description} ${sentence}`;
    else {
      const s = city.byId.get(d.system_id)!.row;
      out.push({
        system_id: s.system_id,
        system_name: s.system_name,
        department: s.department,
        stage: s.stage,
        tags: ['DECISION_UNMATCHED', 'decision'],
        description: sentence,
      });
    }
  }
  return out;
}
