// The shapes shared by the generator's modules, and `Planted`: what the sample city contains on
// purpose and what govmon is expected to conclude from it (written to `.planted.json`).

export type Stage = 'construction' | 'trial' | 'operation' | 'retired';
export type Condition = 'no_data' | 'inactive' | 'low_util' | 'unusable' | 'security';
export const CONDITIONS: readonly Condition[] = ['no_data', 'inactive', 'low_util', 'unusable', 'security'];

/** One row of the system registry, with typed values (the final state, after the update file). */
export interface SystemRow {
  system_id: string;
  system_name: string;
  department: string;
  stage: Stage;
  go_live_date: string | null;
  initial_acceptance_date: string | null;
  final_acceptance_date: string | null;
  security_level: number;
  vcpu: number;
  memory_gb: number;
  storage_gb: number;
  cloud_cost_annual: number;
  om_budget_annual: number;
  key_project: boolean;
  classified: boolean;
  exempt_until: string | null;
  exempt_reason: string | null;
  /** docs/inputs.md §2.7 (optional columns): 使用月份 as written, 全市性系统, 直接面向基层民生, 所属区县 */
  active_months?: string | null;
  citywide?: boolean;
  serves_public?: boolean;
  county?: string | null;
}

/** How the telemetry of one system deviates from healthy in one month (all days alike). */
export interface MonthSpec {
  /** no users all month; requests `requestsTotal` (default a handful a day) */
  inactive?: boolean;
  /** exact monthly total of requests, spread over the reported days */
  requestsTotal?: number;
  /** users are not reported at all (empty cells) */
  usersNull?: boolean;
  /** cpu_avg 2 %, cpu_max 6 % every day */
  low?: boolean;
  /** constant CPU every day */
  cpu?: { avg: number; max: number };
  /** cpu_max drawn from this range, cpu_avg from cpuAvgRange */
  cpuMaxRange?: [number, number];
  cpuAvgRange?: [number, number];
  /** availability 80 % every day */
  unusable?: boolean;
  /** constant availability every day */
  availability?: number;
  availabilityRange?: [number, number];
  /** open high vulnerabilities every reported day */
  vulns?: number;
  /** open high vulnerabilities on days 1..lastDay only, 0 afterwards */
  vulnsEarly?: { n: number; lastDay: number };
  /** only the first `days` days of the month are reported */
  days?: number;
  /** storage_used_gb multiplied (an export in the wrong unit) */
  storageFactor?: number;
}

export interface TelemetryPlan {
  /** first date with telemetry, null for none */
  from: string | null;
  /** last date with telemetry, null for through the end month */
  until: string | null;
  /** deviations by month 'YYYY-MM' */
  months: Record<string, MonthSpec>;
  /** months whose first export was wrong and is corrected by a re-export: what the first export said */
  firstExport: Record<string, MonthSpec>;
  usersBase: number;
  requestsPerUser: number;
  storageFill: number;
  /** random missing days and passing vulnerabilities (background systems only) */
  jitter: boolean;
  /** the end month's last day appears twice in the end month's file, the first copy with this many vulns */
  duplicateLastDayVulns?: number;
}

export type ShareType = 'unconditional' | 'conditional' | 'none';
export type UpdateCycle = 'realtime' | 'daily' | 'weekly' | 'monthly' | 'quarterly' | 'yearly';

/**
 * When a resource is aggregated to the public data platform: never, every `days` days from `first`
 * (up to `until`, or on), or on the given dates. The platform's monthly catalog export of a month
 * gives, per resource, the last of these on or before the month end.
 */
export type Aggregation =
  | { kind: 'never' }
  | { kind: 'every'; first: string; days: number; until: string | null }
  | { kind: 'dates'; dates: readonly string[] };

export interface CatalogRow {
  system_id: string;
  resource_id: string;
  resource_name: string;
  share_type: ShareType;
  update_cycle: UpdateCycle;
  cataloged_date: string;
  /** as of the end of the data (the end month) */
  last_aggregated_date: string | null;
  duplicate_of: string | null;
  /** the resource's aggregation history (generator only: the monthly exports are read from it) */
  aggregation: Aggregation;
}

export interface ReportRow {
  system_id: string;
  year: number;
  submitted_date: string;
  incidents: number;
  security_assessment_date: string | null;
  crypto_assessment_date: string | null;
  om_paid: number;
  goals_total: number;
  goals_met: number;
  integration_points: number;
  self_score: number;
  notes: string;
}

