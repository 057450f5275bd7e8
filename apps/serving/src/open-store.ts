import type { Logger } from '@oo/observability';
import type { StateStore } from '@oo/state';
import type { ServingEnv } from './env.js';

// Redis reports every failed reconnection attempt (up to one a second during an outage); one
// line per interval is enough for an operator, and /health and the metrics say the rest.
const CONNECTION_LOG_INTERVAL_MS = 30_000;
// While Redis is away a request waits this long for the connection to come back, then is refused
// with 503: well inside the 1 s in which an outage must be reported (docs/reliability.md), and
// short enough that requests queued behind it for the same user do not pile up. Reconnection
// itself keeps the store's own, longer time-out.
const REDIS_CONNECTION_WAIT_MS = 500;

/**
 * The configured backend, imported on demand: a file-store deployment never loads the Redis
 * client (STYLE: unstorage-style lazy drivers).
 */
export async function openStore(
  env: Pick<
    ServingEnv,
    'STATE_BACKEND' | 'STATE_DIR' | 'STATE_FSYNC' | 'STATE_LOCK_TIMEOUT_MS' | 'STATE_CACHE_MB' | 'REDIS_URL'
  >,
  logger: Logger,
): Promise<StateStore> {
  const lock = env.STATE_LOCK_TIMEOUT_MS === undefined ? {} : { lockTimeoutMs: env.STATE_LOCK_TIMEOUT_MS };
  const cacheBytes = env.STATE_CACHE_MB * 1024 * 1024;
  if (env.STATE_BACKEND === 'redis') {
    const { createRedisStore } = await import('@oo/state/redis');
    let lastLogged = Number.NEGATIVE_INFINITY;
    return createRedisStore({
      url: env.REDIS_URL,
      connectionWaitMs: REDIS_CONNECTION_WAIT_MS,
      ...lock,
      onError(error) {
        const now = Date.now();
        if (now - lastLogged < CONNECTION_LOG_INTERVAL_MS) return;
        lastLogged = now;
        logger.warn({ err: error }, 'redis connection error');
      },
    });
  }
  const { createFileStore } = await import('@oo/state/file');
  return createFileStore({ dir: env.STATE_DIR, fsync: env.STATE_FSYNC, ...lock, cacheBytes });
}
