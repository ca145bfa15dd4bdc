// The 合规日历 pages (docs/decisions.md §5.6, last paragraph): what needs action first — overdue and due
// within 90 days of the month end — by department, on pages of at most PAGE_ROWS rows; then what
// is due later and what was completed within the last year; what was completed more than a year
// ago only in the export. A hand-made calendar of 2026-11 (month end 2026-11-30, 90 days → 2027-02-28,
// a year before → 2025-11-30) with every group on both sides of its boundary.

import { describe, expect, it } from 'vitest';
import { ACTION_DAYS, PAGE_ROWS, calendarFile, calendarGroup, calendarPages } from '../dashboards/site/pages/calendar.ts';
import type { SiteContext } from '../dashboards/site/context.ts';
import type { CalendarRow } from '../dashboards/site/data.ts';

const END = '2026-11-30';
const YEAR_AGO = '2025-11-30';

let seq = 0;
function row(department: string, status: CalendarRow['status'], due: string | null, done: string | null = null): CalendarRow {
  seq++;
  return {
    system_id: `YC-T-${String(seq).padStart(3, '0')}`,
    system_name: `系统${seq}`,
    department,
    obligation: `annual_report:2025`,
    window_start: '2025-01-01',
    due_date: due,
    done_date: done,
    status,
    note: null,
    citations: [],
  };
}

function context(calendar: CalendarRow[]): SiteContext {
  return {
    data: { month: '2026-11', calendar } as unknown as SiteContext['data'],
    meta: { month: '2026-11', runId: 7, profileName: 'default', profileSha256: 'x'.repeat(64), builtAt: '2026-12-07T12:00:00Z' },
    downloads: { calendar: 'downloads/calendar-2026-11.xlsx' },
  } as unknown as SiteContext;
}

/** The system ids of the calendar rows on a page, in page order. */
const idsOn = (body: string) => [...body.matchAll(/<td class="nw" data-v="(YC-T-\d+)">/g)].map((m) => m[1]);

describe('calendarGroup(row, monthEnd, yearAgo)', () => {
  it('puts overdue and due by 2027-02-28 first, later ones and recent completions after, older completions in the export only', () => {
    expect(ACTION_DAYS).toBe(90);
    const g = (r: CalendarRow) => calendarGroup(r, END, YEAR_AGO);
    expect(g(row('甲', 'overdue', '2019-06-30'))).toBe('overdue');
    expect(g(row('甲', 'due', '2027-02-28'))).toBe('soon');
    expect(g(row('甲', 'due', '2027-03-01'))).toBe('later');
    expect(g(row('甲', 'due', null))).toBe('later');
    expect(g(row('甲', 'done', '2026-03-31', '2025-12-01'))).toBe('recent');
    expect(g(row('甲', 'done', '2025-03-31', '2025-11-30'))).toBe('old');
  });
});

describe('calendarPages(ctx)', () => {
  // 3 departments: 乙 with 70 overdue items (more than a page), 甲 and 丙 with a few
  const rows = [
    ...Array.from({ length: 70 }, (_, i) => row('乙局', 'overdue', `2026-0${1 + (i % 9)}-15`)),
    row('甲局', 'due', '2027-01-10'),
    row('甲局', 'overdue', '2026-10-01'),
    row('丙局', 'due', '2027-02-28'),
    ...Array.from({ length: 130 }, (_, i) => row(['甲局', '乙局', '丙局'][i % 3], 'due', '2027-03-31')),
    ...Array.from({ length: 40 }, () => row('丙局', 'done', '2026-03-31', '2026-02-01')),
    ...Array.from({ length: 500 }, () => row('甲局', 'done', '2024-03-31', '2024-01-20')),
  ];
  const pages = calendarPages(context(rows));
  const action = new Set(
    rows.filter((r) => r.status === 'overdue' || (r.status === 'due' && r.due_date! <= '2027-02-28')).map((r) => r.system_id),
  );
  const old = new Set(rows.filter((r) => r.status === 'done' && r.done_date! <= YEAR_AGO).map((r) => r.system_id));

  it('shows no more than PAGE_ROWS obligations on a page, the first page holding only what needs action', () => {
    expect(PAGE_ROWS).toBe(60);
    for (const p of pages) expect(idsOn(p.body.value).length, p.file).toBeLessThanOrEqual(PAGE_ROWS);
    const first = idsOn(pages[0].body.value);
    expect(first.length).toBeGreaterThan(0);
    for (const id of first) expect(action.has(id), id).toBe(true);
  });

  it('lists every obligation that needs action before any other, by department in name order, overdue first in each', () => {
    const all = pages.flatMap((p) => idsOn(p.body.value));
    const firstOther = all.findIndex((id) => !action.has(id));
    expect(all.slice(0, firstOther).sort()).toEqual([...action].sort());
    expect(all.slice(firstOther).every((id) => !action.has(id))).toBe(true);
    // 丙局, 甲局, 乙局 in zh-CN order (bǐng, jiǎ, yǐ); within 甲局 the overdue item first
    const dept = new Map(rows.map((r) => [r.system_id, r.department]));
    const order = [...new Set(all.slice(0, firstOther).map((id) => dept.get(id)))];
    expect(order).toEqual(['丙局', '甲局', '乙局']);
    const jia = all.slice(0, firstOther).filter((id) => dept.get(id) === '甲局');
    expect(rows.find((r) => r.system_id === jia[0])!.status).toBe('overdue');
  });

  it('keeps what was completed more than a year ago off every page, and everything else on exactly one', () => {
    const all = pages.flatMap((p) => idsOn(p.body.value));
    expect(new Set(all).size).toBe(all.length);
    expect(all.filter((id) => old.has(id))).toEqual([]);
    expect(all.length).toBe(rows.length - old.size);
    expect(pages[0].body.value).toContain(`一年前已完成的 ${old.size} 项只在导出文件中`);
    expect(pages[0].body.value).toContain('href="downloads/calendar-2026-11.xlsx"');
  });

  it('runs a department longer than a page on to the next one, and links every page from every page', () => {
    expect(pages.map((p) => p.file)).toEqual(pages.map((_, i) => calendarFile(i + 1)));
    expect(pages[0].file).toBe('calendar.html');
    expect(pages.map((p) => p.body.value).some((b) => b.includes('<h2>乙局（续）</h2>'))).toBe(true);
    for (const p of pages)
      for (let n = 1; n <= pages.length; n++) if (calendarFile(n) !== p.file) expect(p.body.value).toContain(`href="${calendarFile(n)}"`);
  });

  it('opens with the counts per department of what needs action, each linked to its page', () => {
    const first = pages[0].body.value;
    expect(first).toMatch(/data-kpi="overdue" data-value="71"/);
    expect(first).toMatch(/data-kpi="soon" data-value="2"/);
    expect(first).toMatch(/data-kpi="old" data-value="500"/);
    expect(first).toContain('<h2>各建设单位需要处理的事项</h2>');
  });
});
