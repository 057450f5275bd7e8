import { CorruptRecordError, type RecordKind, StoreUnavailableError } from '../errors.js';
import { backoffDelay, pause } from '../internal/backoff.js';
import { KeyedMutex } from '../internal/keyed-mutex.js';
import type { FiguresRecord } from '../records/figures-record.js';
import { decodeRecord, encodeRecord, type RecordOf } from '../records/record-codec.js';
import type { SyncRecord } from '../records/sync-record.js';
import { emptyUserState, type UserState } from '../records/user-state.js';
import type { StateStore, Update } from '../store.js';
import { assertUserId } from '../user-id.js';
import { allUserKeys, asideKey, assertKeyPrefix, figuresKey, userRecordKey } from './keys.js';
import { COMPARE_AND_SET, MOVE_ASIDE, sha1Hex } from './lua-script.js';
import { RedisConnection } from './redis-connection.js';
import { REDIS_STORE_DEFAULTS, type RedisStoreOptions } from './redis-store-options.js';

/** The Redis store, see docs/adr/0003. Connects at once and reconnects on its own. */
export function createRedisStore(options: RedisStoreOptions): StateStore {
  return new RedisStore(options);
}

// What reading a record found: its bytes (for the compare-and-set) and its decoded value.
type Snapshot<V> = { raw: Buffer | null; value: V | null };

class RedisStore implements StateStore {
  readonly backend = 'redis';
  readonly #connection: RedisConnection;
  readonly #prefix: string;
  readonly #lockTimeoutMs: number;
  readonly #maxAttempts: number;
  // Same-user operations of this process queue here, so the compare-and-set only ever races
  // against other processes instead of against this process's own concurrent requests.
  readonly #mutex = new KeyedMutex();
  #closed = false;

