// The loaded data indexed the ways the pages look it up (by system, by department, this month),
// with the profile in force, its thresholds and the site's metadata. Built once per site.

import type { ConditionName, Profile } from '../../metrics/profiles/schema.ts';
import { CONDITION_CODES } from '../../metrics/labels.ts';
import { groupBy } from '../../core/collections.ts';
import type {
  BudgetRow,
  CalendarRow,
  CostShareRow,
  DecisionRow,
  DepartmentRow,
  EliminationRow,
  MetricRow,
  NoticeRow,
  RightsizingRow,
  ScoreRow,
  SeasonSuggestion,
  SharingRow,
  SiteData,
  SystemInfo,
} from './data.ts';
import type { SiteMeta } from './layout.ts';
import { thresholdsOf, type Threshold } from './thresholds.ts';

export interface SiteContext {
  data: SiteData;
  profile: Profile;
  /** the profile given differs from the one the month was run with (name or content hash) */
  profileNote: string | null;
  meta: SiteMeta;
  thresholds: Threshold[];
  systems: Map<string, SystemInfo>;
  departments: string[];
  systemsOf: Map<string, SystemInfo[]>;
  metricsOf: Map<string, MetricRow[]>;
  /** the run month's metrics row of each monitored system */
  now: Map<string, MetricRow>;
  noticesOf: Map<string, NoticeRow[]>;
  /** the run month's notice of each system that has one */
  noticeNow: Map<string, NoticeRow>;
  elimination: Map<string, EliminationRow>;
  rightsizing: Map<string, RightsizingRow>;
  sharingOf: Map<string, SharingRow[]>;
  sharingNow: Map<string, SharingRow>;
  calendarOf: Map<string, CalendarRow[]>;
  scores: Map<string, ScoreRow>;
  budget: Map<string, BudgetRow>;
  departmentRows: Map<string, DepartmentRow>;
  /** the season suggested for a system without a declared one (docs/metrics.md §4.2) */
  seasonSuggestion: Map<string, SeasonSuggestion>;
  /** each system's cost sharing of the month's year (docs/decisions.md §5.8) */
  costSharesOf: Map<string, CostShareRow[]>;
  /** each system's decisions (docs/inputs.md §2.6), in arrival order */
  decisionsOf: Map<string, DecisionRow[]>;
  /** XLSX downloads written into the site: kind → relative path */
  downloads: Record<string, string>;
}

export function buildContext(
  data: SiteData,
  profile: Profile,
  profileNote: string | null,
  meta: SiteMeta,
  downloads: Record<string, string>,
): SiteContext {
  const systems = new Map(data.systems.map((s) => [s.system_id, s]));
  const systemsOf = groupBy(data.systems, (s) => s.department);
  const departments = [...systemsOf.keys()].sort((a, b) => a.localeCompare(b, 'zh-CN'));
  const y = data.year;
  return {
    data,
    profile,
    profileNote,
    meta,
    thresholds: thresholdsOf(profile),
    systems,
    departments,
    systemsOf,
    metricsOf: groupBy(data.metrics, (r) => r.system_id),
    now: new Map(data.metrics.filter((r) => r.month === data.month).map((r) => [r.system_id, r])),
    noticesOf: groupBy(data.notices, (r) => r.system_id),
    noticeNow: new Map(data.notices.filter((r) => r.month === data.month).map((r) => [r.system_id, r])),
    elimination: new Map(data.elimination.map((r) => [r.system_id, r])),
    rightsizing: new Map(data.rightsizing.map((r) => [r.system_id, r])),
    sharingOf: groupBy(data.sharing, (r) => r.system_id),
    sharingNow: new Map(data.sharing.filter((r) => r.month === data.month).map((r) => [r.system_id, r])),
    calendarOf: groupBy(data.calendar, (r) => r.system_id),
    scores: new Map((y?.scores ?? []).map((r) => [r.system_id, r])),
    budget: new Map((y?.budget ?? []).map((r) => [r.system_id, r])),
    departmentRows: new Map((y?.departments ?? []).map((r) => [r.department, r])),
    seasonSuggestion: new Map(data.seasonSuggestions.map((r) => [r.system_id, r])),
    costSharesOf: groupBy(data.costShares, (r) => r.system_id),
    decisionsOf: groupBy(data.decisions, (r) => r.system_id),
    downloads,
  };
}

/** The conditions that hold for a metrics row, in definition order. */
export function holding(r: MetricRow | undefined): ConditionName[] {
  return r ? CONDITION_CODES.filter((c) => r[c]) : [];
}
