// The daemon's own Prometheus metrics (docs/operations.md §8), served on loopback only: when each
// job last ran, how long it took and how it ended, how many runs ended how, and how many files wait
// in the inbox — what a bureau's monitoring needs to notice a daemon that has stopped doing its
// work for months. Text exposition format 0.0.4, written by hand (a dozen lines, no dependency).
// The job is the `task` label: `job` is the label Prometheus gives the scrape target itself.

import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { UserError } from '../../core/errors.ts';
import type { ResolvedConfig } from '../jobs/config.ts';
import type { JobName } from './jobs.ts';
import { readyInboxFiles } from './jobs.ts';

export type JobOutcome = 'ok' | 'warnings' | 'failed' | 'skipped' | 'aborted';

interface LastRun {
  at: number; // unix seconds
  durationSeconds: number;
  outcome: JobOutcome;
}

const JOBS: readonly JobName[] = ['inbox', 'monthly', 'annual'];
const OUTCOMES: readonly JobOutcome[] = ['ok', 'warnings', 'failed', 'skipped', 'aborted'];

export class DaemonMetrics {
  private readonly last = new Map<JobName, LastRun>();
  private readonly totals = new Map<string, number>();
  private readonly startedAt: number;

  constructor(
    private readonly config: ResolvedConfig,
    started: Date,
  ) {
    this.startedAt = started.getTime() / 1000;
  }

  /** A job ended (or, at start, the run log's last run of it). `count` false: known, not counted again. */
  record(job: JobName, at: Date, durationMs: number, outcome: JobOutcome, count = true): void {
    this.last.set(job, { at: at.getTime() / 1000, durationSeconds: durationMs / 1000, outcome });
    if (count) this.totals.set(`${job}/${outcome}`, (this.totals.get(`${job}/${outcome}`) ?? 0) + 1);
  }

  private inbox(): Record<'waiting' | 'processed' | 'failed', number> {
    const count = (dir: string) =>
      fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => !f.endsWith('.report.txt') && !f.startsWith('.')).length : 0;
    return {
      waiting: readyInboxFiles({ ...this.config, stable_seconds: 0 }, new Date()).length,
      processed: count(path.join(this.config.inboxPath, 'processed')),
      failed: count(path.join(this.config.inboxPath, 'failed')),
    };
  }

  render(): string {
    const out: string[] = [];
    const metric = (name: string, type: string, help: string, lines: string[]) => {
      out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, ...lines);
    };
    metric('govmon_daemon_start_time_seconds', 'gauge', 'Start time of the govmon daemon (unix seconds).', [
      `govmon_daemon_start_time_seconds ${this.startedAt}`,
    ]);
    const known = JOBS.filter((j) => this.last.has(j));
    metric(
      'govmon_job_last_run_timestamp_seconds',
      'gauge',
      'When each scheduled job last ran (unix seconds).',
      known.map((j) => `govmon_job_last_run_timestamp_seconds{task="${j}"} ${this.last.get(j)!.at}`),
    );
    metric(
      'govmon_job_last_duration_seconds',
      'gauge',
      'How long the last run of each job took.',
      known.map((j) => `govmon_job_last_duration_seconds{task="${j}"} ${this.last.get(j)!.durationSeconds}`),
    );
    metric(
      'govmon_job_last_status',
      'gauge',
      'The outcome of the last run of each job: 1 for its outcome, 0 for the others.',
      known.flatMap((j) =>
        OUTCOMES.map((o) => `govmon_job_last_status{task="${j}",status="${o}"} ${this.last.get(j)!.outcome === o ? 1 : 0}`),
      ),
    );
    metric(
      'govmon_job_runs_total',
      'counter',
      'Runs of each job since the daemon started, by outcome.',
      [...this.totals].map(([k, n]) => {
        const [j, o] = k.split('/');
        return `govmon_job_runs_total{task="${j}",status="${o}"} ${n}`;
      }),
    );
    const inbox = this.inbox();
    metric(
      'govmon_inbox_files',
      'gauge',
      'Files in the inbox: waiting to be ingested, processed, failed.',
      (Object.keys(inbox) as (keyof typeof inbox)[]).map((s) => `govmon_inbox_files{state="${s}"} ${inbox[s]}`),
    );
    return `${out.join('\n')}\n`;
  }
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/;

/** Serve GET /metrics on a loopback address; resolves with the server once it listens. */
export async function serveMetrics(metrics: DaemonMetrics, port: number, host = '127.0.0.1'): Promise<http.Server> {
  if (!LOOPBACK.test(host)) throw new UserError(`守护进程的监控指标只在本机回环地址上提供（127.0.0.1），不能绑定 ${host}`);
  const server = http.createServer((req, res) => {
    if (req.method === 'GET' && (req.url === '/metrics' || req.url?.startsWith('/metrics?'))) {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
      res.end(metrics.render());
    } else {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('只有 /metrics\n');
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) =>
      reject(
        e.code === 'EADDRINUSE'
          ? new UserError(`监控指标端口 ${host}:${port} 已被占用：请换一个 --metrics-port，或在配置文件中设置 metrics_port`)
          : e,
      ),
    );
    server.listen(port, host, () => resolve());
  });
  server.unref();
  return server;
}
