// `govmon demo` (what `npm start` runs): the fictional sample city, ingested (its planted rejects
// reported, its decision register among the inputs), every month run, every year with data
// evaluated, the last month's exports, documents (docs/outputs.md §7.4) and dashboard built. It writes into the given database only if that database is empty or was made
// by an earlier demo, so a bureau's real database is never mixed with sample data.

import path from 'node:path';
import { UserError } from '../../core/errors.ts';
import { lastFullMonth, monthsBetween } from '../../core/clock.ts';
import type { Log } from '../../core/log.ts';
import type { Store } from '../../pipelines/store/database.ts';
import { ingestPaths } from '../../pipelines/ingest/ingest.ts';
import { finishRun, startRun } from '../../pipelines/run/record.ts';
import { monthJob } from '../jobs/month.ts';
import type { MonthRunResult } from '../../pipelines/run/month.ts';
import { yearJob } from '../jobs/year.ts';
import { siteJob } from '../jobs/site.ts';
import { createProgress } from '../../pipelines/progress.ts';
import type { LoadedProfile } from '../../pipelines/profiles.ts';
import { generateSampleCity } from '../sample/generate.ts';
import { LABELS, label } from '../../metrics/labels.ts';
import { publishProvince } from './province.ts';
import { CITY } from '../sample/names.ts';

export interface DemoOptions {
  now: Date;
  log: Log;
  profile: LoadedProfile;
  /** last month of the sample city; defaults to the last full month */
  endMonth?: string;
  progress?: boolean;
}

export interface DemoResult {
  sampleDir: string;
  siteDir: string;
  exportsDir: string;
  /** the province roll-up of the sample city and the second sample city (docs/province.md §10) */
  provinceDb: string;
  provinceSite: string;
  documentsDir: string;
  months: string[];
  years: number[];
  rejects: number;
}

/** Refuse a database that holds data the demo did not put there. */
async function checkDemoDatabase(store: Store): Promise<void> {
  const files = await store.value<number>('SELECT count(*) FROM files');
  const demos = await store.value<number>("SELECT count(*) FROM runs WHERE job = 'demo'");
  if (files > 0 && demos === 0)
    throw new UserError(
      `数据库 ${store.path} 已有数据，演示不会向其中写入示例城市；请用 --db 指定另一个数据库文件（例如 --db data/demo.duckdb）`,
    );
}

