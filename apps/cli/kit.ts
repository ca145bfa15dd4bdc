// What every command handler gets: the global options, a store opened from --db for the length of
// the command, argument checking with Chinese messages, and the deployment's folders. Heavy
// modules (DuckDB, zod) are imported when a handler runs, never when the CLI starts, so that
// `govmon --help` and `--version` answer at once (docs/architecture.md).

import path from 'node:path';
import type { Command } from 'commander';
import type { ZodType } from 'zod';
import { UserError } from '../../core/errors.ts';
import { consoleLog, type Log } from '../../core/log.ts';
import { dbPathFromEnv } from '../../core/paths.ts';
import type { Store } from '../../pipelines/store/database.ts';

export interface GlobalOpts {
  db?: string;
  profile: string;
  quiet?: boolean;
}

export interface Kit {
  program: Command;
  /** the global options as parsed */
  readonly g: GlobalOpts;
  log: Log;
  /** the database path of --db / GOVMON_DB / the default */
  dbPath(): string;
  /** the folder of the database: the deployment's runtime folder (docs/architecture.md) */
  home(): string;
  /** was --profile given on the command line or by the environment (not the default)? */
  profileGiven(): boolean;
  /** open the store, run `fn`, close it; `fn` returns the exit code */
  withStore(fn: (store: Store, log: Log) => Promise<number>, opts?: { skipSchema?: boolean; readOnly?: boolean }): Promise<number>;
}

export function makeKit(program: Command): Kit {
  const g = program.opts<GlobalOpts>();
  const log = consoleLog({ quiet: g.quiet });
  const dbPath = () => dbPathFromEnv(g.db);
  return {
    program,
    g,
    log,
    dbPath,
    home: () => path.dirname(path.resolve(dbPath())),
    profileGiven: () => ['cli', 'env'].includes(program.getOptionValueSource('profile') ?? ''),
    async withStore(fn, opts = {}) {
      const { Store } = await import('../../pipelines/store/database.ts');
      const { ensureSchema } = await import('../../pipelines/store/migrate.ts');
      const store = await Store.open(dbPath(), { readOnly: opts.readOnly });
      try {
        if (!opts.skipSchema) await ensureSchema(store);
        return await fn(store, log);
      } finally {
        store.close();
      }
    },
  };
}

/** Check a value against a zod schema; its Chinese messages, joined, are the error. */
export function parseArg<T>(schema: ZodType<T>, v: unknown): T {
  const r = schema.safeParse(v);
  if (!r.success) throw new UserError(r.error.issues.map((i) => i.message).join('；'), 1);
  return r.data;
}
