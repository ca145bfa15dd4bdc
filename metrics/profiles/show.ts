// A policy profile as a person reads it (`govmon profile list|show`): every rule under its Chinese
// name, each parameter with a label and unit, and each citation as 《办法简称》第X条：“引文”; a
// rule the measure is silent on is marked as bureau practice with its note. Pure: text in, text out.

import { MEASURES } from './measures.ts';
import { loadProfile, shippedProfiles, type LoadedProfile } from './profiles.ts';
import { CONDITIONS, rulesOf, type Citation, type ConditionName, type Profile } from './schema.ts';

export const PRACTICE_LABEL = '（办法未作规定，按数据局工作口径执行）';

/** Chinese names of the monitoring conditions (SPEC §4.1). */
export const CONDITION_NAMES: Record<ConditionName, string> = {
  no_data: '监测数据缺失',
  inactive: '无业务访问（闲置）',
  low_util: '云资源使用率低',
  unusable: '无法正常使用',
  security: '严重安全隐患',
};

interface Section {
  title: string;
  rules: { path: string; name: string }[];
}

/** Every rule of the schema, in the order a reader goes through a month and a year. */
export const SECTIONS: readonly Section[] = [
  {
    title: '一、运行监测（每月）',
    rules: CONDITIONS.map((c) => ({ path: `monitoring.${c}`, name: CONDITION_NAMES[c] })),
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
];

type Value = unknown;
interface Param {
  label: string;
  unit?: string;
  /** how to print the value; defaults to the number and its unit */
  fmt?: (v: Value) => string;
  /** what null means for this parameter */
  ifNull?: string;
}

const num = (v: Value) => (typeof v === 'number' ? String(Number(v.toFixed(6))) : String(v));
const ratioAsPct = (v: Value) => (typeof v === 'number' ? `${num(v * 100)}%` : String(v));
const ANCHORS: Record<string, string> = {
  final_acceptance: '竣工验收日期',
  operation_start: '投入运行（已竣工验收的按竣工验收日期，否则按上线日期）',
};

const MONTHS_WARN: Param = { label: '预警连续月数（达到即发限期整改通知）', unit: '个月' };
const MONTHS_ELIM: Param = { label: '淘汰连续月数（达到即列入淘汰清单）', unit: '个月', ifNull: '不淘汰（只预警）' };

/** Parameter labels: the full dotted path first, then the key alone. */
const PARAMS: Record<string, Param> = {
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

function paramOf(fullPath: string): Param {
  const key = fullPath.split('.').pop() ?? fullPath;
  return PARAMS[fullPath] ?? PARAMS[key] ?? { label: key };
}

function formatValue(p: Param, v: Value): string {
  if (v === null) return p.ifNull ?? '未设定';
  if (p.fmt) return p.fmt(v);
  const s = num(v);
  return p.unit ? (p.unit === '%' ? `${s}%` : `${s} ${p.unit}`) : s;
}

const RULE_KEYS = new Set(['basis', 'citations', 'note']);

/** The parameters of a rule with their dotted paths, nested rules (budget.withhold_…) left out. */
function paramsOf(rule: Record<string, unknown>, prefix: string): [string, unknown][] {
  const out: [string, unknown][] = [];
  for (const [k, v] of Object.entries(rule)) {
    if (RULE_KEYS.has(k)) continue;
    const p = `${prefix}.${k}`;
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      if ('basis' in v) continue;
      out.push(...paramsOf(v as Record<string, unknown>, p));
    } else out.push([p, v]);
  }
  return out;
}

function at(p: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), p);
}

/** 《宿迁办法》: the short name a listing uses after introducing the full title once. */
export function measureShortName(file: string): string {
  const m = MEASURES.find((x) => x.file === file);
  return m ? `《${m.city}办法》` : `《${file}》`;
}

export function formatCitation(c: Citation): string {
  return `${measureShortName(c.file)}${c.article}：“${c.quote}”`;
}

function measureLegend(file: string): string {
  const m = MEASURES.find((x) => x.file === file);
  if (!m) return `${file}（不在 seeds/ 的办法清单中）`;
  return `《${m.title}》（${m.docNo ? `${m.docNo}，` : ''}seeds/${m.file}，以下简称${measureShortName(file)}）`;
}

/** What a condition flags, with this profile's thresholds (SPEC §4.1). */
function conditionDefinition(p: Profile, c: ConditionName): string {
  const m = p.monitoring;
  switch (c) {
    case 'no_data':
      return `当月有监测数据的天数少于当月天数的 ${ratioAsPct(m.no_data.min_days_ratio)}`;
    case 'inactive':
      return `有监测数据，且日活跃用户数最大值 ≤ ${num(m.inactive.dau_max)}、当月访问量 ≤ ${num(m.inactive.requests_max)} 次`;
    case 'low_util':
      return `有监测数据，且 CPU 月均使用率 < ${num(m.low_util.cpu_avg_max)}%、CPU 峰值 P95 < ${num(m.low_util.cpu_p95_max)}%`;
    case 'unusable':
      return `有监测数据，且月均可用率 < ${num(m.unusable.availability_max)}%`;
    case 'security':
      return '月末（最近一个报送日）未修复高危漏洞数 > 0，监测数据缺失的月份也判定';
  }
}

