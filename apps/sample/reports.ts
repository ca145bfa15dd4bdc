// Annual O&M reports (年度运维服务情况报表) of the sample city, one per system in operation for every
// year it has been in operation, up to the last complete year of the data: a bureau has them all, so
// the only reports missing are the planted ones. One report of each system is submitted inside its
// self-evaluation window (12–24 months after going into operation, docs/decisions.md §5.6), which makes
// it the system's self-evaluation. The self-score is set last, from the score the generator
// expects, so that only the planted systems can look inflated.

import { addDays, addMonthsToDate, monthEnd } from './calendar.ts';
import type { City, CitySystem } from './city.ts';
import { THRESHOLDS } from './expected.ts';
import { Random, round } from './random.ts';
import type { ReportRow, ScoreExpected } from './types.ts';

/** Every year from the first go-live of a system in operation to the last complete year (each gets a report file). */
export function reportYears(city: City): number[] {
  const { ctx } = city;
  const lives = city.systems.filter((s) => s.row.stage === 'operation' && s.row.go_live_date).map((s) => s.row.go_live_date!);
  const first = lives.length ? Number(lives.sort()[0].slice(0, 4)) : ctx.Y;
  const out: number[] = [];
  for (let y = Math.min(first, ctx.Y); y <= ctx.Y; y++) out.push(y);
  return out;
}

/** The self-evaluation window of a system in operation: from..to months after it went into operation. */
export function selfEvaluationWindow(s: CitySystem): { from: string; to: string } | null {
  const anchor = s.row.final_acceptance_date ?? s.row.go_live_date;
  if (s.row.stage !== 'operation' || !anchor) return null;
  const t = THRESHOLDS.self_evaluation;
  return { from: addMonthsToDate(anchor, t.from_months), to: addMonthsToDate(anchor, t.to_months) };
}

/** When a report of `year` is normally submitted: 5 January to 28 February of the next year. */
const submissionRange = (year: number) => ({ from: `${year + 1}-01-05`, to: `${year + 1}-02-28` });

/**
 * The report that is the system's self-evaluation: the first year whose usual submission days
 * meet the window (a twelve-month window always meets one), and those days, a day inside either
 * edge (so no date arithmetic at the edge decides).
 */
export function selfEvaluationReport(s: CitySystem): { year: number; from: string; to: string } | null {
  const w = selfEvaluationWindow(s);
  if (!w) return null;
  const lo = addDays(w.from, 1);
  const hi = addDays(w.to, -1);
  for (let y = Number(w.from.slice(0, 4)) - 1; y <= Number(w.to.slice(0, 4)); y++) {
    const r = submissionRange(y);
    // ISO dates compare as strings
    const [from, to] = [[r.from, lo].sort()[1], [r.to, hi].sort()[0]];
    if (from <= to) return { year: y, from, to };
  }
  return null;
}

export interface PlannedReport {
  row: ReportRow;
  /** the row is written but breaks goals_met ≤ goals_total, so it is rejected */
  rejected: boolean;
  system: CitySystem;
}

/** Reports of one year, self_score still 0 (see setSelfScores). */
export function planReports(city: City, year: number): PlannedReport[] {
  const { ctx } = city;
  const root = new Random(city.seed);
  const out: PlannedReport[] = [];
  for (const s of city.systems) {
    if (s.row.stage !== 'operation' || !s.row.go_live_date || s.row.go_live_date > `${year}-12-31`) continue;
    const plan = year === ctx.Y ? s.report : {};
    if (plan.missing) continue;
    const r = root.fork(`report:${s.row.system_id}:${year}`);
    const within = (from: string, to: string) => addDays(from, r.int(0, Math.round((Date.parse(to) - Date.parse(from)) / 86_400_000)));
    const self = selfEvaluationReport(s);
    const usual = self?.year === year ? self : submissionRange(year);
    let submitted = within(usual.from, usual.to);
    if (submitted > monthEnd(ctx.m)) submitted = within(`${year}-12-20`, `${year}-12-30`);
    const sec = plan.security ?? (s.row.security_level >= 2 ? 'ok' : 'none');
    const crypto = plan.crypto ?? 'ok';
    const goalsTotal = plan.poor || plan.fair ? 6 : r.int(4, 8);
    const row: ReportRow = {
      system_id: s.row.system_id,
      year,
      submitted_date: submitted,
      incidents: plan.poor ? 6 : plan.fair ? 4 : r.pick([0, 0, 0, 1, 1, 2, 3]),
      security_assessment_date:
        sec === 'ok'
          ? within(`${year - 1}-03-01`, `${year}-11-30`)
          : sec === 'previous_year'
            ? `${year - 1}-03-18`
            : sec === 'too_old'
              ? `${year - 2}-06-15`
              : null,
      crypto_assessment_date:
        crypto === 'ok' ? within(`${year - 1}-03-01`, `${year}-11-30`) : crypto === 'too_old' ? `${year - 2}-09-01` : null,
      om_paid: Math.round(s.row.om_budget_annual * (plan.poor ? 0.4 : plan.fair ? 0.55 : r.range(0.85, 0.99))),
      goals_total: goalsTotal,
      goals_met: plan.poor ? 1 : plan.fair ? 2 : plan.rejected ? goalsTotal + 2 : goalsTotal - (r.chance(0.3) ? 1 : 0),
      integration_points: plan.poor ? 1 : plan.fair ? 2 : r.int(2, 5),
      self_score: 0,
      notes: plan.poor
        ? '各项绩效目标均已完成，系统运行稳定'
        : r.pick(['', '', '按合同完成年度运维服务', '完成等保整改及系统升级', '运维服务外包，按季度考核']),
    };
    out.push({ row, rejected: !!plan.rejected, system: s });
  }
  return out;
}

/** Self-scores: modest (within a few points of the expected score) except where planted. */
export function setSelfScores(city: City, reports: PlannedReport[], scores: ReadonlyMap<string, ScoreExpected>): void {
  const root = new Random(city.seed);
  for (const p of reports) {
    const r = root.fork(`self-score:${p.row.system_id}:${p.row.year}`);
    const expected = scores.get(p.row.system_id)?.score;
    const plan = p.row.year === city.ctx.Y ? p.system.report : {};
    // A report of another year (or of a classified system) has no expected score here: 70–85.
    const base = expected ?? r.range(70, 85);
    const self =
      plan.self === 'inflated' ? 95 : plan.self === 'near' ? base + 10 : plan.self === 'honest' ? base - 2 : base + r.range(-4, 4);
    p.row.self_score = round(Math.min(100, Math.max(0, self)), 1);
  }
}
