// The cost-sharing inputs of the sample city (docs/inputs.md §2.7) — 06 resident population (CSV),
// 07 the plans (XLSX with a title row, one plan summing to 90 % that is rejected) — and what govmon
// must conclude (docs/decisions.md §5.8), computed here on a path of its own: integer fen with
// BigInt, round half up, the remainder to the largest weight (ties: the county first in code-point
// order). Nothing of govmon's SQL is used.

import path from 'node:path';
import type { City } from './city.ts';
import { POPULATION, PLANS } from './seasons.ts';
import type { PlantedReject } from './types.ts';
import { csvText, writeText, writeXlsx } from './write.ts';

export const POPULATION_FILE = '06_常住人口.csv';
export const PLAN_FILE = '07_云资源费用分摊方案.xlsx';
/** docs/decisions.md §5.8 default (Shaoxing 第二十三条: 500 万元及以上) */
export const THRESHOLD_YUAN = 5_000_000;

export interface CostShareExpected {
  /** the year shared: the end month's year; population of the year before */
  year: number;
  population_year: number;
  rows: { system_id: string; county: string; basis: 'population' | 'plan'; share_pct: number; amount: string }[];
  missing: { system_id: string; status: 'missing_plan' | 'missing_population' }[];
}

/** Population of the years Y−2 and Y−1 (a later year grows a little). */
function populationRows(year: number): [string, number, number][] {
  return [year - 2, year - 1].flatMap((y) =>
    POPULATION.map(([c, n]) => [c, y, y === year - 1 ? n : Math.round(n * 0.99)] as [string, number, number]),
  );
}

export async function writeCostShareInputs(
  city: City,
  outDir: string,
  documentDate: Date,
): Promise<{ files: string[]; rejects: PlantedReject[] }> {
  const year = Number(city.ctx.m.slice(0, 4));
  writeText(
    path.join(outDir, POPULATION_FILE),
    csvText(
      ['区县', '年度', '常住人口'],
      populationRows(year).map(([c, y, n]) => [c, String(y), String(n)]),
    ),
    'utf-8',
  );
  const rows: (string | number)[][] = [];
  const rejects: PlantedReject[] = [];
  for (const [key, plan] of Object.entries(PLANS)) {
    const id = city.byKey.get(key)!.row.system_id;
    for (const [county, share] of plan) {
      rows.push([id, county, share]);
      // a title row and the header above the data: the first data row is row 3
      if (key === 'CS_BADPLAN')
        rejects.push({
          file: PLAN_FILE,
          row: rows.length + 2,
          column: 'share_pct',
          kind: 'plan_sum_not_100',
          value: String(share),
          note: '同一系统的分摊比例合计 90%，不是 100%',
        });
    }
  }
  await writeXlsx(
    path.join(outDir, PLAN_FILE),
    {
      name: '云资源费用分摊方案',
      title: `${city.name}全市性系统云资源费用分摊方案`,
      header: ['系统编号', '区县', '分摊比例'],
      rows,
      widths: [16, 12, 10],
    },
    documentDate,
  );
  return { files: [POPULATION_FILE, PLAN_FILE], rejects };
}

const fenOf = (yuan: number): bigint => BigInt(yuan.toFixed(2).replace('.', ''));
const yuanText = (fen: bigint): string => {
  const neg = fen < 0n;
  const a = neg ? -fen : fen;
  return `${neg ? '-' : ''}${a / 100n}.${String(a % 100n).padStart(2, '0')}`;
};

/** Each county's share of every citywide system at or above the threshold, in the end month's year. */
export function costShareExpectations(city: City): CostShareExpected {
  const year = Number(city.ctx.m.slice(0, 4));
  const pop = new Map(
    populationRows(year)
      .filter(([, y]) => y === year - 1)
      .map(([c, , n]) => [c, n]),
  );
  const rows: CostShareExpected['rows'] = [];
  const missing: CostShareExpected['missing'] = [];
  const validPlan = (key: string | null): [string, number][] | null => {
    const plan = key ? PLANS[key] : undefined;
    if (!plan) return null;
    const sum = plan.reduce((a, [, s]) => a + s, 0);
    return Math.abs(sum - 100) <= 0.01 ? [...plan] : null;
  };
  for (const s of city.systems) {
    const r = s.row;
    if (!r.citywide || r.classified || r.stage === 'retired' || fenOf(r.cloud_cost_annual) < BigInt(THRESHOLD_YUAN * 100)) continue;
    const cost = fenOf(r.cloud_cost_annual);
    const basis = r.serves_public ? 'population' : 'plan';
    const weights: [string, bigint][] = r.serves_public
      ? [...pop].map(([c, n]) => [c, BigInt(n)])
      : (validPlan(s.key)?.map(([c, share]) => [c, BigInt(Math.round(share * 1e6))] as [string, bigint]) ?? []);
    if (weights.length === 0) {
      missing.push({ system_id: r.system_id, status: r.serves_public ? 'missing_population' : 'missing_plan' });
      continue;
    }
    const total = weights.reduce((a, [, w]) => a + w, 0n);
    const rounded = weights.map(([c, w]) => [c, w, (2n * cost * w + total) / (2n * total)] as const);
    const largest = [...weights].sort(([ca, a], [cb, b]) => (a === b ? (ca < cb ? -1 : 1) : a > b ? -1 : 1))[0][0];
    const remainder = cost - rounded.reduce((a, [, , x]) => a + x, 0n);
    for (const [county, w, x] of rounded)
      rows.push({
        system_id: r.system_id,
        county,
        basis,
        share_pct: (100 * Number(w)) / Number(total),
        amount: yuanText(county === largest ? x + remainder : x),
      });
  }
  rows.sort((a, b) => (a.system_id === b.system_id ? (a.county < b.county ? -1 : 1) : a.system_id < b.system_id ? -1 : 1));
  return { year, population_year: year - 1, rows, missing };
}
