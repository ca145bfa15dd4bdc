// Formula injection (OWASP CSV injection, docs/outputs.md): a text cell of a CSV or XLSX that
// begins with = + - @ tab or CR gets a leading apostrophe, so a spreadsheet shows it as text.
// Numbers stay numbers. The same rule runs in SQL as gm_safe_text (migration 0001).

const INJECTION = /^[=+\-@\t\r]/;

/** Neutralise a text cell that a spreadsheet would read as a formula. */
export function safeText(s: string): string {
  return INJECTION.test(s) ? `'${s}` : s;
}
