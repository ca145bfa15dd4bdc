// `govmon pull prometheus` and `govmon pull focus`: the connectors beyond files (docs/inputs.md §2.5).
// Arguments are checked here (zod, Chinese messages); the work is in pipelines/connectors/.

import path from 'node:path';
import { z } from 'zod';
import { UserError } from '../../../core/errors.ts';
import { addDays, monthEnd, monthStart } from '../../../core/clock.ts';
import { exitCodeOf } from '../../../pipelines/ingest/ingest.ts';
import { loadPrometheusMapping, pullPrometheus } from '../../../pipelines/connectors/prometheus.ts';
import { dateArg, monthArg } from '../args.ts';
import { parseArg, type Kit } from '../kit.ts';
import { loadFocusMapping, parseFx, pullFocus, type CostBasis, type FocusMapping } from '../../../pipelines/connectors/focus.ts';

const SecondsArg = z.coerce
  .number({ error: '--timeout 应为秒数' })
  .positive({ error: '--timeout 应为正数' })
  .max(3600, { error: '--timeout 不超过 3600 秒' });
const CostArg = z.enum(['billed', 'effective'], { error: '--cost 应为 billed（BilledCost）或 effective（EffectiveCost）' });
const TagArg = z.string().trim().min(1, { error: '--tag 不能为空' });

/** The days of a pull: a month, optionally narrowed by --from/--to, or just --from..--to. */
export function pullRange(o: { month?: string; from?: string; to?: string }): { from: string; to: string } {
  const month = o.month === undefined ? undefined : parseArg(monthArg(), o.month);
  let from = o.from === undefined ? undefined : parseArg(dateArg('--from'), o.from);
  let to = o.to === undefined ? undefined : parseArg(dateArg('--to'), o.to);
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

export async function prometheus(
  kit: Kit,
  o: {
    url?: string;
    mapping?: string;
    month?: string;
    from?: string;
    to?: string;
    timeout: string;
    workDir?: string;
    allowMissing?: boolean;
  },
): Promise<number> {
  if (!o.url) throw new UserError('请用 --url 指定 Prometheus 地址，如 --url http://10.0.0.5:9090');
  if (!o.mapping) throw new UserError('请用 --mapping 指定映射文件，示例见 data/templates/prometheus-node-exporter.json');
  const url = o.url;
  const range = pullRange(o);
  const timeoutMs = parseArg(SecondsArg, o.timeout) * 1000;
  const mapping = loadPrometheusMapping(o.mapping);
  return kit.withStore(async (store, log) => {
    const r = await pullPrometheus(store, {
      url,
      mapping,
      ...range,
      now: new Date(),
      workDir: o.workDir ?? path.join(store.homeDir, 'pulls'),
      timeoutMs,
      allowMissing: o.allowMissing,
      log,
    });
    log.info(`拉取结果保存在 ${path.dirname(r.csvPath)}`);
    const code = exitCodeOf([r.outcome]);
    return code === 0 && log.warnings > 0 ? 2 : code;
  });
}

export async function focus(
  kit: Kit,
  files: string[],
  o: { tag?: string; mapping?: string; cost: string; fx?: string[]; force?: boolean },
): Promise<number> {
  const cost: CostBasis = parseArg(CostArg, o.cost);
  if (o.tag !== undefined && o.mapping !== undefined) throw new UserError('--tag 与 --mapping 只能给出一个（映射文件中可写 tag）');
  let mapping: FocusMapping;
  if (o.mapping !== undefined) mapping = loadFocusMapping(o.mapping);
  else if (o.tag !== undefined) mapping = { tag: parseArg(TagArg, o.tag) };
  else throw new UserError('请用 --tag（如 --tag application）或 --mapping 指定费用如何对应到系统');
  const fx = parseFx(o.fx ?? []);
  return kit.withStore(async (store, log) => {
    const r = await pullFocus(store, files, { mapping, cost, fx, now: new Date(), force: o.force, log });
    return r.exitCode;
  });
}
