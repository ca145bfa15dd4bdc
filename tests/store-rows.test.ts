// What `Store.all` gives back (pipelines/store/database.ts `toRows`): one plain object per row,
// keyed by column name in the query's order, a name given twice keeping its first column, integers
// and decimals as numbers, DATE as 'YYYY-MM-DD', timestamps as ISO text, lists and structs as JS
// arrays and objects. Every row of a result has the same keys, also for names that an empty
// object already answers to (`toString`, `constructor`), and a column named `__proto__` is a value,
// never the row's prototype.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Store } from '../pipelines/store/database.ts';

let store: Store;

beforeAll(async () => {
  store = await Store.open(':memory:');
});

afterAll(() => store?.close());

describe('Store.all rows', () => {
  it('converts each type as documented and keeps the query’s column order', async () => {
    const rows = await store.all(
      `SELECT 'S1' AS system_id, DATE '2026-11-01' AS month, 42::BIGINT AS n, 12.345::DECIMAL(10, 3) AS d, 0.5::DOUBLE AS x,
         NULL::INTEGER AS missing, TIMESTAMPTZ '2026-11-05 10:00:00+08' AS at, ['a', 'b'] AS list, {'k': 1} AS s, true AS ok`,
    );
    expect(rows).toEqual([
      {
        system_id: 'S1',
        month: '2026-11-01',
        n: 42,
        d: 12.345,
        x: 0.5,
        missing: null,
        at: '2026-11-05T02:00:00.000Z',
        list: ['a', 'b'],
        s: { k: 1 },
        ok: true,
      },
    ]);
    expect(Object.keys(rows[0])).toEqual(['system_id', 'month', 'n', 'd', 'x', 'missing', 'at', 'list', 's', 'ok']);
  });

  it('keeps the first of two columns with one name', async () => {
    const rows = await store.all(`SELECT 1 AS a, 2 AS b, 3 AS a`);
    expect(rows).toEqual([{ a: 1, b: 2 }]);
  });

  it('gives every row of a wide result the same keys and its own values, repeated text included', async () => {
    const cols = Array.from({ length: 30 }, (_, i) => `i * ${i + 1} AS c${i}`).join(', ');
    const rows = await store.all<Record<string, unknown>>(
      `SELECT 'S' || (i % 3) AS system_id, CAST(DATE '2026-01-01' + (i % 2) * INTERVAL 1 MONTH AS DATE) AS month, ${cols} FROM range(1, 2001) t(i) ORDER BY i`,
    );
    expect(rows).toHaveLength(2000);
    for (const [r, row] of rows.entries()) {
      const i = r + 1;
      expect(Object.keys(row)).toHaveLength(32);
      expect(row.system_id).toBe(`S${i % 3}`);
      expect(row.month).toBe(i % 2 ? '2026-02-01' : '2026-01-01');
      expect(row.c0).toBe(i);
      expect(row.c29).toBe(i * 30);
    }
  });

  it('returns columns named like Object’s own members as values, and never sets a row’s prototype', async () => {
    const rows = await store.all<Record<string, unknown>>(`SELECT 'x' AS "toString", 'y' AS "constructor", 'z' AS "__proto__"`);
    expect(Object.getOwnPropertyNames(rows[0])).toEqual(['toString', 'constructor', '__proto__']);
    expect(rows[0].toString).toBe('x');
    expect(rows[0].constructor).toBe('y');
    expect(Object.getOwnPropertyDescriptor(rows[0], '__proto__')?.value).toBe('z');
    expect(Object.getPrototypeOf(rows[0])).toBe(Object.prototype);
  });
});
