// The lists people print and sign, as XLSX (docs/outputs.md §7.4): rectification, elimination,
// right-sizing, scores and budget, each laid out as a document — Chinese labels for every code,
// numbers kept exact and shown rounded by their number format, citations as numbered notes under
// the table — and, for the elimination list, the exempted systems and the evidence (one row per
// system and month, one column per metric) on sheets of their own, and the columns of a decision
// (决定 with a drop-down, 生效日期, 有效期至, 文号, 决定人, 理由): the filled file ingests back as
// decisions (docs/inputs.md §2.6; the contract names the sheet 淘汰退出清单). xlsx.ts writes them.
// The CSV, JSON and Parquet exports keep their English columns and codes (docs/outputs.md §7.2).

import { CONDITION_CODES, conditionZh, label, labelSql } from '../../metrics/labels.ts';
import { CONDITIONS, MONTHLY_METRICS } from '../../metrics/definitions.ts';
import { columnOf } from '../../metrics/contract.ts';
import type { Results, Row } from '../../pipelines/read.ts';
import { sqlString } from '../../core/sql.ts';

/** How a cell is written: text, a number with its format, a date, 是/否, or numbered notes. */
export type CellKind = 'text' | 'number' | 'date' | 'bool' | 'notes' | 'seq';

export interface SheetColumn {
  key: string;
  zh: string;
  sql: string;
  kind: CellKind;
  /** number format of a number column (the cell keeps the exact value) */
  numFmt?: string;
  width: number;
  /** a column a person fills in: the decision drop-down, or its other fields */
  input?: 'decision' | 'field';
}

export interface SheetLayout {
  name: string;
  /** the second title line: what the sheet holds */
  heading: string;
  columns: SheetColumn[];
  /** FROM … WHERE … ORDER BY … of its rows */
  from: string;
  empty: string;
  /** a note above the table (what the input columns are for) */
  lead?: string;
  /** the signature block after the table (审核人、批准人、日期) */
  signature?: boolean;
}

export interface SheetData extends SheetLayout {
  rows: Row[];
}

export interface SignedList {
  /** the list's name in the title: 淘汰退出（关停）清单 */
  name: string;
  sheets: (runId: number) => SheetLayout[];
}

/** A number format showing `digits` decimals with thousands separators. */
export const fmt = (digits: number): string => (digits === 0 ? '#,##0' : `#,##0.${'0'.repeat(digits)}`);

const seq: SheetColumn = { key: 'seq', zh: '序号', sql: 'NULL', kind: 'seq', numFmt: '0', width: 5 };
const idCol = (t: string): SheetColumn => ({ key: 'system_id', zh: '系统编号', sql: `${t}.system_id`, kind: 'text', width: 12 });
const nameCol = (t: string): SheetColumn => ({ key: 'system_name', zh: '系统名称', sql: `${t}.system_name`, kind: 'text', width: 20 });
const deptCol = (t: string): SheetColumn => ({ key: 'department', zh: '建设单位', sql: `${t}.department`, kind: 'text', width: 14 });
const num = (key: string, zh: string, sql: string, digits: number, width = 12): SheetColumn => ({
  key,
  zh,
  sql,
  kind: 'number',
  numFmt: fmt(digits),
  width,
});
const text = (key: string, zh: string, sql: string, width: number): SheetColumn => ({ key, zh, sql, kind: 'text', width });
const notes = (sql: string): SheetColumn => ({ key: 'citations', zh: '依据（见表下注）', sql, kind: 'notes', width: 8 });

/** Conditions with their streak and first month, in Chinese: 无业务访问（闲置）（2026-08 起连续 3 个月）. */
const conditionsZh = (list: string, withFrom: boolean) =>
  `array_to_string(list_transform(${list}, lambda x: ${labelSql('condition', 'x.condition')} || '（' || ${
    withFrom ? `strftime(x.from_month, '%Y-%m') || ' 起' || ` : ''
  }'连续 ' || x.streak || ' 个月）'), '；')`;

/** The decision columns a person fills in on the elimination list; headers from the contract, so they ingest back. */
const DECISION_INPUT: SheetColumn[] = [
  { key: 'in_decision', zh: columnOf('decisions', 'decision').zh, sql: 'NULL', kind: 'text', width: 9, input: 'decision' },
  { key: 'in_effective_date', zh: columnOf('decisions', 'effective_date').zh, sql: 'NULL', kind: 'date', width: 11, input: 'field' },
  { key: 'in_until', zh: columnOf('decisions', 'until').zh, sql: 'NULL', kind: 'date', width: 11, input: 'field' },
  { key: 'in_document_no', zh: columnOf('decisions', 'document_no').zh, sql: 'NULL', kind: 'text', width: 14, input: 'field' },
  { key: 'in_decided_by', zh: columnOf('decisions', 'decided_by').zh, sql: 'NULL', kind: 'text', width: 7, input: 'field' },
  { key: 'in_reason', zh: columnOf('decisions', 'reason').zh, sql: 'NULL', kind: 'text', width: 14, input: 'field' },
];

