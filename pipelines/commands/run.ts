// `govmon run` and `govmon export`.

import type { Command } from 'commander';
import { z } from 'zod';
import type { CommandKit } from '../commands.ts';
import { runMonth } from '../run/month.ts';
import { loadProfile } from '../../metrics/profiles/profiles.ts';
import { EXPORTS, periodOf, writeExport } from '../../dashboards/exports.ts';
import { registerAnnualExports } from '../../dashboards/exports-annual.ts';
import { evaluateYear } from '../run/year.ts';
import { progressEnabled } from '../progress.ts';
import path from 'node:path';
import { loadConfig } from '../schedule/config.ts';
import { MONTH_EXPORTS, YEAR_EXPORTS, writePeriodExports } from '../run/outputs.ts';
import { buildDashboard } from '../../dashboards/site/build.ts';

registerAnnualExports();

const YearArg = z.coerce.number({ error: '年份应为四位数字' }).int().min(2000, { error: '年份无效' }).max(2100, { error: '年份无效' });
const MonthArg = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, { error: '月份格式应为 YYYY-MM' });

export function register(program: Command, kit: CommandKit): void {
  program
    .command('run')
    .description('月度运行：指标、条件、整改与淘汰清单、减配建议 / monthly run: metrics, conditions, lists')
    .requiredOption('--month <YYYY-MM>', '月份 / month')
    .option('--no-exports', '不写出清单文件 / do not write the export files')
    .option('--no-dashboard', '不生成看板 / do not build the dashboard')
    .action(async (o: { month: string; exports: boolean; dashboard: boolean }) => {
      const month = kit.parseArg(MonthArg, o.month);
      await kit.withStore(program, async (store, log, g) => {
        const profile = loadProfile(g.profile);
        const now = new Date();
        const r = await runMonth(store, { month, profile, now, log, progress: progressEnabled(g.quiet) });
        const config = loadConfig(store.homeDir);
        const outputs: string[] = [];
        if (o.exports) outputs.push(`清单：${await writePeriodExports(store, config.exportsPath, { month }, MONTH_EXPORTS)}`);
        if (o.dashboard) {
          const site = await buildDashboard(store, { month, outDir: path.join(config.sitePath, month), profile, now, log });
          outputs.push(`看板：${path.join(site.dir, 'index.html')}`);
        }
        const k = r.counts;
        log.info(
          [
            `${month} 月度运行完成（运行编号 ${r.runId}，政策配置 ${profile.profile.name}，${(r.durationMs / 1000).toFixed(1)} 秒）`,
            `  监测系统 ${k.systems} 个，其中监测数据缺失 ${k.no_data} 个`,
            `  限期整改 ${k.rectification} 个（本月已整改 ${k.notices_resolved} 个，转入淘汰 ${k.notices_escalated} 个）`,
            `  淘汰退出 ${k.elimination} 个，豁免 ${k.exempted} 个；减配建议 ${k.rightsizing} 个`,
            `  可回收 vCPU ${k.reclaim_vcpu} 个，年云资源费用约 ${Math.round(k.reclaim_cost_annual).toLocaleString('zh-CN')} 元`,
            ...outputs.map((x) => `  ${x}`),
          ].join('\n'),
        );
        return 0;
      });
    });

  program
    .command('evaluate')
    .description('年度评价：绩效评分、抽查复核、下一年度经费建议 / annual scores and budget recommendations')
    .requiredOption('--year <YYYY>', '评价年度 / the evaluated year')
    .action(async (o: { year: string }) => {
      const year = kit.parseArg(YearArg, o.year);
      await kit.withStore(program, async (store, log, g) => {
        const profile = loadProfile(g.profile);
        const r = await evaluateYear(store, { year, profile, now: new Date(), log, progress: progressEnabled(g.quiet) });
        const dir = await writePeriodExports(store, loadConfig(store.homeDir).exportsPath, { year }, YEAR_EXPORTS);
        const k = r.counts;
        const grade = (x: string) => k.grades[x] ?? 0;
        const rec = (x: string) => k.budget[x] ?? 0;
        log.info(
          [
            `${year} 年度评价完成（运行编号 ${r.runId}，截至 ${r.asOfMonth}，政策配置 ${profile.profile.name}，${(r.durationMs / 1000).toFixed(1)} 秒）`,
            `  参评系统 ${k.scored} 个：优 ${grade('优')}、良 ${grade('良')}、中 ${grade('中')}、差 ${grade('差')}；未报送运维报表 ${k.report_missing} 个；自评偏高列入抽查 ${k.inflation} 个`,
            `  ${year + 1} 年度经费建议：全额安排 ${rec('fund')}、核减 ${rec('reduce')}、暂缓 ${rec('suspend')}、不予安排 ${rec('withhold')}；建议暂停新项目申报的部门 ${k.departments_suspended} 个`,
            `  运维经费：本年度 ${Math.round(k.om_budget_annual).toLocaleString('zh-CN')} 元 → 建议 ${Math.round(k.recommended_om_budget).toLocaleString('zh-CN')} 元`,
            `  清单：${dir}`,
          ].join('\n'),
        );
        return 0;
      });
    });

  program
    .command('export')
    .description('导出清单与表格 / export lists and tables (.csv .xlsx .parquet .json)')
    .argument('<kind>', `类型 / kind: ${Object.keys(EXPORTS).join(' | ')}`)
    .option('--month <YYYY-MM>', '月份 / month')
    .option('--year <YYYY>', '年度 / year')
    .option('--run <id>', '指定运行编号（默认为该期最新一次）/ a specific run')
    .requiredOption('--out <file>', '输出文件，格式由扩展名决定 / output file')
    .action(async (kind: string, o: { month?: string; year?: string; run?: string; out: string }) => {
      await kit.withStore(program, async (store, log) => {
        const r = await writeExport(store, kind, periodOf(o), o.out);
        log.info(`已导出 ${EXPORTS[kind].zh} ${r.rows} 行 → ${r.file}${r.runId !== null ? `（运行编号 ${r.runId}）` : ''}`);
        return 0;
      });
    });
}

