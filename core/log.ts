// Where messages for a person go. Commands log through this, so tests and the scheduler can
// capture them and a non-terminal run stays quiet. Warnings are counted (docs/outputs.md §7.1 exit code 2).

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
