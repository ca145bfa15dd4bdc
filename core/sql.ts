// Tiny helpers for the few places where a name or a literal must be written into SQL text
// (DDL, table-function arguments). Values in queries are bound as parameters instead.

/** A string literal: single quotes doubled, NUL bytes refused. */
export function sqlString(s: string): string {
  if (s.includes('\u0000')) throw new Error('NUL byte in SQL string');
  return `'${s.replace(/'/g, "''")}'`;
}

/** A quoted identifier. */
export function ident(s: string): string {
  if (s.includes('\u0000')) throw new Error('NUL byte in identifier');
  return `"${s.replace(/"/g, '""')}"`;
}

/** A list literal of strings: ['a', 'b']. */
export function sqlStringList(xs: readonly string[]): string {
  return `[${xs.map(sqlString).join(', ')}]`;
}
