// 合规日历: every dated obligation of the profile per system with its due date and status on the
// month end (docs/decisions.md §5.6). What needs action comes first — overdue, and due within 90
// days of the month end — by department, on pages of a few dozen rows; then the obligations due
// later and those completed within the last year. What ended more than a year ago is only in the
// export (the XLSX download and `govmon export calendar`), so the first page stays short.

import { html, type Html } from '../html.ts';
import type { SiteContext } from '../context.ts';
import type { CalendarRow } from '../data.ts';
import { citations, download, kpis, printButton, section, table, type Column } from '../components.ts';
import { date, num } from '../format.ts';
import { label, monthZh, obligationLabel } from '../../../metrics/labels.ts';
import { addDays, addMonths, monthEnd } from '../../../core/clock.ts';
import { groupBy } from '../../../core/collections.ts';
import { PAGES, departmentPage, systemPage } from '../paths.ts';
import type { PageSpec } from '../layout.ts';

/** Due within this many days of the month end: needs action now (docs/decisions.md §5.6). */
export const ACTION_DAYS = 90;
/** Rows of obligations on one page of the calendar. */
export const PAGE_ROWS = 60;

export type CalendarGroup = 'overdue' | 'soon' | 'later' | 'recent' | 'old';

/** Where an obligation goes on the calendar of the month ending `monthEndDate`. */
export function calendarGroup(r: CalendarRow, monthEndDate: string, yearAgo: string): CalendarGroup {
  if (r.status === 'overdue') return 'overdue';
  if (r.status === 'due') return r.due_date !== null && r.due_date <= addDays(monthEndDate, ACTION_DAYS) ? 'soon' : 'later';
  return r.done_date !== null && r.done_date <= yearAgo ? 'old' : 'recent';
}

/** The calendar page of a page number: calendar.html, calendar-2.html, … */
export function calendarFile(n: number): string {
  return n === 1 ? PAGES.calendar.file : PAGES.calendar.file.replace(/\.html$/, `-${n}.html`);
}

interface Block {
  department: string;
  rows: CalendarRow[];
  /** the department's rows began on an earlier page */
  continued: boolean;
}

interface Page {
  kind: 'action' | 'other';
  blocks: Block[];
}

const byName = (a: string, b: string) => a.localeCompare(b, 'zh-CN');

/** Rows by department (departments in name order), each department's rows in the given order. */
function byDepartment(rows: readonly CalendarRow[]): [string, CalendarRow[]][] {
  return [...groupBy(rows, (r) => r.department).entries()].sort(([a], [b]) => byName(a, b));
}

/** Whole departments to a page while they fit; a department larger than a page runs on. */
function paginate(kind: Page['kind'], rows: readonly CalendarRow[]): Page[] {
  const pages: Page[] = [];
  let page: Page = { kind, blocks: [] };
  let n = 0;
  const close = () => {
    if (page.blocks.length) pages.push(page);
    page = { kind, blocks: [] };
    n = 0;
  };
  for (const [department, all] of byDepartment(rows)) {
    if (n > 0 && n + all.length > PAGE_ROWS) close();
    for (let i = 0; i < all.length; ) {
      const take = Math.min(PAGE_ROWS - n, all.length - i);
      page.blocks.push({ department, rows: all.slice(i, i + take), continued: i > 0 });
      n += take;
      i += take;
      if (n >= PAGE_ROWS && i < all.length) close();
    }
  }
  close();
  return pages;
}

const order = (a: CalendarRow, b: CalendarRow) =>
  (a.status === 'overdue' ? 0 : 1) - (b.status === 'overdue' ? 0 : 1) ||
  (a.due_date ?? '9999').localeCompare(b.due_date ?? '9999') ||
  byName(a.system_name, b.system_name) ||
  a.obligation.localeCompare(b.obligation);

