// The systems of 云川市 and the cases planted on them. Every case of docs/metrics.md §4 and docs/decisions.md §5 sits on a system of
// its own with telemetry designed so that the outcome is plain to compute by hand: identical daily
// values in the months that matter, everything else far from the thresholds. Background systems
// are healthy by construction: CPU peaks of 48–92 %, users every day, availability ≥ 99.2 %.

import {
  addDays,
  addMonths,
  calendarCovers,
  daysInMonth,
  monthEnd,
  nthWeekdayAfter,
  nthWorkingDayAfter,
  isWorkingDay,
} from './calendar.ts';
import { CLASSIFIED_NAMES, DEPARTMENTS, KINDS_OF_SYSTEM, type Department } from './names.ts';
import { Random } from './random.ts';
import { label } from '../../metrics/labels.ts';
import type { MonthSpec, RejectKind, Stage, SystemRow, TelemetryPlan } from './types.ts';
import { SEASON_AND_COST_CASES } from './seasons.ts';

export interface CityOptions {
  endMonth: string;
  seed: number;
  months: number;
  systems: number;
  /** the city's name and the prefix of its system ids (a second sample city, docs/province.md §10) */
  name?: string;
  idPrefix?: string;
}

/** Dates every case is planted against. k counts months back from the end month m (k = 0 is m). */
export class CityContext {
  readonly m: string;
  readonly first: string;
  readonly months: number;
  /** the last complete calendar year within the data */
  readonly Y: number;
  constructor(endMonth: string, months: number) {
    this.m = endMonth;
    this.months = months;
    this.first = addMonths(endMonth, -(months - 1));
    const y = Number(endMonth.slice(0, 4));
    this.Y = endMonth.endsWith('-12') ? y : y - 1;
    if (`${this.Y}-01` < this.first) throw new Error(`no complete calendar year between ${this.first} and ${endMonth}`);
  }
  month(k: number): string {
    return addMonths(this.m, -k);
  }
  end(k: number): string {
    return monthEnd(this.month(k));
  }
  /** the start of the first month */
  get start(): string {
    return `${this.first}-01`;
  }
  get mEnd(): string {
    return monthEnd(this.m);
  }
  get yEnd(): string {
    return `${this.Y}-12-31`;
  }
  /** initial acceptance on the last working day before National Day of Y, and its catalog deadline */
  get nationalDay(): { acceptance: string; deadline: string; naiveDeadline: string; officialCalendar: boolean } {
    let a = `${this.Y}-09-30`;
    while (!isWorkingDay(a)) a = addDays(a, -1);
    return {
      acceptance: a,
      deadline: nthWorkingDayAfter(a, 10),
      naiveDeadline: nthWeekdayAfter(a, 10),
      officialCalendar: calendarCovers(this.Y),
    };
  }
}

type Pattern = (k: number, ctx: CityContext) => MonthSpec | undefined;

const span = (a: number, b: number): number[] => Array.from({ length: b - a + 1 }, (_, i) => a + i);
const at =
  (ks: readonly number[], spec: MonthSpec): Pattern =>
  (k) =>
    ks.includes(k) ? spec : undefined;
const always =
  (spec: MonthSpec): Pattern =>
  () =>
    spec;
/** a deviation in the given calendar months (1–12) of the evaluation year Y */
const inY =
  (monthsOfY: readonly number[], spec: MonthSpec): Pattern =>
  (k, ctx) =>
    monthsOfY.some((mm) => ctx.month(k) === `${ctx.Y}-${String(mm).padStart(2, '0')}`) ? spec : undefined;
const merge =
  (...ps: Pattern[]): Pattern =>
  (k, ctx) => {
    const specs = ps.map((p) => p(k, ctx)).filter((s): s is MonthSpec => s !== undefined);
    return specs.length ? Object.assign({}, ...specs) : undefined;
  };

export type CatalogPlan =
  | { kind: 'normal' }
  | { kind: 'nothing' }
  | { kind: 'low_completeness' }
  | { kind: 'cycles'; lateBy: 0 | 1 }
  | { kind: 'duplicate' }
  | { kind: 'deadline'; late: boolean }
  | { kind: 'not_shareable' };

export interface ReportPlan {
  /** no report at all for Y */
  missing?: boolean;
  /** a report for Y that breaks goals_met ≤ goals_total, so it is rejected */
  rejected?: boolean;
  security?: 'ok' | 'previous_year' | 'too_old' | 'none';
  crypto?: 'ok' | 'too_old' | 'none';
  poor?: boolean;
  /** a middling year: 4 incidents, 2 of 6 goals, 55 % of the budget paid, 2 integration points */
  fair?: boolean;
  self?: 'modest' | 'inflated' | 'near' | 'honest';
}

interface CaseSpec {
  key: string;
  tags: string[];
  /** what is planted, in Chinese (the expected outcome is appended from the evaluation) */
  what: (ctx: CityContext) => string;
  dept?: string;
  name?: string;
  stage?: Stage;
  classified?: boolean;
  months?: Pattern;
  firstExport?: Pattern;
  /** final registry values */
  registry?: (ctx: CityContext, row: SystemRow) => Partial<SystemRow>;
  /** registry values of the first file that the update file changes */
  first?: (ctx: CityContext, row: SystemRow) => Partial<SystemRow>;
  firstReject?: { column: keyof SystemRow; kind: RejectKind; value: string; note: string };
  telemetry?: (ctx: CityContext, row: SystemRow) => { from?: string | null; until?: string | null };
  duplicateLastDayVulns?: number;
  catalog?: CatalogPlan;
  report?: ReportPlan;
  /** the registry's yearly cloud cost, instead of the one derived from the allocation (cost sharing) */
  cloudCost?: number;
}

const INACTIVE: MonthSpec = { inactive: true };
const LOW: MonthSpec = { low: true };
const UNUSABLE: MonthSpec = { unusable: true };
const POOR: MonthSpec = { availabilityRange: [95.6, 96.4], cpuMaxRange: [44, 47], cpuAvgRange: [14, 20] };

