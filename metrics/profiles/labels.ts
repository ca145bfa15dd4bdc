// The Chinese names of a profile's rules and parameters (docs/profiles.md): read by
// `govmon profile show`, the dashboard's 政策配置 page and the documents. Each parameter has a label,
// a unit or a format, and what null means for it.

import { CONDITION_CODES, type ConditionName } from './schema.ts';
import { CONDITION_ZH } from '../definitions.ts';

export interface Section {
  title: string;
  rules: { path: string; name: string }[];
}

/** Every rule of the schema, in the order a reader goes through a month and a year. */
export const SECTIONS: readonly Section[] = [
  {
    title: '一、运行监测（每月）',
    rules: CONDITION_CODES.map((c: ConditionName) => ({ path: `monitoring.${c}`, name: CONDITION_ZH[c] })),
  },
  {
    title: '二、整改、淘汰与减配',
    rules: [
      { path: 'rectification', name: '限期整改' },
      { path: 'elimination', name: '淘汰退出' },
      { path: 'rightsizing', name: '云资源减配' },
    ],
  },
  {
    title: '三、数据共享',
    rules: [
      { path: 'sharing', name: '数据共享' },
      { path: 'catalog_deadline', name: '编目时限' },
    ],
  },
  {
    title: '四、年度绩效评价',
    rules: [
      { path: 'scoring', name: '绩效评分' },
      { path: 'provisional_evaluation', name: '预评价（年度报表到期前的评价）' },
      { path: 'inflation', name: '自评偏高抽查' },
    ],
  },
  {
    title: '五、下一年度经费建议',
    rules: [
      { path: 'budget', name: '经费建议' },
      { path: 'budget.withhold_elimination', name: '不予安排：列入淘汰清单' },
      { path: 'budget.withhold_no_acceptance', name: '不予安排：运行但未竣工验收' },
      { path: 'budget.withhold_security', name: '不予安排：等保测评或密评不合规' },
      { path: 'budget.withhold_sharing', name: '不予安排：数据共享不达标' },
      { path: 'budget.withhold_poor_open', name: '不予安排：评为“差”且整改未完成' },
      { path: 'budget.suspend', name: '暂缓安排（待整改）' },
      { path: 'budget.reduce', name: '核减' },
      { path: 'budget.department_suspension', name: '部门暂停新项目申报' },
    ],
  },
  {
    title: '六、合规日历',
    rules: [
      { path: 'calendar.self_evaluation', name: '绩效自评时限' },
      { path: 'calendar.annual_report', name: '年度运维报表' },
      { path: 'calendar.completion_acceptance', name: '竣工验收时间窗' },
    ],
  },
  {
    title: '七、季节性系统与市县云资源费用分摊',
    rules: [
      { path: 'seasonal', name: '季节性系统（使用月份）' },
      { path: 'cost_sharing', name: '云资源费用市县分摊' },
    ],
  },
];

type Value = unknown;
export interface Param {
  label: string;
  unit?: string;
  /** how to print the value; defaults to the number and its unit */
  fmt?: (v: Value) => string;
  /** what null means for this parameter */
  ifNull?: string;
}

export const num = (v: Value) => (typeof v === 'number' ? String(Number(v.toFixed(6))) : String(v));
export const ratioAsPct = (v: Value) => (typeof v === 'number' ? `${num(v * 100)}%` : String(v));
const ANCHORS: Record<string, string> = {
  final_acceptance: '竣工验收日期',
  operation_start: '投入运行（已竣工验收的按竣工验收日期，否则按上线日期）',
};

const MONTHS_WARN: Param = { label: '预警连续月数（达到即发限期整改通知）', unit: '个月' };
const MONTHS_ELIM: Param = { label: '淘汰连续月数（达到即列入淘汰清单）', unit: '个月', ifNull: '不淘汰（只预警）' };

