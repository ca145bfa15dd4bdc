// `govmon run`, `govmon evaluate` and `govmon export`: a month run with its exports and dashboard,
// a year evaluated with its exports, one export of any period.

import path from 'node:path';
import { UserError } from '../../../core/errors.ts';
import { shanghaiDate } from '../../../core/clock.ts';
import { loadProfile } from '../../../pipelines/profiles.ts';
import { incompleteMonthNote } from '../../../pipelines/run/month.ts';
import { progressEnabled } from '../../../pipelines/progress.ts';
import { EXPORTS, periodOf, writeExport } from '../../../dashboards/exports/write.ts';
import { monthRunAsOf } from '../../../pipelines/read.ts';
import { loadConfig } from '../../jobs/config.ts';
import { monthJob } from '../../jobs/month.ts';
import { monthArg, yearArg } from '../args.ts';
import { parseArg, type Kit } from '../kit.ts';
import { LABELS, label } from '../../../metrics/labels.ts';

const RECOMMENDATIONS = Object.keys(LABELS.recommendation);

const yuan = (x: number) => Math.round(x).toLocaleString('zh-CN');

export async function run(
  kit: Kit,
  o: { month?: string; exports: boolean; dashboard: boolean; documents?: boolean; timings?: boolean },
): Promise<number> {
  const month = parseArg(monthArg(), o.month);
  if (month > shanghaiDate(new Date()).slice(0, 7)) throw new UserError(`不能运行未来的月份：${month}`);
  return kit.withStore(async (store, log) => {
    const profile = loadProfile(kit.g.profile);
    const config = loadConfig(store.homeDir);
    const r = await monthJob(store, {
      month,
      profile,
      now: new Date(),
      log,
      progress: progressEnabled(kit.g.quiet),
      exportsRoot: o.exports ? config.exportsPath : undefined,
      documentsRoot: o.documents ? config.documentsPath : undefined,
      siteRoot: o.dashboard ? config.sitePath : undefined,
      city: config.city,
      issuer: config.issuerName,
      docPrefix: config.doc_prefix,
    });
    const k = r.run.counts;
    log.info(
      [
        `${month} 月度运行完成（运行编号 ${r.run.runId}，政策配置 ${profile.profile.name}，${(r.run.durationMs / 1000).toFixed(1)} 秒）`,
        ...(r.run.asOf ? [`  注意：${incompleteMonthNote(r.run.asOf)}`] : []),
        `  监测系统 ${k.systems} 个，其中监测数据缺失 ${k.no_data} 个`,
        `  限期整改 ${k.rectification} 个（本月${label('notice_status', 'resolved')} ${k.notices_resolved} 个，${label('notice_status', 'escalated')} ${k.notices_escalated} 个）`,
        `  淘汰退出 ${k.elimination} 个，豁免 ${k.exempted} 个；减配建议 ${k.rightsizing} 个`,
        `  可回收 vCPU ${k.reclaim_vcpu} 个，年云资源费用约 ${yuan(k.reclaim_cost_annual)} 元；本月已收回 vCPU ${k.reclaimed_vcpu} 个，年云资源费用约 ${yuan(k.reclaimed_cost_annual)} 元`,
        ...(r.exportsDir ? [`  清单：${r.exportsDir}`] : []),
        ...(r.documents ? [`  文书：${r.documents.dir}（${r.documents.files.length} 份）`] : []),
        ...(r.site ? [`  看板：${path.join(r.site.dir, 'index.html')}`] : []),
        ...(o.timings ? timingLines(r.run.timings) : []),
      ].join('\n'),
    );
    return 0;
  });
}

/** The steps of a run, slowest first, as `govmon run --timings` prints them (docs/performance.md). */
function timingLines(timings: Record<string, number>): string[] {
  const total = Object.values(timings).reduce((a, b) => a + b, 0);
  const rows = Object.entries(timings).sort((a, b) => b[1] - a[1]);
  return [
    `  各步骤耗时（共 ${(total / 1000).toFixed(2)} 秒，由慢到快）：`,
    ...rows.map(
      ([k, ms]) =>
        `    ${k.padEnd(32)} ${(ms / 1000).toFixed(3).padStart(8)} 秒  ${((100 * ms) / Math.max(total, 1)).toFixed(1).padStart(5)} %`,
    ),
  ];
}

export async function evaluate(kit: Kit, o: { year?: string }): Promise<number> {
  const year = parseArg(yearArg(), o.year);
  const { yearJob } = await import('../../jobs/year.ts');
  return kit.withStore(async (store, log) => {
    const profile = loadProfile(kit.g.profile);
    const r = await yearJob(store, {
      year,
      profile,
      now: new Date(),
      log,
      progress: progressEnabled(kit.g.quiet),
      exportsRoot: loadConfig(store.homeDir).exportsPath,
      city: loadConfig(store.homeDir).city,
    });
    const k = r.run.counts;
    const grade = (x: string) => k.grades[x] ?? 0;
    const rec = (x: string) => k.budget[x] ?? 0;
    const b = r.run.basis;
    log.info(
      [
        `${year} 年度${b.provisional ? '预评价' : '评价'}完成（运行编号 ${r.run.runId}，截至 ${r.run.asOfMonth}，政策配置 ${profile.profile.name}，${(r.run.durationMs / 1000).toFixed(1)} 秒）`,
        b.provisional
          ? `  预评价：${year} 年度运维报表应于 ${b.reportDueDate} 前报送，尚未到期，以 ${b.reportYear} 年度报表代替；报表到期后请重新评价`
          : `  正式评价：依据 ${b.reportYear} 年度运维报表`,
        `  参评系统 ${k.scored} 个：优 ${grade('优')}、良 ${grade('良')}、中 ${grade('中')}、差 ${grade('差')}；未报送运维报表 ${k.report_missing} 个；自评偏高列入抽查 ${k.inflation} 个`,
        `  ${year + 1} 年度经费建议${b.provisional ? '（预评价）' : ''}：${RECOMMENDATIONS.map((x) => `${label('recommendation', x)} ${rec(x)}`).join('、')}；建议暂停新项目申报的部门 ${k.departments_suspended} 个`,
        `  运维经费：本年度 ${yuan(k.om_budget_annual)} 元 → 建议 ${yuan(k.recommended_om_budget)} 元`,
        `  清单：${r.exportsDir}`,
      ].join('\n'),
    );
    return 0;
  });
}

export async function exportKind(
  kit: Kit,
  kind: string,
  o: { month?: string; year?: string; run?: string; out?: string },
): Promise<number> {
  if (!o.out) throw new UserError('请用 --out 指定输出文件（.csv、.xlsx、.parquet 或 .json）');
  const out = o.out;
  const period = periodOf({
    ...o,
    month: o.month === undefined ? undefined : parseArg(monthArg(), o.month),
    year: o.year === undefined ? undefined : parseArg(yearArg(), o.year),
  });
  return kit.withStore(async (store, log) => {
    const r = await writeExport(store, kind, period, out, { city: loadConfig(store.homeDir).city });
    log.info(`已导出 ${EXPORTS[kind].zh} ${r.rows} 行 → ${r.file}${r.runId !== null ? `（运行编号 ${r.runId}）` : ''}`);
    const asOf = r.runId !== null ? await monthRunAsOf(store, r.runId) : null;
    if (asOf) log.info(`注意：${incompleteMonthNote(asOf)}`);
    return 0;
  });
}
