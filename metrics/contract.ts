// The input contract (docs/inputs.md §2): the canonical kinds — the four inputs and the decision
// register (§2.6) — their columns, Chinese headers, types and row rules. Everything that reads or writes an input file — ingest, validation SQL,
// XLSX templates, the sample-city generator, the README — reads it from here.

export type Kind = 'systems' | 'telemetry' | 'catalog' | 'om_report' | 'population' | 'cost_plan' | 'decisions';
export const KINDS: readonly Kind[] = ['systems', 'telemetry', 'catalog', 'om_report', 'population', 'cost_plan', 'decisions'];

export type ColumnType = 'text' | 'int' | 'number' | 'pct' | 'date' | 'enum' | 'bool';

export interface EnumValue {
  code: string;
  label: string; // Chinese label, accepted on input like the code
}

export interface Column {
  name: string; // canonical English name, also the CSV export header
  zh: string; // Chinese header
  type: ColumnType;
  required?: boolean;
  min?: number;
  max?: number;
  values?: readonly EnumValue[];
  /** date columns that must not lie after today (Asia/Shanghai) */
  notFuture?: boolean;
  /** the value must name a system of the registry */
  refSystem?: boolean;
  note: string; // one line for templates and docs, Chinese: a sentence, not a fragment
  /** the unit a person writes the value in (元): shown with the header of a form; the header with it, 运维经费支付（元）, is accepted */
  unit?: string;
  aliases?: readonly string[]; // other headers seen in the wild
}

/**
 * A rule over a set of rows of one file (docs/inputs.md §2.7): the rows that passed every other
 * check, grouped by `partitionBy`; when `broken` holds for the group, every such row of it is
 * rejected with `reason`. Both are SQL over window aggregates `… OVER gm_set` of the typed columns.
 */
export interface SetRule {
  id: string;
  column: string;
  partitionBy: readonly string[];
  broken: string;
  /** SQL producing the Chinese reason (it may show the group's figures) */
  reason: string;
}

/** A rule that involves several columns of one row; its SQL is written against the typed columns. */
export interface RowRule {
  id: string;
  column: string; // the column the reject is reported under
  /** SQL predicate over typed columns that holds when the row BREAKS the rule */
  broken: string;
  reason: string; // Chinese
}

export interface KindSpec {
  kind: Kind;
  zh: string;
  key: readonly string[];
  columns: readonly Column[];
  rules: readonly RowRule[];
  /** rules over the rows of one file that share a key (cost_plan: the shares of a system sum to 100) */
  setRules?: readonly SetRule[];
  /** sheet names that identify the kind inside an XLSX workbook */
  sheetNames: readonly string[];
  /**
   * A row whose columns other than these are all empty is not a record and is skipped, not
   * rejected (decisions: a row of the elimination list without a decision is no decision).
   */
  skipUnless?: readonly string[];
}

export const STAGES: readonly EnumValue[] = [
  { code: 'construction', label: '建设中' },
  { code: 'trial', label: '试运行' },
  { code: 'operation', label: '运行' },
  { code: 'retired', label: '已停用' },
];

export const SHARE_TYPES: readonly EnumValue[] = [
  { code: 'unconditional', label: '无条件共享' },
  { code: 'conditional', label: '有条件共享' },
  { code: 'none', label: '不予共享' },
];

export const UPDATE_CYCLES: readonly EnumValue[] = [
  { code: 'realtime', label: '实时' },
  { code: 'daily', label: '每日' },
  { code: 'weekly', label: '每周' },
  { code: 'monthly', label: '每月' },
  { code: 'quarterly', label: '每季度' },
  { code: 'yearly', label: '每年' },
];

