// Commands beyond the foundation, registered on the program by the capability that owns them.

import type { Command } from 'commander';
import type { z } from 'zod';
import type { WithStore } from './cli.ts';

export interface CommandKit {
  withStore: WithStore;
  parseArg: <T>(schema: z.ZodType<T>, v: unknown) => T;
}

export function registerCommands(_program: Command, _kit: CommandKit): void {}
