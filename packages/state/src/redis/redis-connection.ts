import { Redis } from 'ioredis';
import { StateError, StoreUnavailableError } from '../errors.js';

export interface RedisConnectionOptions {
  url: string;
  commandTimeoutMs: number;
  connectTimeoutMs: number;
  /** Longest wait of one operation for the connection. */
  connectionWaitMs: number;
  reconnectDelayMaxMs: number;
  onError: ((error: Error) => void) | undefined;
}

/**
 * One ioredis client configured so that no command ever waits unboundedly: commands are never
 * queued while disconnected (`enableOfflineQueue: false`; `ready()` waits for the connection
 * instead, bounded), never resent after a reconnect (a resent compare-and-set could apply an
 * update twice, so its outcome is reported as unknown instead), and time out after
 * `commandTimeoutMs`. Reconnection itself is automatic and never gives up.
 */
export class RedisConnection {
  readonly client: Redis;
  readonly #connectionWaitMs: number;
  // Set when a wait for the connection timed out; until the next `ready`, operations fail at once.
  #down = false;
  #closing = false;
  #waiting: Promise<void> | undefined;

  constructor(options: RedisConnectionOptions) {
    this.#connectionWaitMs = options.connectionWaitMs;
    this.client = new Redis(options.url, {
      connectTimeout: options.connectTimeoutMs,
      commandTimeout: options.commandTimeoutMs,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      autoResendUnfulfilledCommands: false,
      retryStrategy: (attempt) => Math.min(50 * 2 ** Math.min(attempt, 16), options.reconnectDelayMaxMs),
    });
    // Without a listener ioredis prints every connection error to stderr.
    this.client.on('error', (error: Error) => options.onError?.(error));
    this.client.on('ready', () => {
      this.#down = false;
    });
  }

  /** Runs `command` once the connection is ready, mapping every failure to `StoreUnavailableError`. */
  async run<T>(command: (client: Redis) => Promise<T>): Promise<T> {
    await this.#ready();
    try {
      return await command(this.client);
    } catch (error) {
      if (error instanceof StateError) throw error;
      throw unavailable(`redis command failed: ${messageOf(error)}`, error);
    }
  }

  async close(): Promise<void> {
    this.#closing = true;
    try {
      if (this.client.status === 'ready') await this.client.quit();
    } catch {
      // The connection is going away either way.
    } finally {
      this.client.disconnect();
    }
  }

  #ready(): Promise<void> {
    const { client } = this;
    if (client.status === 'ready') return Promise.resolve();
    if (this.#closing || client.status === 'end')
      return Promise.reject(unavailable('the redis store is closed'));
    if (this.#down) return Promise.reject(unavailable(`redis is unreachable (${client.status})`));
    // Operations arriving while the connection comes up share one wait (and one pair of listeners:
    // a hundred concurrent requests at start-up would otherwise add a hundred of each).
    this.#waiting ??= new Promise<void>((resolve, reject) => {
      const settle = (error?: StoreUnavailableError) => {
        this.#waiting = undefined;
        clearTimeout(timer);
        client.off('ready', onReady);
        client.off('end', onEnd);
        if (error === undefined) resolve();
        else reject(error);
      };
      const onReady = () => settle();
      const onEnd = () => settle(unavailable('the redis connection was closed'));
      const timer = setTimeout(() => {
        this.#down = true;
        settle(unavailable(`no redis connection within ${this.#connectionWaitMs} ms (${client.status})`));
      }, this.#connectionWaitMs);
      client.on('ready', onReady);
      client.on('end', onEnd);
    });
    return this.#waiting;
  }
}

function unavailable(message: string, cause?: unknown): StoreUnavailableError {
  return new StoreUnavailableError('redis', message, cause === undefined ? undefined : { cause });
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