function columns(): Column<CalendarRow>[] {
  return [
    { head: '系统编号', cell: (r) => r.system_id, sort: (r) => r.system_id },
    { head: '系统名称', cell: (r) => html`<a href="${systemPage(r.system_id)}">${r.system_name}</a>`, sort: (r) => r.system_name },
    { head: '事项', cell: (r) => obligationLabel(r.obligation), sort: (r) => r.obligation },
    { head: '起始日期', cell: (r) => date(r.window_start), sort: (r) => r.window_start ?? '' },
    { head: '截止日期', cell: (r) => date(r.due_date), sort: (r) => r.due_date ?? '' },
    { head: '完成日期', cell: (r) => date(r.done_date), sort: (r) => r.done_date ?? '' },
    {
      head: '状态',
      cell: (r) =>
        html`<span class="status k-${r.status}">${label('calendar_status', r.status)}</span>${r.note ? `（${label('calendar_note', r.note)}）` : ''}`,
      sort: (r) => r.status,
      nowrap: true,
    },
    { head: '依据', cell: (r) => citations(r.citations) },
  ];
}

/** Up to this many pages the pager lists them all; a longer calendar (a province) lists a window. */
export const PAGER_ALL = 15;

/**
 * The page links. A long calendar lists the first page, the first of 其他事项, the last and three
 * either side of this one, with 上一页 / 下一页: each page stays reachable by a chain of links
 * while a page does not carry a link to each of some 1,500 others (at 20,000 systems that list,
 * twice on every page, had been most of the site's size).
 */
function pager(pages: readonly Page[], current: number): Html {
  if (pages.length < 2) return html``;
  const firstOther = pages.findIndex((p) => p.kind === 'other');
  const shown = (n: number) =>
    pages.length <= PAGER_ALL || n === 1 || n === pages.length || n === firstOther + 1 || Math.abs(n - current) <= 3;
  const link = (p: Page, i: number) => {
    const n = i + 1;
    const what = p.kind === 'action' ? '需要处理' : '其他事项';
    // the first page opens with the counts even when nothing needs action (a department with nothing overdue): no blocks
    const title = p.blocks.length ? `${what}：${p.blocks[0].department} 至 ${p.blocks[p.blocks.length - 1].department}` : what;
    const sep = i === firstOther && i > 0 ? html`<span class="muted">｜ 其他事项：</span>` : '';
    return n === current
      ? html`${sep}<strong aria-current="page" title="${title}">${n}</strong> `
      : html`${sep}<a href="${calendarFile(n)}" title="${title}">${n}</a> `;
  };
  const items = pages.map((p, i) => {
    const n = i + 1;
    if (shown(n)) return link(p, i);
    return shown(n - 1) ? html`<span class="muted">…</span> ` : '';
  });
  const steps =
    pages.length > PAGER_ALL
      ? html`${current > 1 ? html`<a href="${calendarFile(current - 1)}" rel="prev">上一页</a> ` : ''}${items}${current < pages.length ? html`<a href="${calendarFile(current + 1)}" rel="next">下一页</a>` : ''}`
      : items;
  return html`<nav class="pager screen-only" aria-label="合规日历分页">${steps}</nav>`;
}

