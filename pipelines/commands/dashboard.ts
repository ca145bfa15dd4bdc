// `govmon dashboard --month YYYY-MM --out DIR` and `govmon serve [--dir DIR] [--port N]`: build the
// static site of a month (dashboards/site/build.ts) with a progress bar, and serve a built site on
// this machine. Arguments are checked here (zod, Chinese messages).

import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { z } from 'zod';
import type { CommandKit } from '../commands.ts';
import type { GlobalOpts } from '../cli.ts';
import { UserError } from '../errors.ts';
import { dbPathFromEnv } from '../store/database.ts';
import { loadProfile } from '../../metrics/profiles/profiles.ts';
import { SITE_MARKER, buildDashboard, type BuildProgress } from '../../dashboards/site/build.ts';
import { loadConfig } from '../schedule/config.ts';
import { createProgress, progressEnabled, type Progress } from '../progress.ts';
import { serveSite } from '../../dashboards/site/serve.ts';

const MonthArg = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, { error: '--month 应为 YYYY-MM，如 2026-10' });
const OutArg = z.string({ error: '请用 --out 指定站点文件夹' }).trim().min(1, { error: '请用 --out 指定站点文件夹' });
const PortArg = z.coerce
  .number({ error: '--port 应为 0–65535 之间的整数' })
  .int({ error: '--port 应为 0–65535 之间的整数' })
  .min(0, { error: '--port 应为 0–65535 之间的整数' })
  .max(65535, { error: '--port 应为 0–65535 之间的整数' });

/** The sites' folder of the deployment (govmon.config.json `site_dir`, default site/ beside the database). */
export function sitesDir(db?: string): string {
  return loadConfig(path.dirname(path.resolve(dbPathFromEnv(db)))).sitePath;
}

/**
 * The site `serve` shows by default: the sites' folder itself if it holds a site, else its latest
 * month (`govmon run` and `govmon demo` write one site per month, <site_dir>/YYYY-MM).
 */
export function defaultServeDir(db?: string): string {
  const root = sitesDir(db);
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

export function register(program: Command, kit: CommandKit): void {
  program
    .command('dashboard')
    .description('生成月度监测站点（静态网页，可离线打开）/ build the static monthly dashboard')
    .requiredOption('--month <YYYY-MM>', '月份（须已运行）/ month (already run)')
    .option('--out <dir>', '站点文件夹，默认 site/YYYY-MM（数据库旁，见 govmon.config.json 的 site_dir）/ site folder (default: site/YYYY-MM beside the database)')
    .action(async (o: { month: string; out?: string }) => {
      const month = kit.parseArg(MonthArg, o.month);
      const g = program.opts<GlobalOpts>();
      const out = kit.parseArg(OutArg, o.out ?? path.join(sitesDir(g.db), month));
      // The profile in force is the month's own, unless --profile was given explicitly.
      const explicit = program.getOptionValueSource('profile') === 'cli' || program.getOptionValueSource('profile') === 'env';
      const profile = explicit ? loadProfile(g.profile) : undefined;
      await kit.withStore(program, async (store, log) => {
        const progress = progressReporter(!!g.quiet);
        let r;
        try {
          r = await buildDashboard(store, { month, outDir: out, profile, now: new Date(), log, onProgress: progress.onProgress });
        } finally {
          progress.stop();
        }
        log.info(`打开 ${path.join(r.dir, 'index.html')}，或运行 govmon serve --dir ${r.dir}`);
        return log.warnings > 0 ? 2 : 0;
      });
    });

  program
    .command('serve')
    .description('在本机提供站点（默认 http://127.0.0.1:8080/）/ serve the site on this machine')
    .option('--dir <dir>', '站点文件夹，默认 site/ 中最近一个月的站点 / site folder (default: the latest month under site/)')
    .option('--port <n>', '端口 / port', '8080')
    .option('--host <address>', '监听地址，默认仅本机 127.0.0.1 / address to bind (default 127.0.0.1)', '127.0.0.1')
    .action(async (o: { dir?: string; port: string; host: string }) => {
      const g = program.opts<GlobalOpts>();
      const dir = path.resolve(o.dir ?? defaultServeDir(g.db));
      const port = kit.parseArg(PortArg, o.port);
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
      if (!g.quiet) {
        process.stdout.write(`站点：${dir}\n`);
        process.stdout.write(`正在提供：${started.url}　按 Ctrl+C 停止\n`);
        if (o.host !== '127.0.0.1' && o.host !== 'localhost' && o.host !== '::1') process.stderr.write(`警告：监听 ${o.host}，本机以外的计算机也能访问此站点\n`);
      }
      await new Promise<void>((resolve) => {
        const stop = () => started.server.close(() => resolve());
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
    });
}
