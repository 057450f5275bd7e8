import { HttpError } from '../errors.js';

// Failures of the LLM gateway, as HttpErrors so the status comes from `ERROR_CODES` like every
// other error of the service. Messages and details reach callers and logs, so they never carry
// the API key, the prompt or the model's answer, and no `cause` that could quote them.

/** The gateway answered a non-2xx status (after any retries), or could not be reached at all. */
export class UpstreamError extends HttpError {
  override readonly name = 'UpstreamError';

  constructor(
    /** The gateway's last status; null when no answer arrived (refused, reset, DNS). */
    readonly upstreamStatus: number | null,
    readonly attempts: number,
    options?: ErrorOptions,
  ) {
    super(
      'upstream_error',
      upstreamStatus === null
        ? 'the LLM gateway could not be reached'
        : `the LLM gateway answered HTTP ${upstreamStatus}`,
      upstreamStatus === null
        ? { reason: 'upstream_unreachable', attempts }
        : { reason: 'upstream_status', status: upstreamStatus, attempts },
    );
    if (options?.cause !== undefined) this.cause = options.cause;
  }
}

/** No complete answer within the deadline (`LITELLM_TIMEOUT_MS`), retries included. */
export class UpstreamTimeoutError extends HttpError {
  override readonly name = 'UpstreamTimeoutError';

  constructor(readonly timeoutMs: number) {
    super('upstream_timeout', `the LLM gateway did not answer within ${timeoutMs} ms`, {
      timeout_ms: timeoutMs,
    });
  }
}

/**
 * A 2xx answer that is not a chat completion, or whose content is not the JSON the prompt asked
 * for. `problem` is a fixed phrase or a schema path, never an excerpt of the answer.
 */
export class UpstreamInvalidResponseError extends HttpError {
  override readonly name = 'UpstreamInvalidResponseError';

  constructor(readonly problem: string) {
    super('upstream_error', `the LLM gateway sent an unusable answer: ${problem}`, {
      reason: 'upstream_invalid_response',
      problem,
    });
  }
}
