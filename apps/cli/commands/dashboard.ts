// `govmon dashboard --month YYYY-MM --out DIR` and `govmon serve [--dir DIR] [--port N]`: build the
// static site of a month (dashboards/site/build.ts) with a progress bar, and serve a built site on
// this machine. Arguments are checked here (zod, Chinese messages).

import fs from 'node:fs';
import path from 'node:path';
import { UserError } from '../../../core/errors.ts';
import { loadProfile } from '../../../pipelines/profiles.ts';
import { SITE_MARKER, type BuildProgress } from '../../../dashboards/site/build.ts';
import { siteJob } from '../../jobs/site.ts';
import { dirArg, monthArg, portArg } from '../args.ts';
import { parseArg, type Kit } from '../kit.ts';
import { loadConfig } from '../../jobs/config.ts';
import { createProgress, progressEnabled, type Progress } from '../../../pipelines/progress.ts';
import { serveSite } from '../../../dashboards/site/serve.ts';

/** The sites' folder of the deployment (govmon.config.json `site_dir`, default site/ beside the database). */
export function sitesDir(kit: Kit): string {
  return loadConfig(kit.home()).sitePath;
}

/**
 * The site `serve` shows by default: the sites' folder itself if it holds a site, else its latest
 * month (`govmon run` and `govmon demo` write one site per month, <site_dir>/YYYY-MM).
 */
export function defaultServeDir(kit: Kit): string {
  const root = sitesDir(kit);
  if (fs.existsSync(path.join(root, 'index.html'))) return root;
  const months = fs.existsSync(root)
    ? fs
        .readdirSync(root)
        .filter((d) => /^\d{4}-\d{2}$/.test(d) && fs.existsSync(path.join(root, d, SITE_MARKER)))
        .sort()
    : [];
  return months.length ? path.join(root, months[months.length - 1]) : root;
}

/** A bar per phase on a terminal (pipelines/progress.ts); nothing in logs, CI or with --quiet. */
function progressReporter(quiet: boolean): { onProgress: (p: BuildProgress) => void; stop: () => void } {
  const enabled = progressEnabled(quiet);
  let bar: Progress | null = null;
  let phase = '';
  return {
    onProgress: (p) => {
      if (!enabled) return;
      if (p.phase !== phase) {
        bar?.stop();
        phase = p.phase;
        bar = createProgress(`生成站点：${p.label}`, p.total, true);
      }
      bar?.update(p.done, `${p.done}/${p.total}`);
    },
    stop: () => {
      bar?.stop();
      bar = null;
    },
  };
}

export async function dashboard(kit: Kit, o: { month?: string; out?: string }): Promise<number> {
  const month = parseArg(monthArg(), o.month);
  const out = parseArg(dirArg('站点文件夹（--out）'), o.out ?? path.join(sitesDir(kit), month));
  // The profile in force is the month's own, unless --profile was given explicitly.
  const profile = kit.profileGiven() ? loadProfile(kit.g.profile) : undefined;
  return kit.withStore(async (store, log) => {
    const progress = progressReporter(!!kit.g.quiet);
    let r: Awaited<ReturnType<typeof siteJob>>;
    try {
      r = await siteJob(store, { month, outDir: out, profile, now: new Date(), log, onProgress: progress.onProgress });
    } finally {
      progress.stop();
    }
    log.info(`打开 ${path.join(r.dir, 'index.html')}，或运行 govmon serve --dir ${r.dir}`);
    return log.warnings > 0 ? 2 : 0;
  });
}

export async function serve(kit: Kit, o: { dir?: string; port: string; host: string }): Promise<number> {
  const dir = path.resolve(o.dir ?? defaultServeDir(kit));
  const port = parseArg(portArg, o.port);
  if (!fs.existsSync(path.join(dir, 'index.html')))
    throw new UserError(`${dir} 中没有站点（缺少 index.html），请先运行 govmon dashboard --month YYYY-MM --out ${dir}`);
  let started: Awaited<ReturnType<typeof serveSite>>;
  try {
    started = await serveSite({ dir, port, host: o.host });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') throw new UserError(`端口 ${port} 已被占用，请用 --port 换一个端口`);
    if (code === 'EACCES') throw new UserError(`无权监听端口 ${port}，请换一个大于 1024 的端口`);
    throw e;
  }
  if (!kit.g.quiet) {
    process.stdout.write(`站点：${dir}\n`);
    process.stdout.write(`正在提供：${started.url}　按 Ctrl+C 停止\n`);
    if (o.host !== '127.0.0.1' && o.host !== 'localhost' && o.host !== '::1')
      process.stderr.write(`警告：监听 ${o.host}，本机以外的计算机也能访问此站点\n`);
  }
  await new Promise<void>((resolve) => {
    const stop = () => started.server.close(() => resolve());
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  return 0;
}
