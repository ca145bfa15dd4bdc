// The demo's province roll-up (docs/province.md §10): a second, smaller sample city (河晟市, another
// seed and city code) in a database of its own — ingested, its last months run and its year
// evaluated — then both cities' last months published as Hive-partitioned Parquet and rolled up into
// the province database and its overview page. Only the published months are run for the second
// city: a run recomputes every streak from all stored telemetry, so it needs no earlier run.

import fs from 'node:fs';
import path from 'node:path';
import { addMonths } from '../../core/clock.ts';
import type { Log } from '../../core/log.ts';
import { rootPath } from '../../core/paths.ts';
import { Store } from '../../pipelines/store/database.ts';
import { migrate } from '../../pipelines/store/migrate.ts';
import { ingestPaths } from '../../pipelines/ingest/ingest.ts';
import { runMonth } from '../../pipelines/run/month.ts';
import { evaluateYear } from '../../pipelines/run/year.ts';
import type { LoadedProfile } from '../../pipelines/profiles.ts';
import { rollup } from '../../pipelines/province/rollup.ts';
import { publishMonth } from '../../dashboards/publish/publish.ts';
import { buildProvincePage } from '../../dashboards/province/page.ts';
import { generateSampleCity } from '../sample/generate.ts';

/** The two sample cities of the province: code, and for the second its generator options. */
export const DEMO_CITIES = {
  main: { code: 'YC', name: '云川市' },
  second: { code: 'HS', name: '河晟市', seed: 20_240_917, systems: 160, idPrefix: 'HS' },
} as const;

/** Months each city publishes: the last three. */
const PUBLISHED_MONTHS = 3;

export interface DemoProvinceOptions {
  home: string;
  endMonth: string;
  profile: LoadedProfile;
  now: Date;
  log: Log;
  progress?: boolean;
}

export async function publishProvince(city: Store, o: DemoProvinceOptions): Promise<{ db: string; page: string; published: string }> {
  const { log, now } = o;
  const months = Array.from({ length: PUBLISHED_MONTHS }, (_, i) => addMonths(o.endMonth, i - PUBLISHED_MONTHS + 1));
  const second = DEMO_CITIES.second;
  const dir = path.join(o.home, 'province');
  const sampleDir = path.join(dir, 'sample-HS');
  const dbPath = path.join(dir, 'HS.duckdb');
  log.info(`⑦ 第二个示例城市（${second.name}，${second.systems} 个系统）→ ${sampleDir}`);
  fs.rmSync(dbPath, { force: true });
  fs.rmSync(`${dbPath}.wal`, { force: true });
  const sample = await generateSampleCity({ outDir: sampleDir, endMonth: o.endMonth, ...second, city: second.name });
  const hs = await Store.open(dbPath);
  const published = path.join(dir, 'published');
  try {
    await migrate(hs);
    const ingest = await ingestPaths(hs, [sampleDir], { now, archiveDir: path.join(dir, 'archive-HS'), progress: o.progress });
    log.info(
      `   导入 ${ingest.files.reduce((a, f) => a + f.rowsLoaded, 0)} 行（预埋拒收 ${ingest.files.reduce((a, f) => a + f.rowsRejected, 0)} 行）`,
    );
    for (const m of months) await runMonth(hs, { month: m, profile: o.profile, now, trigger: 'demo' });
    await evaluateYear(hs, { year: sample.planted.evalYear, profile: o.profile, now, trigger: 'demo' });

    log.info(`⑧ 发布 ${months[0]} 至 ${o.endMonth} 的结果（Hive 分区 Parquet 与清单）→ ${published}`);
    fs.rmSync(published, { recursive: true, force: true });
    const version = (JSON.parse(fs.readFileSync(rootPath('package.json'), 'utf8')) as { version: string }).version;
    for (const [store, code] of [
      [city, DEMO_CITIES.main.code],
      [hs, second.code],
    ] as const)
      for (const m of months) await publishMonth(store, { month: m, outDir: published, city: code, now, version });
  } finally {
    hs.close();
  }

  const db = path.join(dir, 'province.duckdb');
  log.info(`⑨ 省级汇总 → ${db}`);
  const r = await rollup({ dirs: [published], dbPath: db, now });
  const store = await Store.open(r.dbPath, { readOnly: true });
  let page: string;
  try {
    page = await buildProvincePage(store, path.join(dir, 'site'), now);
  } finally {
    store.close();
  }
  log.info(`   ${r.cities.join('、')} 两市 ${r.months.length} 个月份；省级概览：${page}`);
  return { db, page, published };
}
