// The export kinds of a monthly run (docs/outputs.md): metrics, the rectification and
// elimination lists, right-sizing; and the rejects of ingested files. The §-numbered columns of
// the contract come first; more may follow.

import { sqlString } from '../../core/sql.ts';
import { labelSql } from '../../metrics/labels.ts';
import { currentMonthRun, type Results } from '../../pipelines/read.ts';
import { col as c, type ExportKind, type Period } from './kind.ts';

const monthRun = (r: Results, p: Period) => currentMonthRun(r, p);
const monthOf = (ctx: { runId: number | null }) => `(SELECT CAST(period || '-01' AS DATE) FROM runs WHERE run_id = ${ctx.runId})`;

export const MONTHLY_EXPORTS: readonly ExportKind[] = [
  {
    kind: 'metrics',
    zh: '月度运行指标',
    period: 'month',
    resolveRun: monthRun,
    columns: [
      c('system_id', '系统编号', 'text'),
      c('month', '月份', 'month', "strftime(m.month, '%Y-%m')"),
      c('days_reported', '报送天数', 'int'),
      c('cpu_avg_pct', 'CPU平均使用率(%)', 'number'),
      c('cpu_p95_pct', 'CPU峰值P95(%)', 'number'),
      c('mem_avg_pct', '内存平均使用率(%)', 'number'),
      c('storage_used_gb', '存储使用量(GB)', 'number'),
      c('storage_util_pct', '存储使用率(%)', 'number'),
      c('dau_avg', '日均活跃用户', 'number'),
      c('dau_max', '最高日活跃用户', 'int'),
      c('requests_total', '月访问量', 'int'),
      c('availability_pct', '可用率(%)', 'number'),
      c('open_high_vulns', '未修复高危漏洞', 'int'),
      c('no_data', '监测数据缺失', 'bool'),
      c('inactive', '无业务访问（闲置）', 'bool'),
      c('low_util', '云资源使用率低', 'bool'),
      c('unusable', '无法正常使用', 'bool'),
      c('security', '严重安全隐患', 'bool'),
      c('streak_no_data', '连续月数-数据缺失', 'int'),
      c('streak_inactive', '连续月数-闲置', 'int'),
      c('streak_low_util', '连续月数-使用率低', 'int'),
      c('streak_unusable', '连续月数-无法使用', 'int'),
      c('streak_security', '连续月数-安全隐患', 'int'),
      c('system_name', '系统名称', 'text', 's.system_name', 28),
      c('department', '建设单位', 'text', 's.department', 20),
      c('days_in_month', '当月天数', 'int'),
      c('run_id', '运行编号', 'int', 'm.run_id'),
    ],
    from: (ctx) => `FROM res_metrics m LEFT JOIN (SELECT * FROM systems_current WHERE NOT coalesce(classified, false)) s USING (system_id)
      WHERE m.run_id = ${ctx.runId} AND m.month = ${monthOf(ctx)} ORDER BY m.system_id`,
  },
  {
    kind: 'rectification',
    zh: '限期整改清单',
    period: 'month',
    resolveRun: monthRun,
    columns: [
      c('system_id', '系统编号', 'text'),
      c('month', '月份', 'month', "strftime(n.month, '%Y-%m')"),
      c('conditions', '问题', 'text', "array_to_string(list_transform(n.conditions, lambda x: x.condition), ';')"),
      c('deadline', '整改期限', 'date', 'n.deadline'),
      c('status', '状态', 'text', 'n.status', undefined, 'notice_status'),
      c('citations', '依据', 'text', "array_to_string(n.citations, '；')", 50),
      c('system_name', '系统名称', 'text', 'n.system_name', 28),
      c('department', '建设单位', 'text', 'n.department', 20),
      c('status_zh', '状态（中文）', 'text', labelSql('notice_status', 'n.status')),
      c(
        'condition_details',
        '问题及连续月数',
        'text',
        `array_to_string(list_transform(n.conditions, lambda x: ${labelSql('condition', 'x.condition')} || '（连续' || x.streak || '个月）'), '；')`,
        40,
      ),
      c('issued_month', '下发月份', 'month', "strftime(n.issued_month, '%Y-%m')"),
      c('months_open', '已持续月数', 'int', 'n.months_open'),
      c('decision_note', '处置决定', 'text', 'n.decision_note', undefined, 'notice_decision'),
      c('decision_id', '决定编号', 'text', 'n.decision_id'),
      c('decision_document_no', '决定文号', 'text', 'n.decision_document_no'),
      c('decision_date', '决定生效日期', 'date', 'n.decision_date'),
      c('decision_reason', '决定理由', 'text', 'n.decision_reason', 24),
      c('run_id', '运行编号', 'int', 'n.run_id'),
    ],
    from: (ctx) => `FROM res_notices n WHERE n.run_id = ${ctx.runId} AND n.month = ${monthOf(ctx)}
      ORDER BY CASE n.status WHEN 'issued' THEN 1 WHEN 'open' THEN 2 WHEN 'escalated' THEN 3 ELSE 4 END, n.deadline NULLS LAST, n.system_id`,
  },
  {
    kind: 'elimination',
    zh: '淘汰退出（关停）清单',
    period: 'month',
    resolveRun: monthRun,
    columns: [
      c('system_id', '系统编号', 'text'),
      c('system_name', '系统名称', 'text', 'e.system_name', 28),
      c('department', '建设单位', 'text', 'e.department', 20),
      c('month', '月份', 'month', "strftime(e.month, '%Y-%m')"),
      c('conditions', '淘汰原因', 'text', "array_to_string(list_transform(e.conditions, lambda x: x.condition), ';')"),
      c('citations', '依据', 'text', "array_to_string(e.citations, '；')", 50),
      c('vcpu', '回收vCPU', 'int', 'e.vcpu'),
      c('memory_gb', '回收内存(GB)', 'number', 'e.memory_gb'),
      c('storage_gb', '回收存储(GB)', 'number', 'e.storage_gb'),
      c('cloud_cost_annual', '年云资源费用(元)', 'number', 'e.cloud_cost_annual'),
      c('exempt', '豁免', 'bool', 'e.exempt'),
      c('exempt_reason', '豁免原因', 'text', 'e.exempt_reason', 24),
      c('cost_source', '费用来源', 'text', labelSql('cost_source', 'e.cost_source')),
      c('exempt_until', '豁免截止', 'date', 'e.exempt_until'),
      c(
        'condition_details',
        '原因及连续月数',
        'text',
        `array_to_string(list_transform(e.conditions, lambda x: ${labelSql('condition', 'x.condition')} || '（' || strftime(x.from_month, '%Y-%m') || '起连续' || x.streak || '个月）'), '；')`,
        44,
      ),
      c('evidence', '证据（各月指标）', 'text', 'CAST(e.evidence AS VARCHAR)', 60),
      c('decision_status', '决定状态', 'text', 'e.decision_status', undefined, 'decision_status'),
      c('decision_id', '决定编号', 'text', 'e.decision_id'),
      c('decision_document_no', '决定文号', 'text', 'e.decision_document_no'),
      c('decision_date', '决定生效日期', 'date', 'e.decision_date'),
      c('decided_by', '决定人', 'text', 'e.decided_by'),
      c('exempt_source', '豁免来源', 'text', 'e.exempt_source', undefined, 'exempt_source'),
      c('exempt_decision_id', '豁免决定编号', 'text', 'e.exempt_decision_id'),
      c('exempt_document_no', '豁免文号', 'text', 'e.exempt_document_no'),
      c('registry_exempt_until', '系统目录豁免截止', 'date', 'e.registry_exempt_until'),
      c('reclaimed_vcpu', '此前已收回vCPU', 'int', 'e.reclaimed_vcpu'),
      c('reclaimed_memory_gb', '此前已收回内存(GB)', 'number', 'e.reclaimed_memory_gb'),
      c('reclaimed_storage_gb', '此前已收回存储(GB)', 'number', 'e.reclaimed_storage_gb'),
      c('run_id', '运行编号', 'int', 'e.run_id'),
    ],
    from: (ctx) => `FROM res_elimination e WHERE e.run_id = ${ctx.runId} ORDER BY e.exempt, e.department, e.system_id`,
  },
  {
    kind: 'rightsizing',
    zh: '云资源减配建议',
    period: 'month',
    resolveRun: monthRun,
    columns: [
      c('system_id', '系统编号', 'text'),
      c('month', '月份', 'month', "strftime(r.month, '%Y-%m')"),
      c('vcpu', '现有vCPU', 'int', 'r.vcpu'),
      c('recommended_vcpu', '建议vCPU', 'int', 'r.recommended_vcpu'),
      c('reclaim_vcpu', '可回收vCPU', 'int', 'r.reclaim_vcpu'),
      c('reclaim_cost_annual', '可节约年费用(元)', 'number', 'r.reclaim_cost_annual'),
      c('system_name', '系统名称', 'text', 'r.system_name', 28),
      c('department', '建设单位', 'text', 'r.department', 20),
      c('max_p95_pct', '近三月CPU峰值P95最大值(%)', 'number', 'r.max_p95_pct'),
      c('cloud_cost_annual', '年云资源费用(元)', 'number', 'r.cloud_cost_annual'),
      c('cost_source', '费用来源', 'text', labelSql('cost_source', 'r.cost_source')),
      c('citations', '依据', 'text', "array_to_string(r.citations, '；')", 40),
      c('reclaimed_vcpu', '此前已收回vCPU', 'int', 'r.reclaimed_vcpu'),
      c('run_id', '运行编号', 'int', 'r.run_id'),
    ],
    from: (ctx) => `FROM res_rightsizing r WHERE r.run_id = ${ctx.runId} ORDER BY r.reclaim_vcpu DESC, r.system_id`,
  },
  {
    kind: 'rejects',
    zh: '拒收明细',
    period: 'any',
    resolveRun: async () => null,
    columns: [
      c('file_id', '文件编号', 'int', 'f.file_id'),
      c('file_name', '文件名', 'text', 'f.file_name', 30),
      c('kind', '类型', 'text', 'r.kind', undefined, 'input_kind'),
      c('row_no', '行号', 'int', 'r.row_no'),
      c('column_name', '列', 'text', 'r.column_name'),
      c('value', '值', 'text', 'r.value', 24),
      c('reason', '原因', 'text', 'r.reason', 40),
      c('ingested_at', '导入时间', 'text', "strftime(f.ingested_at, '%Y-%m-%d %H:%M:%S')", 20),
      c('sha256', '文件SHA-256', 'text', 'f.sha256', 20),
    ],
    from: ({ period }) => {
      const where = period.month
        ? `WHERE strftime(f.ingested_at, '%Y-%m') = ${sqlString(period.month)}`
        : period.year
          ? `WHERE year(f.ingested_at) = ${Number(period.year)}`
          : '';
      return `FROM rejects r JOIN files f USING (file_id) ${where} ORDER BY f.file_id, r.row_no NULLS FIRST, r.column_name`;
    },
  },
];
