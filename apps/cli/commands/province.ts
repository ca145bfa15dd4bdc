// `govmon publish --month M --out DIR [--city CODE]` and `govmon rollup DIR... --db FILE [--out DIR]`
// (docs/province.md §10): a city's month written as Hive-partitioned Parquet with its manifest, and
// many cities' published trees verified and read into a province database with its overview page.

import fs from 'node:fs';
import path from 'node:path';
import { rootPath } from '../../../core/paths.ts';
import { UserError } from '../../../core/errors.ts';
import { publishMonth } from '../../../dashboards/publish/publish.ts';
import { buildProvincePage } from '../../../dashboards/province/page.ts';
import { CITY_CODE } from '../../../metrics/province.ts';
import { rollup as buildProvince } from '../../../pipelines/province/rollup.ts';
import { Store } from '../../../pipelines/store/database.ts';
import { loadConfig } from '../../jobs/config.ts';
import { dirArg, monthArg } from '../args.ts';
import { parseArg, type Kit } from '../kit.ts';

export async function publish(kit: Kit, o: { month?: string; out?: string; city?: string }): Promise<number> {
  const month = parseArg(monthArg(), o.month);
  const out = parseArg(dirArg('发布文件夹（--out）'), o.out);
  return kit.withStore(async (store, log) => {
    const city = o.city ?? loadConfig(store.homeDir).city_code;
    if (!city) throw new UserError('请用 --city 指定城市代码（如 330600），或在 govmon.config.json 中设置 city_code');
    if (!CITY_CODE.test(city)) throw new UserError(`城市代码“${city}”无效：只能用字母、数字、下划线和连字符（1–32 个），如 330600 或 YC`);
    const m = await publishMonth(store, { month, outDir: out, city, now: new Date(), version: version() });
    const rows = m.files.map((f) => `${f.table} ${f.rows}`).join('，');
    log.info(
      `已发布 ${city} ${month}（运行编号 ${m.run_id}${m.year ? `，${m.year} 年度评价` : ''}）→ ${path.resolve(out)}\n  ${m.files.length} 张表：${rows}\n  清单：${path.join(path.resolve(out), '_manifest', `city=${city}`, `month=${month}`, 'manifest.json')}`,
    );
    return 0;
  });
}

export async function rollup(kit: Kit, dirs: string[], o: { db?: string; out?: string }): Promise<number> {
  // --db is the global option: here it names the province database to write, never a city's
  const db = parseArg(dirArg('省级汇总数据库（--db）'), o.db ?? kit.g.db);
  const r = await buildProvince({ dirs, dbPath: db, now: new Date(), log: kit.log });
  const out = o.out ?? path.join(path.dirname(r.dbPath), 'province');
  const store = await Store.open(r.dbPath, { readOnly: true });
  let page: string;
  try {
    page = await buildProvincePage(store, out, new Date());
  } finally {
    store.close();
  }
  kit.log.info(
    `  城市：${r.cities.join('、')}；月份：${r.months[0]} 至 ${r.months.at(-1)}\n  表：${Object.entries(r.tables)
      .map(([t, n]) => `${t} ${n}`)
      .join('，')}\n  省级概览：${page}`,
  );
  return 0;
}

/** govmon's version, for the manifest (package.json; read here, not through the CLI module that loads this one) */
function version(): string {
  return (JSON.parse(fs.readFileSync(rootPath('package.json'), 'utf8')) as { version: string }).version;
}
