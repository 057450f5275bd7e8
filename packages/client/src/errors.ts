/** Base of every error the client throws, so callers can catch the client's failures in one clause. */
export class OoClientError extends Error {
  override readonly name: string = 'OoClientError';
}

/** The service answered with its error shape `{ error: { code, message, details? } }`. */
export class OoApiError extends OoClientError {
  override readonly name = 'OoApiError';

  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

/** No HTTP answer: connection refused or reset, DNS failure, TLS failure. */
export class OoNetworkError extends OoClientError {
  override readonly name = 'OoNetworkError';

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
  }
}

/** No complete answer within the time-out. */
export class OoTimeoutError extends OoClientError {
  override readonly name = 'OoTimeoutError';

  constructor(readonly timeoutMs: number) {
    super(`no answer within ${timeoutMs} ms`);
  }
}

/**
 * An answer that breaks the contract: a 2xx body that does not match the `@oo/contracts` schema,
 * or a non-2xx body that is not the error shape (a proxy's HTML page, say).
 */
export class OoInvalidResponseError extends OoClientError {
  override readonly name = 'OoInvalidResponseError';

  constructor(
    readonly status: number,
    message: string,
    /** Where the body broke the schema, e.g. `scores.0.score: Invalid input: expected number`. */
    readonly issues: readonly string[] = [],
  ) {
    super(message);
  }
}

/** An argument the client refuses before sending anything, e.g. a user id that could escape its path. */
export class OoInvalidArgumentError extends OoClientError {
  override readonly name = 'OoInvalidArgumentError';
}