export function calendarPages(ctx: SiteContext): PageSpec[] {
  const month = ctx.data.month;
  const end = monthEnd(month);
  const yearAgo = monthEnd(addMonths(month, -12));
  const horizon = addDays(end, ACTION_DAYS);
  const groups = groupBy(ctx.data.calendar, (r): CalendarGroup => calendarGroup(r, end, yearAgo)) as Map<CalendarGroup, CalendarRow[]>;
  const n = (g: CalendarGroup) => groups.get(g)?.length ?? 0;
  const action = [...(groups.get('overdue') ?? []), ...(groups.get('soon') ?? [])].sort(order);
  const other = [...(groups.get('later') ?? []), ...(groups.get('recent') ?? [])].sort(order);
  const pages: Page[] = [...paginate('action', action), ...paginate('other', other)];
  if (!pages.length || pages[0].kind !== 'action') pages.unshift({ kind: 'action', blocks: [] });
  const pageOf = new Map<string, number>();
  pages.forEach((p, i) => {
    if (p.kind === 'action') for (const b of p.blocks) if (!pageOf.has(b.department)) pageOf.set(b.department, i + 1);
  });

  const summary = byDepartment(action).map(([department, rows]) => ({
    department,
    overdue: rows.filter((r) => r.status === 'overdue').length,
    soon: rows.filter((r) => r.status === 'due').length,
    page: pageOf.get(department) ?? 1,
  }));
  type Summary = (typeof summary)[number];
  const summaryCols: Column<Summary>[] = [
    { head: '建设单位', cell: (s) => html`<a href="${departmentPage(s.department)}">${s.department}</a>`, sort: (s) => s.department },
    {
      head: label('calendar_status', 'overdue'),
      cell: (s) => (s.overdue ? html`<span class="flag-text">${num(s.overdue)}</span>` : '0'),
      sort: (s) => s.overdue,
      num: true,
    },
    { head: `${ACTION_DAYS} 天内到期`, cell: (s) => num(s.soon), sort: (s) => s.soon, num: true },
    { head: '见', cell: (s) => html`<a href="${calendarFile(s.page)}#${anchor(s.department)}">第 ${s.page} 页</a>`, screenOnly: true },
  ];

  return pages.map((p, i) => {
    const no = i + 1;
    const head = html`<h1>${monthZh(month)}合规日历${pages.length > 1 ? `（第 ${no}/${pages.length} 页）` : ''}</h1>
<p>状态以 ${end}（${month} 月末）为准，期限按政策配置“${ctx.meta.profileName}”计算，见<a href="${PAGES.profile.file}">政策配置</a>。${
      p.kind === 'action'
        ? `先列需要处理的事项：已逾期的，以及 ${ACTION_DAYS} 天内（${horizon} 前）到期的，按建设单位排列。`
        : `以下为 ${horizon} 以后到期的事项，以及近一年内（${yearAgo} 以后）已完成的事项。`
    }一年前已完成的 ${num(n('old'))} 项只在导出文件中。</p>
${pager(pages, no)}
<p class="screen-only">${printButton()} ${download(ctx.downloads.calendar, '下载全部事项（XLSX）')}</p>`;
    const first =
      no === 1
        ? html`${kpis([
            {
              key: 'overdue',
              label: label('calendar_status', 'overdue'),
              value: num(n('overdue')),
              raw: n('overdue'),
              tone: n('overdue') ? 'bad' : 'ok',
            },
            { key: 'soon', label: `${ACTION_DAYS} 天内到期`, value: num(n('soon')), raw: n('soon'), tone: n('soon') ? 'warn' : undefined },
            { key: 'later', label: '以后到期', value: num(n('later')), raw: n('later') },
            { key: 'recent', label: '近一年已完成', value: num(n('recent')), raw: n('recent') },
            { key: 'old', label: '一年前已完成（见导出文件）', value: num(n('old')), raw: n('old') },
          ])}
${section('各建设单位需要处理的事项', table('calendar-departments', summaryCols, summary, { className: 'totals', empty: `没有已逾期或 ${ACTION_DAYS} 天内到期的事项。` }))}`
        : '';
    const blocks = p.blocks.map((b) =>
      section(
        `${b.department}${b.continued ? '（续）' : ''}`,
        html`<p class="muted">${p.kind === 'action' ? `${label('calendar_status', 'overdue')} ${b.rows.filter((r) => r.status === 'overdue').length} 项，${ACTION_DAYS} 天内到期 ${b.rows.filter((r) => r.status === 'due').length} 项` : `${b.rows.length} 项`}</p>
${table(`calendar-${i + 1}-${anchor(b.department)}`, columns(), b.rows, { className: 'calendar' })}`,
        b.continued ? undefined : anchor(b.department),
      ),
    );
    return {
      file: calendarFile(no),
      title: pages.length > 1 ? `合规日历（第 ${no} 页）` : '合规日历',
      active: 'calendar',
      body: html`${head}
${first}
${blocks}
${pager(pages, no)}`,
    };
  });
}

/** An id for a department's section: its page's hash (paths.ts), nothing from input in it. */
function anchor(department: string): string {
  return `d${departmentPage(department).replace(/^departments\/|\.html$/g, '')}`;
}
