// Cases of the sample city for seasonal systems (docs/metrics.md §4.2) and city–county cost sharing
// (docs/decisions.md §5.8): declared seasons relative to the end month m (in season and idle; paused
// over the off season; idle only off season), one undeclared system with a clear two-year pattern,
// citywide systems with and without plans, one below the threshold, a county-level system. Typed by
// shape (city.ts spreads them into its case list), so this module imports nothing of city.ts.

import { label } from '../../metrics/labels.ts';
import type { MonthSpec, SystemRow } from './types.ts';

/** What a case reads of the city's dates: the end month m and the month k months before it. */
interface Dates {
  m: string;
  month(k: number): string;
}

interface SeasonCase {
  key: string;
  tags: string[];
  what: (ctx: Dates) => string;
  months?: (k: number, ctx: Dates) => MonthSpec | undefined;
  registry?: (ctx: Dates, row: SystemRow) => Partial<SystemRow>;
  cloudCost?: number;
}

const INACTIVE: MonthSpec = { inactive: true };
/** the calendar month (1–12) of the month k months before m */
const cal = (ctx: Dates, k: number): number => Number(ctx.month(k).slice(5, 7));
/** is the month k months before m in the calendar months of `ks` (k's of the last year)? */
const inSeason = (ctx: Dates, k: number, ks: readonly number[]): boolean => ks.some((s) => cal(ctx, s) === cal(ctx, k));

/** The cost-sharing plans of the sample city (file 07), by case key: county → share (%). */
export const PLANS: Readonly<Record<string, readonly [string, number][]>> = {
  // 审批监管类 (Shaoxing 第二十三条第三款): city 40 %, each of the six counties 10 %
  CS_PLAN: [
    ['市本级', 40],
    ['云中区', 10],
    ['川东区', 10],
    ['川西区', 10],
    ['青山县', 10],
    ['白水县', 10],
    ['临江市', 10],
  ],
  // thirds written as 33.33 + 33.33 + 33.34: shares relative to their sum, rounding to the fen
  CS_PLAN2: [
    ['市本级', 33.33],
    ['云中区', 33.33],
    ['川东区', 33.34],
  ],
  // sums to 90: every row of it rejected with the sum; the system then has no plan
  CS_BADPLAN: [
    ['市本级', 50],
    ['川西区', 40],
  ],
};

/** Resident population (file 06) of the six counties, the year before the end month's year; the year before that too. */
export const POPULATION: readonly [string, number][] = [
  ['云中区', 1_012_345],
  ['川东区', 876_543],
  ['川西区', 654_321],
  ['青山县', 432_109],
  ['白水县', 321_098],
  ['临江市', 765_432],
];

