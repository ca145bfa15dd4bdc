// The official working-day calendar (holidays and make-up working days) as a DuckDB table, for the
// deadlines counted in working days (Shaoxing 第三十条: catalog within 10 working days after initial
// acceptance). Data from the `chinese-days` package; a year it does not cover falls back to
// Monday–Friday, and the caller is told which years did.

import chineseDays from 'chinese-days';
import { addDays } from '../../core/clock.ts';
import type { Store } from '../store/database.ts';

// chinese-days is CommonJS: its named exports reach ESM only through the default object.
const { getHolidaysInRange, isWorkday } = chineseDays;

/** Whether the package has the official calendar of a year (every covered year has holidays listed). */
export function calendarCovers(year: number): boolean {
  return getHolidaysInRange(`${year}-01-01`, `${year}-12-31`, false).length > 0;
}

export function isOfficialWorkday(date: string, covered: boolean): boolean {
  if (covered) return isWorkday(date);
  const dow = new Date(`${date}T00:00:00Z`).getUTCDay();
  return dow >= 1 && dow <= 5;
}

/**
 * The n-th working day after `date` (counting starts the next day; the n-th working day is the
 * deadline, still on time). Pure: used by tests and the calendar check.
 */
export function workdaysAfter(date: string, n: number): { due: string; fallbackYears: number[] } {
  const fallback = new Set<number>();
  let d = date;
  let k = 0;
  while (k < n) {
    d = addDays(d, 1);
    const y = Number(d.slice(0, 4));
    const covered = calendarCovers(y);
    if (!covered) fallback.add(y);
    if (isOfficialWorkday(d, covered)) k++;
  }
  return { due: d, fallbackYears: [...fallback] };
}

/**
 * Build temp table work_calendar(date, workday, covered, wd_ord) for [fromYear, toYear]:
 * wd_ord counts the working days up to and including `date`, so the n-th working day after d is
 * the working day whose wd_ord = wd_ord(d) + n. Returns the years that fell back to Mon–Fri.
 */
export async function buildWorkCalendar(store: Store, fromYear: number, toYear: number): Promise<number[]> {
  const fallback: number[] = [];
  const rows: string[] = [];
  for (let y = fromYear; y <= toYear; y++) {
    const covered = calendarCovers(y);
    if (!covered) fallback.push(y);
    for (let d = `${y}-01-01`; d.startsWith(String(y)); d = addDays(d, 1))
      rows.push(`('${d}', ${isOfficialWorkday(d, covered)}, ${covered})`);
  }
  await store.run('CREATE OR REPLACE TEMP TABLE work_calendar_days (date DATE, workday BOOLEAN, covered BOOLEAN)');
  for (let i = 0; i < rows.length; i += 2000) await store.run(`INSERT INTO work_calendar_days VALUES ${rows.slice(i, i + 2000).join(',')}`);
  await store.run(`CREATE OR REPLACE TEMP TABLE work_calendar AS
    SELECT date, workday, covered, sum(CASE WHEN workday THEN 1 ELSE 0 END) OVER (ORDER BY date) AS wd_ord
    FROM work_calendar_days`);
  await store.run('DROP TABLE work_calendar_days');
  return fallback;
}
