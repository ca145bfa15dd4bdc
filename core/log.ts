// Where messages for a person go. Commands log through this, so tests and the scheduler can
// capture them and a non-terminal run stays quiet. Warnings are counted (docs/outputs.md §7.1 exit code 2).

import fs from 'node:fs';
import path from 'node:path';
import { formatLocal } from './clock.ts';

export interface Log {
  info(msg: string): void;
  warn(msg: string): void;
  readonly warnings: number;
}

export function consoleLog(opts: { quiet?: boolean } = {}): Log {
  let warnings = 0;
  return {
    info: (m) => {
      if (!opts.quiet) process.stdout.write(m + '\n');
    },
    warn: (m) => {
      warnings++;
      process.stderr.write(`警告：${m}\n`);
    },
    get warnings() {
      return warnings;
    },
  };
}

/** A log that keeps its lines, for tests and run records. */
export function memoryLog(): Log & { lines: string[] } {
  const lines: string[] = [];
  let warnings = 0;
  return {
    lines,
    info: (m) => void lines.push(m),
    warn: (m) => {
      warnings++;
      lines.push(`警告：${m}`);
    },
    get warnings() {
      return warnings;
    },
  };
}

/** A structured record beside the Chinese text (a job that ended, with its figures). */
export type LogEvent = Record<string, string | number | boolean | null | undefined>;

export interface JsonLinesLog extends Log {
  /** write one structured event line (no Chinese text line) */
  event(fields: LogEvent): void;
}

/**
 * `base`, and every line also written to `file` as one JSON object per line — time (ISO, UTC and
 * Beijing), level and the message — for log collectors, beside the Chinese text for people. The
 * file is opened for each line, so a log rotation that moves it away loses nothing.
 */
export function withJsonLines(base: Log, file: string, clock: () => Date = () => new Date()): JsonLinesLog {
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const write = (o: Record<string, unknown>) => {
    const now = clock();
    const line = JSON.stringify({ time: now.toISOString(), time_local: `${formatLocal(now, true)}+08:00`, ...o });
    try {
      fs.appendFileSync(file, `${line}\n`);
    } catch {
      // a full disk must not stop the daemon; the text log still has the line
    }
  };
  return {
    info: (m) => {
      base.info(m);
      write({ level: 'info', msg: m });
    },
    warn: (m) => {
      base.warn(m);
      write({ level: 'warn', msg: m });
    },
    event: (fields) => write({ level: 'info', ...fields }),
    get warnings() {
      return base.warnings;
    },
  };
}
