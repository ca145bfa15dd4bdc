// The one registry of Chinese labels (docs/outputs.md): every code a person can meet on a list, a
// page, a document or in `govmon profile show` — conditions and metrics (beside their definitions
// in definitions.ts), stages (beside the input contract), and the codes the SQL models produce
// (notice statuses, recommendations and their reasons, calendar obligations and statuses, cost
// sources). Outputs read labels only from here, in JavaScript (`label`) or in SQL (`labelSql`);
// tests/labels.test.ts fails when a code a model can produce has no label.

import { CONDITION_ZH, MONTHLY_METRICS } from './definitions.ts';
import { DECISIONS, KIND_ZH, SHARE_TYPES, STAGES, UPDATE_CYCLES, type EnumValue } from './contract.ts';
import { CONDITION_CODES, type ConditionName } from './profiles/schema.ts';
import { sqlString } from '../core/sql.ts';

export { CONDITION_CODES, type ConditionName };

/** A table of labels: code → Chinese. */
export type LabelTable = Readonly<Record<string, string>>;

function enumLabels(values: readonly EnumValue[]): LabelTable {
  return Object.fromEntries(values.map((v) => [v.code, v.label]));
}

export const LABELS = {
  /** the monitoring conditions (definitions.ts) */
  condition: CONDITION_ZH,
  /** the monthly metrics (definitions.ts) */
  metric: Object.fromEntries(MONTHLY_METRICS.map((m) => [m.name, m.zh])),
  /** the enums of the input contract (contract.ts), each named like its column: systems.stage … */
  stage: enumLabels(STAGES),
  /** … catalog.share_type … */
  share_type: enumLabels(SHARE_TYPES),
  /** … and catalog.update_cycle */
  update_cycle: enumLabels(UPDATE_CYCLES),
  /** mart_notices.status */
  notice_status: { issued: '已下发', open: '整改中', resolved: '已整改', escalated: '转入淘汰' },
  /** mart_budget.recommendation */
  recommendation: { fund: '全额安排', reduce: '核减', suspend: '暂缓安排（待整改）', withhold: '不予安排运维经费' },
  /** mart_budget.reasons and mart_departments.reasons */
  budget_reason: {
    eliminated: '12月列入淘汰退出清单',
    no_final_acceptance: '运行中但未通过竣工验收',
    security_noncompliant: '等保测评或密码应用安全性评估不合规',
    sharing_failure: '数据共享不达标',
    poor_with_open_rectification: '评价为“差”且整改未完成',
    open_rectification: '年末仍有未完成的限期整改',
    grade_poor: '评价等级为“差”',
    grade_fair: '评价等级为“中”',
    rightsizing: '有云资源减配建议',
    sharing_withhold: '有系统因数据共享不达标不予安排运维经费',
    long_open_rectification: '有限期整改超过规定月数未完成',
    shut_down: '已关停',
  },
  /** the kinds of input files (contract.ts), and FOCUS bills (pipelines/connectors/focus.ts) */
  input_kind: { ...KIND_ZH, focus: 'FOCUS 云费用账单' },
  /** the decisions of the register (contract.ts, docs/inputs.md §2.6) */
  decision: Object.fromEntries(DECISIONS.map((d) => [d.code, d.label])),
  /** mart_elimination.decision_status (docs/decisions.md §5.7) */
  decision_status: { pending: '待决定', confirmed: '已同意关停', exempted: '已豁免', shut_down: '已关停' },
  /** mart_notices.decision_note: what a decision says of a rectification notice */
  notice_decision: {
    rectified: '已确认整改',
    rectified_not_held: '已确认整改，但问题仍存在，重新打开',
    reply_rejected: '整改说明不予认可',
  },
  /** where an exemption comes from (mart_elimination.exempt_source) */
  exempt_source: { registry: '系统目录', decision: '处置决定', both: '系统目录和处置决定' },
  /** mart_calendar.status */
  calendar_status: { done: '已完成', due: '未到期', overdue: '已逾期' },
  /** mart_calendar.note */
  calendar_note: { late: '逾期完成', early: '试运行期不足即验收' },
  /** mart_calendar.obligation; `annual_report:YYYY` reads as that year's report (obligationLabel) */
  obligation: {
    catalog: '目录编制及数据归集',
    completion_acceptance: '竣工验收',
    self_evaluation: '绩效自评价',
    annual_report: '年度运维服务情况报表',
    cost_plan: '缺少分摊方案',
    population: '缺少人口数据',
  },
  /** mart/res_cost_shares.basis (docs/decisions.md §5.8) */
  cost_share_basis: { population: '按上年常住人口比例', plan: '按分摊方案' },
  /** mart/res_cost_shares.status */
  cost_share_status: { shared: '已分摊', missing_plan: '缺少分摊方案', missing_population: '缺少人口数据' },
  /** where a cloud cost comes from (migration 0003) */
  cost_source: { measured: '实测（FOCUS 账单）', registry: '系统目录' },
  /** the dimensions of the annual score (mart_scores) */
  score_dimension: {
    operation: '运行情况',
    cost: '成本效益',
    effect: '应用实效',
    sharing: '数据共享',
    security: '信息安全',
    integration: '统建融合与创新',
  },
  /** what a profile rule rests on */
  basis: { measure: '依据办法', practice: '数据局工作口径（办法未作规定）' },
  /** booleans in a Chinese sheet */
  bool: { true: '是', false: '否' },
  /** portal accounts' roles (migration 0009 portal_users.role) */
  portal_role: { bureau: '数据局', department: '建设单位', finance: '财政局' },
  /** portal_audit.action */
  audit_action: {
    login: '登录',
    logout: '退出',
    lock: '账户锁定',
    download: '下载',
    upload: '上传',
    reply: '整改回复',
    exemption_request: '豁免申请',
    decision: '处置决定',
    access: '访问（越权）',
    user_add: '新增账户',
    user_disable: '停用账户',
    user_reset: '重置密码',
  },
  /** portal_audit.outcome */
  audit_outcome: { ok: '成功', failed: '失败', denied: '拒绝' },
} as const satisfies Record<string, LabelTable>;

