// `govmon`: the command line. Parses the arguments (program.ts), runs the command's handler and
// turns a person's mistake into one Chinese line and its exit code: a UserError from a handler, or
// commander's own complaint (a missing argument, an unknown option), translated. A bug keeps its
// stack. Nothing else lives here.

import { CommanderError } from 'commander';
import { isUserError } from '../../core/errors.ts';
import { buildProgram } from './program.ts';

/** The positional arguments of the commands (program.ts), as a person names them. */
const ARGUMENT_ZH: Record<string, string> = {
  kind: 'KIND（类型）',
  paths: 'PATH（要导入的文件或文件夹）',
  files: 'FILE（FOCUS 账单文件或文件夹）',
  dir: 'DIR（备份文件夹）',
};

/** commander's error codes → Chinese (its English text is never shown to a user). */
function commanderMessage(e: CommanderError, argv: readonly string[]): string {
  const quoted = /'([^']+)'/.exec(e.message)?.[1] ?? '';
  switch (e.code) {
    case 'commander.missingArgument':
      return `缺少参数 ${ARGUMENT_ZH[quoted] ?? quoted}`;
    case 'commander.optionMissingArgument':
      return `选项 ${quoted.split(' ')[0]} 需要一个值`;
    case 'commander.missingMandatoryOptionValue':
      return `缺少必需的选项 ${quoted.split(' ')[0]}`;
    case 'commander.unknownOption':
      return `未知选项 ${quoted}`;
    case 'commander.unknownCommand':
      return `未知命令 ${quoted}`;
    case 'commander.excessArguments':
      return `参数过多：${argv.slice(2).join(' ')}`;
    case 'commander.invalidArgument':
      return `参数无效：${quoted}`;
    default:
      return e.message.replace(/^error: /, '');
  }
}

export async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help, --version and `help` end here too, having printed what they print
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') {
        process.exitCode = e.exitCode;
        return;
      }
      process.stderr.write(`错误：${commanderMessage(e, argv)}（用 govmon --help 查看用法）\n`);
      process.exitCode = 1;
    } else if (isUserError(e)) {
      process.stderr.write(`错误：${e.message}\n`);
      process.exitCode = e.exitCode;
    } else {
      process.stderr.write(`govmon 内部错误（请报告）：${(e as Error)?.stack ?? String(e)}\n`);
      process.exitCode = 1;
    }
  }
}
