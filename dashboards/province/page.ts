// 省级汇总: the province overview page, built by `govmon rollup` from the province database
// (pipelines/province/rollup.ts): per city the latest published month, then every city and month —
// systems monitored and flagged, the lists, what can be and was reclaimed, data-sharing completeness,
// grades, cost sharing — and the manifests the figures rest on. One static page with the site's own
// styles, offline, every value escaped; written to a temporary folder and renamed into place.

import fs from 'node:fs';
import path from 'node:path';
import { rootPath } from '../../core/paths.ts';
import { UserError } from '../../core/errors.ts';
import { formatLocal } from '../../core/clock.ts';
import type { Results } from '../../pipelines/read.ts';
import { monthZh } from '../../metrics/labels.ts';
import { html, raw } from '../site/html.ts';
import { CSP } from '../site/layout.ts';
import { kpis, section, table, type Column } from '../site/components.ts';
import { num, pct, score, yuan } from '../site/format.ts';

export interface ProvinceRow {
  city: string;
  month: string;
  run_id: number;
  monitored: number;
  flagged: number;
  off_season: number;
  rectification: number;
  elimination: number;
  exempted: number;
  reclaim_vcpu: number;
  reclaim_cost_annual: number;
  reclaimed_vcpu: number | null;
  reclaimed_cost_annual: number | null;
  sharing_completeness_pct: number | null;
  sharing_failures: number;
  score_year: number | null;
  scored: number;
  mean_score: number | null;
  grade_excellent: number;
  grade_good: number;
  grade_fair: number;
  grade_poor: number;
  cost_shared: number;
  cost_share_missing: number;
}

interface ManifestRow {
  city: string;
  month: string;
  run_id: number;
  profile: string | null;
  profile_sha256: string | null;
  govmon_version: string;
  published_at: string;
  source_dir: string;
}

export async function readProvince(db: Results): Promise<{ rows: ProvinceRow[]; manifests: ManifestRow[] }> {
  const rows = await db.all<ProvinceRow>('SELECT * FROM province_overview ORDER BY city, month');
  const manifests = await db.all<ManifestRow>(
    'SELECT city, month, run_id, profile, profile_sha256, govmon_version, published_at, source_dir FROM manifests ORDER BY city, month',
  );
  return { rows, manifests };
}

const grades = (r: ProvinceRow) =>
  r.scored ? `优 ${r.grade_excellent} · 良 ${r.grade_good} · 中 ${r.grade_fair} · 差 ${r.grade_poor}` : '—';

const COLUMNS: Column<ProvinceRow>[] = [
  { head: '城市', cell: (r) => r.city, sort: (r) => r.city },
  { head: '月份', cell: (r) => r.month, sort: (r) => r.month },
  { head: '监测系统', cell: (r) => num(r.monitored), sort: (r) => r.monitored, num: true },
  { head: '存在问题', cell: (r) => num(r.flagged), sort: (r) => r.flagged, num: true },
  { head: '非使用季', cell: (r) => num(r.off_season), sort: (r) => r.off_season, num: true },
  { head: '限期整改', cell: (r) => num(r.rectification), sort: (r) => r.rectification, num: true },
  { head: '淘汰退出', cell: (r) => num(r.elimination), sort: (r) => r.elimination, num: true },
  { head: '豁免', cell: (r) => num(r.exempted), sort: (r) => r.exempted, num: true },
  { head: '可回收 vCPU', cell: (r) => num(r.reclaim_vcpu), sort: (r) => r.reclaim_vcpu, num: true },
  { head: '可节约年费用', cell: (r) => yuan(r.reclaim_cost_annual), sort: (r) => r.reclaim_cost_annual, num: true },
  { head: '已收回 vCPU', cell: (r) => num(r.reclaimed_vcpu), sort: (r) => r.reclaimed_vcpu ?? -1, num: true },
  { head: '数据归集完整率', cell: (r) => pct(r.sharing_completeness_pct), sort: (r) => r.sharing_completeness_pct ?? -1, num: true },
  { head: '共享不达标', cell: (r) => num(r.sharing_failures), sort: (r) => r.sharing_failures, num: true },
  { head: '评价年度', cell: (r) => (r.score_year === null ? '—' : String(r.score_year)), sort: (r) => r.score_year ?? 0 },
  { head: '平均分', cell: (r) => score(r.mean_score), sort: (r) => r.mean_score ?? -1, num: true },
  { head: '等级分布', cell: (r) => grades(r) },
  { head: '费用分摊（已分摊 / 缺方案或人口）', cell: (r) => `${num(r.cost_shared)} / ${num(r.cost_share_missing)}` },
];