/** Parameter labels: the full dotted path first, then the key alone. */
export const PARAMS: Record<string, Param> = {
  warn_months: MONTHS_WARN,
  eliminate_months: MONTHS_ELIM,
  'monitoring.no_data.min_days_ratio': { label: '当月报送天数低于当月天数的', fmt: ratioAsPct },
  'monitoring.inactive.dau_max': { label: '日活跃用户数（当月最大值）不超过', unit: '人' },
  'monitoring.inactive.requests_max': { label: '当月访问量不超过', unit: '次' },
  'monitoring.low_util.cpu_avg_max': { label: 'CPU 月均使用率低于', unit: '%' },
  'monitoring.low_util.cpu_p95_max': { label: 'CPU 峰值 P95 低于', unit: '%' },
  'monitoring.unusable.availability_max': { label: '月均可用率低于', unit: '%' },
  'rightsizing.p95_max': { label: 'CPU 峰值 P95 低于', unit: '%' },
  'rightsizing.months': { label: '连续月数', unit: '个月' },
  'rightsizing.target_p95': { label: '减配后目标 P95 使用率', unit: '%' },
  'sharing.min_pct': { label: '归集完整率达标线', unit: '%' },
  'sharing.windows.realtime': { label: '归集时效窗口·实时', unit: '天' },
  'sharing.windows.daily': { label: '归集时效窗口·每日', unit: '天' },
  'sharing.windows.weekly': { label: '归集时效窗口·每周', unit: '天' },
  'sharing.windows.monthly': { label: '归集时效窗口·每月', unit: '天' },
  'sharing.windows.quarterly': { label: '归集时效窗口·每季度', unit: '天' },
  'sharing.windows.yearly': { label: '归集时效窗口·每年', unit: '天' },
  'catalog_deadline.working_days': { label: '初步验收后完成编目与归集', unit: '个工作日' },
  'seasonal.min_months': { label: '提示使用月份：近 24 个月中有监测数据的月份不少于', unit: '个月' },
  'seasonal.min_share_pct': { label: '提示使用月份：近两年各年访问量集中于使用月份的比例不低于', unit: '%' },
  'seasonal.max_months': { label: '提示使用月份：使用月份最多', unit: '个月' },
  'cost_sharing.threshold_yuan': {
    label: '全市性系统政务云年租赁费达到（含）',
    fmt: (v) => (typeof v === 'number' ? `${v.toLocaleString('zh-CN')} 元` : String(v)),
    ifNull: '不分摊',
  },
  'scoring.availability.points': { label: '运行情况·可用率 分值', unit: '分' },
  'scoring.availability.floor_pct': { label: '可用率起评线', unit: '%' },
  'scoring.availability.full_pct': { label: '可用率满分线', unit: '%' },
  'scoring.incidents.points': { label: '运行情况·故障次数 分值', unit: '分' },
  'scoring.incidents.per_incident': { label: '每次故障扣', unit: '分' },
  'scoring.utilization.points': { label: '成本效益·资源利用率 分值', unit: '分' },
  'scoring.utilization.floor_pct': { label: 'CPU P95 起评线', unit: '%' },
  'scoring.utilization.full_pct': { label: 'CPU P95 满分线', unit: '%' },
  'scoring.budget_execution.points': { label: '成本效益·经费执行率 分值', unit: '分' },
  'scoring.budget_execution.band_low': { label: '经费执行率合理区间下限', fmt: ratioAsPct },
  'scoring.budget_execution.band_high': { label: '经费执行率合理区间上限', fmt: ratioAsPct },
  'scoring.budget_execution.falloff': {
    label: '偏离合理区间达此幅度得 0 分',
    fmt: (v) => (typeof v === 'number' ? `${num(v * 100)} 个百分点` : String(v)),
  },
  'scoring.goals.points': { label: '应用实效·绩效目标完成 分值', unit: '分' },
  'scoring.activity.points': { label: '应用实效·业务活跃 分值', unit: '分' },
  'scoring.sharing.points': { label: '数据共享 分值', unit: '分' },
  'scoring.sharing.duplicate_penalty': { label: '存在重复采集扣', unit: '分' },
  'scoring.security.graded_protection': { label: '信息安全·等保测评 分值', unit: '分' },
  'scoring.security.crypto': { label: '信息安全·密码应用安全性评估 分值', unit: '分' },
  'scoring.security.vulnerabilities': { label: '信息安全·高危漏洞 分值', unit: '分' },
  'scoring.security.lookback_years': { label: '测评有效期（评价年度及之前）', unit: '年' },
  'scoring.integration.points': { label: '统建融合与创新 分值', unit: '分' },
  'scoring.integration.max_points': { label: '统建融合项数计分上限', unit: '项' },
  'scoring.grades.excellent': { label: '“优”分数线（不低于）', unit: '分' },
  'scoring.grades.good': { label: '“良”分数线（不低于）', unit: '分' },
  'scoring.grades.pass': { label: '“中”分数线（不低于，以下为“差”）', unit: '分' },
  'provisional_evaluation.report_due': {
    label: '年度运维报表应报日期（评价年度的次年）',
    fmt: (v) =>
      typeof v === 'string' && /^\d{2}-\d{2}$/.test(v) ? `次年 ${Number(v.slice(0, 2))} 月 ${Number(v.slice(3))} 日` : String(v),
  },
  'inflation.margin': { label: '自评分高出评价分超过', unit: '分' },
  'budget.reduce_factor': {
    label: '核减系数',
    fmt: (v) => (typeof v === 'number' ? `${num(v)}（按当年运维经费的 ${num(v * 100)}% 安排）` : String(v)),
  },
  'budget.department_suspension.open_months': { label: '整改持续超过', unit: '个月' },
  'calendar.self_evaluation.anchor': { label: '起算点', fmt: (v) => ANCHORS[String(v)] ?? String(v) },
  'calendar.self_evaluation.from_months': { label: '窗口开始（起算后）', unit: '个月' },
  'calendar.self_evaluation.to_months': { label: '最迟完成（起算后）', unit: '个月' },
  'calendar.annual_report.due_days_after_year_end': { label: '运维年度结束后报送期限', unit: '天' },
  'calendar.completion_acceptance.min_days': { label: '上线试运行后最早', unit: '天' },
  'calendar.completion_acceptance.max_days': { label: '上线试运行后最迟', unit: '天', ifNull: '办法未规定上限' },
};