/** The decisions the elimination list's drop-down offers (labels, as a person picks them). */
export const ELIMINATION_DECISIONS = ['confirm_shutdown', 'exempt', 'shutdown_done'] as const;

/** The metrics of the evidence (as the elimination model writes them), in definition order. */
const EVIDENCE = MONTHLY_METRICS.filter((m) => m.name === 'days_reported' || CONDITIONS.some((c) => c.evidence.includes(m.name)));
const EVIDENCE_JSON = JSON.stringify([
  Object.fromEntries([
    ['month', 'VARCHAR'],
    ...EVIDENCE.map((m) => [m.name, m.digits === 0 ? 'BIGINT' : 'DOUBLE']),
    ...CONDITION_CODES.map((c) => [c, 'BOOLEAN']),
  ]),
]);

/** Classified systems appear in no output (docs/inputs.md §2.1). */
const visible = (t: string) => `${t}.system_id NOT IN (SELECT system_id FROM systems_current WHERE coalesce(classified, false))`;

const decisionText = (t: string) =>
  `CASE WHEN ${t}.decision_id IS NOT NULL THEN concat_ws('，', ${t}.decision_document_no, strftime(${t}.decision_date, '%Y-%m-%d'), ${t}.decided_by) END`;

export const SIGNED_LISTS: Readonly<Record<string, SignedList>> = {
  rectification: {
    name: '限期整改清单',
    sheets: (runId) => [
      {
        name: '限期整改清单',
        heading: `问题连续月数达到预警月数、尚未达到淘汰月数的系统（${label('notice_status', 'issued')}、${label('notice_status', 'open')}），及本月已整改、转入淘汰的通知`,
        empty: '本月无整改通知。',
        signature: true,
        columns: [
          seq,
          idCol('n'),
          nameCol('n'),
          deptCol('n'),
          text('status', '状态', labelSql('notice_status', 'n.status'), 9),
          text('conditions', '问题及连续月数', conditionsZh('n.conditions', false), 30),
          text('issued_month', '下发月份', "strftime(n.issued_month, '%Y-%m')", 9),
          num('months_open', '已持续月数', 'n.months_open', 0, 8),
          { key: 'deadline', zh: '整改期限', sql: 'n.deadline', kind: 'date', width: 11 },
          text(
            'decision',
            '处置决定',
            `CASE WHEN n.decision_note IS NOT NULL THEN ${labelSql('notice_decision', 'n.decision_note')} || '（' || concat_ws('，', n.decision_document_no, strftime(n.decision_date, '%Y-%m-%d'), n.decided_by, CASE WHEN n.decision_note = 'reply_rejected' THEN '理由：' || n.decision_reason END) || '）' END`,
            22,
          ),
          notes('n.citations'),
        ],
        from: `FROM res_notices n WHERE n.run_id = ${runId} AND ${visible('n')} AND n.month = (SELECT CAST(period || '-01' AS DATE) FROM runs WHERE run_id = ${runId})
          ORDER BY CASE n.status WHEN 'issued' THEN 1 WHEN 'open' THEN 2 WHEN 'escalated' THEN 3 ELSE 4 END, n.deadline NULLS LAST, n.system_id`,
      },
    ],
  },
  elimination: {
    name: '淘汰退出（关停）清单',
    sheets: (runId) => [
      {
        name: '淘汰退出清单',
        heading:
          '问题连续月数达到淘汰月数且不在豁免期内的系统，按规定收回云资源、关停系统（豁免的系统见“豁免”工作表，各月指标见“证据”工作表）',
        lead: `审批时请在右侧“决定”栏下拉选择（${ELIMINATION_DECISIONS.map((d) => label('decision', d)).join('、')}），并填写生效日期、决定人（同意关停、豁免须填文号；豁免须填有效期至和理由）；填好的文件可直接用 govmon ingest 导入，未填写决定的行不作为决定。`,
        empty: '本月无系统列入淘汰退出清单。',
        signature: true,
        columns: [
          seq,
          idCol('e'),
          nameCol('e'),
          deptCol('e'),
          text('conditions', '淘汰原因（起始月份，连续月数）', conditionsZh('e.conditions', true), 22),
          num('vcpu', '回收vCPU', 'e.vcpu', 0, 7),
          num('memory_gb', '回收内存(GB)', 'e.memory_gb', 1, 8),
          num('storage_gb', '回收存储(GB)', 'e.storage_gb', 1, 8),
          num('cloud_cost_annual', '年云资源费用(元)', 'e.cloud_cost_annual', 2, 12),
          text('cost_source', '费用来源', labelSql('cost_source', 'e.cost_source'), 8),
          text('decision_status', '决定状态', labelSql('decision_status', 'e.decision_status'), 8),
          text('decision_ref', '现有决定（文号、日期、决定人）', decisionText('e'), 16),
          notes('e.citations'),
          ...DECISION_INPUT,
        ],
        from: `FROM res_elimination e WHERE e.run_id = ${runId} AND ${visible('e')} AND NOT e.exempt ORDER BY e.department, e.system_id`,
      },
      {
        name: '豁免',
        heading: '本应列入淘汰退出清单、因在豁免期内暂不列入的系统（豁免来自系统目录或处置决定；两者都有时以有效期较晚者为准，两者都列出）',
        empty: '本月无豁免系统。',
        columns: [
          seq,
          idCol('e'),
          nameCol('e'),
          deptCol('e'),
          text('conditions', '本应列入的原因', conditionsZh('e.conditions', true), 28),
          { key: 'exempt_until', zh: '豁免至', sql: 'e.exempt_until', kind: 'date', width: 11 },
          text('exempt_reason', '豁免理由', 'e.exempt_reason', 20),
          text('exempt_source', '豁免来源', labelSql('exempt_source', 'e.exempt_source'), 12),
          text(
            'exempt_decision',
            '处置决定（文号、决定人、有效期至）',
            `CASE WHEN e.exempt_decision_id IS NOT NULL THEN concat_ws('，', e.exempt_document_no, e.exempt_decided_by, '至 ' || strftime(e.exempt_decision_until, '%Y-%m-%d')) END`,
            24,
          ),
          text(
            'registry_exemption',
            '系统目录豁免',
            `CASE WHEN e.registry_exempt_until IS NOT NULL THEN '至 ' || strftime(e.registry_exempt_until, '%Y-%m-%d') || coalesce('：' || e.registry_exempt_reason, '') || CASE WHEN e.registry_exempt_until < last_day(e.month) THEN '（已过期）' ELSE '' END END`,
            22,
          ),
          notes('e.citations'),
        ],
        from: `FROM res_elimination e WHERE e.run_id = ${runId} AND ${visible('e')} AND e.exempt ORDER BY e.department, e.system_id`,
      },
      {
        name: '证据',
        heading: '各系统问题持续期间的各月指标（淘汰退出清单和豁免的系统）',
        empty: '无。',
        columns: [
          idCol('x'),
          nameCol('x'),
          text('list', '所在清单', "CASE WHEN x.exempt THEN '豁免' ELSE '淘汰退出' END", 9),
          text('month', '月份', 'x.ev.month', 9),
          ...EVIDENCE.map((m) =>
            num(m.name, `${m.zh}${m.unit === '%' ? '(%)' : `(${m.unit})`}`, `x.ev.${m.name}`, m.digits, Math.max(9, m.zh.length + 4)),
          ),
          text(
            'holds',
            '当月成立的问题',
            `array_to_string(list_filter([${CONDITION_CODES.map((c) => `CASE WHEN x.ev.${c} THEN ${sqlString(conditionZh(c))} END`).join(', ')}], lambda l: l IS NOT NULL), '、')`,
            24,
          ),
        ],
        from: `FROM (SELECT e.system_id, e.system_name, e.department, e.exempt, unnest(from_json(e.evidence, ${sqlString(EVIDENCE_JSON)})) AS ev
                     FROM res_elimination e WHERE e.run_id = ${runId} AND ${visible('e')}) x
               ORDER BY x.exempt, x.department, x.system_id, x.ev.month`,
      },
    ],
  },
  rightsizing: {
    name: '云资源减配建议',
    sheets: (runId) => [
      {
        name: '云资源减配建议',
        heading:
          'CPU 峰值 P95 连续数月低于阈值的系统：建议 vCPU = max(1, ⌈现有 vCPU × 最大 P95 ÷ 目标使用率⌉)，可回收部分按 vCPU 比例折算年费用',
        empty: '本月无减配建议。',
        signature: true,
        columns: [
          seq,
          idCol('r'),
          nameCol('r'),
          deptCol('r'),
          num('vcpu', '现有vCPU', 'r.vcpu', 0, 9),
          num('reclaimed_vcpu', '此前已收回vCPU', 'coalesce(r.reclaimed_vcpu, 0)', 0, 10),
          num('max_p95_pct', '近期CPU峰值P95最大值(%)', 'r.max_p95_pct', 1, 12),
          num('recommended_vcpu', '建议vCPU', 'r.recommended_vcpu', 0, 9),
          num('reclaim_vcpu', '可回收vCPU', 'r.reclaim_vcpu', 0, 9),
          num('cloud_cost_annual', '年云资源费用(元)', 'r.cloud_cost_annual', 2, 14),
          num('reclaim_cost_annual', '可节约年费用(元)', 'r.reclaim_cost_annual', 2, 14),
          text('cost_source', '费用来源', labelSql('cost_source', 'r.cost_source'), 10),
          notes('r.citations'),
        ],
        from: `FROM res_rightsizing r WHERE r.run_id = ${runId} AND ${visible('r')} ORDER BY r.reclaim_vcpu DESC, r.system_id`,
      },
    ],
  },
  scores: {
    name: '年度绩效评价',
    sheets: (runId) => [
      {
        name: '年度绩效评价',
        heading:
          '运行中系统的年度绩效评价得分（满分 100 分；优 ≥ 90，良 ≥ 80，中 ≥ 60，差 < 60），自评分高出评价分 15 分以上的列入抽查复核',
        empty: '本年度无参评系统。',
        signature: true,
        columns: [
          seq,
          idCol('s'),
          nameCol('s'),
          deptCol('s'),
          num('score', '总分', 's.score', 1, 8),
          text('grade', '等级', 's.grade', 6),
          num('operation', '运行情况', 's.operation', 1, 9),
          num('cost', '成本效益', 's.cost', 1, 9),
          num('effect', '应用实效', 's.effect', 1, 9),
          num('sharing', '数据共享', 's.sharing', 1, 9),
          num('security', '信息安全', 's.security', 1, 9),
          num('integration', '统建融合与创新', 's.integration', 1, 9),
          num('self_score', '自评分', 's.self_score', 1, 8),
          { key: 'inflation', zh: '自评偏高（抽查复核）', sql: 's.inflation', kind: 'bool', width: 10 },
          { key: 'report_missing', zh: '未报送运维报表', sql: 's.report_missing', kind: 'bool', width: 10 },
        ],
        from: `FROM res_scores s WHERE s.run_id = ${runId} AND ${visible('s')} ORDER BY s.score DESC, s.system_id`,
      },
    ],
  },
  budget: {
    name: '下一年度运维经费建议',
    sheets: (runId) => [
      {
        name: '下一年度经费建议',
        heading: `依据年度绩效评价与年末清单，按“${['withhold', 'suspend', 'reduce', 'fund'].map((r) => label('recommendation', r)).join(' → ')}”的顺序取第一条适用的规则，列出所有适用原因及依据`,
        empty: '无。',
        signature: true,
        columns: [
          seq,
          idCol('b'),
          nameCol('b'),
          deptCol('b'),
          text('recommendation', '建议', labelSql('recommendation', 'b.recommendation'), 14),
          num('om_budget_annual', '本年度运维经费(元)', 'b.om_budget_annual', 2, 14),
          num('recommended_om_budget', '建议运维经费(元)', 'b.recommended_om_budget', 2, 14),
          num('cloud_cost_annual', '本年度云资源费用(元)', 'b.cloud_cost_annual', 2, 14),
          num('recommended_cloud_cost', '建议云资源费用(元)', 'b.recommended_cloud_cost', 2, 14),
          text('cost_source', '费用来源', labelSql('cost_source', 'b.cost_source'), 10),
          num('score', '评价总分', 'b.score', 1, 8),
          text('grade', '评价等级', 'b.grade', 6),
          text(
            'reasons',
            '原因',
            `array_to_string(list_transform(b.reasons, lambda r: coalesce(${labelSql('budget_reason', 'r')}, r)), '；')`,
            30,
          ),
          notes('b.citations'),
        ],
        from: `FROM res_budget b WHERE b.run_id = ${runId} AND ${visible('b')}
          ORDER BY CASE b.recommendation WHEN 'withhold' THEN 1 WHEN 'suspend' THEN 2 WHEN 'reduce' THEN 3 ELSE 4 END, b.department, b.system_id`,
      },
    ],
  },
};

/** Read every sheet of a signed list for run `runId` (each layout leaves classified systems out). */
export async function readSignedSheets(store: Results, list: SignedList, runId: number): Promise<SheetData[]> {
  const out: SheetData[] = [];
  for (const layout of list.sheets(runId)) {
    const select = layout.columns.map((c) => `${c.sql} AS "${c.key}"`).join(', ');
    const rows = await store.all<Row>(`SELECT ${select} ${layout.from}`);
    out.push({ ...layout, rows });
  }
  return out;
}