/** What a decision of the register says (docs/inputs.md §2.6); labels are read through metrics/labels.ts. */
export const DECISIONS: readonly EnumValue[] = [
  { code: 'exempt', label: '豁免' },
  { code: 'confirm_shutdown', label: '同意关停' },
  { code: 'shutdown_done', label: '已关停' },
  { code: 'reclaimed', label: '已收回资源' },
  { code: 'rectified', label: '确认整改完成' },
  { code: 'reject_reply', label: '整改说明不予认可' },
  { code: 'revoke', label: '撤销决定' },
];
export type DecisionCode = 'exempt' | 'confirm_shutdown' | 'shutdown_done' | 'reclaimed' | 'rectified' | 'reject_reply' | 'revoke';

const systems: KindSpec = {
  kind: 'systems',
  zh: '信息系统目录',
  key: ['system_id'],
  sheetNames: ['systems', '信息系统目录', '系统目录'],
  columns: [
    { name: 'system_id', zh: '系统编号', type: 'text', required: true, note: '唯一编号' },
    { name: 'system_name', zh: '系统名称', type: 'text', required: true, note: '' },
    { name: 'department', zh: '建设单位', type: 'text', required: true, note: '系统所属部门' },
    { name: 'stage', zh: '阶段', type: 'enum', required: true, values: STAGES, note: '建设中/试运行/运行/已停用' },
    { name: 'go_live_date', zh: '上线日期', type: 'date', note: '试运行开始日期' },
    { name: 'initial_acceptance_date', zh: '初验日期', type: 'date', note: '' },
    { name: 'final_acceptance_date', zh: '竣工验收日期', type: 'date', note: '' },
    { name: 'security_level', zh: '等保级别', type: 'int', min: 1, max: 4, note: '1–4' },
    { name: 'vcpu', zh: 'vCPU', type: 'int', min: 0, note: '已分配 vCPU 数' },
    { name: 'memory_gb', zh: '内存GB', type: 'number', min: 0, note: '已分配内存' },
    { name: 'storage_gb', zh: '存储GB', type: 'number', min: 0, note: '已分配存储' },
    { name: 'cloud_cost_annual', zh: '年云资源费用', type: 'number', min: 0, unit: '元', note: '每年的云资源费用' },
    { name: 'om_budget_annual', zh: '年运维经费', type: 'number', min: 0, unit: '元', note: '当前年度安排的运维经费' },
    { name: 'key_project', zh: '重点项目', type: 'bool', note: '是/否' },
    { name: 'classified', zh: '涉密', type: 'bool', note: '涉密系统不参与任何计算和输出' },
    { name: 'exempt_until', zh: '豁免截止', type: 'date', note: '该日期（含）前不列入淘汰清单' },
    { name: 'exempt_reason', zh: '豁免原因', type: 'text', note: '填写豁免截止时必填' },
    // optional columns of docs/inputs.md §2.7: seasonal systems and city–county cost sharing
    {
      name: 'active_months',
      zh: '使用月份',
      type: 'text',
      note: '季节性系统的使用月份，如 3-6、1,2,12、11-2（跨年）；不填为全年使用',
      aliases: ['使用季', '季节性使用月份'],
    },
    { name: 'citywide', zh: '全市性系统', type: 'bool', note: '市级统一建设、统一部署的全市性系统（是/否）' },
    { name: 'serves_public', zh: '直接面向基层民生', type: 'bool', note: '直接面向基层涉及民生类项目（是/否），按人口比例分摊' },
    { name: 'county', zh: '所属区县', type: 'text', note: '区县级系统所属的区、县（市）' },
  ],
  rules: [
    {
      id: 'exempt_reason_required',
      column: 'exempt_reason',
      broken: 'exempt_until IS NOT NULL AND exempt_reason IS NULL',
      reason: '填写了豁免截止日期，但缺少豁免原因',
    },
    {
      id: 'active_months_valid',
      column: 'active_months',
      broken: 'active_months IS NOT NULL AND gm_parse_months(active_months) IS NULL',
      reason: '使用月份无法识别：应为 1–12 的月份，用逗号或顿号分隔，连续月份可写成 3-6（跨年写 11-2）',
    },
  ],
};

