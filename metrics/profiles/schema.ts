// The policy profile: thresholds, streak lengths, weights, deadlines — and, for every rule, the
// articles it rests on (docs/profiles.md §6). One zod schema validates it and reports every error with a
// dotted path; a second pass checks what a schema cannot (a measure-based rule has citations, a
// bureau practice has none and says so, warn ≤ eliminate).

import { z } from 'zod';

export const Citation = z.strictObject({
  /** seed file name, e.g. 001_b27b0eb786c0566d.txt */
  file: z.string().regex(/^\d{3}_[0-9a-f]{16}\.txt$/, '应为 seeds/ 中的文件名，如 001_b27b0eb786c0566d.txt'),
  /** article as the measure numbers it: 第六条, （十九）, 第三十条第二款 */
  article: z.string().min(2),
  /** a short passage copied verbatim from the measure */
  quote: z.string().min(4).max(200),
});
export type Citation = z.infer<typeof Citation>;

/** Common to every rule: what it rests on. */
const basis = {
  /** 'measure': the city's measure requires it (citations required); 'practice': the measure is
   *  silent and the rule runs as the bureau's own practice (no citation, a note says so). */
  basis: z.enum(['measure', 'practice']),
  citations: z.array(Citation),
  /** why the rule reads as it does; null in a child profile drops the parent's note */
  note: z.string().nullable().optional(),
};
const Rule = z.strictObject(basis);
export type Rule = z.infer<typeof Rule>;

const months = z.int().min(1).max(60);
const pct = z.number().min(0).max(100);

const Condition = <T extends z.ZodRawShape>(shape: T) =>
  z.strictObject({
    ...basis,
    ...shape,
    /** streak (months) at which a rectification notice is issued */
    warn_months: months,
    /** streak at which the system goes on the elimination list; null: never */
    eliminate_months: months.nullable(),
  });

export const Monitoring = z.strictObject({
  no_data: Condition({ min_days_ratio: z.number().gt(0).max(1) }),
  inactive: Condition({ dau_max: z.number().min(0), requests_max: z.number().min(0) }),
  low_util: Condition({ cpu_avg_max: pct, cpu_p95_max: pct }),
  unusable: Condition({ availability_max: pct }),
  security: Condition({}),
});

/** The monitoring conditions, in the order every list and page shows them (docs/metrics.md). */
export const CONDITION_CODES = ['no_data', 'inactive', 'low_util', 'unusable', 'security'] as const;
export type ConditionName = (typeof CONDITION_CODES)[number];

const Scoring = z.strictObject({
  ...basis,
  availability: z.strictObject({ points: z.number().min(0), floor_pct: pct, full_pct: pct }),
  incidents: z.strictObject({ points: z.number().min(0), per_incident: z.number().min(0) }),
  utilization: z.strictObject({ points: z.number().min(0), floor_pct: pct, full_pct: pct }),
  budget_execution: z.strictObject({
    points: z.number().min(0),
    band_low: z.number().min(0),
    band_high: z.number().min(0),
    /** distance from the band at which the score reaches 0 */
    falloff: z.number().gt(0),
  }),
  goals: z.strictObject({ points: z.number().min(0) }),
  activity: z.strictObject({ points: z.number().min(0) }),
  sharing: z.strictObject({ points: z.number().min(0), duplicate_penalty: z.number().min(0) }),
  security: z.strictObject({
    graded_protection: z.number().min(0),
    crypto: z.number().min(0),
    vulnerabilities: z.number().min(0),
    /** an assessment counts when made in Y or in the `lookback_years` before */
    lookback_years: z.int().min(0).max(5),
  }),
  integration: z.strictObject({ points: z.number().min(0), max_points: z.int().min(0) }),
  grades: z.strictObject({ excellent: pct, good: pct, pass: pct }),
});

const Budget = z.strictObject({
  ...basis,
  reduce_factor: z.number().min(0).max(1),
  withhold_elimination: Rule,
  withhold_no_acceptance: Rule,
  withhold_security: Rule,
  withhold_sharing: Rule,
  withhold_poor_open: Rule,
  suspend: Rule,
  reduce: Rule,
  department_suspension: z.strictObject({ ...basis, open_months: months }),
});

const Calendar = z.strictObject({
  self_evaluation: z
    .strictObject({
      ...basis,
      /** what the window counts from: 'final_acceptance' = the completion-acceptance date;
       *  'operation_start' = going into operation, i.e. the completion acceptance, or the go-live
       *  date while there is none (see metrics/models/14_mart_calendar.sql) */
      anchor: z.enum(['final_acceptance', 'operation_start']),
      from_months: z.int().min(0),
      to_months: z.int().min(1),
    })
    .nullable(),
  annual_report: z.strictObject({ ...basis, due_days_after_year_end: z.int().min(0).max(366) }).nullable(),
  completion_acceptance: z
    .strictObject({
      ...basis,
      /** earliest completion acceptance after the start of trial operation */
      min_days: z.int().min(0),
      /** latest; null when the measure sets none */
      max_days: z.int().min(1).nullable(),
    })
    .nullable(),
});

