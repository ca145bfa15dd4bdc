// `govmon profile list` and `govmon profile show [NAME]`: the policy profiles as a person reads
// them. No database: a profile is a file, loaded and validated the same way a run loads it.

import type { Command } from 'commander';
import type { CommandKit } from '../commands.ts';
import type { GlobalOpts } from '../cli.ts';
import { loadProfile } from '../../metrics/profiles/profiles.ts';
import { formatProfile, formatProfileList } from '../../metrics/profiles/show.ts';

export function register(program: Command, _kit: CommandKit): void {
  const profile = program
    .command('profile')
    .description('政策配置：列出与查看规则、参数和引用条款 / policy profiles: list and show');

  profile
    .command('list')
    .description('列出内置政策配置及其依据的办法 / list the shipped profiles and their measures')
    .action(() => {
      process.stdout.write(formatProfileList() + '\n');
    });

  profile
    .command('show')
    .description('显示一个政策配置的每条规则、参数与引用条款 / show every rule of a profile with its parameters and citations')
    .argument('[name]', '配置名称或 JSON 文件路径，默认为 --profile 的值 / profile name or JSON file (defaults to --profile)')
    .action((name: string | undefined) => {
      const g = program.opts<GlobalOpts>();
      process.stdout.write(formatProfile(loadProfile(name ?? g.profile)) + '\n');
    });
}
