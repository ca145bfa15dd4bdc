// The daemon's jobs by name and the inbox's files ready to ingest (docs/operations.md §8), apart
// from the jobs themselves: `govmon status` reads them without loading the run pipeline.

import fs from 'node:fs';
import path from 'node:path';
import { expandPaths } from '../../pipelines/ingest/lifecycle.ts';
import type { ResolvedConfig } from '../jobs/config.ts';

export type JobName = 'inbox' | 'monthly' | 'annual';

export const JOB_LABEL: Record<JobName, string> = { inbox: '收件箱扫描', monthly: '月度运行', annual: '年度评价' };

/** The inbox's files that have not changed for `stable_seconds` (a file still being copied waits). */
export function readyInboxFiles(config: ResolvedConfig, now: Date): string[] {
  if (!fs.existsSync(config.inboxPath)) return [];
  const files = expandPaths([config.inboxPath]).filter((f) => {
    const rel = path.relative(config.inboxPath, f);
    return !rel.startsWith('processed') && !rel.startsWith('failed');
  });
  return files.filter((f) => now.getTime() - fs.statSync(f).mtimeMs >= config.stable_seconds * 1000);
}