export type LabelKind = keyof typeof LABELS;

/** What a bureau-practice rule cites instead of an article. */
export const PRACTICE_LABEL = LABELS.basis.practice;

/** The label of a code; the code itself when the table has none (tests make sure that never happens). */
export function label(kind: LabelKind, code: string | null | undefined): string {
  if (code === null || code === undefined) return '';
  return (LABELS[kind] as LabelTable)[code] ?? code;
}

/** The same table in SQL: CASE expr WHEN 'code' THEN '中文' … END (NULL for an unknown code). */
export function labelSql(kind: LabelKind, expr: string): string {
  return `CASE ${expr} ${Object.entries(LABELS[kind] as LabelTable)
    .map(([k, v]) => `WHEN ${sqlString(k)} THEN ${sqlString(v)}`)
    .join(' ')} END`;
}

export function conditionZh(c: string): string {
  return label('condition', c);
}

export function stageZh(s: string | null | undefined): string {
  return label('stage', s);
}

/** `annual_report:2025` → 2025 年度运维服务情况报表; `population:2025` → 缺少人口数据（2025 年）. */
export function obligationLabel(o: string): string {
  if (o.startsWith('annual_report:')) return `${o.split(':')[1]} ${LABELS.obligation.annual_report}`;
  if (o.startsWith('population:')) return `${LABELS.obligation.population}（${o.split(':')[1]} 年）`;
  return label('obligation', o);
}

/** The same in SQL. */
export function obligationLabelSql(x: string): string {
  const plain = Object.entries(LABELS.obligation)
    .map(([k, v]) => `WHEN ${x} = ${sqlString(k)} THEN ${sqlString(v)}`)
    .join(' ');
  return `CASE ${plain} WHEN ${x} LIKE 'annual_report:%' THEN split_part(${x}, ':', 2) || ${sqlString(` ${LABELS.obligation.annual_report}`)}
    WHEN ${x} LIKE 'population:%' THEN ${sqlString(`${LABELS.obligation.population}（`)} || split_part(${x}, ':', 2) || ' 年）' ELSE ${x} END`;
}

/** '2026-10' → '2026年10月' */
export function monthZh(m: string): string {
  return `${m.slice(0, 4)}年${Number(m.slice(5, 7))}月`;
}

export function budgetReasonZh(r: string): string {
  return label('budget_reason', r);
}

export type ScoreDimension = keyof typeof LABELS.score_dimension;

/** The score's dimensions in the order of the score table (docs/decisions.md §5.4). */
export const SCORE_DIMENSIONS: readonly { key: ScoreDimension; zh: string }[] = (
  Object.keys(LABELS.score_dimension) as ScoreDimension[]
).map((key) => ({ key, zh: LABELS.score_dimension[key] }));
