// `govmon notices --month YYYY-MM --out DIR [--doc-prefix 临数局〔2026〕] [--date YYYY-MM-DD]`: the
// documents of a month as Word files laid out per GB/T 9704 (docs/outputs.md §7.4) — a 限期整改通知书
// per department, 整改到期提醒 where deadlines fall within 15 days of the document's date, and the
// month's 淘汰退出清单（报批稿）. The issuing authority is govmon.config.json `issuer` (or `city` + 数据局).

import path from 'node:path';
import { UserError } from '../../../core/errors.ts';
import { shanghaiDate } from '../../../core/clock.ts';
import { loadProfile } from '../../../pipelines/profiles.ts';
import { writeMonthDocuments } from '../../../dashboards/documents/notices.ts';
import { loadConfig } from '../../jobs/config.ts';
import { dateArg, dirArg, monthArg } from '../args.ts';
import { parseArg, type Kit } from '../kit.ts';

export async function notices(
  kit: Kit,
  o: { month?: string; out?: string; docPrefix?: string; date?: string; issuer?: string },
): Promise<number> {
  const month = parseArg(monthArg(), o.month);
  const out = parseArg(dirArg('输出文件夹（--out DIR）'), o.out);
  const date = o.date === undefined ? shanghaiDate(new Date()) : parseArg(dateArg('--date'), o.date);
  if (date < `${month}-01`) throw new UserError(`--date ${date} 早于 ${month} 的第一天：文书日期应在监测月份之后`);
  return kit.withStore(async (store, log) => {
    const config = loadConfig(store.homeDir);
    const files = await writeMonthDocuments(store, {
      month,
      outDir: path.resolve(out),
      date,
      issuer: o.issuer ?? config.issuerName,
      docPrefix: o.docPrefix ?? config.doc_prefix,
      profile: kit.profileGiven() ? loadProfile(kit.g.profile) : undefined,
    });
    const count = (k: string) => files.filter((f) => f.kind === k).length;
    log.info(
      [
        `已生成 ${month} 的文书（文书日期 ${date}）→ ${path.resolve(out)}`,
        `  限期整改通知书 ${count('notice')} 份，整改到期提醒 ${count('reminder')} 份，淘汰退出清单（报批稿）1 份`,
        ...files.map((f) => `  ${path.basename(f.file)}（${f.systems.length} 个系统）`),
      ].join('\n'),
    );
    return 0;
  });
}
