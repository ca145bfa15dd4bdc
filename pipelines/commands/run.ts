// `govmon run` and `govmon export`.

import type { Command } from 'commander';
import { z } from 'zod';
import type { CommandKit } from '../commands.ts';
import { runMonth } from '../run/month.ts';
import { loadProfile } from '../../metrics/profiles/profiles.ts';
import { EXPORTS, periodOf, writeExport } from '../../dashboards/exports.ts';

const MonthArg = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, { error: '月份格式应为 YYYY-MM' });

export function register(program: Command, kit: CommandKit): void {
  program
    .command('run')
    .description('月度运行：指标、条件、整改与淘汰清单、减配建议 / monthly run: metrics, conditions, lists')
    .requiredOption('--month <YYYY-MM>', '月份 / month')
    .action(async (o: { month: string }) => {
      const month = kit.parseArg(MonthArg, o.month);
      await kit.withStore(program, async (store, log, g) => {
        const profile = loadProfile(g.profile);
        const r = await runMonth(store, { month, profile, now: new Date(), log });
        const k = r.counts;
        log.info(
          [
            `${month} 月度运行完成（运行编号 ${r.runId}，政策配置 ${profile.profile.name}，${(r.durationMs / 1000).toFixed(1)} 秒）`,
            `  监测系统 ${k.systems} 个，其中监测数据缺失 ${k.no_data} 个`,
            `  限期整改 ${k.rectification} 个（本月已整改 ${k.notices_resolved} 个，转入淘汰 ${k.notices_escalated} 个）`,
            `  淘汰退出 ${k.elimination} 个，豁免 ${k.exempted} 个；减配建议 ${k.rightsizing} 个`,
            `  可回收 vCPU ${k.reclaim_vcpu} 个，年云资源费用约 ${Math.round(k.reclaim_cost_annual).toLocaleString('zh-CN')} 元`,
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