/** The kinds of invalid input planted, one reject each. */
export type RejectKind =
  | 'required_empty'
  | 'not_number'
  | 'not_integer'
  | 'bad_date_format'
  | 'impossible_date'
  | 'future_date'
  | 'out_of_range'
  | 'negative'
  | 'cpu_max_lt_avg'
  | 'goals_met_gt_total'
  | 'exempt_reason_missing'
  | 'unknown_enum'
  | 'bad_bool'
  | 'unknown_system'
  | 'too_many_columns'
  | 'too_few_columns'
  | 'plan_sum_not_100';

export interface PlantedReject {
  /** file name inside outDir */
  file: string;
  /**
   * Row as a person sees it: CSV and XLSX count the header (and any title row above it), so the
   * first data row under a header in row 1 is row 2; NDJSON: the line; Parquet and JSON arrays:
   * the record's position, first record = 1.
   */
  row: number;
  /** canonical column name, null for a line the reader could not split */
  column: string | null;
  kind: RejectKind;
  value: string | null;
  /** what is wrong, in Chinese */
  note: string;
}

export interface PlantedCase {
  system_id: string;
  system_name: string;
  department: string;
  stage: Stage;
  /** short case keys, e.g. 'inactive-streak-3' */
  tags: string[];
  /** what was planted and what must come out of it, in Chinese */
  description: string;
}

export interface StreakSet {
  no_data: number;
  inactive: number;
  low_util: number;
  unusable: number;
  security: number;
}

export interface MonthMetricsExpected {
  system_id: string;
  month: string;
  days_reported: number;
  cpu_avg_pct: number | null;
  cpu_p95_pct: number | null;
  mem_avg_pct: number | null;
  storage_used_gb: number | null;
  dau_avg: number | null;
  dau_max: number | null;
  requests_total: number | null;
  availability_pct: number | null;
  open_high_vulns: number | null;
  conditions: Condition[];
  streaks: StreakSet;
}

export interface SharingRowExpected {
  system_id: string;
  cataloged: number;
  shareable: number;
  aggregated: number;
  timely: number;
  duplicates: number;
  completeness_pct: number | null;
  uncataloged: boolean;
  sharing_failure: boolean;
  catalog_overdue: boolean;
}

export interface SharingExpected {
  /** 'YYYY-MM' of the month whose end is evaluated */
  month: string;
  as_of: string;
  /** every system neither classified nor retired, sorted by id */
  rows: SharingRowExpected[];
  failure: string[];
  uncataloged: string[];
  low_completeness: { system_id: string; completeness_pct: number }[];
  duplicates: { system_id: string; duplicates: number }[];
  catalog_overdue: { system_id: string; initial_acceptance_date: string; deadline: string; first_cataloged_date: string | null }[];
}

export interface ScoreExpected {
  system_id: string;
  score: number;
  grade: '优' | '良' | '中' | '差';
  operation: number;
  cost: number;
  effect: number;
  sharing: number;
  security: number;
  integration: number;
  self_score: number | null;
  report_missing: boolean;
}

