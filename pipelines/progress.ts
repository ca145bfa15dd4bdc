// Progress bars for long commands (large ingests, runs, dashboard builds) on a terminal, nothing
// when the output is not a terminal (the scheduler, CI, a pipe). DuckDB reports the progress of
// the query under way; a step bar counts named steps.

import cliProgress from 'cli-progress';
import type { Store } from './store/database.ts';

export interface Progress {
  /** advance to `value` of `total`, showing `label` */
  update(value: number, label?: string): void;
  stop(): void;
}

const SILENT: Progress = { update: () => undefined, stop: () => undefined };

/** Whether bars are shown: stderr is a terminal and the user did not ask for quiet. */
export function progressEnabled(quiet = false): boolean {
  return !quiet && process.stderr.isTTY === true && process.env.CI === undefined;
}

export function createProgress(title: string, total: number, enabled: boolean): Progress {
  if (!enabled) return SILENT;
  const bar = new cliProgress.SingleBar(
    {
      format: `${title} [{bar}] {percentage}% {label}`,
      stream: process.stderr,
      hideCursor: true,
      clearOnComplete: true,
      barsize: 30,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0, { label: '' });
  return {
    update: (v, label) => bar.update(v, { label: label ?? '' }),
    stop: () => bar.stop(),
  };
}

/**
 * Run `work` while showing DuckDB's own progress of the query under way (long scans: a large CSV
 * being read). The bar appears only after half a second, so quick statements print nothing.
 */
export async function withQueryProgress<T>(store: Store, title: string, enabled: boolean, work: () => Promise<T>): Promise<T> {
  if (!enabled) return work();
  await store.run('SET enable_progress_bar = true; SET enable_progress_bar_print = false');
  let bar: Progress | null = null;
  const started = Date.now();
  const timer = setInterval(() => {
    const p = store.conn.progress;
    if (!bar && Date.now() - started < 500) return;
    bar ??= createProgress(title, 100, true);
    if (p.percentage >= 0) bar.update(Math.min(100, Math.round(p.percentage)), `${Number(p.rows_processed).toLocaleString('zh-CN')} 行`);
  }, 200);
  try {
    return await work();
  } finally {
    clearInterval(timer);
    (bar as Progress | null)?.stop();
  }
}
