// `govmon template KIND --out FILE.xlsx [--department NAME] [--year YYYY]`: the XLSX input form of a
// kind (SPEC §2.4, §7.1). A blank form needs no database; pre-filling a department's systems reads
// the registry of --db.

import type { Command } from 'commander';
import { z } from 'zod';
import type { CommandKit } from '../commands.ts';
import { KINDS, KIND_ZH, type Kind } from '../ingest/contract.ts';
import { writeTemplate, type TemplateResult } from '../ingest/template.ts';
import { consoleLog } from '../log.ts';
import type { GlobalOpts } from '../cli.ts';

const TemplateArgs = z
  .object({
    kind: z.enum(KINDS as [Kind, ...Kind[]], { error: () => `类型应为 ${KINDS.join('、')} 之一` }),
    out: z.string({ error: '请用 --out 指定输出文件' }).regex(/\.xlsx$/i, { error: '--out 应为 .xlsx 文件' }),
    department: z.string().trim().min(1, { error: '--department 不能为空' }).optional(),
    year: z.coerce
      .number({ error: '--year 应为四位年份，如 2025' })
      .int({ error: '--year 应为四位年份，如 2025' })
      .min(2000, { error: '--year 应在 2000 到 2100 之间' })
      .max(2100, { error: '--year 应在 2000 到 2100 之间' })
      .optional(),
  })
  .refine((a) => (a.department === undefined && a.year === undefined) || a.kind === 'om_report', {
    error: '--department 和 --year 只适用于 om_report（年度运维服务情况报表）',
  })
  .refine((a) => a.year === undefined || a.department !== undefined, { error: '--year 需与 --department 一起使用' });

function done(r: TemplateResult): string {
  const pre = r.prefilled ? `，已预填 ${r.prefilled} 个系统` : '';
  return `已生成${KIND_ZH[r.kind]}模板：${r.path}（工作表“${r.sheet}”${pre}）`;
}

export function register(program: Command, kit: CommandKit): void {
  program
    .command('template')
    .description('生成 XLSX 填报模板（中文表头、下拉选项、填写说明）/ write the XLSX input form of a kind')
    .argument('<kind>', `类型 / kind: ${KINDS.join(' | ')}`)
    .requiredOption('--out <file>', '输出文件（.xlsx）/ output file (.xlsx)')
    .option('--department <name>', '预填该建设单位的系统（仅 om_report）/ pre-fill the systems of a department (om_report only)')
    .option('--year <yyyy>', '预填年度（仅 om_report，需与 --department 一起）/ pre-fill the O&M year (with --department)')
    .action(async (kind: string, o: { out: string; department?: string; year?: string }) => {
      const a = kit.parseArg(TemplateArgs, { kind, out: o.out, department: o.department, year: o.year });
      if (a.department === undefined) {
        const log = consoleLog({ quiet: program.opts<GlobalOpts>().quiet });
        log.info(done(await writeTemplate(a.kind, a.out)));
        process.exitCode = 0;
        return;
      }
      await kit.withStore(program, async (store, log) => {
        log.info(done(await writeTemplate(a.kind, a.out, { store, department: a.department, year: a.year })));
        return 0;
      });
    });
}