export interface Planted {
  generator: string;
  city: string;
  seed: number;
  endMonth: string;
  firstMonth: string;
  months: number;
  /** the last complete calendar year within the data */
  evalYear: number;
  /** years with an O&M report file: every year a system has been in operation, up to evalYear */
  reportYears: number[];
  /** data files in ingest order (path-name order) */
  files: string[];
  /** where this document lives, relative to outDir (ingest skips names starting with '.') */
  plantedFile: string;
  systems: { total: number; by_stage: Record<Stage, number>; classified: number; departments: number };
  /** rows that must be current after ingesting every file (latest version of each key) */
  counts: { systems: number; telemetry: number; catalog: number; om_report: number };
  /** thresholds the expectations were computed with (docs/metrics.md §4.1, docs/decisions.md §5.1 defaults) */
  thresholds: Record<string, unknown>;
  cases: PlantedCase[];
  month: {
    month: string;
    rectification: {
      system_id: string;
      conditions: Condition[];
      streaks: Partial<StreakSet>;
      status: 'issued' | 'open';
      deadline: string;
    }[];
    resolved: { system_id: string }[];
    escalated: { system_id: string; conditions: Condition[] }[];
    elimination: {
      system_id: string;
      conditions: Condition[];
      vcpu: number;
      memory_gb: number;
      storage_gb: number;
      cloud_cost_annual: number;
    }[];
    exempted: { system_id: string; conditions: Condition[]; exempt_until: string; exempt_reason: string }[];
    rightsizing: {
      system_id: string;
      vcpu: number;
      recommended_vcpu: number;
      reclaim_vcpu: number;
      max_p95: number;
      reclaim_cost_annual: number;
    }[];
    /** systems that are never on any list: not in stage operation, or classified */
    never_listed: string[];
    /** systems whose monthly rows start after the first month of telemetry (go-live inside the window) */
    rows_start: { system_id: string; first_month: string }[];
    /** metrics, conditions and streaks of month m for every monitored system */
    metrics: MonthMetricsExpected[];
  };
  sharing: { month: SharingExpected; year: SharingExpected };
  year: {
    year: number;
    /** systems scored: in operation and not classified */
    scored: string[];
    report_missing: string[];
    security_missing: string[];
    crypto_missing: string[];
    inflated: { system_id: string; self_score: number; score: number }[];
    no_final_acceptance: string[];
    /** scores computed by the generator from docs/decisions.md §5.4 (a second opinion; see expected.ts) */
    scores: ScoreExpected[];
  };
  /** next-year budget recommendations (docs/decisions.md §5.5) for the scored systems, from the state at the end of Y */
  budget: {
    /** the budget year, Y + 1 */
    year: number;
    rows: {
      system_id: string;
      recommendation: 'fund' | 'reduce' | 'suspend' | 'withhold';
      reasons: string[];
      recommended_om_budget: number;
    }[];
    /** departments recommended for suspension of new project applications */
    departments_suspended: { department: string; reasons: string[] }[];
  };
  /** the compliance calendar at the end of m (docs/decisions.md §5.6): every overdue obligation */
  calendar: {
    month: string;
    month_end: string;
    overdue: { system_id: string; obligation: string; due_date: string }[];
  };
  /** the provisional evaluation (预评价, docs/decisions.md §5.5a) of the end month's year, run before its reports are due */
  provisional: {
    year: number;
    /** the year whose reports stand in */
    report_year: number;
    as_of_month: string;
    budget_year: number;
    rows: { system_id: string; recommendation: 'fund' | 'reduce' | 'suspend' | 'withhold'; reasons: string[]; report_missing: boolean }[];
  };
  rejects: PlantedReject[];
  classified: { system_id: string; system_name: string }[];
  /** docs/metrics.md §4.2: the seasons govmon must suggest at the end month (declared seasons act through `month`) */
  seasons: { suggested: { system_id: string; months: number[] }[] };
  /** docs/decisions.md §5.8: the cost shares of the end month's year, amounts in yuan to the fen as text */
  costshare: {
    year: number;
    population_year: number;
    rows: { system_id: string; county: string; basis: 'population' | 'plan'; share_pct: number; amount: string }[];
    missing: { system_id: string; status: 'missing_plan' | 'missing_population' }[];
  };
  /** the decision register (docs/decisions.md §5.7) and its effect on the end month */
  decisions?: PlantedDecisions;
}

/** The decision register planted in the sample city (apps/sample/decisions.ts) and what govmon must conclude in the end month. */
export interface PlantedDecisions {
  /** the decisions file inside outDir */
  file: string;
  rows: {
    decision_id: string;
    system_id: string;
    decision: string;
    effective_date: string;
    until: string | null;
    document_no: string | null;
    decided_by: string;
    reason: string | null;
    revokes: string | null;
    reclaimed_vcpu: number | null;
  }[];
  /** the decision status of every elimination row of the end month (exempted section included) */
  elimination: { system_id: string; status: 'pending' | 'confirmed' | 'exempted' | 'shut_down'; decision_id: string | null }[];
  /** the note a decision puts on a notice of the end month */
  notices: {
    system_id: string;
    status: 'issued' | 'open';
    note: 'rectified' | 'rectified_not_held' | 'reply_rejected';
    decision_id: string;
  }[];
  /** what decisions took back (已收回), by month */
  reclaimed: {
    month: string;
    system_id: string;
    decision_id: string;
    vcpu: number;
    memory_gb: number | null;
    storage_gb: number | null;
    cloud_cost_annual: number;
  }[];
  /** decisions of the end month about systems on no list: stored, and warned */
  unmatched: string[];
}
