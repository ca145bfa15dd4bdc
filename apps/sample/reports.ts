// Annual O&M reports (年度运维服务情况报表) of the sample city, one per system in operation for each
// complete year of the data. The self-score is set last, from the score the generator expects,
// so that only the planted systems can look inflated.

import { addDays, monthEnd } from './calendar.ts';
import type { City, CitySystem } from './city.ts';
import { Random, round } from './random.ts';
import type { ReportRow, ScoreExpected } from './types.ts';

/** Complete calendar years within the data (each gets a report file). */
export function reportYears(city: City): number[] {
  const { ctx } = city;
  const out: number[] = [];
  for (let y = Number(ctx.first.slice(0, 4)); y <= ctx.Y; y++) if (`${y}-01` >= ctx.first && `${y}-12` <= ctx.m) out.push(y);
  return out;
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
    let submitted = within(`${year + 1}-01-05`, `${year + 1}-02-28`);
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
