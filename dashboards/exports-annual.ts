// Export kinds of data sharing, the annual evaluation and the compliance calendar (SPEC §7.2):
// sharing and calendar read a monthly run (--month) or the year's evaluation (--year, the state
// at the end of the year); scores and budget read the evaluation of --year (the evaluated year;
// the budget rows carry the budget year, Y+1).

import { UserError } from '../pipelines/errors.ts';
import type { Store } from '../pipelines/store/database.ts';
import { COST_SOURCE_SQL, addExportKind, currentMonthRun, type ExportColumn, type ColType, type Period } from './exports.ts';

const c = (name: string, zh: string, type: ColType, sql = name, width?: number): ExportColumn => ({ name, zh, sql, type, width });

export async function currentYearRun(store: Store, period: Period): Promise<number> {
  if (period.runId !== undefined) {
    const r = await store.one<{ job: string; period: string; status: string }>('SELECT job, period, status FROM runs WHERE run_id = $1', [period.runId]);
    if (!r || r.job !== 'year') throw new UserError(`运行编号 ${period.runId} 不是年度评价`);
    if (!['ok', 'warnings'].includes(r.status)) throw new UserError(`运行编号 ${period.runId} 未成功完成`);
    return period.runId;
  }
  if (!period.year) throw new UserError('请用 --year YYYY 指定年度');
  const id = await store.value<number | null>('SELECT run_id FROM year_runs WHERE year = $1', [period.year]);
  if (!id) throw new UserError(`${period.year} 年尚无年度评价结果，请先执行 govmon evaluate --year ${period.year}`);
  return id;
}

/** A month (monthly run) or a year (evaluation run). */
async function monthOrYearRun(store: Store, period: Period): Promise<number> {
  if (period.runId !== undefined) {
    const job = await store.value<string | null>('SELECT job FROM runs WHERE run_id = $1', [period.runId]);
    return job === 'year' ? currentYearRun(store, period) : currentMonthRun(store, period);
  }
  if (period.month) return currentMonthRun(store, period);
  if (period.year) return currentYearRun(store, period);
  throw new UserError('请用 --month YYYY-MM 或 --year YYYY 指定期间');
}

const runMonthSql = (runId: number | null) =>
  `(SELECT CASE WHEN job = 'month' THEN CAST(period || '-01' AS DATE) ELSE (SELECT max(month) FROM res_sharing WHERE run_id = ${runId}) END FROM runs WHERE run_id = ${runId})`;

export const BUDGET_ZH_SQL = `CASE b.recommendation WHEN 'withhold' THEN '不予安排运维经费' WHEN 'suspend' THEN '暂缓安排（待整改）' WHEN 'reduce' THEN '核减' WHEN 'fund' THEN '全额安排' END`;

export const REASON_ZH: Record<string, string> = {
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
};

export const OBLIGATION_ZH_SQL = (x: string) =>
  `CASE WHEN ${x} = 'catalog' THEN '目录编制及数据归集' WHEN ${x} = 'completion_acceptance' THEN '竣工验收'
     WHEN ${x} = 'self_evaluation' THEN '绩效自评价' WHEN ${x} LIKE 'annual_report:%' THEN split_part(${x}, ':', 2) || ' 年度运维服务情况报表' ELSE ${x} END`;

const reasonsZhSql = (x: string) =>
  `array_to_string(list_transform(${x}, lambda r: CASE r ${Object.entries(REASON_ZH)
    .map(([k, v]) => `WHEN '${k}' THEN '${v}'`)
    .join(' ')} ELSE r END), '；')`;

export function registerAnnualExports(): void {
  addExportKind({
    kind: 'sharing',
    zh: '数据共享完整性',
    period: 'any',
    resolveRun: monthOrYearRun,
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
      c('stage', '阶段', 'text', 's.stage'),
      c('catalog_due_date', '编目期限', 'date', 's.catalog_due_date'),
      c('run_id', '运行编号', 'int', 's.run_id'),
    ],
    from: ({ runId }) => `FROM res_sharing s WHERE s.run_id = ${runId} AND s.month = ${runMonthSql(runId)}
      ORDER BY s.sharing_failure DESC, s.department, s.system_id`,
  });
  addExportKind({
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
  });
  addExportKind({
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
      c('system_name', '系统名称', 'text', 'b.system_name', 28),
      c('department', '建设单位', 'text', 'b.department', 20),
      c('recommendation_zh', '建议（中文）', 'text', BUDGET_ZH_SQL),
      c('reasons_zh', '原因（中文）', 'text', reasonsZhSql('b.reasons'), 40),
      c('om_budget_annual', '本年度运维经费(元)', 'number', 'b.om_budget_annual'),
      c('recommended_cloud_cost', '建议云资源费用(元)', 'number', 'b.recommended_cloud_cost'),
      c('cloud_cost_annual', '本年度云资源费用(元)', 'number', 'b.cloud_cost_annual'),
      c('cost_source', '费用来源', 'text', COST_SOURCE_SQL('b.cost_source')),
      c('score', '评价总分', 'number', 'b.score'),
      c('grade', '评价等级', 'text', 'b.grade'),
      c('run_id', '运行编号', 'int', 'b.run_id'),
    ],
    from: ({ runId }) => `FROM res_budget b WHERE b.run_id = ${runId}
      ORDER BY CASE b.recommendation WHEN 'withhold' THEN 1 WHEN 'suspend' THEN 2 WHEN 'reduce' THEN 3 ELSE 4 END, b.department, b.system_id`,
  });
  addExportKind({
    kind: 'calendar',
    zh: '合规日历',
    period: 'any',
    resolveRun: monthOrYearRun,
    columns: [
      c('system_id', '系统编号', 'text'),
      c('obligation', '事项', 'text', 'k.obligation'),
      c('due_date', '截止日期', 'date', 'k.due_date'),
      c('status', '状态', 'text', 'k.status'),
      c('citation', '依据', 'text', "array_to_string(k.citations, '；')", 44),
      c('system_name', '系统名称', 'text', 'k.system_name', 28),
      c('department', '建设单位', 'text', 'k.department', 20),
      c('obligation_zh', '事项（中文）', 'text', OBLIGATION_ZH_SQL('k.obligation'), 24),
      c('status_zh', '状态（中文）', 'text', "CASE k.status WHEN 'done' THEN '已完成' WHEN 'due' THEN '未到期' WHEN 'overdue' THEN '已逾期' END"),
      c('window_start', '起始日期', 'date', 'k.window_start'),
      c('done_date', '完成日期', 'date', 'k.done_date'),
      c('note', '备注', 'text', "CASE k.note WHEN 'late' THEN '逾期完成' WHEN 'early' THEN '试运行期不足即验收' END"),
      c('run_id', '运行编号', 'int', 'k.run_id'),
    ],
    from: ({ runId }) => `FROM res_calendar k WHERE k.run_id = ${runId}
      ORDER BY CASE k.status WHEN 'overdue' THEN 1 WHEN 'due' THEN 2 ELSE 3 END, k.due_date NULLS LAST, k.system_id, k.obligation`,
  });
}
