// The SQL models read from metrics/models/ and built, in file order, as temporary tables of a run.

import fs from 'node:fs';
import path from 'node:path';
import type { Store } from '../store/database.ts';
import { MODEL_FILE, parseModel, type Model } from '../../metrics/model-sql.ts';
import { rootPath } from '../../core/paths.ts';

/** metrics/models/ (the monthly models); its `annual/` folder holds the evaluation's. */
export const MODELS_DIR = rootPath('metrics', 'models');

export function loadModels(dir = MODELS_DIR): Model[] {
  return fs
    .readdirSync(dir)
    .filter((f) => MODEL_FILE.test(f))
    .sort()
    .map((f) => parseModel(f, fs.readFileSync(path.join(dir, f), 'utf8')));
}

/** Build every model as a temporary table, in order. Returns the time each took (ms). */
export async function buildModels(
  store: Store,
  models = loadModels(),
  onStep?: (name: string, done: number, total: number) => void,
): Promise<Record<string, number>> {
  const timings: Record<string, number> = {};
  for (const [i, m] of models.entries()) {
    onStep?.(m.name, i, models.length);
    const t0 = performance.now();
    try {
      await store.run(`CREATE OR REPLACE TEMP ${m.materialized === 'view' ? 'VIEW' : 'TABLE'} ${m.name} AS ${m.sql}`);
    } catch (e) {
      throw new Error(`model ${m.file} failed: ${(e as Error).message}`);
    }
    timings[m.name] = Math.round(performance.now() - t0);
  }
  return timings;
}