const telemetry: KindSpec = {
  kind: 'telemetry',
  zh: '运行监测数据',
  key: ['system_id', 'date'],
  sheetNames: ['telemetry', '运行监测数据', '运行监测'],
  columns: [
    { name: 'system_id', zh: '系统编号', type: 'text', required: true, refSystem: true, note: '须在系统目录中' },
    { name: 'date', zh: '日期', type: 'date', required: true, notFuture: true, note: '不得晚于今天' },
    { name: 'cpu_avg_pct', zh: 'CPU平均使用率', type: 'pct', min: 0, max: 100, note: '日均值，可带 %' },
    { name: 'cpu_max_pct', zh: 'CPU峰值使用率', type: 'pct', min: 0, max: 100, note: '日峰值，不小于平均值' },
    { name: 'mem_avg_pct', zh: '内存平均使用率', type: 'pct', min: 0, max: 100, note: '' },
    { name: 'storage_used_gb', zh: '存储使用量GB', type: 'number', min: 0, note: '' },
    { name: 'active_users', zh: '活跃用户数', type: 'int', min: 0, note: '当日使用系统的不同用户数' },
    { name: 'requests', zh: '访问量', type: 'int', min: 0, note: '当日业务访问量（不含探活）' },
    { name: 'availability_pct', zh: '可用率', type: 'pct', min: 0, max: 100, note: '' },
    { name: 'open_high_vulns', zh: '未修复高危漏洞数', type: 'int', min: 0, note: '当日结束时未修复的高危/严重漏洞' },
  ],
  rules: [
    {
      id: 'cpu_max_ge_avg',
      column: 'cpu_max_pct',
      broken: 'cpu_max_pct < cpu_avg_pct',
      reason: 'CPU峰值使用率小于CPU平均使用率',
    },
  ],
};

const catalog: KindSpec = {
  kind: 'catalog',
  zh: '数据资源目录与归集',
  key: ['system_id', 'resource_id'],
  sheetNames: ['catalog', '数据资源目录与归集', '数据资源目录'],
  columns: [
    { name: 'system_id', zh: '系统编号', type: 'text', required: true, refSystem: true, note: '须在系统目录中' },
    { name: 'resource_id', zh: '资源编号', type: 'text', required: true, note: '' },
    { name: 'resource_name', zh: '资源名称', type: 'text', note: '' },
    { name: 'share_type', zh: '共享属性', type: 'enum', values: SHARE_TYPES, note: '无条件共享/有条件共享/不予共享' },
    { name: 'update_cycle', zh: '更新周期', type: 'enum', values: UPDATE_CYCLES, note: '实时/每日/每周/每月/每季度/每年' },
    { name: 'cataloged_date', zh: '编目日期', type: 'date', note: '' },
    { name: 'last_aggregated_date', zh: '最近归集日期', type: 'date', note: '空表示从未归集到公共数据平台' },
    { name: 'duplicate_of', zh: '重复采集来源', type: 'text', note: '本资源重复采集的其他部门资源编号；无则留空' },
  ],
  rules: [],
};

