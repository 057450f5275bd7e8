import { ERROR_CODES, type ErrorCode } from '@oo/contracts';

/** One request of a load run: a JSON POST, tagged so the test can total outcomes per kind and user. */
export interface LoadRequest {
  path: string;
  body: unknown;
  /** What the request does, e.g. `reward` or `score`. */
  tag: string;
  user: string;
}

export interface LoadOutcome extends LoadRequest {
  /** `performance.now()` when the request was sent. */
  startedAt: number;
  /** Time to the full response (or to the failure). */
  ms: number;
  /** The HTTP status; null when no response arrived (connection refused or reset, time-out). */
  status: number | null;
  /** The parsed JSON body of the response, when there was one. */
  response?: unknown;
  /** Why no response arrived. */
  error?: string;
}

export interface LoadOptions {
  /** Where to send: read before every request, so a restarted service on a new port is followed. */
  url: () => string;
  /** Requests in flight at once: the load is closed-loop, so it is bounded by construction. */
  concurrency: number;
  /** The `seq`-th request (0, 1, 2… across all lanes); undefined ends the lane. */
  next: (seq: number) => LoadRequest | undefined;
  /** A request without a response after this long is aborted and recorded as hung. @default 10000 */
  timeoutMs?: number;
  /** Pause of a lane after a request that got no response (a dead service refuses at once). @default 20 */
  pauseAfterFailureMs?: number;
  /** Pause of a lane between two requests, for a steady rather than saturating rate. @default 0 */
  pauseMs?: number;
}

export interface Load {
  /** Every finished request, in completion order. */
  readonly outcomes: LoadOutcome[];
  /** Requests sent so far (finished or not). */
  sent(): number;
  /** Stops sending and resolves once every request in flight has finished. */
  stop(): Promise<LoadOutcome[]>;
  /** Resolves when every lane has run out of requests. */
  readonly done: Promise<LoadOutcome[]>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A closed-loop HTTP load for fault tests: `concurrency` lanes, each sending its next request when
 * the previous one has finished, recording every outcome with its timing. Nothing throws: a refused
 * connection or a time-out is an outcome like a status.
 */
export function startLoad(options: LoadOptions): Load {
  const outcomes: LoadOutcome[] = [];
  const timeoutMs = options.timeoutMs ?? 10_000;
  let seq = 0;
  let stopped = false;

  const lane = async (): Promise<void> => {
    while (!stopped) {
      const request = options.next(seq++);
      if (request === undefined) return;
      const startedAt = performance.now();
      let outcome: LoadOutcome;
      try {
        const response = await fetch(new URL(request.path, options.url()), {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(request.body),
          signal: AbortSignal.timeout(timeoutMs),
        });
        const text = await response.text();
        let parsed: unknown = text;
        try {
          parsed = JSON.parse(text);
        } catch {
          // Kept as text: the test's shape check reports it.
        }
        outcome = {
          ...request,
          startedAt,
          ms: performance.now() - startedAt,
          status: response.status,
          response: parsed,
        };
      } catch (error) {
        const cause = (error as { cause?: { code?: string } }).cause;
        outcome = {
          ...request,
          startedAt,
          ms: performance.now() - startedAt,
          status: null,
          error: cause?.code ?? (error as Error).name,
        };
      }
      outcomes.push(outcome);
      if (outcome.status === null) await sleep(options.pauseAfterFailureMs ?? 20);
      else if (options.pauseMs) await sleep(options.pauseMs);
    }
  };

  const done = Promise.all(Array.from({ length: options.concurrency }, lane)).then(() => outcomes);
  return {
    outcomes,
    sent: () => seq,
    done,
    async stop() {
      stopped = true;
      return done;
    },
  };
}

/**
 * Whether a body is exactly the spec's error shape `{ error: { code, message, details? } }` with a
 * code of `ERROR_CODES` whose status is the one the response was sent with.
 */
export function isErrorShape(body: unknown, status: number): boolean {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return false;
  const keys = Object.keys(body);
  if (keys.length !== 1 || keys[0] !== 'error') return false;
  const error = (body as { error: unknown }).error;
  if (typeof error !== 'object' || error === null || Array.isArray(error)) return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  const extra = Object.keys(error).filter((key) => !['code', 'message', 'details'].includes(key));
  return (
    typeof code === 'string' &&
    Object.hasOwn(ERROR_CODES, code) &&
    ERROR_CODES[code as ErrorCode] === status &&
    typeof message === 'string' &&
    message !== '' &&
    extra.length === 0
  );
}

/** The p-th percentile (0..100) of `values`, nearest rank; NaN when empty. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}
