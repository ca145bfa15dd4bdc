// Data-resource catalog rows (数据资源目录与归集) of the sample city, the truth that ends up stored,
// with each resource's aggregation history: the public data platform exports the catalog every
// month, and each month's export gives the last aggregation on or before that month's end (see
// `lastAggregatedAt` in calendar.ts). Background resources are aggregated when cataloged and then at least once
// per update cycle, so they are timely at every month end; the planted cases shape their own
// histories (docs/decisions.md §5.3).

import { addDays, diffDays, lastAggregatedAt } from './calendar.ts';
import type { City, CitySystem } from './city.ts';
import { RESOURCE_TOPICS } from './names.ts';
import { Random } from './random.ts';
import { THRESHOLDS } from './expected.ts';
import type { Aggregation, CatalogRow, ShareType, UpdateCycle } from './types.ts';

const CYCLES: readonly UpdateCycle[] = ['realtime', 'daily', 'weekly', 'monthly', 'quarterly', 'yearly'];
/** Days between two aggregations of a punctual resource: less than its timeliness window. */
const PERIOD: Record<UpdateCycle, number> = { realtime: 1, daily: 1, weekly: 7, monthly: 30, quarterly: 90, yearly: 360 };

export function resourceId(systemId: string, n: number): string {
  // YC-GA-003 → DR-GA003-01
  const [, code, num] = systemId.split('-');
  return `DR-${code}${num}-${String(n).padStart(2, '0')}`;
}

const minDate = (a: string, b: string): string => (a < b ? a : b);
const maxDate = (a: string, b: string): string => (a > b ? a : b);

/** The catalog rows of every system, sorted by system and resource. */
export function buildCatalog(city: City): CatalogRow[] {
  const { ctx } = city;
  const root = new Random(city.seed);
  const out: CatalogRow[] = [];
  for (const s of city.systems) {
    const plan = s.catalog;
    if (plan.kind === 'nothing') continue;
    const r = root.fork(`catalog:${s.row.system_id}`);
    const anchor = s.row.initial_acceptance_date ?? s.row.go_live_date;
    if (!anchor) continue;
    const topics = r.shuffle(RESOURCE_TOPICS);
    const make = (i: number, share: ShareType, cycle: UpdateCycle, cataloged: string, plan: Aggregation): CatalogRow => {
      // a resource that is not shared is not aggregated either
      const aggregation: Aggregation = share === 'none' ? { kind: 'never' } : plan;
      return {
        system_id: s.row.system_id,
        resource_id: resourceId(s.row.system_id, i + 1),
        resource_name: `${s.stem}${topics[i % topics.length]}`,
        share_type: share,
        update_cycle: cycle,
        cataloged_date: cataloged,
        last_aggregated_date: lastAggregatedAt(aggregation, ctx.mEnd),
        duplicate_of: null,
        aggregation,
      };
    };
    // aggregated when cataloged, then once per update cycle: timely at every month end
    const punctual = (cataloged: string, cycle: UpdateCycle): Aggregation => ({
      kind: 'every',
      first: cataloged,
      days: PERIOD[cycle],
      until: null,
    });
    const c0 = addDays(anchor, r.int(1, 7));
    const later = (): string => maxDate(c0, minDate(addDays(c0, r.int(0, 300)), addDays(ctx.mEnd, -3)));
    const shareType = (): ShareType => r.pick(['unconditional', 'unconditional', 'conditional']);
    const cycle = (): UpdateCycle => r.pick(['daily', 'weekly', 'monthly', 'monthly', 'quarterly', 'yearly', 'yearly']);
    const rows: CatalogRow[] = [];
    switch (plan.kind) {
      case 'normal': {
        const n = r.int(4, 9);
        for (let i = 0; i < n; i++) {
          const cataloged = i === 0 ? c0 : later();
          if (i > 0 && r.chance(0.15)) rows.push(make(i, 'none', r.pick(CYCLES), cataloged, { kind: 'never' }));
          else {
            const c = cycle();
            rows.push(make(i, shareType(), c, cataloged, punctual(cataloged, c)));
          }
        }
        break;
      }
      case 'low_completeness': {
        // 4 yearly resources aggregated on 20 December of every year, 6 monthly ones never
        const decembers = (from: string) => {
          const out: string[] = [];
          for (let y = Number(from.slice(0, 4)); `${y}-12-20` <= ctx.mEnd; y++) if (`${y}-12-20` >= from) out.push(`${y}-12-20`);
          return out;
        };
        for (let i = 0; i < 10; i++) {
          const cataloged = i === 0 ? c0 : later();
          rows.push(
            make(
              i,
              shareType(),
              i < 4 ? 'yearly' : 'monthly',
              cataloged,
              i < 4 ? { kind: 'dates', dates: decembers(cataloged) } : { kind: 'never' },
            ),
          );
        }
        break;
      }
      case 'cycles':
        // every `window` days, the last one exactly `window` (+ lateBy) days before the end month's end
        CYCLES.forEach((c, i) => {
          const w = THRESHOLDS.sharing.windows[c];
          const last = addDays(ctx.mEnd, -(w + plan.lateBy));
          const first = addDays(last, -Math.floor(diffDays(c0, last) / w) * w);
          rows.push(make(i, shareType(), c, c0, { kind: 'every', first, days: w, until: last }));
        });
        break;
      case 'duplicate':
        for (let i = 0; i < 5; i++) {
          const cataloged = i === 0 ? c0 : later();
          rows.push(make(i, shareType(), 'yearly', cataloged, punctual(cataloged, 'yearly')));
        }
        break;
      case 'deadline': {
        const due = ctx.nationalDay.deadline;
        const firstDate = plan.late ? addDays(due, 1) : due;
        for (let i = 0; i < 4; i++) {
          const cataloged = i === 0 ? firstDate : addDays(firstDate, r.int(0, 20));
          rows.push(make(i, shareType(), 'yearly', cataloged, punctual(cataloged, 'yearly')));
        }
        break;
      }
      case 'not_shareable':
        for (let i = 0; i < 3; i++) rows.push(make(i, 'none', r.pick(CYCLES), i === 0 ? c0 : later(), { kind: 'never' }));
        break;
    }
    out.push(...rows);
  }
  // The duplicate case re-collects a resource of another department.
  for (const s of city.systems.filter((x) => x.catalog.kind === 'duplicate')) {
    const other = out.find(
      (x) =>
        x.system_id !== s.row.system_id &&
        city.byId.get(x.system_id)!.row.department !== s.row.department &&
        city.byId.get(x.system_id)!.catalog.kind === 'normal',
    )!;
    const mine = out.filter((x) => x.system_id === s.row.system_id);
    mine[mine.length - 1].duplicate_of = other.resource_id;
    mine[mine.length - 1].resource_name = other.resource_name;
  }
  return out;
}

/** Systems whose catalog goes to the supplement file (a department's late submission). */
export function supplementSystems(city: City): CitySystem[] {
  const r = new Random(city.seed).fork('catalog-supplement');
  const cands = city.systems.filter((s) => !s.key && s.row.stage === 'operation' && s.catalog.kind === 'normal');
  return r.shuffle(cands).slice(0, 3);
}