export const Profile = z.strictObject({
  name: z.string().regex(/^[a-z][a-z0-9_-]*$/),
  title: z.string().min(1),
  extends: z.string().optional(),
  /** the measure this profile implements */
  measure: z.strictObject({ file: z.string(), title: z.string(), doc_no: z.string().optional() }).optional(),
  description: z.string().optional(),
  monitoring: Monitoring,
  rectification: Rule,
  elimination: Rule,
  rightsizing: z.strictObject({
    ...basis,
    p95_max: pct,
    months: z.int().min(1).max(12),
    target_p95: pct.gt(0),
  }),
  sharing: z.strictObject({
    ...basis,
    min_pct: pct,
    windows: z.strictObject({
      realtime: z.int().min(0),
      daily: z.int().min(0),
      weekly: z.int().min(0),
      monthly: z.int().min(0),
      quarterly: z.int().min(0),
      yearly: z.int().min(0),
    }),
  }),
  catalog_deadline: z.strictObject({ ...basis, working_days: z.int().min(1).max(60) }),
  /** seasonal systems (docs/metrics.md §4.2): a declared season, and when a season is suggested */
  seasonal: z.strictObject({
    ...basis,
    /** months with data in the last 24 before a season is suggested */
    min_months: z.int().min(1).max(24),
    /** share of each year's requests the season's months must hold */
    min_share_pct: pct,
    /** at most this many calendar months */
    max_months: z.int().min(1).max(11),
  }),
  /** city–county cloud cost sharing (docs/decisions.md §5.8); null: the city does not share */
  cost_sharing: z
    .strictObject({
      ...basis,
      /** a citywide system with a yearly cloud cost at or above this is shared (yuan) */
      threshold_yuan: z.number().min(0),
    })
    .nullable(),
  scoring: Scoring,
  /** the provisional evaluation (预评价, docs/decisions.md §5.5a): before the reports of Y are due */
  provisional_evaluation: z.strictObject({
    ...basis,
    /** the day (MM-DD) of Y+1 by which the O&M reports of Y are due; an evaluation of Y run on or before it is provisional */
    report_due: z
      .string()
      .regex(/^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/, '应为 MM-DD，如 03-31')
      .refine((d) => !Number.isNaN(Date.parse(`2001-${d}T00:00:00Z`)) && new Date(`2001-${d}T00:00:00Z`).toISOString().slice(5, 10) === d, {
        message: '不是有效的日期（按平年核对，如 02-29 不可用）',
      }),
  }),
  inflation: z.strictObject({ ...basis, margin: z.number().min(0) }),
  budget: Budget,
  calendar: Calendar,
});
export type Profile = z.infer<typeof Profile>;

/** A profile as a run uses it: validated, with the SHA-256 of its canonical JSON that every run records. */
export interface LoadedProfile {
  profile: Profile;
  sha256: string;
  /** where it came from: a shipped name or a file path */
  source: string;
}

export interface ProfileIssue {
  path: string;
  message: string;
}

/** Every rule object of a profile with its dotted path (anything with a `basis`). */
export function rulesOf(p: unknown, prefix = ''): { path: string; rule: Rule & Record<string, unknown> }[] {
  const out: { path: string; rule: Rule & Record<string, unknown> }[] = [];
  if (p && typeof p === 'object' && !Array.isArray(p)) {
    const o = p as Record<string, unknown>;
    if ('basis' in o && 'citations' in o) out.push({ path: prefix, rule: o as Rule & Record<string, unknown> });
    for (const [k, v] of Object.entries(o)) if (k !== 'citations') out.push(...rulesOf(v, prefix ? `${prefix}.${k}` : k));
  }
  return out;
}

/** Schema first, then each rule's own semantic checks; all problems at once, with dotted paths. */
export function validateProfile(raw: unknown): { profile?: Profile; issues: ProfileIssue[] } {
  const r = Profile.safeParse(raw, { error: z.locales.zhCN().localeError });
  if (!r.success) {
    return {
      issues: r.error.issues.map((i) => ({ path: i.path.map(String).join('.') || '(根)', message: i.message })),
    };
  }
  const p = r.data;
  const issues: ProfileIssue[] = [];
  for (const { path, rule } of rulesOf(p)) {
    if (rule.basis === 'measure' && rule.citations.length === 0)
      issues.push({ path: `${path}.citations`, message: '依据为办法（measure）的规则至少需要一条引用' });
    if (rule.basis === 'practice' && rule.citations.length > 0)
      issues.push({ path: `${path}.citations`, message: '工作惯例（practice）规则不得引用条款；办法有规定时请改为 measure' });
    if (rule.basis === 'practice' && !rule.note)
      issues.push({ path: `${path}.note`, message: '工作惯例（practice）规则需说明办法未作规定' });
  }
  for (const c of Object.keys(p.monitoring) as (keyof Profile['monitoring'])[]) {
    const m = p.monitoring[c];
    if (m.eliminate_months !== null && m.eliminate_months < m.warn_months)
      issues.push({ path: `monitoring.${c}.eliminate_months`, message: '淘汰月数不能小于预警月数' });
  }
  const g = p.scoring.grades;
  if (!(g.excellent >= g.good && g.good >= g.pass)) issues.push({ path: 'scoring.grades', message: '等级分数线应为 优 ≥ 良 ≥ 中' });
  if (p.scoring.budget_execution.band_low > p.scoring.budget_execution.band_high)
    issues.push({ path: 'scoring.budget_execution.band_low', message: '区间下限不能大于上限' });
  if (p.calendar.self_evaluation && p.calendar.self_evaluation.from_months > p.calendar.self_evaluation.to_months)
    issues.push({ path: 'calendar.self_evaluation.from_months', message: '起始月数不能大于截止月数' });
  return issues.length ? { issues } : { profile: p, issues };
}
