// Small collection helpers shared by every floor (no I/O).

/**
 * Rows grouped by a key, groups in the order their first row appears, rows in input order. Linear:
 * each row is pushed onto its group's list (copying the list per row made the 20,000-system
 * calendar of about 90,000 rows cost most of a minute; docs/performance.md).
 */
export function groupBy<T>(rows: Iterable<T>, key: (r: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const r of rows) {
    const k = key(r);
    const list = m.get(k);
    if (list) list.push(r);
    else m.set(k, [r]);
  }
  return m;
}