const omReport: KindSpec = {
  kind: 'om_report',
  zh: '年度运维服务情况报表',
  key: ['system_id', 'year'],
  sheetNames: ['om_report', '年度运维服务情况报表', '运维报表', '绩效自评'],
  columns: [
    { name: 'system_id', zh: '系统编号', type: 'text', required: true, refSystem: true, note: '须在系统目录中' },
    { name: 'year', zh: '年度', type: 'int', required: true, min: 2000, max: 2100, note: '所报告的运维年度' },
    { name: 'submitted_date', zh: '提交日期', type: 'date', required: true, note: '报表提交给数据局的日期' },
    { name: 'incidents', zh: '故障次数', type: 'int', min: 0, note: '本运维年度内系统发生的故障次数（报表“系统运行”部分）' },
    {
      name: 'security_assessment_date',
      zh: '等保测评日期',
      type: 'date',
      note: '最近一次网络安全等级保护测评的日期（报表“安全管理”部分）',
    },
    { name: 'crypto_assessment_date', zh: '密评日期', type: 'date', note: '最近一次商用密码应用安全性评估的日期' },
    {
      name: 'om_paid',
      zh: '运维经费支付',
      type: 'number',
      min: 0,
      unit: '元',
      note: '本运维年度实际支付的运维经费（报表“经费支付”部分）',
    },
    { name: 'goals_total', zh: '绩效目标数', type: 'int', min: 0, note: '本运维年度设定的绩效目标个数（报表“运营成效”部分）' },
    { name: 'goals_met', zh: '已完成目标数', type: 'int', min: 0, note: '不大于绩效目标数' },
    {
      name: 'integration_points',
      zh: '统建融合项数',
      type: 'int',
      min: 0,
      max: 5,
      note: '统一身份认证、政务云、公共数据平台、协同办公、一网通办',
    },
    { name: 'self_score', zh: '自评分', type: 'number', min: 0, max: 100, note: '部门自评分' },
    { name: 'notes', zh: '说明', type: 'text', note: '' },
  ],
  rules: [
    {
      id: 'goals_met_le_total',
      column: 'goals_met',
      broken: 'goals_met > goals_total',
      reason: '已完成目标数大于绩效目标数',
    },
  ],
};

// The county set of population shares is every county named here (docs/decisions.md §5.8).
const population: KindSpec = {
  kind: 'population',
  zh: '常住人口',
  key: ['county', 'year'],
  sheetNames: ['population', '常住人口', '人口'],
  columns: [
    { name: 'county', zh: '区县', type: 'text', required: true, note: '区、县（市）名称', aliases: ['区县名称', '区、县（市）'] },
    { name: 'year', zh: '年度', type: 'int', required: true, min: 2000, max: 2100, note: '人口所属年度' },
    { name: 'population', zh: '常住人口', type: 'int', required: true, min: 1, note: '年末常住人口（人），正整数' },
  ],
  rules: [],
};

// A plan has no year: the latest file that names a system replaces its whole plan.
const costPlan: KindSpec = {
  kind: 'cost_plan',
  zh: '云资源费用分摊方案',
  key: ['system_id', 'county'],
  sheetNames: ['cost_plan', '云资源费用分摊方案', '分摊方案'],
  columns: [
    { name: 'system_id', zh: '系统编号', type: 'text', required: true, refSystem: true, note: '须在系统目录中' },
    { name: 'county', zh: '区县', type: 'text', required: true, note: '区、县（市）名称，或“市本级”', aliases: ['分摊单位'] },
    { name: 'share_pct', zh: '分摊比例', type: 'pct', required: true, min: 0, max: 100, note: '百分比，可带 %；同一系统合计 100' },
  ],
  rules: [],
  setRules: [
    {
      id: 'plan_sums_to_100',
      column: 'share_pct',
      partitionBy: ['system_id'],
      broken: 'abs(sum(CAST(share_pct AS DECIMAL(18, 6))) OVER gm_set - 100) > 0.01',
      reason: `'该系统在本文件中的分摊比例合计为 ' || CAST(sum(CAST(share_pct AS DECIMAL(18, 6))) OVER gm_set AS DECIMAL(18, 4)) || '%，应为 100%（允许 ±0.01），该系统的分摊方案整体未导入'`,
    },
  ],
};

/**
 * The decision register (docs/inputs.md §2.6): append-only, one row per decision. The rules that
 * need only the row are here; those that need the register or the registry (a unique id, a revoked
 * id that exists, no more reclaimed than allocated) are SQL in pipelines/ingest/decisions.ts.
 */
