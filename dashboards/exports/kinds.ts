// Every export kind, in the order `govmon export --help` lists them (docs/outputs.md). An explicit
// list: adding a kind is adding it to its module's list, nothing registers itself.

import { ANNUAL_EXPORTS } from './annual.ts';
import { COSTSHARE_EXPORTS } from './costshare.ts';
import { DECISION_EXPORTS } from './decisions.ts';
import type { ExportKind } from './kind.ts';
import { MONTHLY_EXPORTS } from './monthly.ts';

export const EXPORTS: Readonly<Record<string, ExportKind>> = Object.fromEntries(
  [...MONTHLY_EXPORTS, ...ANNUAL_EXPORTS, ...COSTSHARE_EXPORTS, ...DECISION_EXPORTS].map((k) => [k.kind, k]),
);
