// The content hash of the site's manifest (dashboards/site/site-writer.ts): text hashed with each
// occurrence of a volatile string (the build's time, the run number) as one NUL character. Checked
// against the plain definition — SHA-256 of the text with the strings replaced, one after the
// other — on generated texts made of pieces of the volatile strings, so that they occur next to,
// inside and across each other.

import crypto from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { contentHash } from '../dashboards/site/site-writer.ts';

const reference = (text: string, volatile: string[]) => {
  let s = text;
  for (const v of volatile) if (v) s = s.replaceAll(v, '\u0000');
  return crypto.createHash('sha256').update(s).digest('hex');
};

const VOLATILE = ['生成于 2026-12-08 09:04', '运行编号 12'];

describe('contentHash', () => {
  it('is the SHA-256 of the text with the volatile strings blanked', () => {
    const page = `<footer>由 govmon 生成于 2026-12-08 09:04（北京时间）· 运行编号 12</footer><p>运行编号 12 运行编号 123</p>`;
    expect(contentHash(page, VOLATILE)).toBe(reference(page, VOLATILE));
    // the same page of another build (another time and run) hashes the same
    const again = page.replaceAll('2026-12-08 09:04', '2026-12-09 10:00').replaceAll('运行编号 12', '运行编号 13');
    expect(contentHash(again, ['生成于 2026-12-09 10:00', '运行编号 13'])).toBe(contentHash(page, VOLATILE));
    expect(contentHash('', VOLATILE)).toBe(reference('', VOLATILE));
    expect(contentHash(page, [])).toBe(crypto.createHash('sha256').update(page).digest('hex'));
    expect(contentHash(page, ['', '运行编号 12'])).toBe(reference(page, ['', '运行编号 12']));
  });

  it('agrees with the plain definition on generated texts', () => {
    const pieces = ['生成于 ', '2026-12-08 09:04', '运行编号 ', '12', '运行编号 12', '生成于 2026-12-08 09:04', 'x', '\u0000', '页'];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...pieces), { maxLength: 30 }), (parts) => {
        const text = parts.join('');
        expect(contentHash(text, VOLATILE)).toBe(reference(text, VOLATILE));
      }),
      { numRuns: 500 },
    );
  });

  it('hashes bytes as they are', () => {
    const bytes = new TextEncoder().encode('运行编号 12');
    expect(contentHash(bytes, VOLATILE)).toBe(crypto.createHash('sha256').update(bytes).digest('hex'));
  });
});
