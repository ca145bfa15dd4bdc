// Where things are: the package's own folder (the source tree, or the compiled copy in dist/ — both
// find the same root), and the folders of the definitions that are data files rather than code.

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'metrics'))) return dir;
    const up = path.dirname(dir);
    if (up === dir) throw new Error('cannot find the govmon package folder');
    dir = up;
  }
}

/** The package folder (where package.json is). */
export const ROOT = findRoot();

/** A path inside the package folder. */
export function rootPath(...parts: string[]): string {
  return path.join(ROOT, ...parts);
}

/**
 * The script of a worker thread, `rel` from the package root as compiled (e.g.
 * dashboards/site/render-worker.js): beside the module that starts it when that module runs
 * compiled, else the compiled copy in dist/ (the tests run the sources; the build comes first).
 */
export function workerScript(moduleUrl: string, rel: string): string {
  return moduleUrl.endsWith('.js') ? path.join(path.dirname(fileURLToPath(moduleUrl)), path.basename(rel)) : rootPath('dist', rel);
}

/** The database a command uses when --db is not given (docs/outputs.md §7.1), its folder the runtime folder. */
export const DEFAULT_DB = 'data/govmon.duckdb';

/** --db, else GOVMON_DB, else the default. */
export function dbPathFromEnv(flag?: string): string {
  return flag ?? process.env.GOVMON_DB ?? DEFAULT_DB;
}