export function provinceHtml(data: { rows: ProvinceRow[]; manifests: ManifestRow[] }, builtAt: Date): string {
  const { rows, manifests } = data;
  const latest = [...new Map(rows.map((r) => [r.city, r])).values()];
  const sum = (f: (r: ProvinceRow) => number) => latest.reduce((a, r) => a + f(r), 0);
  const tiles = kpis([
    { key: 'cities', label: '城市', value: num(latest.length), raw: latest.length },
    { key: 'monitored', label: '监测系统（各市最新月份）', value: num(sum((r) => r.monitored)), raw: sum((r) => r.monitored) },
    { key: 'flagged', label: '存在问题', value: num(sum((r) => r.flagged)), raw: sum((r) => r.flagged), tone: 'warn' },
    { key: 'rectification', label: '限期整改', value: num(sum((r) => r.rectification)), raw: sum((r) => r.rectification) },
    { key: 'elimination', label: '淘汰退出', value: num(sum((r) => r.elimination)), raw: sum((r) => r.elimination), tone: 'bad' },
    { key: 'reclaim_vcpu', label: '可回收 vCPU', value: num(sum((r) => r.reclaim_vcpu)), raw: sum((r) => r.reclaim_vcpu) },
    {
      key: 'reclaim_cost_annual',
      label: '可节约年云资源费用',
      value: yuan(sum((r) => r.reclaim_cost_annual)),
      raw: sum((r) => r.reclaim_cost_annual),
    },
  ]);
  const manifestCols: Column<ManifestRow>[] = [
    { head: '城市', cell: (m) => m.city },
    { head: '月份', cell: (m) => m.month },
    { head: '运行编号', cell: (m) => String(m.run_id) },
    { head: '政策配置', cell: (m) => `${m.profile ?? '—'}（${(m.profile_sha256 ?? '').slice(0, 12)}）` },
    { head: 'govmon 版本', cell: (m) => m.govmon_version },
    { head: '发布时间', cell: (m) => formatLocal(m.published_at, true) },
    { head: '发布文件夹', cell: (m) => m.source_dir },
  ];
  const body = html`<h1>省级汇总：各市政务信息系统运行监测</h1>
<p>由各市 <code>govmon publish</code> 发布的结果汇总（<code>govmon rollup</code>），每个文件均按发布清单的 SHA-256 校验后读取；各项口径与各市概览相同。已收回资源待处置决定登记发布后填入。</p>
${tiles}
${section('各市最新月份', table('latest-table', COLUMNS, latest, { empty: '无发布结果' }))}
${section('各市各月', table('province-table', COLUMNS, rows, { empty: '无发布结果' }))}
${section('发布清单', table('manifest-table', manifestCols, manifests))}`;
  const last = rows
    .map((r) => r.month)
    .sort()
    .at(-1);
  return html`<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<meta name="referrer" content="no-referrer">
<meta name="generator" content="govmon">
<title>省级汇总${last ? ` · ${monthZh(last)}` : ''} · 政务信息系统运行监测</title>
<link rel="stylesheet" href="assets/site.css">
<link rel="stylesheet" href="assets/print.css" media="print">
</head>
<body class="page">
<header class="site"><div class="brand">政务信息系统运行监测与绩效评价 · 省级汇总</div></header>
<main id="main">
${body}
</main>
<footer class="site"><p>由 govmon rollup 生成于 ${formatLocal(builtAt.toISOString(), true)}（北京时间）· 本页可离线打开，不访问互联网。</p></footer>
${raw('<script src="assets/table.js"></script>')}
</body>
</html>
`.value;
}

/** Write the province page (index.html and the site's styles) into `outDir`, replacing it whole. */
export async function buildProvincePage(db: Results, outDir: string, now: Date): Promise<string> {
  const page = provinceHtml(await readProvince(db), now);
  const target = path.resolve(outDir);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const tmp = fs.mkdtempSync(path.join(path.dirname(target), `.${path.basename(target)}.tmp-`));
  try {
    fs.mkdirSync(path.join(tmp, 'assets'));
    for (const f of ['site.css', 'print.css', 'table.js'])
      fs.copyFileSync(rootPath('dashboards', 'assets', f), path.join(tmp, 'assets', f));
    fs.writeFileSync(path.join(tmp, 'index.html'), page);
    if (fs.existsSync(target)) {
      if (!fs.existsSync(path.join(target, 'index.html')) && fs.readdirSync(target).length > 0)
        throw new UserError(`输出文件夹 ${target} 已存在且不是省级汇总页面，为免误删其中文件，请换一个文件夹`);
      fs.rmSync(target, { recursive: true, force: true });
    }
    fs.renameSync(tmp, target);
  } catch (e) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
  return path.join(target, 'index.html');
}