const decisions: KindSpec = {
  kind: 'decisions',
  zh: '处置决定',
  key: ['decision_id'],
  // the elimination list's XLSX (dashboards/exports) carries a 决定 column: filled, it is a decisions file
  sheetNames: ['decisions', '处置决定', '处置决定登记', '淘汰退出清单'],
  skipUnless: [
    'decision_id',
    'decision',
    'effective_date',
    'until',
    'document_no',
    'decided_by',
    'reason',
    'revokes',
    'reclaimed_vcpu',
    'reclaimed_memory_gb',
    'reclaimed_storage_gb',
  ],
  columns: [
    { name: 'decision_id', zh: '决定编号', type: 'text', note: '可留空，导入时自动编号；不得与已有决定重复' },
    { name: 'system_id', zh: '系统编号', type: 'text', required: true, refSystem: true, note: '须在系统目录中' },
    {
      name: 'decision',
      zh: '决定',
      type: 'enum',
      required: true,
      values: DECISIONS,
      note: '豁免/同意关停/已关停/已收回资源/确认整改完成/整改说明不予认可/撤销决定',
    },
    { name: 'effective_date', zh: '生效日期', type: 'date', required: true, notFuture: true, note: '不得晚于今天' },
    { name: 'until', zh: '有效期至', type: 'date', note: '豁免必填，不早于生效日期' },
    { name: 'document_no', zh: '文号', type: 'text', note: '如 临数局〔2026〕12号；豁免、同意关停必填' },
    { name: 'decided_by', zh: '决定人', type: 'text', required: true, note: '作出决定的负责人' },
    { name: 'reason', zh: '理由', type: 'text', note: '豁免、整改说明不予认可、撤销决定必填' },
    { name: 'revokes', zh: '撤销的决定编号', type: 'text', note: '撤销决定必填：已登记的决定编号' },
    { name: 'reclaimed_vcpu', zh: '收回vCPU', type: 'int', min: 0, note: '已收回资源：收回的 vCPU 数，累计不超过已分配' },
    { name: 'reclaimed_memory_gb', zh: '收回内存（GB）', type: 'number', min: 0, note: '已收回资源：收回的内存，累计不超过已分配' },
    { name: 'reclaimed_storage_gb', zh: '收回存储（GB）', type: 'number', min: 0, note: '已收回资源：收回的存储，累计不超过已分配' },
  ],
  rules: [
    {
      id: 'until_required',
      column: 'until',
      broken: "decision = 'exempt' AND until IS NULL",
      reason: '豁免须填写有效期至',
    },
    {
      id: 'until_not_before_effective',
      column: 'until',
      broken: 'until < effective_date',
      reason: '有效期至早于生效日期',
    },
    {
      id: 'document_required',
      column: 'document_no',
      broken: "decision IN ('exempt', 'confirm_shutdown') AND document_no IS NULL",
      reason: '豁免、同意关停须填写文号',
    },
    {
      id: 'reason_required',
      column: 'reason',
      broken: "decision IN ('exempt', 'reject_reply', 'revoke') AND reason IS NULL",
      reason: '豁免、整改说明不予认可、撤销决定须填写理由',
    },
    {
      id: 'revokes_required',
      column: 'revokes',
      broken: "decision = 'revoke' AND revokes IS NULL",
      reason: '撤销决定须填写撤销的决定编号',
    },
    {
      id: 'revokes_only_for_revoke',
      column: 'revokes',
      broken: "decision <> 'revoke' AND revokes IS NOT NULL",
      reason: '只有“撤销决定”可以填写撤销的决定编号',
    },
    {
      id: 'reclaimed_amount_required',
      column: 'reclaimed_vcpu',
      broken:
        "decision = 'reclaimed' AND coalesce(reclaimed_vcpu, 0) + coalesce(reclaimed_memory_gb, 0) + coalesce(reclaimed_storage_gb, 0) = 0",
      reason: '已收回资源须填写收回的 vCPU、内存或存储（至少一项大于 0）',
    },
    {
      id: 'reclaimed_only_for_reclaimed',
      column: 'reclaimed_vcpu',
      broken: "decision <> 'reclaimed' AND coalesce(reclaimed_vcpu, reclaimed_memory_gb, reclaimed_storage_gb) IS NOT NULL",
      reason: '收回数量只适用于“已收回资源”',
    },
  ],
};

