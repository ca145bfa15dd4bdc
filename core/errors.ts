// One module of error types. A UserError is a person's mistake (bad input, wrong argument, the
// database in use): the CLI prints its Chinese message on one line and exits with its code, no
// stack. Any other Error is a bug and keeps its stack.

export class UserError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode = 1) {
    super(message);
    this.name = 'UserError';
    this.exitCode = exitCode;
  }
}

/** A file that cannot be used at all (unreadable, no recognisable header, wrong kind). */
export class UnusableFileError extends UserError {
  constructor(message: string) {
    super(message, 1);
    this.name = 'UnusableFileError';
  }
}

export function isUserError(e: unknown): e is UserError {
  return e instanceof UserError;
}
