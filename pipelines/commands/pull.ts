// `govmon pull prometheus` and `govmon pull focus`: the connectors beyond files (SPEC §2.5).
// Arguments are checked here (zod, Chinese messages); the work is in pipelines/connectors/.

import path from 'node:path';
import type { Command } from 'commander';
import { z } from 'zod';
import type { CommandKit } from '../commands.ts';
import { UserError } from '../errors.ts';
import { addDays, monthEnd, monthStart } from '../clock.ts';
import { exitCodeOf } from '../ingest/ingest.ts';
import { loadPrometheusMapping, pullPrometheus } from '../connectors/prometheus.ts';
import { loadFocusMapping, parseFx, pullFocus, type CostBasis, type FocusMapping } from '../connectors/focus.ts';

const MonthArg = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, { error: '--month 应为 YYYY-MM，如 2026-10' });
const DateArg = (flag: string) =>
  z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, { error: `${flag} 应为 YYYY-MM-DD，如 2026-10-01` })
    .refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(`${d}T00:00:00Z`).toISOString().slice(0, 10) === d, {
      error: `${flag} 不是有效的日期`,
    });
const SecondsArg = z.coerce.number({ error: '--timeout 应为秒数' }).positive({ error: '--timeout 应为正数' }).max(3600, { error: '--timeout 不超过 3600 秒' });
const CostArg = z.enum(['billed', 'effective'], { error: '--cost 应为 billed（BilledCost）或 effective（EffectiveCost）' });
const TagArg = z.string().trim().min(1, { error: '--tag 不能为空' });

/** The days of a pull: a month, optionally narrowed by --from/--to, or just --from..--to. */
export function pullRange(o: { month?: string; from?: string; to?: string }, parse: CommandKit['parseArg']): { from: string; to: string } {
  const month = o.month === undefined ? undefined : parse(MonthArg, o.month);
  let from = o.from === undefined ? undefined : parse(DateArg('--from'), o.from);
  let to = o.to === undefined ? undefined : parse(DateArg('--to'), o.to);
  if (month) {
    const first = monthStart(month);
    const last = monthEnd(month);
    if ((from && (from < first || from > last)) || (to && (to < first || to > last)))
      throw new UserError(`--from 和 --to 应在 --month ${month} 之内（${first} 至 ${last}）`);
    from ??= first;
    to ??= last;
  }
  if (!from || !to) throw new UserError('请用 --month 指定月份，或同时给出 --from 和 --to');
  if (from > to) throw new UserError(`--from ${from} 晚于 --to ${to}`);
  if (addDays(from, 366) <= to) throw new UserError('一次最多拉取 366 天，请分段拉取');
  return { from, to };
}

export function register(program: Command, kit: CommandKit): void {
  const pull = program
    .command('pull')
    .description('从外部系统拉取数据：Prometheus 运行监测、FOCUS 云费用账单 / pull data: Prometheus telemetry, FOCUS cloud costs');

  pull
    .command('prometheus')
    .description('从 Prometheus 拉取每日运行监测数据并按监测数据导入 / pull daily telemetry from Prometheus (query_range)')
    .requiredOption('--url <url>', 'Prometheus 地址，如 http://10.0.0.5:9090 / Prometheus base URL')
    .requiredOption('--mapping <file>', '映射文件（JSON），示例见 data/templates/prometheus-node-exporter.json / mapping file')
    .option('--month <YYYY-MM>', '月份（北京时间）/ month (Asia/Shanghai)')
    .option('--from <YYYY-MM-DD>', '起始日期，默认月初 / first day')
    .option('--to <YYYY-MM-DD>', '结束日期，默认月末（今天之后的日期不拉取）/ last day')
    .option('--timeout <seconds>', '每次查询的超时秒数，默认 120 / per-query timeout', '120')
    .option('--work-dir <dir>', '保存拉取结果（原始数据点和监测数据 CSV）的文件夹，默认数据库旁的 pulls/ / where pulled files are kept')
    .action(async (o: { url: string; mapping: string; month?: string; from?: string; to?: string; timeout: string; workDir?: string }) => {
      const range = pullRange(o, kit.parseArg);
      const timeoutMs = kit.parseArg(SecondsArg, o.timeout) * 1000;
      const mapping = loadPrometheusMapping(o.mapping);
      await kit.withStore(program, async (store, log) => {
        const r = await pullPrometheus(store, {
          url: o.url,
          mapping,
          ...range,
          now: new Date(),
          workDir: o.workDir ?? path.join(store.homeDir, 'pulls'),
          timeoutMs,
          log,
        });
        log.info(`拉取结果保存在 ${path.dirname(r.csvPath)}`);
        const code = exitCodeOf([r.outcome]);
        return code === 0 && log.warnings > 0 ? 2 : code;
      });
    });

  pull
    .command('focus')
    .description('导入 FinOps FOCUS 云费用账单（CSV/Parquet），按标签对应到系统 / load FOCUS cost exports, attributed to systems')
    .argument('<files...>', 'FOCUS 文件或文件夹（.csv、.csv.gz、.parquet）/ files or folders')
    .option('--tag <key>', '按该标签的值对应系统编号，如 application / the tag whose value is the system_id')
    .option('--mapping <file>', '映射文件（JSON）：标签值→系统编号、ResourceId 匹配规则 / mapping file')
    .option('--cost <basis>', '实测费用口径：billed（BilledCost，默认）或 effective（EffectiveCost）/ cost basis', 'billed')
    .option(
      '--fx <CUR=RATE>',
      '非人民币账单的汇率（1 单位外币折合人民币元），如 --fx USD=7.1 / exchange rates to yuan',
      (v: string, prev: string[] = []) => [...prev, v],
    )
    .option('--force', '即使相同内容已导入也再次导入（作为新的一批）/ load again even if the same bytes were loaded')
    .action(async (files: string[], o: { tag?: string; mapping?: string; cost: string; fx?: string[]; force?: boolean }) => {
      const cost: CostBasis = kit.parseArg(CostArg, o.cost);
      if (o.tag !== undefined && o.mapping !== undefined) throw new UserError('--tag 与 --mapping 只能给出一个（映射文件中可写 tag）');
      let mapping: FocusMapping;
      if (o.mapping !== undefined) mapping = loadFocusMapping(o.mapping);
      else if (o.tag !== undefined) mapping = { tag: kit.parseArg(TagArg, o.tag) };
      else throw new UserError('请用 --tag（如 --tag application）或 --mapping 指定费用如何对应到系统');
      const fx = parseFx(o.fx ?? []);
      await kit.withStore(program, async (store, log) => {
        const r = await pullFocus(store, files, { mapping, cost, fx, now: new Date(), force: o.force, log });
        return r.exitCode;
      });
    });
}
