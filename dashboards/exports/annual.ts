// Export kinds of data sharing, the annual evaluation and the compliance calendar (docs/outputs.md §7.2):
// sharing and calendar read a monthly run (--month) or the year's evaluation (--year, the state
// at the end of the year); scores and budget read the evaluation of --year (the evaluated year;
// the budget rows carry the budget year, Y+1).

import { labelSql, obligationLabelSql } from '../../metrics/labels.ts';
import { currentMonthOrYearRun, currentYearRun } from '../../pipelines/read.ts';
import { col as c, type ExportKind } from './kind.ts';

const runMonthSql = (runId: number | null) =>
  `(SELECT CASE WHEN job = 'month' THEN CAST(period || '-01' AS DATE) ELSE (SELECT max(month) FROM res_sharing WHERE run_id = ${runId}) END FROM runs WHERE run_id = ${runId})`;

const reasonsZhSql = (x: string) => `array_to_string(list_transform(${x}, lambda r: coalesce(${labelSql('budget_reason', 'r')}, r)), '；')`;

export const ANNUAL_EXPORTS: readonly ExportKind[] = [
  {
    kind: 'sharing',
    zh: '数据共享完整性',
    period: 'any',
    resolveRun: currentMonthOrYearRun,
    columns: [
      c('system_id', '系统编号', 'text'),
      c('month', '月份', 'month', "strftime(s.month, '%Y-%m')"),
      c('cataloged', '已编目资源数', 'int', 's.cataloged'),
      c('shareable', '可共享资源数', 'int', 's.shareable'),
      c('aggregated', '已归集资源数', 'int', 's.aggregated'),
      c('timely', '按时更新资源数', 'int', 's.timely'),
      c('duplicates', '重复采集资源数', 'int', 's.duplicates'),
      c('completeness_pct', '归集完整率(%)', 'number', 's.completeness_pct'),
      c('uncataloged', '未编目', 'bool', 's.uncataloged'),
      c('sharing_failure', '共享不达标', 'bool', 's.sharing_failure'),
      c('catalog_overdue', '编目逾期', 'bool', 's.catalog_overdue'),
      c('system_name', '系统名称', 'text', 's.system_name', 28),
      c('department', '建设单位', 'text', 's.department', 20),
      c('stage', '阶段', 'text', 's.stage', undefined, 'stage'),
      c('catalog_due_date', '编目期限', 'date', 's.catalog_due_date'),
      c('run_id', '运行编号', 'int', 's.run_id'),
    ],
    from: ({ runId }) => `FROM res_sharing s WHERE s.run_id = ${runId} AND s.month = ${runMonthSql(runId)}
      ORDER BY s.sharing_failure DESC, s.department, s.system_id`,
  },
  {
    kind: 'scores',
    zh: '年度绩效评价',
    period: 'year',
    resolveRun: currentYearRun,
    columns: [
      c('system_id', '系统编号', 'text'),
      c('year', '年度', 'int', 's.year'),
      c('score', '总分', 'number', 's.score'),
      c('grade', '等级', 'text', 's.grade'),
      c('operation', '运行情况', 'number', 's.operation'),
      c('cost', '成本效益', 'number', 's.cost'),
      c('effect', '应用实效', 'number', 's.effect'),
      c('sharing', '数据共享', 'number', 's.sharing'),
      c('security', '信息安全', 'number', 's.security'),
      c('integration', '统建融合与创新', 'number', 's.integration'),
      c('self_score', '自评分', 'number', 's.self_score'),
      c('inflation', '自评偏高（抽查复核）', 'bool', 's.inflation'),
      c('report_missing', '未报送运维报表', 'bool', 's.report_missing'),
      c('provisional', '预评价', 'bool', 's.provisional'),
      c('report_year', '所用运维报表年度', 'int', 's.report_year'),
      c('system_name', '系统名称', 'text', 's.system_name', 28),
      c('department', '建设单位', 'text', 's.department', 20),
      c('pts_availability', '可用率得分', 'number', 's.pts_availability'),
      c('pts_incidents', '故障得分', 'number', 's.pts_incidents'),
      c('pts_utilization', '资源利用得分', 'number', 's.pts_utilization'),
      c('pts_budget', '经费执行得分', 'number', 's.pts_budget'),
      c('pts_goals', '绩效目标得分', 'number', 's.pts_goals'),
      c('pts_activity', '活跃度得分', 'number', 's.pts_activity'),
      c('pts_graded_protection', '等保测评得分', 'number', 's.pts_graded_protection'),
      c('pts_crypto', '密评得分', 'number', 's.pts_crypto'),
      c('pts_vulnerabilities', '漏洞得分', 'number', 's.pts_vulnerabilities'),
      c('run_id', '运行编号', 'int', 's.run_id'),
    ],
    from: ({ runId }) => `FROM res_scores s WHERE s.run_id = ${runId} ORDER BY s.score DESC, s.system_id`,
  },
  {
    kind: 'budget',
    zh: '下一年度经费建议',
    period: 'year',
    resolveRun: currentYearRun,
    columns: [
      c('system_id', '系统编号', 'text'),
      c('year', '预算年度', 'int', 'b.year'),
      c('recommendation', '建议', 'text', 'b.recommendation'),
      c('recommended_om_budget', '建议运维经费(元)', 'number', 'b.recommended_om_budget'),
      c('reasons', '原因', 'text', "array_to_string(b.reasons, ';')"),
      c('citations', '依据', 'text', "array_to_string(b.citations, '；')", 50),
      c('provisional', '预评价', 'bool', 'b.provisional'),
      c('report_year', '所用运维报表年度', 'int', 'b.report_year'),
      c('system_name', '系统名称', 'text', 'b.system_name', 28),
      c('department', '建设单位', 'text', 'b.department', 20),
      c('recommendation_zh', '建议（中文）', 'text', labelSql('recommendation', 'b.recommendation')),
      c('reasons_zh', '原因（中文）', 'text', reasonsZhSql('b.reasons'), 40),
      c('om_budget_annual', '本年度运维经费(元)', 'number', 'b.om_budget_annual'),
      c('recommended_cloud_cost', '建议云资源费用(元)', 'number', 'b.recommended_cloud_cost'),
      c('cloud_cost_annual', '本年度云资源费用(元)', 'number', 'b.cloud_cost_annual'),
      c('cost_source', '费用来源', 'text', labelSql('cost_source', 'b.cost_source')),
      c('score', '评价总分', 'number', 'b.score'),
      c('grade', '评价等级', 'text', 'b.grade'),
      c('run_id', '运行编号', 'int', 'b.run_id'),
    ],
    from: ({ runId }) => `FROM res_budget b WHERE b.run_id = ${runId}
      ORDER BY CASE b.recommendation WHEN 'withhold' THEN 1 WHEN 'suspend' THEN 2 WHEN 'reduce' THEN 3 ELSE 4 END, b.department, b.system_id`,
  },
  {
    kind: 'calendar',
    zh: '合规日历',
    period: 'any',
    resolveRun: currentMonthOrYearRun,
    columns: [
      c('system_id', '系统编号', 'text'),
      c('obligation', '事项', 'text', 'k.obligation'),
      c('due_date', '截止日期', 'date', 'k.due_date'),
      c('status', '状态', 'text', 'k.status', undefined, 'calendar_status'),
      c('citation', '依据', 'text', "array_to_string(k.citations, '；')", 44),
      c('system_name', '系统名称', 'text', 'k.system_name', 28),
      c('department', '建设单位', 'text', 'k.department', 20),
      c('obligation_zh', '事项（中文）', 'text', obligationLabelSql('k.obligation'), 24),
      c('status_zh', '状态（中文）', 'text', labelSql('calendar_status', 'k.status')),
      c('window_start', '起始日期', 'date', 'k.window_start'),
      c('done_date', '完成日期', 'date', 'k.done_date'),
      c('note', '备注', 'text', labelSql('calendar_note', 'k.note')),
      c('run_id', '运行编号', 'int', 'k.run_id'),
    ],
    from: ({ runId }) => `FROM res_calendar k WHERE k.run_id = ${runId}
      ORDER BY CASE k.status WHEN 'overdue' THEN 1 WHEN 'due' THEN 2 ELSE 3 END, k.due_date NULLS LAST, k.system_id, k.obligation`,
  },
];
