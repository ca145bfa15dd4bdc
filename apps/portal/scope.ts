// What a user of the portal may see (docs/outputs.md §7.5), as data: the month's site data cut
// down to it before any page is built, so a page cannot show what its context does not hold. The
// bureau sees everything (classified systems are already out of the data); a department its own
// systems and the rows about them; finance the annual scores and budget only.
// The cut is generic over the data's shape: every list of rows that name a system keeps the
// department's systems, every list of rows that name only a department keeps its own, and any
// other list of rows (a city-wide aggregate such as the trends) is emptied for a department —
// so a list added to the site data later is never shown whole to a department by oversight.

import type { SiteData } from '../../dashboards/site/data.ts';
import type { PageKey } from '../../dashboards/site/paths.ts';
import type { Account } from './accounts.ts';

export type Scope = { kind: 'all' } | { kind: 'department'; department: string } | { kind: 'finance' };

export function scopeOf(a: Pick<Account, 'role' | 'department'>): Scope {
  if (a.role === 'bureau') return { kind: 'all' };
  if (a.role === 'finance') return { kind: 'finance' };
  return { kind: 'department', department: a.department ?? '' };
}

/** A key for caches: one per scope. */
export function scopeKey(s: Scope): string {
  return s.kind === 'department' ? `department:${s.department}` : s.kind;
}

/** The site pages a scope may open, in navigation order. */
export function pagesOf(s: Scope): readonly PageKey[] {
  if (s.kind === 'all')
    return [
      'overview',
      'rectification',
      'elimination',
      'sharing',
      'annual',
      'calendar',
      'departments',
      'systems',
      'definitions',
      'profile',
    ];
  if (s.kind === 'finance') return ['annual', 'definitions', 'profile'];
  // the overview's figures and trends are the city's: a department starts at its own page
  return ['rectification', 'elimination', 'sharing', 'annual', 'calendar', 'departments', 'systems', 'definitions', 'profile'];
}

/** The XLSX downloads a scope may take (their rows cut to the scope as well). */
export function downloadsOf(s: Scope): readonly string[] {
  if (s.kind === 'finance') return ['scores', 'budget'];
  return ['rectification', 'elimination', 'rightsizing', 'sharing', 'calendar', 'metrics', 'scores', 'budget'];
}

type Rows = Record<string, unknown>[];

function isRows(v: unknown): v is Rows {
  return Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'object' && x !== null && !Array.isArray(x));
}

/** Keep the rows a predicate allows, in every list of rows of `obj` (one level deep). */
function cut<T extends object>(obj: T, keepSystem: (id: string) => boolean, keepDept: (d: string) => boolean): T {
  const out: Record<string, unknown> = { ...(obj as Record<string, unknown>) };
  for (const [k, v] of Object.entries(obj)) {
    if (!isRows(v)) continue;
    if (v.every((r) => typeof r.system_id === 'string')) out[k] = v.filter((r) => keepSystem(r.system_id as string));
    else if (v.every((r) => typeof r.department === 'string')) out[k] = v.filter((r) => keepDept(r.department as string));
    else out[k] = [];
  }
  return out as T;
}

/** The site data a scope may see. */
export function restrictSiteData(data: SiteData, s: Scope): SiteData {
  if (s.kind === 'all') return data;
  if (s.kind === 'finance') {
    const none = cut(
      data,
      () => false,
      () => false,
    );
    return { ...none, year: data.year };
  }
  const own = new Set(data.systems.filter((x) => x.department === s.department).map((x) => x.system_id));
  const keepSystem = (id: string) => own.has(id);
  const keepDept = (d: string) => d === s.department;
  const out = cut(data, keepSystem, keepDept);
  return { ...out, year: data.year ? cut(data.year, keepSystem, keepDept) : null };
}
