// What an export is (docs/outputs.md): a kind, its Chinese name, the period it reads, and its
// columns — English name (CSV/JSON/Parquet header), Chinese label (XLSX header), SQL, type.

import type { LabelKind } from '../../metrics/labels.ts';
import type { Period, Results } from '../../pipelines/read.ts';

export type { Period };

export type ColType = 'text' | 'number' | 'int' | 'bool' | 'date' | 'month';

export interface ExportColumn {
  name: string;
  zh: string;
  sql: string;
  type: ColType;
  width?: number;
  /** a code column: a Chinese sheet shows its label (metrics/labels.ts), never the code */
  label?: LabelKind;
}

export interface ExportKind {
  kind: string;
  zh: string;
  period: 'month' | 'year' | 'any';
  columns: ExportColumn[];
  /** FROM … WHERE … ORDER BY … for the resolved run */
  from: (ctx: { runId: number | null; period: Period }) => string;
  /** XLSX only: also a sheet per value of this column (rows with a value), e.g. one per county */
  sheetsBy?: string;
  /** the run this export reads, or null when it reads no run (rejects) */
  resolveRun: (r: Results, period: Period) => Promise<number | null>;
}

/** A column: name, Chinese label, type, the SQL that computes it (the name by default), width, label table of a code column. */
export const col = (name: string, zh: string, type: ColType, sql = name, width?: number, label?: LabelKind): ExportColumn => ({
  name,
  zh,
  sql,
  type,
  width,
  label,
});