export const SEASON_AND_COST_CASES: readonly SeasonCase[] = [
  {
    key: 'SEASON_IN',
    tags: ['seasonal', 'inactive', 'declared-season'],
    what: (c) =>
      `登记使用月份 ${cal(c, 2)}-${cal(c, 0)}（含本月），非使用季全部闲置（不判定），使用季中上月和本月闲置：闲置连续 2 个月（只计使用月份），整改期限为下一个使用月 ${c.month(-10)} 的月末。`,
    months: (k, c) => (inSeason(c, k, [0, 1, 2]) && k >= 2 ? undefined : INACTIVE),
    registry: (c) => ({ active_months: `${cal(c, 2)}-${cal(c, 0)}` }),
  },
  {
    key: 'SEASON_PAUSED',
    tags: ['seasonal', 'inactive', 'declared-season', 'paused-streak'],
    what: (c) =>
      `登记使用月份 ${cal(c, 4)}-${cal(c, 2)}，其中后两个月闲置（连续 2 个月），此后进入非使用季：本月不判定闲置，连续月数保持 2，整改通知保持（${label('notice_status', 'open')}），期限顺延至下一个使用月 ${c.month(-8)} 的月末。`,
    months: (k, c) => (inSeason(c, k, [2, 3, 4]) && k >= 4 ? undefined : INACTIVE),
    registry: (c) => ({ active_months: `${cal(c, 4)}-${cal(c, 2)}` }),
  },
  {
    key: 'SEASON_OFF',
    tags: ['seasonal', 'declared-season', 'not-flagged'],
    what: (c) =>
      `登记使用月份 ${[-5, -4, -3, -2].map((k) => cal(c, k)).join(',')}，使用季正常使用，其余月份（含本月）全部闲置：非使用季不判定闲置，不在任何清单（若未登记将列入淘汰）。`,
    months: (k, c) => (inSeason(c, k, [-5, -4, -3, -2]) ? undefined : INACTIVE),
    registry: (c) => ({ active_months: [-5, -4, -3, -2].map((k) => cal(c, k)).join('、') }),
  },
  {
    key: 'SEASON_SUGGEST',
    tags: ['seasonal', 'suggested-season', 'not-flagged'],
    what: (c) =>
      `未登记使用月份；近两年每年 ${[3, 2, 1].map((k) => cal(c, k)).join('、')} 月每月访问量 30000 次，其余月份每月 30 次（有活跃用户，不属闲置）：提示登记使用月份 ${[
        3, 2, 1,
      ]
        .map((k) => cal(c, k))
        .sort((a, b) => a - b)
        .join(',')}，不自动生效。`,
    months: (k, c) => (inSeason(c, k, [1, 2, 3]) ? { requestsTotal: 30_000 } : { requestsTotal: 30 }),
  },
  {
    key: 'CS_PUB',
    tags: ['cost-sharing', 'population'],
    what: () => '全市性、直接面向基层民生的系统，年云资源费用 8,600,000 元：按上年常住人口比例分摊给六个区、县（市），市本级不分摊。',
    registry: () => ({ citywide: true, serves_public: true }),
    cloudCost: 8_600_000,
  },
  {
    key: 'CS_PLAN',
    tags: ['cost-sharing', 'plan'],
    what: () => '全市性审批监管类系统，年云资源费用 12,345,678.90 元，分摊方案为市本级 40%、六个区县各 10%：按方案分摊，尾差计入市本级。',
    registry: () => ({ citywide: true, serves_public: false }),
    cloudCost: 12_345_678.9,
  },
  {
    key: 'CS_PLAN2',
    tags: ['cost-sharing', 'plan', 'rounding'],
    what: () =>
      '全市性系统，年云资源费用 5,555,555.55 元，方案比例 33.33/33.33/33.34：按比例占合计的份额分摊，四舍五入到分，尾差计入比例最大的川东区。',
    registry: () => ({ citywide: true, serves_public: false }),
    cloudCost: 5_555_555.55,
  },
  {
    key: 'CS_NOPLAN',
    tags: ['cost-sharing', 'missing-plan', 'threshold'],
    what: () =>
      '全市性系统，年云资源费用恰为 5,000,000 元（达到门槛，含本数），没有分摊方案：列入合规日历“缺少分摊方案”，引用绍兴办法第二十三条。',
    registry: () => ({ citywide: true, serves_public: false }),
    cloudCost: 5_000_000,
  },
  {
    key: 'CS_BADPLAN',
    tags: ['cost-sharing', 'rejected-plan', 'missing-plan'],
    what: () => '全市性系统，年云资源费用 6,000,000 元，报送的方案比例合计 90%：方案各行被拒收（原因中写明合计），视为缺少分摊方案。',
    registry: () => ({ citywide: true, serves_public: false }),
    cloudCost: 6_000_000,
  },
  {
    key: 'CS_BELOW',
    tags: ['cost-sharing', 'threshold', 'not-flagged'],
    what: () => '全市性、面向民生的系统，年云资源费用 4,999,999.99 元（低于门槛）：不分摊。',
    registry: () => ({ citywide: true, serves_public: true }),
    cloudCost: 4_999_999.99,
  },
  {
    key: 'CS_COUNTY',
    tags: ['county-system'],
    what: () => '区县级系统（所属区县：青山县），年云资源费用 7,000,000 元，非全市性：不分摊。',
    registry: () => ({ county: '青山县', citywide: false }),
    cloudCost: 7_000_000,
  },
];
