/** Options of `createRedisStore`. */
export interface RedisStoreOptions {
  /** The server (`REDIS_URL`), e.g. `redis://127.0.0.1:6379/0`; `rediss://` for TLS. */
  url: string;
  /**
   * Prepended to every key, so several deployments can share one database. No braces: the user
   * id is the hash tag.
   * @default 'oo:'
   */
  keyPrefix?: string;
  /**
   * Longest wait for the reply to one command; past it the operation fails with
   * `StoreUnavailableError` (its effect, for a write, is then unknown).
   * @default 1000
   */
  commandTimeoutMs?: number;
  /**
   * Longest wait for a connection (at start-up or after Redis went away) before an operation fails
   * with `StoreUnavailableError`. Once such a wait has failed, operations fail at once until the
   * connection is back, so an outage costs each request no more than this bound. Also the
   * time-out of each connection attempt, unless `connectionWaitMs` sets the wait apart.
   * @default 2000
   */
  connectTimeoutMs?: number;
  /**
   * The wait of one operation for a connection, when it must be shorter than a connection attempt
   * may take (a service that answers 503 within a deadline, while reconnection keeps its own
   * time-out).
   * @default connectTimeoutMs
   */
  connectionWaitMs?: number;
  /**
   * How long one operation may wait in this process for the other operations on the same user.
   * @default 5000
   */
  lockTimeoutMs?: number;
  /**
   * Compare-and-set attempts of one update against writers in other processes before giving up
   * with `StoreUnavailableError`.
   * @default 50
   */
  maxAttempts?: number;
  /**
   * Upper bound of the delay between reconnection attempts (exponential from 50 ms), so the store
   * notices quickly when Redis is back.
   * @default 1000
   */
  reconnectDelayMaxMs?: number;
  /**
   * Receives connection errors (refused, reset, timed out) as they happen, e.g. to log them.
   * Operations report failures through their own rejections regardless.
   * @default undefined (ignored)
   */
  onError?: (error: Error) => void;
  /**
   * Memory budget of the in-process cache of decoded user states, in bytes; an entry is counted
   * as 2.5 times its record's size (measured: the decoded objects and their JSON texts). A cached
   * state saves the GET and the decoding of an update: the write is a compare-and-set against the
   * cached record's SHA-1, so a write by another process is detected, never overwritten, and reads
   * confirm the cache with one small round trip. 0 disables it.
   * @default 134217728 (128 MiB)
   */
  cacheBytes?: number;
}

export const REDIS_STORE_DEFAULTS = {
  keyPrefix: 'oo:',
  commandTimeoutMs: 1_000,
  connectTimeoutMs: 2_000,
  lockTimeoutMs: 5_000,
  maxAttempts: 50,
  reconnectDelayMaxMs: 1_000,
  cacheBytes: 128 * 1024 * 1024,
} as const satisfies Omit<Required<RedisStoreOptions>, 'url' | 'onError' | 'connectionWaitMs'>;
