// A policy profile as a person reads it (`govmon profile list|show`): every rule under its Chinese
// name, each parameter with a label and unit, and each citation as 《办法简称》第X条：“引文”; a
// rule the measure is silent on is marked as bureau practice with its note. Pure: text in, text out.

import { MEASURES } from './measures.ts';
import { rulesOf, type LoadedProfile, type Citation, type ConditionName, type Profile } from './schema.ts';
import { SECTIONS, formatParamValue, num, paramOf, paramsOf, ratioAsPct } from './labels.ts';
import { PRACTICE_LABEL } from '../labels.ts';
import { SEASON_RULE } from '../definitions.ts';

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
  return `《${m.title}》（${m.docNo ? `${m.docNo}，` : ''}以下简称${measureShortName(file)}）`;
}

/** What a condition flags, with this profile's thresholds (docs/metrics.md §4.1). */
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

/** The seasonal rule with this profile's parameters (docs/metrics.md §4.2). */
export function seasonRuleText(p: Profile): string[] {
  const s = p.seasonal;
  return [
    SEASON_RULE.declared,
    SEASON_RULE.suggested
      .replace('{min_months}', num(s.min_months))
      .replace('{min_share_pct}', num(s.min_share_pct))
      .replace('{max_months}', num(s.max_months)),
  ];
}

/** The cost-sharing rule with its threshold (docs/decisions.md §5.8). */
export function costSharingRuleText(thresholdYuan: number): string {
  return `全市性系统年云资源费用达到（含）${thresholdYuan.toLocaleString('zh-CN')} 元的，按年度在市本级与各区、县（市）之间分摊：直接面向基层民生的系统按上年常住人口比例分摊给各区、县（市）（市本级不分摊），其他系统按其分摊方案；各方金额四舍五入到分，尾差计入份额最大的一方（份额相同时取名称按字符编码排在前面的一方），合计恰等于费用。缺少分摊方案或上年人口数据的列入合规日历。`;
}

function ruleCounts(p: Profile): { measure: number; practice: number; unset: number } {
  const rules = rulesOf(p);
  const unset =
    (['self_evaluation', 'annual_report', 'completion_acceptance'] as const).filter((k) => p.calendar[k] === null).length +
    (p.cost_sharing === null ? 1 : 0);
  return {
    measure: rules.filter((r) => r.rule.basis === 'measure').length,
    practice: rules.filter((r) => r.rule.basis === 'practice').length,
    unset,
  };
}

function citedFiles(p: Profile): string[] {
  const files = new Set<string>();
  for (const { rule } of rulesOf(p)) for (const c of rule.citations) files.add(c.file);
  return MEASURES.map((m) => m.file)
    .filter((f) => files.has(f))
    .concat([...files].filter((f) => !MEASURES.some((m) => m.file === f)));
}

function formatRule(p: Profile, path: string, name: string, indent: string): string[] {
  const raw = at(p, path);
  const lines = [`${indent}${name}  [${path}]`];
  const i2 = `${indent}    `;
  if (raw === null) {
    lines.push(
      path === 'cost_sharing'
        ? `${i2}未设此项：本配置的办法未规定市县云资源费用分摊，不计算分摊（自定义配置可按数据局工作口径设置）。`
        : `${i2}未设此项：本配置的办法未规定该期限，合规日历不列此项（见配置说明）。`,
    );
    return lines;
  }
  if (!raw || typeof raw !== 'object') {
    lines.push(`${i2}（配置中没有此项）`);
    return lines;
  }
  const rule = raw as Record<string, unknown> & { basis: string; citations: Citation[]; note?: string };
  if (path.startsWith('monitoring.')) lines.push(`${i2}判定：${conditionDefinition(p, path.slice('monitoring.'.length) as ConditionName)}`);
  if (path === 'seasonal') for (const t of seasonRuleText(p)) lines.push(`${i2}规则：${t}`);
  if (path === 'cost_sharing' && p.cost_sharing) lines.push(`${i2}规则：${costSharingRuleText(p.cost_sharing.threshold_yuan)}`);
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
      lines.push(`${i2}  ${def.label}：${formatParamValue(def, v)}`);
    }
  }
  if (rule.note) lines.push(`${i2}说明：${rule.note}`);
  return lines;
}

/**
 * A profile that rests on no single measure (the default) cites several cities' measures side by
 * side: say that it is a composite, so no one reads it as one city's rules.
 */
export function compositeNote(p: Profile): string | undefined {
  if (p.measure) return undefined;
  const cities = citedFiles(p).map((f) => MEASURES.find((m) => m.file === f)?.city ?? f);
  if (cities.length < 2) return undefined;
  return `综合配置：本配置不对应某一个城市的办法，而是把 ${cities.length} 部办法（${cities.map((c) => `${c}`).join('、')}）中的相关规定综合为一套规则，每条规则注明它引用的办法条款；各市请选用按本市办法编写的配置（如 --profile suqian）。`;
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
    out.push(`依据办法：《${p.measure.title}》（${docNo ? `${docNo}，` : ''}以下简称${measureShortName(p.measure.file)}）`);
  }
  const composite = compositeNote(p);
  if (composite) out.push(composite);
  const others = citedFiles(p).filter((f) => f !== p.measure?.file);
  if (others.length) {
    out.push(p.measure ? '另引用：' : '引用办法：');
    for (const f of others) out.push(`  ${measureLegend(f)}`);
  }
  if (p.description) out.push(`说明：${p.description}`);
  out.push(`规则：依据办法 ${k.measure} 条，数据局工作口径 ${k.practice} 条${k.unset ? `，未设 ${k.unset} 项` : ''}。`);

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

/** The shipped profiles: name, title, measure, and how many rules rest on it (or why one failed to load). */
export function formatProfileList(profiles: readonly { name: string; loaded?: LoadedProfile; error?: string }[]): string {
  const out = ['内置政策配置（用 govmon --profile 名称 选用；govmon profile show 名称 查看全部规则）：', ''];
  for (const { name, loaded: lp, error } of profiles) {
    if (lp) {
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
    } else out.push(`${name} — 配置有误，无法加载：${(error ?? '').split('\n')[0]}`);
  }
  out.push(
    '',
    '自定义配置：写一个 JSON 文件，用 "extends" 指定内置配置，只写要改的参数，再用 --profile 文件路径 选用；',
    '示例见 metrics/profiles/examples/strict-suqian.json。',
  );
  return out.join('\n');
}
