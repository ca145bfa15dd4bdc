// Text encodings of CSV files as bureaus receive them: UTF-8, UTF-8 with BOM, GBK/GB18030 (Excel
// on Chinese Windows), and UTF-16 (Excel's "Unicode text"). Detected from the bytes, never asked.
// Anything not UTF-8 is transcoded to a UTF-8 temporary file so DuckDB's reader can take it.

import fs from 'node:fs';
import { isUtf8 } from 'node:buffer';
import { pipeline } from 'node:stream/promises';
import chardet from 'chardet';
import iconv from 'iconv-lite';

export type TextEncoding = 'utf-8' | 'utf-8-bom' | 'gb18030' | 'utf-16le' | 'utf-16be';

const SAMPLE = 256 * 1024;

/** Detect the encoding from the first bytes of a file. */
export function detectEncoding(head: Buffer): TextEncoding {
  if (head.length >= 3 && head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return 'utf-8-bom';
  if (head.length >= 2 && head[0] === 0xff && head[1] === 0xfe) return 'utf-16le';
  if (head.length >= 2 && head[0] === 0xfe && head[1] === 0xff) return 'utf-16be';
  const sample = trimPartialUtf8(head);
  if (isUtf8(sample)) return 'utf-8';
  // A UTF-8 file with a stray bad byte stays UTF-8 (the bad byte becomes U+FFFD, with a warning):
  // GBK text almost never forms valid multi-byte UTF-8 sequences, so many valid ones and very few
  // invalid ones mean UTF-8.
  const { valid, invalid } = utf8Stats(sample);
  if (valid > 0 && invalid <= Math.max(2, valid / 100)) return 'utf-8';
  // Not UTF-8. Chinese government files that are not UTF-8 are GBK or GB18030 (a superset of
  // GBK and GB2312); chardet only tells us whether it looks like UTF-16 without a BOM.
  const guess = chardet.detect(head)?.toLowerCase() ?? '';
  if (guess === 'utf-16le') return 'utf-16le';
  if (guess === 'utf-16be') return 'utf-16be';
  return 'gb18030';
}

/** Counts of valid multi-byte UTF-8 sequences and of bytes that start no valid sequence. */
export function utf8Stats(b: Buffer): { valid: number; invalid: number } {
  let valid = 0;
  let invalid = 0;
  for (let i = 0; i < b.length; ) {
    const c = b[i];
    if (c < 0x80) {
      i++;
      continue;
    }
    const need = c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : -1;
    let ok = need > 0 && i + need < b.length;
    for (let k = 1; ok && k <= need; k++) if ((b[i + k] & 0xc0) !== 0x80) ok = false;
    if (ok) {
      valid++;
      i += need + 1;
    } else {
      invalid++;
      i++;
    }
  }
  return { valid, invalid };
}

/** Index where a buffer can be cut without splitting a UTF-8 character. */
export function utf8Boundary(b: Buffer): number {
  for (let i = 1; i <= 3 && b.length - i >= 0; i++) {
    const c = b[b.length - i];
    if ((c & 0xc0) === 0x80) continue; // continuation byte
    const need = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
    return need > i ? b.length - i : b.length;
  }
  return b.length;
}

function trimPartialUtf8(b: Buffer): Buffer {
  return b.subarray(0, utf8Boundary(b));
}

export async function readHead(p: string, n = SAMPLE): Promise<Buffer> {
  const fh = await fs.promises.open(p, 'r');
  try {
    const buf = Buffer.alloc(n);
    const { bytesRead } = await fh.read(buf, 0, n, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

/** Transcode to UTF-8 without BOM, streamed. */
export async function transcodeToUtf8(src: string, dst: string, enc: TextEncoding): Promise<void> {
  const from = enc === 'utf-8-bom' ? 'utf-8' : enc;
  await pipeline(
    fs.createReadStream(src),
    iconv.decodeStream(from, { stripBOM: true }),
    iconv.encodeStream('utf-8'),
    fs.createWriteStream(dst),
  );
}

export const ENCODING_ZH: Record<TextEncoding, string> = {
  'utf-8': 'UTF-8',
  'utf-8-bom': 'UTF-8（带 BOM）',
  gb18030: 'GBK/GB18030',
  'utf-16le': 'UTF-16LE',
  'utf-16be': 'UTF-16BE',
};
