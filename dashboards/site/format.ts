// Numbers, dates and money as a page shows them. Values are stored unrounded; rounding happens
// here, for display only (scores to one decimal, docs/decisions.md §5.4).

const grouped = new Map<number, Intl.NumberFormat>();

function nf(digits: number): Intl.NumberFormat {
  let f = grouped.get(digits);
  if (!f) {
    f = new Intl.NumberFormat('zh-CN', { minimumFractionDigits: digits, maximumFractionDigits: digits });
    grouped.set(digits, f);
  }
  return f;
}

/** A number with `digits` decimals and grouping; '—' for null. */
export function num(v: unknown, digits = 0): string {
  if (v === null || v === undefined || v === '') return '—';
  const n = typeof v === 'number' ? v : Number(v);
  if (!Number.isFinite(n)) return '—';
  return nf(digits).format(n);
}

export function pct(v: unknown, digits = 1): string {
  const s = num(v, digits);
  return s === '—' ? s : `${s}%`;
}

/** Yuan, whole: '48,000 元' */
export function yuan(v: unknown): string {
  const s = num(v, 0);
  return s === '—' ? s : `${s} 元`;
}

/** A score, one decimal (docs/decisions.md §5.4). */
export function score(v: unknown): string {
  return num(v, 1);
}

/** 'YYYY-MM-DD' from a date or timestamp text; '—' for null. */
export function date(v: unknown): string {
  if (v === null || v === undefined || v === '') return '—';
  return String(v).slice(0, 10);
}

/** 'YYYY-MM' from a date text. */
export function month(v: unknown): string {
  if (v === null || v === undefined || v === '') return '—';
  return String(v).slice(0, 7);
}

/** A sortable value for a table cell: the raw number, or '' for null. */
export function sortKey(v: unknown): string {
  return v === null || v === undefined ? '' : String(v);
}

/** Bytes as a person reads them. */
export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}
