// Dates of the sample city: months, month ends, day arithmetic and the official Chinese
// working-day calendar (holidays and make-up working days, from the chinese-days package).
// Kept separate from core/clock.ts on purpose: the generator computes its expected outcomes
// on a path of its own, so a date bug in govmon cannot hide behind the same bug here.

import chineseDays from 'chinese-days';
import type { Aggregation } from './types.ts';

/** 'YYYY-MM' → [year, month 1–12] */
function ym(month: string): [number, number] {
  if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(month)) throw new Error(`invalid month ${month}`);
  return [Number(month.slice(0, 4)), Number(month.slice(5, 7))];
}

export function addMonths(month: string, n: number): string {
  const [y, m] = ym(month);
  const i = y * 12 + (m - 1) + n;
  return `${String(Math.floor(i / 12)).padStart(4, '0')}-${String((i % 12) + 1).padStart(2, '0')}`;
}

export function daysInMonth(month: string): number {
  const [y, m] = ym(month);
  return new Date(Date.UTC(y, m, 0)).getUTCDate();
}

export function monthEnd(month: string): string {
  return `${month}-${String(daysInMonth(month)).padStart(2, '0')}`;
}

export function dayOf(month: string, day: number): string {
  return `${month}-${String(day).padStart(2, '0')}`;
}

/** inclusive list of months */
export function monthRange(from: string, to: string): string[] {
  const out: string[] = [];
  for (let m = from; m <= to; m = addMonths(m, 1)) out.push(m);
  return out;
}

/** months from a to b (b − a), e.g. monthDiff('2025-01', '2025-03') = 2 */
export function monthDiff(a: string, b: string): number {
  const [ya, ma] = ym(a);
  const [yb, mb] = ym(b);
  return yb * 12 + mb - (ya * 12 + ma);
}

function toUtc(date: string): number {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) throw new Error(`invalid date ${date}`);
  return Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10)));
}

export function addDays(date: string, n: number): string {
  return new Date(toUtc(date) + n * 86_400_000).toISOString().slice(0, 10);
}

/** A date n calendar months later, the day clamped to the month's last (2019-01-31 + 1 → 2019-02-28), as SQL date arithmetic does. */
export function addMonthsToDate(date: string, n: number): string {
  const month = addMonths(date.slice(0, 7), n);
  return dayOf(month, Math.min(Number(date.slice(8, 10)), daysInMonth(month)));
}

/** b − a in days */
export function diffDays(a: string, b: string): number {
  return Math.round((toUtc(b) - toUtc(a)) / 86_400_000);
}

/** 0 = Sunday … 6 = Saturday */
export function weekday(date: string): number {
  return new Date(toUtc(date)).getUTCDay();
}

export function monthOf(date: string): string {
  return date.slice(0, 7);
}

/** 'YYYY/MM/DD', as many spreadsheets export dates */
export function slashDate(date: string): string {
  return date.replace(/-/g, '/');
}

const covered = new Map<number, boolean>();

/** Does the official calendar (chinese-days) know the holidays of this year? */
export function calendarCovers(year: number): boolean {
  let c = covered.get(year);
  if (c === undefined) {
    c = chineseDays.getHolidaysInRange(`${year}-01-01`, `${year}-12-31`, false).length > 0;
    covered.set(year, c);
  }
  return c;
}

/**
 * A working day on the official calendar (holidays off, make-up working days on); for a year the
 * calendar does not cover, Monday to Friday (docs/decisions.md §5.3 fallback).
 */
export function isWorkingDay(date: string): boolean {
  if (calendarCovers(Number(date.slice(0, 4)))) return chineseDays.isWorkday(date);
  const d = weekday(date);
  return d !== 0 && d !== 6;
}

/** The n-th working day after `date` (counting starts the next day). */
export function nthWorkingDayAfter(date: string, n: number): string {
  let d = date;
  let k = 0;
  while (k < n) {
    d = addDays(d, 1);
    if (isWorkingDay(d)) k++;
  }
  return d;
}

/** The n-th Monday–Friday after `date`, ignoring holidays: what a naive count would give. */
export function nthWeekdayAfter(date: string, n: number): string {
  let d = date;
  let k = 0;
  while (k < n) {
    d = addDays(d, 1);
    const w = weekday(d);
    if (w !== 0 && w !== 6) k++;
  }
  return d;
}

/** The last aggregation of a catalog resource on or before `date`, or null (never, or not yet). */
export function lastAggregatedAt(a: Aggregation, date: string): string | null {
  switch (a.kind) {
    case 'never':
      return null;
    case 'every': {
      const end = a.until !== null && a.until < date ? a.until : date;
      if (end < a.first) return null;
      return addDays(a.first, Math.floor(diffDays(a.first, end) / a.days) * a.days);
    }
    case 'dates': {
      let last: string | null = null;
      for (const d of a.dates) if (d <= date) last = d;
      return last;
    }
  }
}