/** The label of a parameter by its dotted path (`monitoring.inactive.dau_max`), else by its key. */
export function paramOf(fullPath: string): Param {
  const key = fullPath.split('.').pop() ?? fullPath;
  return PARAMS[fullPath] ?? PARAMS[key] ?? { label: key };
}

/** A parameter's value as a person reads it: with its unit, or its format, or what null means. */
export function formatParamValue(p: Param, v: unknown): string {
  if (v === null) return p.ifNull ?? '未设定';
  if (p.fmt) return p.fmt(v);
  const s = num(v);
  return p.unit ? (p.unit === '%' ? `${s}%` : `${s} ${p.unit}`) : s;
}

/** The Chinese name of a rule by its path: `monitoring.inactive` → 无业务访问（闲置）. */
export function ruleName(path: string): string {
  for (const s of SECTIONS) for (const r of s.rules) if (r.path === path) return r.name;
  return path;
}

/** The scalar parameters of a rule with their dotted paths, nested rules (budget.withhold_…) left out. */
export function paramsOf(rule: Record<string, unknown>, prefix: string): [string, unknown][] {
  const out: [string, unknown][] = [];
  for (const [k, v] of Object.entries(rule)) {
    if (k === 'basis' || k === 'citations' || k === 'note') continue;
    const p = prefix ? `${prefix}.${k}` : k;
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      if ('basis' in v) continue;
      out.push(...paramsOf(v as Record<string, unknown>, p));
    } else out.push([p, v]);
  }
  return out;
}
