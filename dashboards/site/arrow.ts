// Large tables travel to the page as Apache Arrow IPC, base64 in a small script file (pages opened
// from disk cannot fetch()), and are decoded in the page with apache-arrow's tableFromIPC.
// Columns are typed here: text, float, int or bool; null stays null. Text is dictionary-encoded:
// the site's tables repeat a system's name, department and page once per month, and each value
// is stored once (the metrics of 20,000 systems: docs/performance.md).

import { Bool, Dictionary, Float64, Int32, Table, Utf8, tableToIPC, vectorFromArray, type Vector } from 'apache-arrow';

export type ArrowColumnType = 'text' | 'float' | 'int' | 'bool';

export interface ArrowColumn {
  name: string;
  type: ArrowColumnType;
}

/** A column's vector; `id` names a text column's dictionary (fixed, so the same rows give the same bytes). */
function vector(type: ArrowColumnType, clean: unknown[], id: number): Vector {
  switch (type) {
    case 'text':
      return vectorFromArray(
        clean.map((v) => (v === null ? null : String(v))),
        new Dictionary(new Utf8(), new Int32(), id),
      );
    case 'float':
      return vectorFromArray(
        clean.map((v) => (v === null ? null : Number(v))),
        new Float64(),
      );
    case 'int':
      return vectorFromArray(
        clean.map((v) => (v === null ? null : Math.round(Number(v)))),
        new Int32(),
      );
    case 'bool':
      return vectorFromArray(
        clean.map((v) => (v === null ? null : Boolean(v))),
        new Bool(),
      );
  }
}

/** Arrow IPC (stream format) bytes of rows, with the given columns; `get` reads a column's value of a row (by default the row's own field). */
export function toArrowIpc<R extends object>(
  rows: readonly R[],
  columns: readonly ArrowColumn[],
  get: (row: R, column: string) => unknown = (row, column) => (row as Record<string, unknown>)[column],
): Uint8Array {
  const vectors: Record<string, Vector> = {};
  columns.forEach((c, i) => {
    vectors[c.name] = vector(
      c.type,
      rows.map((r) => get(r, c.name) ?? null),
      i,
    );
  });
  return tableToIPC(new Table(vectors), 'stream');
}

/** A script that registers the table under GOVMON.arrow[name] as base64. */
export function arrowScript(name: string, ipc: Uint8Array): string {
  const b64 = Buffer.from(ipc).toString('base64');
  return `(window.GOVMON = window.GOVMON || {}).arrow = Object.assign(window.GOVMON.arrow || {}, { ${JSON.stringify(name)}: "${b64}" });\n`;
}