function ruleCounts(p: Profile): { measure: number; practice: number; unset: number } {
  const rules = rulesOf(p);
  const unset = (['self_evaluation', 'annual_report', 'completion_acceptance'] as const).filter((k) => p.calendar[k] === null).length;
  return {
    measure: rules.filter((r) => r.rule.basis === 'measure').length,
    practice: rules.filter((r) => r.rule.basis === 'practice').length,
    unset,
  };
}

function citedFiles(p: Profile): string[] {
  const files = new Set<string>();
  for (const { rule } of rulesOf(p)) for (const c of rule.citations) files.add(c.file);
  return MEASURES.map((m) => m.file).filter((f) => files.has(f)).concat([...files].filter((f) => !MEASURES.some((m) => m.file === f)));
}

function formatRule(p: Profile, path: string, name: string, indent: string): string[] {
  const raw = at(p, path);
  const lines = [`${indent}${name}  [${path}]`];
  const i2 = `${indent}    `;
  if (raw === null) {
    lines.push(`${i2}未设此项：本配置的办法未规定该期限，合规日历不列此项（见配置说明）。`);
    return lines;
  }
  if (!raw || typeof raw !== 'object') {
    lines.push(`${i2}（配置中没有此项）`);
    return lines;
  }
  const rule = raw as Record<string, unknown> & { basis: string; citations: Citation[]; note?: string };
  if (path.startsWith('monitoring.')) lines.push(`${i2}判定：${conditionDefinition(p, path.slice('monitoring.'.length) as ConditionName)}`);
  if (rule.basis === 'practice') lines.push(`${i2}依据：${PRACTICE_LABEL}`);
  else if (rule.citations.length === 1) lines.push(`${i2}依据：${formatCitation(rule.citations[0])}`);
  else {
    lines.push(`${i2}依据：`);
    for (const c of rule.citations) lines.push(`${i2}  ${formatCitation(c)}`);
  }
  const params = paramsOf(rule, path);
  if (params.length) {
    lines.push(`${i2}参数：`);
    for (const [pp, v] of params) {
      const def = paramOf(pp);
      lines.push(`${i2}  ${def.label}：${formatValue(def, v)}`);
    }
  }
  if (rule.note) lines.push(`${i2}说明：${rule.note}`);
  return lines;
}

/** Every rule of a loaded profile, with its parameters and citations. */
export function formatProfile(lp: LoadedProfile): string {
  const p = lp.profile;
  const k = ruleCounts(p);
  const out: string[] = [];
  out.push(`政策配置：${p.name} — ${p.title}`);
  out.push(`继承：${p.extends ?? '无（基础配置）'}`);
  out.push(`内容哈希：${lp.sha256.slice(0, 12)}（SHA-256 前 12 位，每次运行都会记录）`);
  if (lp.source !== p.name) out.push(`来源：${lp.source}`);
  if (p.measure) {
    const m = MEASURES.find((x) => x.file === p.measure?.file);
    const docNo = p.measure.doc_no ?? m?.docNo;
    out.push(
      `依据办法：《${p.measure.title}》（${docNo ? `${docNo}，` : ''}seeds/${p.measure.file}，以下简称${measureShortName(p.measure.file)}）`,
    );
  }
  const others = citedFiles(p).filter((f) => f !== p.measure?.file);
  if (others.length) {
    out.push(p.measure ? '另引用：' : '引用办法：');
    for (const f of others) out.push(`  ${measureLegend(f)}`);
  }
  if (p.description) out.push(`说明：${p.description}`);
  out.push(
    `规则：依据办法 ${k.measure} 条，数据局工作口径 ${k.practice} 条${k.unset ? `，未设 ${k.unset} 项` : ''}。`,
  );

  const shown = new Set<string>();
  for (const s of SECTIONS) {
    out.push('', s.title);
    for (const r of s.rules) {
      shown.add(r.path);
      out.push(...formatRule(p, r.path, r.name, '  '));
    }
  }
  // A rule the schema gained after this listing was written still shows, under its path.
  const rest = rulesOf(p).filter((r) => !shown.has(r.path));
  if (rest.length) {
    out.push('', '七、其他规则');
    for (const r of rest) out.push(...formatRule(p, r.path, r.path, '  '));
  }
  return out.join('\n');
}

/** The shipped profiles: name, title, measure, and how many rules rest on it. */
export function formatProfileList(): string {
  const out = ['内置政策配置（用 govmon --profile 名称 选用；govmon profile show 名称 查看全部规则）：', ''];
  for (const name of shippedProfiles()) {
    try {
      const lp = loadProfile(name);
      const p = lp.profile;
      const k = ruleCounts(p);
      out.push(`${name} — ${p.title}`);
      out.push(
        p.measure
          ? `    办法：《${p.measure.title}》${p.measure.doc_no ? `（${p.measure.doc_no}）` : ''}`
          : `    办法：未指定单一办法；引用 ${citedFiles(p).map(measureShortName).join('、')}`,
      );
      out.push(
        `    继承：${p.extends ?? '无'}；规则：依据办法 ${k.measure} 条，工作口径 ${k.practice} 条${k.unset ? `，未设 ${k.unset} 项` : ''}；内容哈希 ${lp.sha256.slice(0, 12)}`,
      );
    } catch (e) {
      out.push(`${name} — 配置有误，无法加载：${(e as Error).message.split('\n')[0]}`);
    }
  }
  out.push(
    '',
    '自定义配置：写一个 JSON 文件，用 "extends" 指定内置配置，只写要改的参数，再用 --profile 文件路径 选用；',
    '示例见 metrics/profiles/examples/strict-suqian.json。',
  );
  return out.join('\n');
}
