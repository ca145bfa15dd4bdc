// Data-resource catalog rows (数据资源目录与归集) of the sample city, the truth that ends up stored.
// Because the catalog is a snapshot (each resource has only its latest aggregation date), a
// resource aggregated after the end of year Y counts as "not aggregated" at the end of Y (docs/decisions.md
// §5.3 taken literally). Background systems therefore mostly hold yearly resources aggregated in
// late December of Y, which are timely both at the end of Y and at the end of m (m is at most 11
// months after Y); at most one daily resource among six or more keeps them above 80 % at the end of Y.

import { addDays } from './calendar.ts';
import type { City, CitySystem } from './city.ts';
import { RESOURCE_TOPICS } from './names.ts';
import { Random } from './random.ts';
import { THRESHOLDS } from './expected.ts';
import type { CatalogRow, ShareType, UpdateCycle } from './types.ts';

const CYCLES: readonly UpdateCycle[] = ['realtime', 'daily', 'weekly', 'monthly', 'quarterly', 'yearly'];

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
  const yEndMinus = (d: number) => addDays(ctx.yEnd, -d);
  for (const s of city.systems) {
    const plan = s.catalog;
    if (plan.kind === 'nothing') continue;
    const r = root.fork(`catalog:${s.row.system_id}`);
    const anchor = s.row.initial_acceptance_date ?? s.row.go_live_date;
    if (!anchor) continue;
    const topics = r.shuffle(RESOURCE_TOPICS);
    const make = (i: number, share: ShareType, cycle: UpdateCycle, cataloged: string, last: string | null): CatalogRow => ({
      system_id: s.row.system_id,
      resource_id: resourceId(s.row.system_id, i + 1),
      resource_name: `${s.stem}${topics[i % topics.length]}`,
      share_type: share,
      update_cycle: cycle,
      cataloged_date: cataloged,
      last_aggregated_date: last,
      duplicate_of: null,
    });
    const c0 = addDays(anchor, r.int(1, 7));
    const later = (): string => {
      const cap = c0 <= `${ctx.Y}-11-30` ? `${ctx.Y}-11-30` : addDays(ctx.mEnd, -3);
      return maxDate(c0, minDate(addDays(c0, r.int(0, 300)), cap));
    };
    const lateDecember = () => yEndMinus(r.int(3, 16));
    const shareType = (): ShareType => r.pick(['unconditional', 'unconditional', 'conditional']);
    const rows: CatalogRow[] = [];
    switch (plan.kind) {
      case 'normal': {
        const n = r.int(4, 9);
        let daily: CatalogRow | undefined;
        for (let i = 0; i < n; i++) {
          const cataloged = i === 0 ? c0 : later();
          if (i > 0 && r.chance(0.15)) {
            rows.push(make(i, 'none', r.pick(CYCLES), cataloged, null));
            continue;
          }
          if (cataloged > ctx.yEnd) {
            // cataloged after Y: a monthly resource aggregated in the last weeks of m
            rows.push(make(i, shareType(), 'monthly', cataloged, maxDate(cataloged, addDays(ctx.mEnd, -r.int(0, 20)))));
          } else if (!daily && i >= 5) {
            daily = make(i, shareType(), 'daily', cataloged, addDays(ctx.mEnd, -1));
            rows.push(daily);
          } else rows.push(make(i, shareType(), 'yearly', cataloged, maxDate(cataloged, lateDecember())));
        }
        // at most one daily resource, and only among at least six shareable ones cataloged by the end of Y
        if (daily && rows.filter((x) => x.share_type !== 'none' && x.cataloged_date <= ctx.yEnd).length < 6) {
          daily.update_cycle = 'yearly';
          daily.last_aggregated_date = maxDate(daily.cataloged_date, lateDecember());
        }
        break;
      }
      case 'low_completeness':
        for (let i = 0; i < 10; i++)
          rows.push(make(i, shareType(), i < 4 ? 'yearly' : 'monthly', i === 0 ? c0 : later(), i < 4 ? `${ctx.Y}-12-20` : null));
        break;
      case 'cycles':
        CYCLES.forEach((cycle, i) => {
          rows.push(make(i, shareType(), cycle, c0, addDays(ctx.mEnd, -(THRESHOLDS.sharing.windows[cycle] + plan.lateBy))));
        });
        break;
      case 'duplicate':
        for (let i = 0; i < 5; i++) rows.push(make(i, shareType(), 'yearly', i === 0 ? c0 : later(), lateDecember()));
        break;
      case 'deadline': {
        const due = ctx.nationalDay.deadline;
        const firstDate = plan.late ? addDays(due, 1) : due;
        for (let i = 0; i < 4; i++)
          rows.push(make(i, shareType(), 'yearly', i === 0 ? firstDate : addDays(firstDate, r.int(0, 20)), lateDecember()));
        break;
      }
      case 'not_shareable':
        for (let i = 0; i < 3; i++) rows.push(make(i, 'none', r.pick(CYCLES), i === 0 ? c0 : later(), null));
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
