// core/text.ts: what a message may quote of an input file (docs/operations.md §8).

import { describe, expect, it } from 'vitest';
import { cleanDetail, cleanText, describeHeaders, looksUndecoded } from '../core/text.ts';

describe('cleanText(s, max)', () => {
  it('removes control characters (an ESC sequence, NUL, bidi overrides), turns a tab into a space, and shortens long values', () => {
    expect(cleanText('a\u001b[31mb\u0000c\u202ed\te')).toBe('a[31mbcd e');
    expect(cleanText('系'.repeat(70))).toBe(`${'系'.repeat(60)}…（共 70 字符）`);
    expect(cleanText('短值')).toBe('短值');
  });
});

describe('describeHeaders(headers, bytes)', () => {
  it('names the header line of a binary file by its size instead of echoing its bytes', () => {
    expect(describeHeaders(['跸Gtμ\ufffd\ufffdT蝔', '\u001b[31m'], 250)).toBe('「无法解码的表头（250 字节）」');
    expect(describeHeaders(['\ue5c8abc'])).toBe('「无法解码的表头（6 字节）」');
    expect(looksUndecoded('系统编号')).toBe(false);
  });

  it('lists readable headers, cleaned, at most 12 of them', () => {
    const many = Array.from({ length: 15 }, (_, i) => `列${i + 1}`);
    expect(describeHeaders(many)).toBe(many.slice(0, 12).join('、'));
    expect(describeHeaders(['名称', 'a\u001b[2Jb'])).toBe('「无法解码的表头（13 字节）」');
    expect(describeHeaders(['', ''])).toBe('（无）');
  });
});

describe('cleanDetail(message)', () => {
  it("keeps a library error's first line only, without the file's undecodable bytes", () => {
    expect(cleanDetail('CSV Error on line 2: \u001b\ufffdabc\nat stack')).toBe('CSV Error on line 2: abc');
  });
});
