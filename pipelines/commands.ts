// Commands beyond the foundation. Each capability registers its own commands from
// pipelines/commands/<capability>.ts; this list is the only place that knows them all.

import type { Command } from 'commander';
import type { z } from 'zod';
import type { WithStore } from './cli.ts';
import { register as registerRun } from './commands/run.ts';
import { register as registerSchedule } from './commands/schedule.ts';
import { register as registerProfile } from './commands/profile.ts';
import { register as registerTemplate } from './commands/template.ts';
import { register as registerPull } from './commands/pull.ts';
import { register as registerSample } from './commands/sample.ts';
import { register as registerDemo } from './commands/demo.ts';
import { register as registerDashboard } from './commands/dashboard.ts';
import { register as registerBackup } from './commands/backup.ts';

export interface CommandKit {
  withStore: WithStore;
  parseArg: <T>(schema: z.ZodType<T>, v: unknown) => T;
}

type Register = (program: Command, kit: CommandKit) => void;

const registrars: Register[] = [registerRun, registerSchedule, registerProfile, registerTemplate, registerPull, registerSample, registerDemo, registerDashboard, registerBackup];

export function registerCommands(program: Command, kit: CommandKit): void {
  for (const r of registrars) r(program, kit);
}
