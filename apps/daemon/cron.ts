// When a schedule fires, in Asia/Shanghai time (docs/operations.md §8): node-cron's own matching,
// tried only at the hours and minutes an expression names. Kept apart from the scheduler so that
// `govmon status` can say when each job runs next without loading the jobs themselves.

import cron from 'node-cron';

export const TIMEZONE = 'Asia/Shanghai';

/** The most recent time at or before `now` that `expr` matches (node-cron's own matching), within `days`. */
export function previousFire(expr: string, now: Date, days = 400): Date | null {
  return walkFires(expr, now, days, -1);
}

export function nextFire(expr: string, after: Date, days = 1500): Date | null {
  // the mirror of previousFire: only the minutes and hours the expression names are tried, day by
  // day (a yearly schedule is a few hundred tries, not a year of minutes); 1500 days reach a 29 February
  return walkFires(expr, after, days, 1);
}

/**
 * The first time `expr` fires, walking days from `from` (direction 1: after it; -1: at or before
 * it), trying only the hours and minutes the expression names. Asia/Shanghai is UTC+8 all year (no
 * daylight saving): local midnight is 16:00 UTC the day before.
 */
function walkFires(expr: string, from: Date, days: number, direction: 1 | -1): Date | null {
  const task = cron.createTask(expr, () => undefined, { timezone: TIMEZONE });
  try {
    const fields = cron.parse(expr);
    const order = (xs: Iterable<number>) => [...xs].sort((a, b) => direction * (a - b));
    const minutes = order(fields.minute);
    const hours = order(fields.hour);
    const second = fields.second[0] ?? 0;
    const local = new Date(from.getTime() + 8 * 3600_000);
    for (let d = 0; d <= days; d++) {
      const day = new Date(Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate() + direction * d));
      for (const h of hours)
        for (const m of minutes) {
          const t = new Date(day.getTime() + (h * 60 + m) * 60_000 + second * 1000 - 8 * 3600_000);
          if (direction === 1 ? t.getTime() <= from.getTime() : t.getTime() > from.getTime()) continue;
          if (task.match(t)) return t;
        }
    }
    return null;
  } finally {
    void task.destroy();
  }
}
