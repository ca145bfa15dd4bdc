// The rules of a profile that a decision can cite, by the key the SQL models use, and the labels
// of their citations (docs/profiles.md).

import { CONDITION_CODES, type Profile, type Rule } from './schema.ts';
import { citationLabel } from './measures.ts';
import { PRACTICE_LABEL } from '../labels.ts';

/** Every rule of the profile that a decision can cite, by the key the models use. */
export function ruleEntries(p: Profile): [string, Rule][] {
  const b = p.budget;
  const cal = p.calendar;
  return [
    ['rectification', p.rectification],
    ['elimination', p.elimination],
    ['rightsizing', p.rightsizing],
    ['sharing', p.sharing],
    ['catalog_deadline', p.catalog_deadline],
    ['seasonal', p.seasonal],
    ...(p.cost_sharing ? ([['cost_sharing', p.cost_sharing]] as [string, Rule][]) : []),
    ['scoring', p.scoring],
    ['inflation', p.inflation],
    ['budget', b],
    ['budget.withhold_elimination', b.withhold_elimination],
    ['budget.withhold_no_acceptance', b.withhold_no_acceptance],
    ['budget.withhold_security', b.withhold_security],
    ['budget.withhold_sharing', b.withhold_sharing],
    ['budget.withhold_poor_open', b.withhold_poor_open],
    ['budget.suspend', b.suspend],
    ['budget.reduce', b.reduce],
    ['budget.department_suspension', b.department_suspension],
    ...(cal.self_evaluation ? ([['calendar.self_evaluation', cal.self_evaluation]] as [string, Rule][]) : []),
    ...(cal.annual_report ? ([['calendar.annual_report', cal.annual_report]] as [string, Rule][]) : []),
    ...(cal.completion_acceptance ? ([['calendar.completion_acceptance', cal.completion_acceptance]] as [string, Rule][]) : []),
    ...CONDITION_CODES.map((c) => [`condition.${c}`, p.monitoring[c]] as [string, Rule]),
  ];
}

/** Citation labels of a rule; a bureau practice says so instead of citing. */
export function citationLabels(r: Rule): string[] {
  return r.citations.length ? [...new Set(r.citations.map(citationLabel))] : [PRACTICE_LABEL];
}
