// Text that came from an input file, made fit to quote in a message for a person (the terminal, the
// daemon's log, a `.report.txt`, a stored reason): control characters removed (an ESC byte in a
// file must not recolour or move a terminal's cursor), long values shortened, and a header that is
// not text at all (a binary file, a wrong encoding) named by its size instead of echoed byte by
// byte. Every message that quotes input goes through here (docs/operations.md §8).

// C0 controls except tab, DEL, C1 controls, and the Unicode format characters that reorder or hide
// text (bidi overrides and isolates, zero-width joiners, the BOM, line/paragraph separators).
const CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g;
/** Signs that bytes were decoded as something they are not: the replacement character, private-use
 *  characters (what GBK decoding makes of random bytes), and control characters other than tab. */
const UNDECODED = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\ufffd\ue000-\uf8ff]/;

/** Default length of a quoted value, in characters. */
export const QUOTE_MAX = 60;

/** `s` without control characters, a tab as a space, and shortened to `max` characters (…（共 N 字符）). */
export function cleanText(s: string, max = QUOTE_MAX): string {
  const t = s.replace(/\t/g, ' ').replace(CONTROL, '');
  const chars = [...t];
  return chars.length > max ? `${chars.slice(0, max).join('')}…（共 ${chars.length} 字符）` : t;
}

/** Does this text look like bytes decoded in the wrong way (not text a person wrote)? */
export function looksUndecoded(s: string): boolean {
  return UNDECODED.test(s);
}

/**
 * The header names of a file as a message shows them: at most `count` names, each cleaned, joined
 * with 、; or 「无法解码的表头（N 字节）」 when they are not text (N = the header line's size in the
 * file, given by the caller, else the names' UTF-8 size).
 */
export function describeHeaders(headers: readonly string[], headerBytes?: number, count = 12): string {
  const shown = headers.filter((h) => h !== '');
  if (shown.length === 0) return '（无）';
  if (shown.some(looksUndecoded)) {
    const n = headerBytes ?? Buffer.byteLength(headers.join(','), 'utf8');
    return `「无法解码的表头（${n} 字节）」`;
  }
  return shown
    .slice(0, count)
    .map((h) => cleanText(h, 40))
    .join('、');
}

/** A one-line detail from a library's error (which may quote the file's bytes), cleaned and shortened. */
export function cleanDetail(s: string, max = 200): string {
  const line = s.split(/\r\n|\r|\n/)[0] ?? '';
  return looksUndecoded(line) ? cleanText(line.replace(UNDECODED_ALL, ''), max) : cleanText(line, max);
}
const UNDECODED_ALL = new RegExp(UNDECODED.source, 'g');