const CASES: CaseSpec[] = [
  // ---- inactive (闲置): warn 1, eliminate 3
  {
    key: 'INACT1',
    tags: ['inactive', 'streak-1'],
    what: () => '本月每日活跃用户均为 0、访问量每日 2 次（月计约 60 次），此前各月正常：闲置连续 1 个月。',
    months: at([0], INACTIVE),
  },
  {
    key: 'INACT_BOUND',
    tags: ['inactive', 'threshold'],
    what: () => '本月无活跃用户，月访问量恰为 300 次（阈值为“不超过 300”）：仍属闲置，连续 1 个月。',
    months: at([0], { inactive: true, requestsTotal: 300 }),
  },
  {
    key: 'INACT_301',
    tags: ['inactive', 'threshold', 'not-flagged'],
    what: () => '本月无活跃用户，但月访问量 301 次，超过阈值 300：不属闲置。',
    months: at([0], { inactive: true, requestsTotal: 301 }),
  },
  {
    key: 'INACT_NULL_USERS',
    tags: ['inactive', 'null-metric', 'not-flagged'],
    what: () => '本月“活跃用户数”一列全部为空，月访问量 40 次：用户数指标为空，比较不成立，不属闲置。',
    months: at([0], { usersNull: true, requestsTotal: 40 }),
  },
  {
    key: 'INACT2',
    tags: ['inactive', 'streak-2'],
    what: () => '近 2 个月（上月、本月）无活跃用户、访问量极少：闲置连续 2 个月。',
    months: at([0, 1], INACTIVE),
  },
  {
    key: 'INACT3',
    tags: ['inactive', 'streak-3', 'escalation'],
    what: () => '近 3 个月闲置：连续月数达到淘汰阈值 3。',
    months: at(span(0, 2), INACTIVE),
  },
  {
    key: 'INACT4',
    tags: ['inactive', 'streak-4'],
    what: () => '近 4 个月闲置：上月已达到淘汰阈值并升级，本月仍在淘汰清单。',
    months: at(span(0, 3), INACTIVE),
  },
  // ---- low utilisation (云资源使用率低): warn 3, eliminate 6
  {
    key: 'LOW2',
    tags: ['low_util', 'streak-2', 'not-flagged'],
    what: () => '近 2 个月 CPU 日均 2%、日峰值 6%：使用率低连续 2 个月，未到提醒阈值 3 个月。',
    months: at([0, 1], LOW),
  },
  {
    key: 'LOW3',
    tags: ['low_util', 'streak-3', 'rightsizing'],
    what: () => '近 3 个月 CPU 日均 2%、日峰值 6%（8 vCPU）：使用率低连续 3 个月；同时 P95 连续 3 个月低于 40%，可减配。',
    months: at(span(0, 2), LOW),
    registry: () => ({ vcpu: 8 }),
  },
  {
    key: 'LOW5',
    tags: ['low_util', 'streak-5', 'rightsizing'],
    what: () => '近 5 个月 CPU 日均 2%、日峰值 6%（16 vCPU）：使用率低连续 5 个月。',
    months: at(span(0, 4), LOW),
    registry: () => ({ vcpu: 16 }),
  },
  {
    key: 'LOW6',
    tags: ['low_util', 'streak-6', 'escalation'],
    what: () => '近 6 个月 CPU 日均 2%、日峰值 6%：使用率低连续 6 个月，达到淘汰阈值。',
    months: at(span(0, 5), LOW),
  },
  {
    key: 'LOW7',
    tags: ['low_util', 'streak-7'],
    what: () => '近 7 个月 CPU 日均 2%、日峰值 6%：上月已升级，本月仍在淘汰清单。',
    months: at(span(0, 6), LOW),
  },
  {
    key: 'LOW_HALF',
    tags: ['low_util', 'both-required', 'rightsizing'],
    what: () =>
      '近 3 个月 CPU 日均 3%（低于 5%）但日峰值 15%（P95 不低于 10%）：两项须同时满足，不属使用率低；P95 低于 40% 可减配（8 vCPU）。',
    months: at(span(0, 2), { cpu: { avg: 3, max: 15 } }),
    registry: () => ({ vcpu: 8 }),
  },
  {
    key: 'LOW_RESET',
    tags: ['low_util', 'streak-reset', 'not-flagged'],
    what: () =>
      '前第 7 至第 3 个月连续 5 个月使用率低，前第 2 个月恢复正常，上月和本月再次使用率低：连续月数重新计算为 2，不在任何清单（若不归零将误判为淘汰）。',
    months: merge(at(span(3, 7), LOW), at([0, 1], LOW)),
  },
  // ---- unusable (无法正常使用): warn 1, eliminate 3
  { key: 'UNUS1', tags: ['unusable', 'streak-1'], what: () => '本月每日可用率 80%：无法正常使用连续 1 个月。', months: at([0], UNUSABLE) },
  {
    key: 'UNUS3',
    tags: ['unusable', 'streak-3', 'escalation'],
    what: () => '近 3 个月每日可用率 80%：达到淘汰阈值。',
    months: at(span(0, 2), UNUSABLE),
  },
  {
    key: 'UNUS_BOUND',
    tags: ['unusable', 'threshold', 'not-flagged'],
    what: () => '本月每日可用率恰为 90%（阈值为“低于 90%”）：不属无法正常使用。',
    months: at([0], { availability: 90 }),
  },
  // ---- security (严重安全隐患): warn 1, eliminate 3
  {
    key: 'SEC1',
    tags: ['security', 'streak-1'],
    what: () => '本月每日未修复高危漏洞 2 个（月末仍未修复）：安全隐患连续 1 个月。',
    months: at([0], { vulns: 2 }),
  },
  {
    key: 'SEC2',
    tags: ['security', 'streak-2'],
    what: () => '上月和本月月末均有 1 个未修复高危漏洞：连续 2 个月。',
    months: at([0, 1], { vulns: 1 }),
  },
  {
    key: 'SEC3',
    tags: ['security', 'streak-3', 'escalation'],
    what: () => '近 3 个月月末均有 3 个未修复高危漏洞：达到淘汰阈值。',
    months: at(span(0, 2), { vulns: 3 }),
  },
  {
    key: 'SEC_FIXED',
    tags: ['security', 'latest-date', 'not-flagged'],
    what: () => '本月 1–20 日有 2 个高危漏洞，21 日起已修复（月末为 0）：按最近报送日计，不属安全隐患。',
    months: at([0], { vulnsEarly: { n: 2, lastDay: 20 } }),
  },
  {
    key: 'SEC_RESOLVED',
    tags: ['security', 'resolved'],
    what: () => '上月月末有 1 个高危漏洞（上月列入整改），本月 10 日后修复：本月整改完成。',
    months: merge(at([1], { vulns: 1 }), at([0], { vulnsEarly: { n: 1, lastDay: 10 } })),
  },
  // ---- no data (监测数据缺失): warn 2, never eliminated
  {
    key: 'NODATA1',
    tags: ['no_data', 'streak-1', 'excludes-others'],
    what: () =>
      '本月只报送 5 天，且这 5 天无用户、CPU 极低、可用率 80%：数据缺失（连续 1 个月，未到提醒阈值 2）；数据缺失的月份不判闲置、使用率低、无法正常使用。',
    months: at([0], { days: 5, inactive: true, low: true, unusable: true }),
  },
  {
    key: 'NODATA2',
    tags: ['no_data', 'streak-2', 'zero-rows'],
    what: () => '上月只报送 10 天，本月没有任何监测数据（0 行，仍应有本月指标行，报送天数 0）：数据缺失连续 2 个月。',
    months: merge(at([1], { days: 10 }), at([0], { days: 0 })),
  },
  {
    key: 'NODATA3',
    tags: ['no_data', 'streak-3'],
    what: () => '近 3 个月每月只报送 6 天：数据缺失连续 3 个月（数据缺失不进入淘汰）。',
    months: at(span(0, 2), { days: 6 }),
  },
  {
    key: 'NODATA_SEC',
    tags: ['no_data', 'security', 'latest-date'],
    what: () =>
      '本月只报送前 5 天，第 5 天（最近报送日）有 1 个未修复高危漏洞：数据缺失 1 个月，安全隐患在数据缺失月份照样判定，连续 1 个月。',
    months: at([0], { days: 5, vulns: 1 }),
  },
  {
    key: 'NODATA_HALF',
    tags: ['no_data', 'threshold', 'not-flagged'],
    what: (c) => `本月只报送前 ${Math.ceil(daysInMonth(c.m) / 2)} 天（恰好不少于当月天数 ${daysInMonth(c.m)} 的一半）：不属数据缺失。`,
    months: (k, c) => (k === 0 ? { days: Math.ceil(daysInMonth(c.m) / 2) } : undefined),
  },
  // ---- notices over time
  {
    key: 'RESOLVED',
    tags: ['inactive', 'resolved'],
    what: () => '前第 2 个月和上月闲置（列入整改），本月恢复正常使用：整改完成。',
    months: at([1, 2], INACTIVE),
  },
  {
    key: 'RESET',
    tags: ['inactive', 'streak-reset'],
    what: () => '前第 4、3 个月闲置，前第 2 个月恢复，上月和本月再次闲置：连续月数重新计为 2（不进入淘汰）；上月重新下发整改通知。',
    months: at([0, 1, 3, 4], INACTIVE),
  },
  {
    key: 'MULTI',
    tags: ['inactive', 'low_util', 'several-conditions', 'rightsizing'],
    what: () =>
      '近 4 个月使用率低（CPU 日均 2%、峰值 6%），近 2 个月同时闲置（16 vCPU）：两项都已提醒，整改期限取较早者（闲置在下月达到 3 个月）。',
    months: merge(at([0, 1], INACTIVE), at(span(0, 3), LOW)),
    registry: () => ({ vcpu: 16 }),
  },
  {
    key: 'MULTI_ELIM',
    tags: ['unusable', 'security', 'several-conditions', 'escalation'],
    what: () => '近 3 个月可用率 80%，本月月末另有 1 个高危漏洞：因无法正常使用进入淘汰清单（淘汰原因只列达到淘汰阈值的条件）。',
    months: merge(at(span(0, 2), UNUSABLE), at([0], { vulns: 1 })),
  },
  // ---- exemptions
  {
    key: 'EXEMPT_A',
    tags: ['exempt', 'threshold', 'escalation'],
    what: (c) => `豁免截止 ${c.mEnd}（恰为本月最后一天，仍在豁免期），近 3 个月闲置：列入“豁免”部分而不列入淘汰清单。`,
    months: at(span(0, 2), INACTIVE),
    registry: (c) => ({ exempt_until: c.mEnd, exempt_reason: '承担全市换届选举保障任务，暂缓关停' }),
  },
  {
    key: 'EXEMPT_B',
    tags: ['exempt', 'registry-update', 'rightsizing'],
    what: (c) =>
      `第一份系统目录无豁免；更新文件（02）设置豁免截止 ${monthEnd(c.month(-12))}；近 8 个月 CPU 日均 2%、峰值 6%（8 vCPU）：列入“豁免”部分；豁免系统在减配中视为不在淘汰清单。`,
    months: at(span(0, 7), LOW),
    registry: (c) => ({ vcpu: 8, exempt_until: monthEnd(c.month(-12)), exempt_reason: '省级垂管系统对接过渡期' }),
    first: () => ({ exempt_until: null, exempt_reason: null }),
  },
  {
    key: 'EXEMPT_EXPIRED',
    tags: ['exempt', 'expired'],
    what: (c) => `豁免截止 ${c.m}-15（早于本月最后一天，豁免已过期），近 5 个月闲置：列入淘汰清单。`,
    months: at(span(0, 4), INACTIVE),
    registry: (c) => ({ exempt_until: `${c.m}-15`, exempt_reason: '系统整合迁移期间保留' }),
  },
  {
    key: 'EXEMPT_RECT',
    tags: ['exempt', 'rectification'],
    what: (c) => `豁免截止 ${monthEnd(c.month(-6))}，本月可用率 80%：豁免只免于淘汰，仍列入限期整改清单。`,
    months: at([0], UNUSABLE),
    registry: (c) => ({ exempt_until: monthEnd(c.month(-6)), exempt_reason: '重点保障系统' }),
  },
  // ---- corrected re-export and duplicate rows
  {
    key: 'CORR',
    tags: ['unusable', 'corrected-export'],
    what: () =>
      '前第 2 个月和本月可用率 80%；上月的首次导出可用率为 60%，但随后的“更正”文件重新报送了上月数据（可用率正常）：以更正数据为准，上月不属无法正常使用，本月连续月数为 1，重新下发整改。',
    months: at([0, 2], UNUSABLE),
    firstExport: at([1], { availability: 60 }),
  },
  {
    key: 'DUPROW',
    tags: ['security', 'duplicate-row'],
    what: () => '本月监测文件中本月最后一天出现两行：第一行未修复高危漏洞 3，后一行为 0：同一文件中后出现的行为准，不属安全隐患。',
    duplicateLastDayVulns: 3,
  },
  // ---- right-sizing (减配): P95 < 40 % in each of the last 3 months
  {
    key: 'RS1',
    tags: ['rightsizing'],
    what: () => '16 vCPU；近 3 个月 CPU 日峰值每日恒为 30%、35%、25%（P95 即为此值），日均 12–15%：建议 vCPU = ceil(16×35/60) = 10。',
    months: (k) =>
      k === 2
        ? { cpu: { avg: 15, max: 30 } }
        : k === 1
          ? { cpu: { avg: 15, max: 35 } }
          : k === 0
            ? { cpu: { avg: 12, max: 25 } }
            : undefined,
    registry: () => ({ vcpu: 16 }),
  },
  {
    key: 'RS2',
    tags: ['rightsizing', 'registry-update'],
    what: () => '第一份系统目录为 24 vCPU，更新文件改为 32 vCPU；近 3 个月 CPU 峰值恒为 20%：按最新目录，建议 vCPU = ceil(32×20/60) = 11。',
    months: at(span(0, 2), { cpu: { avg: 10, max: 20 } }),
    registry: () => ({ vcpu: 32 }),
    first: () => ({ vcpu: 24 }),
  },
  {
    key: 'RS3',
    tags: ['rightsizing', 'floor'],
    what: () => '4 vCPU；近 3 个月 CPU 峰值恒为 12%、日均 6%（不属使用率低）：建议 vCPU = max(1, ceil(4×12/60)) = 1。',
    months: at(span(0, 2), { cpu: { avg: 6, max: 12 } }),
    registry: () => ({ vcpu: 4 }),
  },
  {
    key: 'RS4',
    tags: ['rightsizing', 'exact'],
    what: () => '12 vCPU；近 3 个月 CPU 峰值恒为 30%：12×30/60 恰为 6，建议 vCPU = 6。',
    months: at(span(0, 2), { cpu: { avg: 14, max: 30 } }),
    registry: () => ({ vcpu: 12 }),
  },
  {
    key: 'RS_NEAR',
    tags: ['rightsizing', 'near-miss', 'not-flagged'],
    what: () => '16 vCPU；近 3 个月 CPU 峰值 30%、45%、30%：上月 P95 不低于 40%，不减配。',
    months: (k) => (k === 1 ? { cpu: { avg: 20, max: 45 } } : k === 0 || k === 2 ? { cpu: { avg: 15, max: 30 } } : undefined),
    registry: () => ({ vcpu: 16 }),
  },
  {
    key: 'RS_BOUND',
    tags: ['rightsizing', 'threshold', 'not-flagged'],
    what: () => '16 vCPU；前两个月 CPU 峰值 30%，本月恰为 40%（阈值为“低于 40%”）：不减配。',
    months: (k) => (k === 0 ? { cpu: { avg: 18, max: 40 } } : k <= 2 ? { cpu: { avg: 15, max: 30 } } : undefined),
    registry: () => ({ vcpu: 16 }),
  },
  {
    key: 'RS_EQ',
    tags: ['rightsizing', 'nothing-to-reclaim', 'not-flagged'],
    what: () => '2 vCPU；近 3 个月 CPU 峰值 35%：ceil(2×35/60) = 2，与现配置相同，无可回收，不列入。',
    months: at(span(0, 2), { cpu: { avg: 15, max: 35 } }),
    registry: () => ({ vcpu: 2 }),
  },
  {
    key: 'RS_OLD',
    tags: ['rightsizing', 'window', 'not-flagged'],
    what: () => '16 vCPU；前第 3 至 1 个月 CPU 峰值 25%，本月恢复正常（峰值约 48–92%）：“最近 3 个月”须以本月结束，不减配。',
    months: at(span(1, 3), { cpu: { avg: 12, max: 25 } }),
    registry: () => ({ vcpu: 16 }),
  },
  // ---- stages that are never listed
  ...CLASSIFIED_NAMES.map(
    ([dept, name], i): CaseSpec => ({
      key: `CLS${i + 1}`,
      tags: ['classified', 'never-listed'],
      what: () => '涉密系统，近 4 个月闲置：不参与任何计算，不出现在任何输出中。',
      dept,
      name,
      classified: true,
      months: at(span(0, 3), INACTIVE),
      registry: () => ({ security_level: 3 }),
    }),
  ),
  {
    key: 'RET1',
    tags: ['retired', 'never-listed'],
    what: (c) => `已停用系统，监测数据报送至 ${c.end(6)}，停用前 4 个月闲置：不列入任何清单，也不在数据共享统计中。`,
    stage: 'retired',
    months: at(span(6, 9), INACTIVE),
    telemetry: (c) => ({ until: c.end(6) }),
  },
  {
    key: 'RET_UPD',
    tags: ['retired', 'registry-update', 'never-listed'],
    what: () => '第一份系统目录为“运行”，更新文件改为“已停用”；近 5 个月闲置：按最新目录为已停用，不列入任何清单。',
    stage: 'retired',
    months: at(span(0, 4), INACTIVE),
    first: () => ({ stage: 'operation' }),
  },
  {
    key: 'TRIAL1',
    tags: ['trial', 'never-listed'],
    what: () => '试运行系统（8 个月前上线），近 7 个月使用率低、近 3 个月可用率 80%：不在运行阶段，不列入任何清单。',
    stage: 'trial',
    months: merge(at(span(0, 6), LOW), at(span(0, 2), UNUSABLE)),
    registry: (c) => ({
      go_live_date: `${c.month(8)}-03`,
      initial_acceptance_date: addDays(`${c.month(8)}-03`, -12),
      final_acceptance_date: null,
    }),
  },
  {
    key: 'TRIAL2',
    tags: ['trial', 'never-listed'],
    what: () => '试运行系统（6 个月前上线），近 4 个月闲置：不列入任何清单。',
    stage: 'trial',
    months: at(span(0, 3), INACTIVE),
    registry: (c) => ({
      go_live_date: `${c.month(6)}-10`,
      initial_acceptance_date: addDays(`${c.month(6)}-10`, -9),
      final_acceptance_date: null,
    }),
  },
  {
    key: 'CONS1',
    tags: ['construction', 'never-listed'],
    what: () => '建设中系统，测试环境近 4 个月有监测数据但无用户：不列入任何清单；无初验日期，不计编目期限。',
    stage: 'construction',
    months: at(span(0, 3), INACTIVE),
    telemetry: (c) => ({ from: `${c.month(3)}-01` }),
    registry: () => ({ go_live_date: null, initial_acceptance_date: null, final_acceptance_date: null }),
  },
  {
    key: 'NEW',
    tags: ['go-live-in-window'],
    what: (c) =>
      `${c.month(20)}-08 上线（在数据时间范围内）：月度指标从上线当月开始，上线当月报送 ${daysInMonth(c.month(20)) - 7} 天，不属数据缺失。`,
    registry: (c) => ({
      go_live_date: `${c.month(20)}-08`,
      initial_acceptance_date: `${c.month(21)}-26`,
      final_acceptance_date: addDays(`${c.month(20)}-08`, 120),
    }),
  },
  // ---- data sharing (数据共享)
  {
    key: 'UNCAT',
    tags: ['sharing', 'uncataloged', 'catalog-overdue'],
    what: () => '运行中系统，数据资源目录中没有任何资源：未编目，共享不达标，编目已逾期。',
    catalog: { kind: 'nothing' },
  },
  {
    key: 'LOWCOMP',
    tags: ['sharing', 'low-completeness'],
    what: () =>
      '10 项可共享资源：4 项每年更新、于评价年度 12 月 20 日归集，6 项从未归集：归集完整率 40%，共享不达标（本月末和评价年度末均是）。',
    catalog: { kind: 'low_completeness' },
  },
  {
    key: 'TIMELY',
    tags: ['sharing', 'update-cycle', 'threshold'],
    what: () =>
      '实时、每日、每周、每月、每季度、每年各 1 项资源，最近归集距本月末恰为 1、2、8、31、92、366 天（各周期时效窗口的边界）：本月末全部及时，完整率 100%。',
    catalog: { kind: 'cycles', lateBy: 0 },
  },
  {
    key: 'STALE',
    tags: ['sharing', 'update-cycle'],
    what: () => '同样 6 项资源，最近归集距本月末各多 1 天（2、3、9、32、93、367 天）：本月末全部不及时，完整率 0%，共享不达标。',
    catalog: { kind: 'cycles', lateBy: 1 },
  },
  {
    key: 'DUP',
    tags: ['sharing', 'duplicates'],
    what: () => '5 项资源均及时归集，但其中 1 项标注重复采集其他部门的资源：重复采集 1 项，共享不达标。',
    catalog: { kind: 'duplicate' },
  },
  {
    key: 'NOT_SHAREABLE',
    tags: ['sharing', 'null-completeness'],
    what: () => '3 项资源均为“不予共享”：可共享资源为 0，完整率为空，不属共享不达标。',
    catalog: { kind: 'not_shareable' },
  },
  {
    key: 'CAT_LATE',
    tags: ['sharing', 'catalog-overdue', 'working-days'],
    what: (c) => {
      const n = c.nationalDay;
      return `初验日期 ${n.acceptance}（国庆长假前最后一个工作日），按法定工作日（含调休）第 10 个工作日为 ${n.deadline}；首项资源编目日期为其后一天 ${addDays(n.deadline, 1)}：编目逾期。`;
    },
    catalog: { kind: 'deadline', late: true },
    registry: (c) => deadlineRegistry(c),
  },
  {
    key: 'CAT_ONTIME',
    tags: ['sharing', 'catalog-deadline', 'working-days', 'threshold'],
    what: (c) => {
      const n = c.nationalDay;
      const naive =
        n.officialCalendar && n.naiveDeadline !== n.deadline
          ? `若只按周一至周五计算，期限将是 ${n.naiveDeadline}，会被误判为逾期`
          : `${c.Y} 年不在法定节假日日历范围内，按周一至周五计算（应同时给出提示）`;
      return `初验日期 ${n.acceptance}，首项资源编目日期 ${n.deadline}，恰为第 10 个工作日（国庆假期不计、调休日计入），仍按期；${naive}。`;
    },
    catalog: { kind: 'deadline', late: false },
    registry: (c) => deadlineRegistry(c),
  },
  // ---- annual evaluation (年度绩效评价)
  {
    key: 'RM1',
    tags: ['year', 'report-missing'],
    what: (c) => `未报送 ${c.Y} 年度运维报表：报表缺失，视为未开展等保测评和密评。`,
    report: { missing: true },
  },
  {
    key: 'RM2',
    tags: ['year', 'report-missing', 'rejected-report'],
    what: (c) => `报送的 ${c.Y} 年度运维报表“已完成目标数”大于“绩效目标数”，整行被拒收：报表缺失。`,
    report: { rejected: true },
  },
  {
    key: 'SEC_MISS',
    tags: ['year', 'security-missing'],
    what: (c) => `等保三级，最近一次等保测评在 ${c.Y - 2} 年：评价年度及上一年度均无等保测评。`,
    registry: () => ({ security_level: 3 }),
    report: { security: 'too_old' },
  },
  {
    key: 'SEC_PREV',
    tags: ['year', 'security-lookback'],
    what: (c) => `等保二级，最近一次等保测评在 ${c.Y - 1} 年（上一年度）：符合要求。`,
    registry: () => ({ security_level: 2 }),
    report: { security: 'previous_year' },
  },
  {
    key: 'SEC_L1',
    tags: ['year', 'security-level-1'],
    what: () => '等保一级，未填等保测评日期：一级系统不要求等保测评。',
    registry: () => ({ security_level: 1 }),
    report: { security: 'none' },
  },
  {
    key: 'CRYPTO_MISS',
    tags: ['year', 'crypto-missing'],
    what: () => '运维报表未填密评日期：缺少商用密码应用安全性评估。',
    report: { crypto: 'none' },
  },
  {
    key: 'CRYPTO_OLD',
    tags: ['year', 'crypto-missing'],
    what: (c) => `最近一次密评在 ${c.Y - 2} 年：评价年度及上一年度均无密评。`,
    report: { crypto: 'too_old' },
  },
  {
    key: 'INFL',
    tags: ['year', 'inflated-self-score'],
    what: () => '全年可用率约 96%、故障 6 次、经费支付率 40%、6 项绩效目标只完成 1 项，自评分却为 95 分：自评偏高，列入抽查复核。',
    months: always(POOR),
    report: { poor: true, self: 'inflated' },
  },
  {
    key: 'HONEST_POOR',
    tags: ['year', 'poor', 'not-inflated'],
    what: () =>
      '与“自评偏高”案例表现相同（可用率约 96%、故障 6 次、支付率 40%、完成 1/6 项目标），但自评分如实（略低于评价分）：不属自评偏高。',
    months: always(POOR),
    report: { poor: true, self: 'honest' },
  },
  {
    key: 'NEAR_INFL',
    tags: ['year', 'near-inflated', 'not-inflated'],
    what: () => '自评分比评价分高约 10 分（未超过 15 分）：不属自评偏高。',
    report: { self: 'near' },
  },
  {
    key: 'NFA1',
    tags: ['year', 'no-final-acceptance'],
    what: () => `运行中但没有竣工验收日期：${label('recommendation', 'withhold')}（未经验收）。`,
    registry: () => ({ final_acceptance_date: null }),
  },
  {
    key: 'NFA2',
    tags: ['year', 'no-final-acceptance'],
    what: () => '运行中，已初验但一直未竣工验收：未经验收。',
    registry: () => ({ final_acceptance_date: null }),
  },
  // ---- next-year budget (下一年度经费建议), from the state at the end of Y
  {
    key: 'BUD_ELIM_DEC',
    tags: ['budget', 'withhold', 'elimination-in-december'],
    what: (c) => `${c.Y} 年 10–12 月闲置：12 月在淘汰清单上，下一年度不予安排运维经费（次年 1 月起恢复正常）。`,
    months: inY([10, 11, 12], INACTIVE),
  },
  {
    key: 'BUD_POOR_OPEN',
    tags: ['budget', 'withhold', 'poor-with-open-rectification'],
    what: (c) =>
      `全年表现差（同“自评偏高”案例，自评分如实），${c.Y} 年 12 月可用率 80% 被下发整改：评价等级“差”且年末整改未完成，${label('recommendation', 'withhold')}。`,
    months: merge(always(POOR), inY([12], UNUSABLE)),
    report: { poor: true, self: 'honest' },
  },
  {
    key: 'BUD_OPEN_DEC',
    tags: ['budget', 'suspend', 'open-rectification'],
    what: (c) => `${c.Y} 年 12 月出现 2 个未修复高危漏洞，年末整改通知未办结：${label('recommendation', 'suspend')}。`,
    months: inY([12], { vulns: 2 }),
  },
  {
    key: 'BUD_LONG_OPEN',
    tags: ['budget', 'suspend', 'department-suspension'],
    what: (c) =>
      `${c.Y} 年 4–12 月每月只报送 6 天（数据缺失不进入淘汰），整改通知自 5 月起一直未办结，到年末已 8 个月：暂缓安排；所在部门整改超过 6 个月未完成，暂停新项目申报。`,
    months: inY([4, 5, 6, 7, 8, 9, 10, 11, 12], { days: 6 }),
  },
  {
    key: 'BUD_FAIR',
    tags: ['budget', 'reduce', 'grade-fair'],
    what: () => '年度故障 4 次、6 项绩效目标完成 2 项、经费支付率 55%、统建融合 2 项：评价等级“中”，核减运维经费（×0.9）。',
    report: { fair: true },
  },
  {
    key: 'BUD_RIGHTSIZE',
    tags: ['budget', 'reduce', 'rightsizing-at-year-end'],
    what: (c) => `16 vCPU；${c.Y} 年 10–12 月 CPU 峰值恒为 25%：年末有减配建议（16 → 7），核减运维经费并扣减可回收的云资源费用。`,
    months: inY([10, 11, 12], { cpu: { avg: 12, max: 25 } }),
    registry: () => ({ vcpu: 16 }),
  },
  // ---- registry rows rejected in the first file and sent again in the update
  {
    key: 'REG_FIX1',
    tags: ['registry-reject', 'registry-update'],
    what: () => '第一份系统目录中“系统名称”为空，该行被拒收；更新文件补报完整：以更新文件为准正常参与监测。',
    firstReject: { column: 'system_name', kind: 'required_empty', value: '', note: '系统名称为空' },
  },
  {
    key: 'REG_FIX2',
    tags: ['registry-reject', 'registry-update'],
    what: () => '第一份系统目录中“重点项目”填为“待定”，该行被拒收；更新文件改为“否”。',
    firstReject: { column: 'key_project', kind: 'bad_bool', value: '待定', note: '重点项目应为是/否' },
  },
  {
    key: 'REG_FIX3',
    tags: ['registry-reject', 'registry-update'],
    what: () => '第一份系统目录填了豁免截止日期但没填豁免原因，该行被拒收；更新文件补填原因。',
    firstReject: { column: 'exempt_reason', kind: 'exempt_reason_missing', value: '', note: '有豁免截止日期而无豁免原因' },
    registry: (c) => ({ exempt_until: monthEnd(c.month(-3)), exempt_reason: '数据中心机房搬迁期间' }),
  },
  {
    key: 'REG_FIX4',
    tags: ['registry-reject', 'registry-update'],
    what: () => '第一份系统目录中“阶段”填为“运营”（不是可识别的取值），该行被拒收；更新文件改为“运行”。',
    firstReject: { column: 'stage', kind: 'unknown_enum', value: '运营', note: '阶段不是可识别的取值' },
  },
  // ---- seasonal systems and city–county cost sharing (apps/sample/seasons.ts)
  ...SEASON_AND_COST_CASES,
];

