// `govmon template KIND --out FILE.xlsx [--department NAME] [--year YYYY]`: the XLSX input form of a
// kind (docs/inputs.md §2.4, docs/outputs.md §7.1). A blank form needs no database; pre-filling a department's systems reads
// the registry of --db.

import { z } from 'zod';
import { KINDS, KIND_ZH, type Kind } from '../../../metrics/contract.ts';
import { writeTemplate, type TemplateResult } from '../../../pipelines/ingest/template.ts';
import { yearArg } from '../args.ts';
import { parseArg, type Kit } from '../kit.ts';

const TemplateArgs = z
  .object({
    kind: z.enum(KINDS as [Kind, ...Kind[]], { error: () => `类型应为 ${KINDS.join('、')} 之一` }),
    out: z.string({ error: '请用 --out 指定输出文件（.xlsx）' }).regex(/\.xlsx$/i, { error: '--out 应为 .xlsx 文件' }),
    department: z.string().trim().min(1, { error: '--department 不能为空' }).optional(),
    year: yearArg().optional(),
  })
  .refine((a) => (a.department === undefined && a.year === undefined) || a.kind === 'om_report', {
    error: '--department 和 --year 只适用于 om_report（年度运维服务情况报表）',
  })
  .refine((a) => a.year === undefined || a.department !== undefined, { error: '--year 需与 --department 一起使用' });

function done(r: TemplateResult): string {
  const pre = r.prefilled ? `，已预填 ${r.prefilled} 个系统` : '';
  return `已生成${KIND_ZH[r.kind]}模板：${r.path}（工作表“${r.sheet}”${pre}）`;
}

export async function template(kit: Kit, kind: string, o: { out?: string; department?: string; year?: string }): Promise<number> {
  const a = parseArg(TemplateArgs, { kind, out: o.out, department: o.department, year: o.year });
  if (a.department === undefined) {
    kit.log.info(done(await writeTemplate(a.kind, a.out)));
    return 0;
  }
  const department = a.department;
  return kit.withStore(async (store, log) => {
    log.info(done(await writeTemplate(a.kind, a.out, { store, department, year: a.year })));
    return 0;
  });
}
