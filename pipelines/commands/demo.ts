// `govmon demo` and `govmon sample`-backed demo (what `npm start` runs).

import type { Command } from 'commander';
import { z } from 'zod';
import type { CommandKit } from '../commands.ts';
import { runDemo } from '../demo.ts';
import { loadProfile } from '../../metrics/profiles/profiles.ts';
import { progressEnabled } from '../progress.ts';

const MonthArg = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, { error: '月份格式应为 YYYY-MM' });

export function register(program: Command, kit: CommandKit): void {
  program
    .command('demo')
    .description('演示：生成示例城市、导入、逐月运行、年度评价、生成看板 / the demo: sample city → dashboard')
    .option('--end-month <YYYY-MM>', '示例数据的最后一个月（默认为上一个完整月份）/ last month of the sample')
    .action(async (o: { endMonth?: string }) => {
      const endMonth = o.endMonth === undefined ? undefined : kit.parseArg(MonthArg, o.endMonth);
      await kit.withStore(program, async (store, log, g) => {
        await runDemo(store, { now: new Date(), log, profile: loadProfile(g.profile), endMonth, progress: progressEnabled(g.quiet) });
        return 0;
      });
    });
}
