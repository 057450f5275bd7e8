import type { AgentRegistryResponse, ErrorBody } from '@oo/contracts';
import type { Context } from 'hono';
import { createOoClient } from './client.js';
import {
  OoApiError,
  OoClientError,
  OoInvalidResponseError,
  OoNetworkError,
  OoTimeoutError,
} from './errors.js';

export interface RegistryCacheOptions {
  /** The service's base URL; `/agents/registry` is appended. */
  upstreamUrl: string;
  /** How long a good payload is served from memory. @default 60000 */
  ttlMs?: number;
  /** Per upstream request. @default 5000 */
  timeoutMs?: number;
  /** @default globalThis.fetch */
  fetch?: typeof fetch;
  /** Sent upstream with every request. */
  headers?: Readonly<Record<string, string>>;
  /** Clock for the TTL, in ms. @default Date.now */
  now?: () => number;
}

export interface RegistryCache {
  /** The registry, from memory when fresh; throws an `OoClientError` when upstream fails. */
  get(): Promise<AgentRegistryResponse>;
  /** Forgets the cached payload; the next `get` goes upstream. */
  invalidate(): void;
}

/**
 * The agents registry behind a TTL cache. Concurrent misses share one upstream request (single
 * flight), so a burst of admin page views costs one call; a failure is handed to every waiter
 * of that flight and never cached, so the next request tries again.
 */
export function createRegistryCache(options: RegistryCacheOptions): RegistryCache {
  const ttlMs = options.ttlMs ?? 60_000;
  const now = options.now ?? Date.now;
  const client = createOoClient({
    baseUrl: options.upstreamUrl,
    timeoutMs: options.timeoutMs ?? 5_000,
    ...(options.fetch ? { fetch: options.fetch } : {}),
    ...(options.headers ? { headers: options.headers } : {}),
  });
  let cached: { value: AgentRegistryResponse; expiresAt: number } | null = null;
  let inflight: Promise<AgentRegistryResponse> | null = null;

  return {
    get() {
      if (cached && now() < cached.expiresAt) return Promise.resolve(cached.value);
      if (inflight) return inflight;
      const flight = client.agentsRegistry().then((value) => {
        cached = { value, expiresAt: now() + ttlMs };
        return value;
      });
      inflight = flight;
      // Cleared on either outcome, so a failed flight is not reused by later requests.
      const clear = () => {
        if (inflight === flight) inflight = null;
      };
      flight.then(clear, clear);
      return flight;
    },
    invalidate() {
      cached = null;
    },
  };
}

export interface RegistryProxyOptions extends RegistryCacheOptions {
  /** Called with every upstream failure, e.g. to log it; the response is a 502 regardless. */
  onError?: (error: OoClientError) => void;
}

/** Why the proxy answered 502, in `error.details.reason`. */
export type RegistryProxyFailure =
  | 'upstream_unreachable'
  | 'upstream_timeout'
  | 'upstream_status'
  | 'upstream_invalid_response';

/**
 * A Hono handler for `GET /api/agents/registry`: the service's `/agents/registry` through a
 * `createRegistryCache`. Upstream failures answer 502 with the service's error shape.
 *
 * ```ts
 * app.get('/api/agents/registry', createRegistryProxy({ upstreamUrl: process.env.OO_BANDIT_URL! }));
 * ```
 */
export function createRegistryProxy(options: RegistryProxyOptions): (c: Context) => Promise<Response> {
  const cache = createRegistryCache(options);
  return async (c) => {
    try {
      return c.json(await cache.get(), 200);
    } catch (error) {
      if (!(error instanceof OoClientError)) throw error;
      options.onError?.(error);
      return c.json(failureBody(error), 502);
    }
  };
}

function failureBody(error: OoClientError): ErrorBody {
  const [reason, message, status]: [RegistryProxyFailure, string, number?] =
    error instanceof OoTimeoutError
      ? ['upstream_timeout', 'the agents registry did not answer in time']
      : error instanceof OoApiError
        ? ['upstream_status', `the agents registry answered HTTP ${error.status}`, error.status]
        : error instanceof OoInvalidResponseError
          ? ['upstream_invalid_response', 'the agents registry sent an invalid payload', error.status]
          : error instanceof OoNetworkError
            ? ['upstream_unreachable', 'the agents registry could not be reached']
            : ['upstream_unreachable', 'the agents registry request failed'];
  return {
    error: {
      code: 'upstream_error',
      message,
      details: status === undefined ? { reason } : { reason, status },
    },
  };
}