export const CONTRACT: Readonly<Record<Kind, KindSpec>> = {
  systems,
  telemetry,
  catalog,
  om_report: omReport,
  population,
  cost_plan: costPlan,
  decisions,
};

export const KIND_ZH: Readonly<Record<Kind, string>> = {
  systems: systems.zh,
  telemetry: telemetry.zh,
  catalog: catalog.zh,
  om_report: omReport.zh,
  population: population.zh,
  cost_plan: costPlan.zh,
  decisions: decisions.zh,
};

/** Normalise a header for matching: case-insensitive, spaces, full-width brackets and BOM ignored. */
export function normalizeHeader(h: string): string {
  return h
    .replace(/^\uFEFF/, '')
    .normalize('NFKC')
    .trim()
    .toLowerCase()
    .replace(/[\s_\-（）()]/g, '');
}

/** The Chinese header with its unit, as a form shows it: 运维经费支付（元）. */
export function formHeader(c: Column): string {
  return c.unit ? `${c.zh}（${c.unit}）` : c.zh;
}

/** Map from normalised header to canonical column name, for one kind. */
export function headerIndex(spec: KindSpec): Map<string, string> {
  const m = new Map<string, string>();
  for (const c of spec.columns) {
    m.set(normalizeHeader(c.name), c.name);
    m.set(normalizeHeader(c.zh), c.name);
    if (c.unit) m.set(normalizeHeader(formHeader(c)), c.name);
    for (const a of c.aliases ?? []) m.set(normalizeHeader(a), c.name);
  }
  return m;
}

export interface HeaderMatch {
  kind: Kind;
  /** file column index → canonical name */
  mapped: Map<number, string>;
  extras: string[];
  missingRequired: string[];
  duplicates: string[];
}

/** Match a file's headers against one kind. */
export function matchHeaders(spec: KindSpec, headers: readonly string[]): HeaderMatch {
  const idx = headerIndex(spec);
  const mapped = new Map<number, string>();
  const seen = new Map<string, number>();
  const extras: string[] = [];
  const duplicates: string[] = [];
  headers.forEach((h, i) => {
    const name = idx.get(normalizeHeader(h));
    if (!name) {
      if (h.trim() !== '') extras.push(h);
      return;
    }
    if (seen.has(name)) {
      duplicates.push(h);
      return;
    }
    seen.set(name, i);
    mapped.set(i, name);
  });
  const missingRequired = spec.columns.filter((c) => c.required && !seen.has(c.name)).map((c) => c.name);
  return { kind: spec.kind, mapped, extras, missingRequired, duplicates };
}

/**
 * Detect the kind of a file from its headers: the kind whose required columns are all present and
 * which matches most columns. Telemetry and catalog both need system_id, so the distinguishing
 * required columns (date, resource_id, year, system_name) decide.
 */
export function detectKind(headers: readonly string[]): HeaderMatch | undefined {
  let best: HeaderMatch | undefined;
  let bestScore = 0;
  for (const k of KINDS) {
    const m = matchHeaders(CONTRACT[k], headers);
    if (m.missingRequired.length > 0) continue;
    const score = m.mapped.size;
    if (score > bestScore) {
      best = m;
      bestScore = score;
    }
  }
  return best;
}

export function columnOf(kind: Kind, name: string): Column {
  const c = CONTRACT[kind].columns.find((x) => x.name === name);
  if (!c) throw new Error(`no column ${name} in ${kind}`);
  return c;
}
