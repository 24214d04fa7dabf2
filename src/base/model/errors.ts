export const ExitCode = {
  ok: 0,
  checkFailed: 1,
  usage: 2,
  unreachable: 3,
  interrupted: 130,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** An expected failure: the entry point prints `message` as one line and exits with `code`. */
export class ExitError extends Error {
  constructor(
    readonly code: ExitCodeValue,
    message: string,
  ) {
    super(message);
    this.name = 'ExitError';
  }
}

/** Bad input or configuration: exit 2, nothing changed. */
export class UsageError extends ExitError {
  constructor(message: string) {
    super(ExitCode.usage, message);
    this.name = 'UsageError';
  }
}

/** Something could not be checked or reached (AWS, database, timeout): exit 3. */
export class UnreachableError extends ExitError {
  constructor(message: string) {
    super(ExitCode.unreachable, message);
    this.name = 'UnreachableError';
  }
}
