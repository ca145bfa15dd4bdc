// Chinese labels of every code the pages show. Condition names come from the metric definitions
// and budget reasons from the annual exports, so the site says what the lists and exports say.

import { CONDITIONS, CONDITION_ZH } from '../../metrics/definitions.ts';
import type { ConditionName } from '../../metrics/profiles/schema.ts';
import { REASON_ZH } from '../exports-annual.ts';
import { STAGES } from '../../pipelines/ingest/contract.ts';

export const CONDITION_NAMES: readonly ConditionName[] = CONDITIONS.map((c) => c.name);

export function conditionZh(c: string): string {
  return (CONDITION_ZH as Record<string, string>)[c] ?? c;
}

export const NOTICE_STATUS_ZH: Readonly<Record<string, string>> = {
  issued: '已下发',
  open: '整改中',
  resolved: '已整改',
  escalated: '转入淘汰',
};

export const BUDGET_ZH: Readonly<Record<string, string>> = {
  fund: '全额安排',
  reduce: '核减',
  suspend: '暂缓安排（待整改）',
  withhold: '不予安排运维经费',
};

export function reasonZh(r: string): string {
  return REASON_ZH[r] ?? r;
}

export const CALENDAR_STATUS_ZH: Readonly<Record<string, string>> = { done: '已完成', due: '未到期', overdue: '已逾期' };

export const CALENDAR_NOTE_ZH: Readonly<Record<string, string>> = { late: '逾期完成', early: '试运行期不足即验收' };

export function obligationZh(o: string): string {
  if (o === 'catalog') return '目录编制及数据归集';
  if (o === 'completion_acceptance') return '竣工验收';
  if (o === 'self_evaluation') return '绩效自评价';
  if (o.startsWith('annual_report:')) return `${o.split(':')[1]} 年度运维服务情况报表`;
  return o;
}

export function stageZh(s: string | null | undefined): string {
  return STAGES.find((x) => x.code === s)?.label ?? (s ?? '');
}

export const SCORE_DIMENSIONS: readonly { key: 'operation' | 'cost' | 'effect' | 'sharing' | 'security' | 'integration'; zh: string }[] = [
  { key: 'operation', zh: '运行情况' },
  { key: 'cost', zh: '成本效益' },
  { key: 'effect', zh: '应用实效' },
  { key: 'sharing', zh: '数据共享' },
  { key: 'security', zh: '信息安全' },
  { key: 'integration', zh: '统建融合与创新' },
];

/** '2026-10' → '2026年10月' */
export function monthZh(m: string): string {
  return `${m.slice(0, 4)}年${Number(m.slice(5, 7))}月`;
}