  constructor(options: RedisStoreOptions) {
    this.#prefix = options.keyPrefix ?? REDIS_STORE_DEFAULTS.keyPrefix;
    assertKeyPrefix(this.#prefix);
    this.#lockTimeoutMs = options.lockTimeoutMs ?? REDIS_STORE_DEFAULTS.lockTimeoutMs;
    this.#maxAttempts = Math.max(1, options.maxAttempts ?? REDIS_STORE_DEFAULTS.maxAttempts);
    const connectTimeoutMs = options.connectTimeoutMs ?? REDIS_STORE_DEFAULTS.connectTimeoutMs;
    this.#connection = new RedisConnection({
      url: options.url,
      commandTimeoutMs: options.commandTimeoutMs ?? REDIS_STORE_DEFAULTS.commandTimeoutMs,
      connectTimeoutMs,
      connectionWaitMs: options.connectionWaitMs ?? connectTimeoutMs,
      reconnectDelayMaxMs: options.reconnectDelayMaxMs ?? REDIS_STORE_DEFAULTS.reconnectDelayMaxMs,
      onError: options.onError,
    });
  }

  async readUser(userId: string): Promise<UserState> {
    this.#assertUser(userId);
    const { value } = await this.#read('state', userId, userRecordKey(this.#prefix, userId, 'state'));
    return value ?? emptyUserState(userId);
  }

  async updateUser<T>(userId: string, fn: (state: UserState) => Update<T>): Promise<T> {
    this.#assertUser(userId);
    return this.#update('state', userId, userRecordKey(this.#prefix, userId, 'state'), (state) =>
      fn(state ?? emptyUserState(userId)),
    );
  }

  async deleteUser(userId: string): Promise<void> {
    this.#assertUser(userId);
    // One DEL of keys sharing a hash slot is atomic; a concurrent compare-and-set then fails and
    // retries from the empty state.
    await this.#exclusive(userId, () =>
      this.#connection.run((client) => client.del(...allUserKeys(this.#prefix, userId))),
    );
  }

  async readSync(userId: string): Promise<SyncRecord | null> {
    this.#assertUser(userId);
    return (await this.#read('sync', userId, userRecordKey(this.#prefix, userId, 'sync'))).value;
  }

  async updateSync<T>(userId: string, fn: (sync: SyncRecord | null) => Update<T, SyncRecord>): Promise<T> {
    this.#assertUser(userId);
    return this.#update('sync', userId, userRecordKey(this.#prefix, userId, 'sync'), fn);
  }

  async readFigures(name: string): Promise<FiguresRecord | null> {
    this.#assertName(name);
    return (await this.#read('figures', name, figuresKey(this.#prefix, name))).value;
  }

  async writeFigures(name: string, figures: FiguresRecord): Promise<void> {
    this.#assertName(name);
    const data = encodeRecord('figures', name, figures);
    await this.#connection.run((client) => client.set(figuresKey(this.#prefix, name), data));
  }

  async ping(): Promise<void> {
    this.#assertOpen();
    await this.#connection.run((client) => client.ping());
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#connection.close();
  }

  async #update<K extends 'state' | 'sync', T>(
    kind: K,
    userId: string,
    key: string,
    fn: (current: RecordOf<K> | null) => Update<T, RecordOf<K>>,
  ): Promise<T> {
    return this.#exclusive(userId, async () => {
      for (let attempt = 0; attempt < this.#maxAttempts; attempt++) {
        if (attempt > 0) await pause(backoffDelay(attempt, 1, 25));
        const snapshot = await this.#snapshot(kind, userId, key);
        if (snapshot === null) continue;
        const { result, state } = fn(snapshot.value);
        if (state === undefined) return result;
        const data = encodeRecord(kind, userId, state);
        const expected = snapshot.raw === null ? '' : sha1Hex(snapshot.raw);
        const written = await this.#connection.run((client) =>
          COMPARE_AND_SET.run(client, [key], [expected, data]),
        );
        if (written === 1) return result;
      }
      throw new StoreUnavailableError(
        'redis',
        `gave up updating the ${kind} record of ${JSON.stringify(userId)} after ${this.#maxAttempts} conflicting writes`,
      );
    });
  }

  async #read<K extends RecordKind>(kind: K, owner: string, key: string): Promise<Snapshot<RecordOf<K>>> {
    for (let attempt = 0; attempt < this.#maxAttempts; attempt++) {
      const snapshot = await this.#snapshot(kind, owner, key);
      if (snapshot !== null) return snapshot;
    }
    throw new StoreUnavailableError('redis', `the ${kind} record of ${JSON.stringify(owner)} keeps changing`);
  }

  /**
   * Reads and decodes one record. A corrupt record is moved aside (if it has not been replaced
   * meanwhile, in which case this returns null and the caller reads again) and reported.
   */
  async #snapshot<K extends RecordKind>(
    kind: K,
    owner: string,
    key: string,
  ): Promise<Snapshot<RecordOf<K>> | null> {
    const raw = await this.#connection.run((client) => client.getBuffer(key));
    if (raw === null) return { raw, value: null };
    const decoded = decodeRecord(kind, owner, raw.toString('utf8'));
    if (decoded.ok) return { raw, value: decoded.value };
    const aside = asideKey(key);
    const moved = await this.#connection.run((client) =>
      MOVE_ASIDE.run(client, [key, aside], [sha1Hex(raw)]),
    );
    if (moved !== 1) return null;
    throw new CorruptRecordError(owner, kind, aside, { cause: decoded.cause });
  }

  #exclusive<T>(userId: string, body: () => Promise<T>): Promise<T> {
    return this.#mutex
      .acquire(
        userId,
        this.#lockTimeoutMs,
        () =>
          new StoreUnavailableError(
            'redis',
            `timed out after ${this.#lockTimeoutMs} ms waiting for other operations on ${JSON.stringify(userId)}`,
          ),
      )
      .then(async (release) => {
        try {
          return await body();
        } finally {
          release();
        }
      });
  }

  #assertUser(userId: string): void {
    assertUserId(userId);
    this.#assertOpen();
  }

  #assertName(name: string): void {
    assertUserId(name, 'figures name');
    this.#assertOpen();
  }

  #assertOpen(): void {
    if (this.#closed) throw new StoreUnavailableError('redis', 'the redis store is closed');
  }
}