function deadlineRegistry(c: CityContext): Partial<SystemRow> {
  const n = c.nationalDay;
  const goLive = addDays(n.acceptance, 14);
  const fin = addDays(goLive, 100);
  return { initial_acceptance_date: n.acceptance, go_live_date: goLive, final_acceptance_date: fin < addDays(c.mEnd, -20) ? fin : null };
}

export interface CitySystem {
  row: SystemRow;
  /** registry values of the first file that the update file changes (null: not changed) */
  first: Partial<SystemRow> | null;
  firstReject: CaseSpec['firstReject'] | null;
  /** named in the registry update file */
  inUpdate: boolean;
  key: string | null;
  tags: string[];
  what: string | null;
  stem: string;
  telemetry: TelemetryPlan;
  catalog: CatalogPlan;
  report: ReportPlan;
}

export interface City {
  /** the city's name (云川市 unless given) */
  name: string;
  ctx: CityContext;
  seed: number;
  systems: CitySystem[];
  byId: Map<string, CitySystem>;
  byKey: Map<string, CitySystem>;
}

/** Split a total over weights, largest remainders first. */
function apportion(total: number, weights: readonly number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  const raw = weights.map((w) => (total * w) / sum);
  const out = raw.map(Math.floor);
  const order = raw.map((r, i) => [r - Math.floor(r), i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  const left = total - out.reduce((a, b) => a + b, 0);
  for (let i = 0; i < left; i++) out[order[i][1]]++;
  return out;
}

function randomDate(r: Random, from: string, to: string): string {
  const span = Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
  return addDays(from, r.int(0, Math.max(0, span)));
}

/** Names a department can give its systems, usual kinds first. */
function namePool(d: Department, r: Random): { name: string; stem: string }[] {
  const primary = r.shuffle(d.lines.map(([stem, kind]) => ({ name: `${stem}${kind}`, stem })));
  const more = r.shuffle(
    d.lines.flatMap(([stem, kind]) => KINDS_OF_SYSTEM.filter((k) => k !== kind).map((k) => ({ name: `${stem}${k}`, stem }))),
  );
  return [...primary, ...more];
}

interface Slot {
  dept: Department;
  kind: 'case' | 'background';
  spec?: CaseSpec;
  stage: Stage;
}

/** Build the city: every system with its final registry row and its plans. */
export function buildCity(opts: CityOptions): City {
  const ctx = new CityContext(opts.endMonth, opts.months);
  const root = new Random(opts.seed);
  const r = root.fork('city');

  // Background systems in other stages than operation.
  const stageBackground: Stage[] = [...Array(8).fill('trial'), ...Array(7).fill('construction'), ...Array(10).fill('retired')];
  const nBackground = opts.systems - CASES.length - stageBackground.length;
  if (nBackground < 20) throw new Error(`the sample city needs at least ${CASES.length + stageBackground.length + 20} systems`);

  const sizes = apportion(
    opts.systems,
    DEPARTMENTS.map((d) => d.lines.length),
  );
  const free = new Map(DEPARTMENTS.map((d, i) => [d.code, sizes[i]]));
  const slots: Slot[] = [];
  const take = (code: string | undefined): Department => {
    let d = code ? DEPARTMENTS.find((x) => x.code === code)! : undefined;
    if (!d || free.get(d.code)! <= 0) {
      // the department with most free places, ties by a random draw
      const cands = DEPARTMENTS.filter((x) => free.get(x.code)! > 0);
      const most = Math.max(...cands.map((x) => free.get(x.code)!));
      d = r.pick(cands.filter((x) => free.get(x.code)! >= most - 2));
    }
    free.set(d.code, free.get(d.code)! - 1);
    return d;
  };
  for (const spec of CASES) slots.push({ dept: take(spec.dept), kind: 'case', spec, stage: spec.stage ?? 'operation' });
  for (const stage of stageBackground) slots.push({ dept: take(undefined), kind: 'background', stage });
  for (let i = 0; i < nBackground; i++) slots.push({ dept: take(undefined), kind: 'background', stage: 'operation' });

  // Within a department, planted and background systems are interleaved at random.
  const systems: CitySystem[] = [];
  for (const d of DEPARTMENTS) {
    const mine = r.shuffle(slots.filter((s) => s.dept === d));
    const pool = namePool(d, r.fork(`names:${d.code}`));
    const used = new Set(CLASSIFIED_NAMES.map(([, n]) => n));
    let next = 0;
    mine.forEach((slot, i) => {
      const id = `${opts.idPrefix ?? 'YC'}-${d.code}-${String(i + 1).padStart(3, '0')}`;
      let name = slot.spec?.name;
      let stem = name ? name.replace(/系统$/, '') : '';
      if (!name) {
        while (used.has(pool[next % pool.length].name) && next < pool.length * 2) next++;
        const p = pool[next % pool.length];
        next++;
        name = next > pool.length ? `${p.name}（二期）` : p.name;
        stem = p.stem;
      }
      used.add(name);
      systems.push(makeSystem(ctx, root, id, name, stem, d, slot));
    });
  }
  systems.sort((a, b) => (a.row.system_id < b.row.system_id ? -1 : 1));
  return {
    name: opts.name ?? '云川市',
    ctx,
    seed: opts.seed,
    systems,
    byId: new Map(systems.map((s) => [s.row.system_id, s])),
    byKey: new Map(systems.filter((s) => s.key).map((s) => [s.key!, s])),
  };
}

function makeSystem(ctx: CityContext, root: Random, id: string, name: string, stem: string, d: Department, slot: Slot): CitySystem {
  const r = root.fork(`system:${id}`);
  const spec = slot.spec;
  const stage = slot.stage;
  const F = ctx.start;
  // Registry values of an established system; trial, construction and retired adjust below.
  let goLive: string | null = randomDate(r, addDays(F, -8 * 365), addDays(F, -400));
  let initial: string | null = addDays(goLive, -r.int(10, 45));
  let fin: string | null = addDays(goLive, r.int(95, 330));
  let until: string | null = null;
  if (stage === 'trial') {
    goLive = randomDate(r, `${ctx.month(10)}-01`, `${ctx.month(2)}-01`);
    initial = addDays(goLive, -r.int(5, 20));
    fin = null;
  } else if (stage === 'construction') {
    goLive = initial = fin = null;
  } else if (stage === 'retired') {
    goLive = randomDate(r, addDays(F, -10 * 365), addDays(F, -3 * 365));
    initial = addDays(goLive, -r.int(10, 45));
    fin = addDays(goLive, r.int(95, 330));
    // half of them stopped reporting inside the window, the others before it
    until = r.chance(0.5) ? monthEnd(ctx.month(r.int(6, ctx.months - 3))) : addDays(F, -1);
  }
  const level = r.pick([1, 2, 2, 2, 2, 2, 3, 3, 3]);
  const vcpu = r.pick([2, 4, 8, 8, 16, 16, 32]);
  const memory = vcpu * r.pick([2, 4]);
  const storage = r.int(2, 100) * 50;
  const row: SystemRow = {
    system_id: id,
    system_name: name,
    department: d.name,
    stage,
    go_live_date: goLive,
    initial_acceptance_date: initial,
    final_acceptance_date: fin,
    security_level: level,
    vcpu,
    memory_gb: memory,
    storage_gb: storage,
    cloud_cost_annual: 0,
    om_budget_annual: r.int(8, 120) * 10_000,
    key_project: r.chance(0.25),
    classified: spec?.classified ?? false,
    exempt_until: null,
    exempt_reason: null,
  };
  Object.assign(row, spec?.registry?.(ctx, row) ?? {});
  row.cloud_cost_annual = spec?.cloudCost ?? row.vcpu * 1500 + row.memory_gb * 400 + Math.round(row.storage_gb * 2.4);

  const first = spec?.first?.(ctx, row) ?? null;
  const usersBase = r.pick([r.int(3, 30), r.int(30, 300), r.int(30, 300), r.int(300, 3000)]);
  const months: Record<string, MonthSpec> = {};
  const firstExport: Record<string, MonthSpec> = {};
  const telemetry: TelemetryPlan = {
    // biome-ignore lint/complexity/useMathMinMax: ISO dates compared as strings
    from: row.go_live_date === null ? null : row.go_live_date > F ? row.go_live_date : F,
    until,
    months,
    firstExport,
    usersBase,
    requestsPerUser: r.int(5, 40),
    storageFill: r.range(0.3, 0.7),
    jitter: !spec,
    duplicateLastDayVulns: spec?.duplicateLastDayVulns,
  };
  if (spec?.telemetry) Object.assign(telemetry, spec.telemetry(ctx, row));
  for (let k = 0; k < ctx.months; k++) {
    const m = spec?.months?.(k, ctx);
    if (m) months[ctx.month(k)] = m;
    const f = spec?.firstExport?.(k, ctx);
    if (f) firstExport[ctx.month(k)] = f;
  }
  // A few background systems had one bad month long ago (rectified the month after), so the
  // notice history is not empty; never within the last 3 months, so month m is not affected, and
  // never in December of Y, so no background notice is open at the end of the evaluation year.
  if (!spec && stage === 'operation' && r.chance(0.12)) {
    let k = r.int(4, ctx.months - 2);
    if (ctx.month(k) === `${ctx.Y}-12`) k++;
    months[ctx.month(k)] = r.pick<MonthSpec>([{ availability: 85 }, { vulns: 1 }, { days: 8 }, { inactive: true }, { low: true }]);
  }
  // A few background systems get a corrected re-export of last month (storage sent in MB-ish units first).
  if (!spec && stage === 'operation' && r.chance(0.02)) firstExport[ctx.month(1)] = { storageFactor: 10 };
  return {
    row,
    first,
    firstReject: spec?.firstReject ?? null,
    inUpdate: first !== null || spec?.firstReject !== undefined,
    key: spec?.key ?? null,
    tags: spec?.tags ?? [],
    what: spec ? spec.what(ctx) : null,
    stem: stem || name,
    telemetry,
    catalog: spec?.catalog ?? (stage === 'construction' ? { kind: 'nothing' } : { kind: 'normal' }),
    report: spec?.report ?? {},
  };
}

/** The registry row as the first file (01) has it. */
export function firstRow(s: CitySystem): SystemRow {
  return { ...s.row, ...(s.first ?? {}) };
}