export async function runDemo(store: Store, opts: DemoOptions): Promise<DemoResult> {
  const { log, now } = opts;
  await checkDemoDatabase(store);
  const endMonth = opts.endMonth ?? lastFullMonth(now);
  const home = store.homeDir;
  const sampleDir = path.join(home, 'sample');
  const t0 = performance.now();
  // the demo's own run record is written at the end, stamped with the time it began
  const startedAt = new Date();

  log.info(`① 生成示例城市（云川市，截至 ${endMonth}）→ ${sampleDir}`);
  const city = await generateSampleCity({ outDir: sampleDir, endMonth });
  log.info(`   ${city.files.length} 个文件，预埋 ${city.planted.rejects.length} 处错误数据（应被拒收）`);

  log.info('② 导入（各文件的拒收明细如下，均为预埋的错误数据）');
  const ingest = await ingestPaths(store, [sampleDir], { now, log, progress: opts.progress });
  const rejects = ingest.files.reduce((a, f) => a + f.rowsRejected, 0);
  const loaded = ingest.files.reduce((a, f) => a + f.rowsLoaded, 0);
  log.info(`   合计导入 ${loaded} 行，拒收 ${rejects} 行`);

  const months = monthsBetween(city.planted.firstMonth, endMonth);
  const exportsDir = path.join(home, 'exports');
  const documentsRoot = path.join(home, 'documents');
  let documents: { dir: string; files: { kind: string }[] } | undefined;
  log.info(`③ 月度运行 ${months[0]} 至 ${endMonth}（${months.length} 个月，政策配置 ${opts.profile.profile.name}）`);
  const bar = createProgress('月度运行', months.length, opts.progress ?? false);
  let last: MonthRunResult | undefined;
  for (const [i, month] of months.entries()) {
    bar.update(i, month);
    // the last month's lists are exported and its documents written as the daemon would; the site
    // comes after the evaluation
    const job = await monthJob(store, {
      month,
      profile: opts.profile,
      now,
      trigger: 'demo',
      exportsRoot: month === endMonth ? exportsDir : undefined,
      documentsRoot: month === endMonth ? documentsRoot : undefined,
      // the last month's warnings (a decision about a system on no list) are printed
      log: month === endMonth ? log : undefined,
      city: CITY,
      issuer: `${CITY}数据局`,
    });
    last = job.run;
    if (job.documents) documents = job.documents;
  }
  bar.stop();
  if (last)
    log.info(
      `   ${endMonth}：限期整改 ${last.counts.rectification} 个，淘汰退出 ${last.counts.elimination} 个（豁免 ${last.counts.exempted} 个），减配建议 ${last.counts.rightsizing} 个；可收回 vCPU ${last.counts.reclaim_vcpu} 个，本月已收回 vCPU ${last.counts.reclaimed_vcpu} 个`,
    );

  // every year with at least six months of data: complete years, and the year in progress as the
  // budget season sees it — a provisional evaluation (预评价) while its reports are not yet due
  const years = [...new Set(months.map((m) => Number(m.slice(0, 4))))].filter(
    (y) => months.filter((m) => m.startsWith(String(y))).length >= 6,
  );
  log.info(`④ 年度评价：${years.join('、')}`);
  for (const year of years) {
    const { run: r } = await yearJob(store, { year, profile: opts.profile, now, trigger: 'demo', exportsRoot: exportsDir, city: CITY });
    const kind = r.basis.provisional ? `预评价，以 ${r.basis.reportYear} 年度运维报表代替，` : '';
    log.info(
      `   ${year}（${kind}截至 ${r.asOfMonth}）：参评 ${r.counts.scored} 个，${Object.keys(LABELS.recommendation)
        .map((x) => `${label('recommendation', x)} ${r.counts.budget[x] ?? 0} 个`)
        .join('，')}`,
    );
  }

  log.info(`⑤ 清单已导出 → ${exportsDir}`);
  if (documents)
    log.info(
      `   文书（Word）→ ${documents.dir}：限期整改通知书 ${documents.files.filter((f) => f.kind === 'notice').length} 份，整改到期提醒 ${documents.files.filter((f) => f.kind === 'reminder').length} 份，淘汰退出清单（报批稿）1 份`,
    );

  const siteDir = path.join(home, 'site', endMonth);
  log.info(`⑥ 生成看板 → ${siteDir}`);
  const site = await siteJob(store, { month: endMonth, outDir: siteDir, profile: opts.profile, now, log, trigger: 'demo', city: CITY });
  log.info(`   ${site.pages} 个页面，${(site.bytes / 2 ** 20).toFixed(1)} MB，用时 ${(site.ms / 1000).toFixed(1)} 秒`);

  const province = await publishProvince(store, { home, endMonth, profile: opts.profile, now, log, progress: opts.progress });

  await store.tx(async () => {
    const id = await startRun(store, {
      job: 'demo',
      period: endMonth,
      profile: opts.profile,
      now,
      trigger: 'demo',
      clock: () => startedAt,
    });
    await finishRun(store, id, {
      status: 'ok',
      durationMs: performance.now() - t0,
      counts: { months: months.length, years, rows_loaded: loaded, rows_rejected: rejects },
    });
  });
  log.info(
    `\n完成（${((performance.now() - t0) / 1000).toFixed(0)} 秒）。用浏览器打开 ${path.join(siteDir, 'index.html')}，或运行 govmon serve --dir ${siteDir}`,
  );
  return {
    sampleDir,
    siteDir,
    exportsDir,
    documentsDir: documents?.dir ?? path.join(documentsRoot, endMonth),
    provinceDb: province.db,
    provinceSite: province.page,
    months,
    years,
    rejects,
  };
}
