/** A bad command line: exit status 2, with the usage hint. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Where a log line went wrong: its 1-based number, the field (e.g. `candidates[1].features`) and why. */
export interface LineIssue {
  line: number;
  field: string;
  message: string;
}

/**
 * The log cannot be evaluated as asked: unreadable, a bad line (without --skip-invalid), or
 * nothing left to evaluate. Exit status 2.
 */
export class LogInputError extends Error {
  override name = 'LogInputError';

  constructor(
    message: string,
    /** The offending line, when one line is to blame. */
    readonly issue?: LineIssue,
  ) {
    super(message);
  }
}
