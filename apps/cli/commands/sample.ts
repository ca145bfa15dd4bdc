// `govmon sample --out DIR [--end-month YYYY-MM] [--seed N]`: write the sample city (云川市) — the
// inputs a bureau receives, with every case of docs/metrics.md and docs/decisions.md planted — and `.planted.json`, what govmon must
// conclude from them. Needs no database. The default end month is the last full month before
// today in Asia/Shanghai.

import { z } from 'zod';
import { DEFAULT_SEED, PLANTED_FILE, generateSampleCity } from '../../sample/generate.ts';
import { lastFullMonth } from '../../../core/clock.ts';
import { monthArg } from '../args.ts';
import { parseArg, type Kit } from '../kit.ts';

const SampleArgs = z.object({
  out: z.string({ error: '请用 --out 指定输出文件夹' }).trim().min(1, { error: '请用 --out 指定输出文件夹' }),
  endMonth: monthArg('--end-month'),
  seed: z.coerce
    .number({ error: '--seed 应为非负整数' })
    .int({ error: '--seed 应为非负整数' })
    .min(0, { error: '--seed 应为非负整数' })
    .max(4_294_967_295, { error: '--seed 不能大于 4294967295' }),
  systems: z.coerce
    .number({ error: '--systems 应为整数' })
    .int({ error: '--systems 应为整数' })
    .min(150, { error: '--systems 至少为 150' })
    .max(100_000, { error: '--systems 不能大于 100000' }),
});

export async function sample(kit: Kit, o: { out?: string; endMonth?: string; seed?: string; systems?: string }): Promise<number> {
  const a = parseArg(SampleArgs, {
    out: o.out,
    endMonth: o.endMonth ?? lastFullMonth(new Date()),
    seed: o.seed ?? DEFAULT_SEED,
    systems: o.systems ?? 400,
  });
  const { log } = kit;
  const t0 = performance.now();
  const r = await generateSampleCity({ outDir: a.out, endMonth: a.endMonth, seed: a.seed, systems: a.systems });
  const p = r.planted;
  log.info(
    [
      `已生成示例城市“${p.city}”：${p.systems.total} 个系统、${p.systems.departments} 个部门，监测数据 ${p.firstMonth} 至 ${p.endMonth}（${r.telemetryRows} 行），评价年度 ${p.evalYear}`,
      `  ${r.files.length} 个文件写入 ${a.out}（用时 ${((performance.now() - t0) / 1000).toFixed(1)} 秒），按文件名顺序导入：govmon ingest ${a.out}`,
      `  预期结果：${PLANTED_FILE}（${p.cases.length} 个预设案例、${p.rejects.length} 处预设拒收行；以“.”开头，导入时跳过）`,
    ].join('\n'),
  );
  return 0;
}
