// Dates and months in Asia/Shanghai. "Now" is always passed in, so every deadline rule can be
// tested against a fixed date. The wall clock — when an ingest or a run actually happened, which
// is recorded and shown but decides nothing — is a separate effect (`Clock`), also passed in.

/** The wall clock: the real time of an event, for the record (run start, ingest, site build). */
export type Clock = () => Date;
export const systemClock: Clock = () => new Date();

const SHANGHAI = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Asia/Shanghai',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

/** Today's date (YYYY-MM-DD) in Asia/Shanghai. */
export function shanghaiDate(now: Date): string {
  return SHANGHAI.format(now);
}

/** 'YYYY-MM' → first day 'YYYY-MM-01'. */
export function monthStart(month: string): string {
  assertMonth(month);
  return `${month}-01`;
}

export function daysInMonth(month: string): number {
  const [y, m] = month.split('-').map(Number);
  return new Date(Date.UTC(y, m, 0)).getUTCDate();
}

/** 'YYYY-MM' → last day 'YYYY-MM-DD'. */
export function monthEnd(month: string): string {
  return `${month}-${String(daysInMonth(month)).padStart(2, '0')}`;
}

export function addMonths(month: string, n: number): string {
  const [y, m] = month.split('-').map(Number);
  const idx = y * 12 + (m - 1) + n;
  return `${Math.floor(idx / 12)}-${String((idx % 12) + 1).padStart(2, '0')}`;
}

/** The last complete month before `now` (Asia/Shanghai). */
export function lastFullMonth(now: Date): string {
  return addMonths(shanghaiDate(now).slice(0, 7), -1);
}

export function monthsBetween(from: string, to: string): string[] {
  const out: string[] = [];
  for (let m = from; m <= to; m = addMonths(m, 1)) out.push(m);
  return out;
}

export function isMonth(s: string): boolean {
  return /^\d{4}-(0[1-9]|1[0-2])$/.test(s);
}

export function assertMonth(s: string): void {
  if (!isMonth(s)) throw new Error(`invalid month: ${s}`);
}

export function addDays(date: string, n: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

/** A timestamp as Asia/Shanghai local time (Beijing time, UTC+8 all year), 'YYYY-MM-DD HH:MM' (seconds with `seconds`). */
export function formatLocal(t: Date | string, seconds = false): string {
  const d = typeof t === 'string' ? new Date(t) : t;
  return new Date(d.getTime() + 8 * 3600_000)
    .toISOString()
    .slice(0, seconds ? 19 : 16)
    .replace('T', ' ');
}
