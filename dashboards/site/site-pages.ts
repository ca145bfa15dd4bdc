// The pages of a site, by what names them: the fixed pages by their key (paths.ts PAGES), one page
// per department and one per system. The static build writes them all (build.ts); the portal
// renders the one a request names, from a context built of what its user may see — the same
// page code either way (docs/outputs.md §7.3, §7.5).

import type { SiteContext } from './context.ts';
import type { PageSpec } from './layout.ts';
import type { PageKey } from './paths.ts';
import { overviewPage } from './pages/overview.ts';
import { rectificationPage } from './pages/rectification.ts';
import { eliminationPage } from './pages/elimination.ts';
import { sharingPage } from './pages/sharing.ts';
import { annualPage } from './pages/annual.ts';
import { calendarPages } from './pages/calendar.ts';
import { costSharePage } from './pages/costshare.ts';
import { definitionsPage } from './pages/definitions.ts';
import { profilePage } from './pages/profile.ts';
import { departmentsIndexPage, systemsIndexPage } from './pages/indexes.ts';

export { departmentDetailPage } from './pages/department.ts';
export { systemDetailPage } from './pages/system.ts';

/** Every fixed page, in the navigation's order; a page long enough to be paged (the calendar) is several files. */
export const FIXED_PAGES: Record<PageKey, (ctx: SiteContext) => PageSpec | PageSpec[]> = {
  overview: overviewPage,
  rectification: rectificationPage,
  elimination: eliminationPage,
  sharing: sharingPage,
  annual: annualPage,
  calendar: calendarPages,
  costshare: costSharePage,
  departments: departmentsIndexPage,
  systems: systemsIndexPage,
  definitions: definitionsPage,
  profile: profilePage,
};

/** The files of a fixed page: one, or (paged) the first at PAGES[key].file and the rest after it. */
export function fixedPages(key: PageKey, ctx: SiteContext): PageSpec[] {
  const p = FIXED_PAGES[key](ctx);
  return Array.isArray(p) ? p : [p];
}
