import { CorruptRecordError, type RecordKind, StoreUnavailableError } from '../errors.js';
import { backoffDelay, pause } from '../internal/backoff.js';
import { KeyedMutex } from '../internal/keyed-mutex.js';
import { RecordCache } from '../internal/record-cache.js';
import type { FiguresRecord } from '../records/figures-record.js';
import { decodeRecord, encodeRecord, type RecordOf } from '../records/record-codec.js';
import { decodeStateAfter, encodeState, mutableCopy } from '../records/state-codec.js';
import type { SyncRecord } from '../records/sync-record.js';
import { emptyUserState, type UserState } from '../records/user-state.js';
import { type ListUsersOptions, listUsersPageSize, type StateStore, type Update } from '../store.js';
import { assertUserId } from '../user-id.js';
import {
  allUserKeys,
  asideKey,
  assertKeyPrefix,
  figuresKey,
  stateKeyPattern,
  userIdOfStateKey,
  userRecordKey,
} from './keys.js';
import { COMPARE_AND_SET, GET_IF_CHANGED, MOVE_ASIDE, SET_IF_UNCHANGED, sha1Hex } from './lua-script.js';
import { RedisConnection } from './redis-connection.js';
import { REDIS_STORE_DEFAULTS, type RedisStoreOptions } from './redis-store-options.js';

/** The Redis store, see docs/adr/0003. Connects at once and reconnects on its own. */
export function createRedisStore(options: RedisStoreOptions): StateStore {
  return new RedisStore(options);
}

// What reading a record found: its bytes (for the compare-and-set) and its decoded value.
type Snapshot<V> = { raw: Buffer | null; value: V | null };

// The moving average of stale cache views weighs the last ~20 updates; past one in five stale,
// updates confirm the cache before writing instead of writing on it optimistically.
const STALE_RATE_WEIGHT = 0.05;
const STALE_RATE_TO_CONFIRM_FIRST = 0.2;

// Memory an entry takes per byte of its record (measured with 35 kB states: the decoded objects
// and their JSON texts); the cache budget counts entries at this rate.
const CACHE_COST = 2.5;

/**
 * A user's state as this store last read or wrote it: the SHA-1 of its bytes ('' when absent) and
 * its frozen value. Never trusted blindly: writes compare-and-set against `sha`, and reads and
 * outcomes that write nothing are confirmed with GET_IF_CHANGED (docs/adr/0018).
 */
interface StateView {
  readonly sha: string;
  readonly value: UserState | null;
  readonly size: number;
}

class RedisStore implements StateStore {
  readonly backend = 'redis';
  readonly #connection: RedisConnection;
  readonly #prefix: string;
  readonly #lockTimeoutMs: number;
  readonly #maxAttempts: number;
  // Same-user operations of this process queue here, so the compare-and-set only ever races
  // against other processes instead of against this process's own concurrent requests.
  readonly #mutex = new KeyedMutex();
  readonly #cache: RecordCache<StateView>;
  // How often, lately, a cached view had been overwritten by another process (a moving average).
  // Where that is common — several processes serving the same users — a write on an old view
  // sends the whole record for nothing, so the cache is confirmed first (a small round trip).
  #staleRate = 0;
  #closed = false;

  constructor(options: RedisStoreOptions) {
    this.#prefix = options.keyPrefix ?? REDIS_STORE_DEFAULTS.keyPrefix;
    assertKeyPrefix(this.#prefix);
    this.#lockTimeoutMs = options.lockTimeoutMs ?? REDIS_STORE_DEFAULTS.lockTimeoutMs;
    this.#maxAttempts = Math.max(1, options.maxAttempts ?? REDIS_STORE_DEFAULTS.maxAttempts);
    this.#cache = new RecordCache(options.cacheBytes ?? REDIS_STORE_DEFAULTS.cacheBytes);
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
    const key = userRecordKey(this.#prefix, userId, 'state');
    const cached = this.#cache.get(key);
    const view =
      cached === undefined ? await this.#readState(userId, key) : await this.#revalidate(userId, key, cached);
    return view.value === null ? emptyUserState(userId) : mutableCopy(view.value);
  }

  /**
   * The state update in one round trip when this process has the user cached: `fn` runs on the
   * cached state and the result is written by SET_IF_UNCHANGED against the cached SHA-1. If
   * another process wrote meanwhile, the reply carries the current record and `fn` runs again on
   * it. An outcome computed from the cache that writes nothing (or throws) is only returned once
   * GET_IF_CHANGED has confirmed the cache, so no answer rests on a stale read.
   */
  async updateUser<T>(userId: string, fn: (state: UserState) => Update<T>): Promise<T> {
    this.#assertUser(userId);
    const key = userRecordKey(this.#prefix, userId, 'state');
    return this.#exclusive(userId, async () => {
      const cached = this.#cache.get(key);
      let view: StateView;
      let confirmed = true;
      if (cached === undefined) {
        view = await this.#readState(userId, key);
      } else if (this.#staleRate > STALE_RATE_TO_CONFIRM_FIRST) {
        view = await this.#revalidate(userId, key, cached);
        this.#observeCache(view !== cached);
      } else {
        view = cached;
        confirmed = false;
      }
      for (let conflicts = 0; conflicts < this.#maxAttempts; ) {
        let outcome: Update<T>;
        try {
          outcome = fn(view.value === null ? emptyUserState(userId) : mutableCopy(view.value));
        } catch (error) {
          if (confirmed) throw error;
          view = await this.#revalidate(userId, key, view);
          confirmed = true;
          continue;
        }
        const { result, state } = outcome;
        if (state === undefined) {
          if (confirmed) return result;
          view = await this.#revalidate(userId, key, view);
          confirmed = true;
          continue;
        }
        const encoded = encodeState(userId, state);
        const bytes = Buffer.from(encoded.text, 'utf8');
        const reply = await this.#connection
          .run((client) => SET_IF_UNCHANGED.runBuffer(client, [key], [view.sha, bytes]))
          .catch((error: unknown) => {
            // The write may or may not have happened; the next operation reads afresh.
            this.#cache.delete(key);
            throw error;
          });
        const [status, raw, sha] = reply as [number, Buffer?, Buffer?];
        if (!confirmed) this.#observeCache(status !== 1);
        if (status === 1) {
          this.#cache.set(key, {
            sha: sha1Hex(bytes),
            value: encoded.value,
            size: bytes.length * CACHE_COST,
          });
          return result;
        }
        conflicts++;
        // A cached view that was out of date is no contention: the reply holds the current record,
        // so retry at once. A record that changed between a fresh read and the write is: back off.
        if (confirmed && conflicts < this.#maxAttempts) await pause(backoffDelay(conflicts, 1, 25));
        view = await this.#viewOf(userId, key, raw ?? null, sha?.toString('latin1') ?? '');
        confirmed = true;
      }
      throw new StoreUnavailableError(
        'redis',
        `gave up updating the state record of ${JSON.stringify(userId)} after ${this.#maxAttempts} conflicting writes`,
      );
    });
  }

  async deleteUser(userId: string): Promise<void> {
    this.#assertUser(userId);
    // One DEL of keys sharing a hash slot is atomic; a concurrent compare-and-set then fails and
    // retries from the empty state.
    await this.#exclusive(userId, () => {
      this.#cache.delete(userRecordKey(this.#prefix, userId, 'state'));
      return this.#connection.run((client) => client.del(...allUserKeys(this.#prefix, userId)));
    });
  }

  /**
   * SCAN with MATCH on the state keys of this prefix and COUNT of the page size, one call per
   * page read (never KEYS, which blocks the server for the whole keyspace). SCAN may return a key
   * twice; the ids already listed are remembered (a few dozen bytes per user) so none is.
   */
  async *listUsers(options?: ListUsersOptions): AsyncGenerator<string[]> {
    const pageSize = listUsersPageSize(options);
    this.#assertOpen();
    const match = stateKeyPattern(this.#prefix);
    const listed = new Set<string>();
    let page: string[] = [];
    let cursor = '0';
    do {
      const [next, keys] = await this.#connection.run((client) =>
        client.scan(cursor, 'MATCH', match, 'COUNT', pageSize),
      );
      cursor = next;
      for (const key of keys) {
        const userId = userIdOfStateKey(this.#prefix, key);
        if (userId === null || listed.has(userId)) continue;
        listed.add(userId);
        page.push(userId);
        if (page.length === pageSize) {
          yield page;
          page = [];
        }
      }
    } while (cursor !== '0');
    if (page.length > 0) yield page;
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
    this.#cache.clear();
    await this.#connection.close();
  }

  #observeCache(stale: boolean): void {
    this.#staleRate = this.#staleRate * (1 - STALE_RATE_WEIGHT) + (stale ? STALE_RATE_WEIGHT : 0);
  }

  /** Reads the state with GET (no usable cache entry) and caches it. */
  async #readState(userId: string, key: string): Promise<StateView> {
    for (let attempt = 0; attempt < this.#maxAttempts; attempt++) {
      const raw = await this.#connection.run((client) => client.getBuffer(key));
      const view = await this.#decodeView(userId, key, raw, raw === null ? '' : sha1Hex(raw));
      if (view !== null) return view;
    }
    throw new StoreUnavailableError('redis', `the state record of ${JSON.stringify(userId)} keeps changing`);
  }

  /** The cached view if the record still has its bytes, else what the record holds now. */
  async #revalidate(userId: string, key: string, view: StateView): Promise<StateView> {
    if (view.sha === '') return this.#readState(userId, key);
    const reply = (await this.#connection.run((client) =>
      GET_IF_CHANGED.runBuffer(client, [key], [view.sha]),
    )) as [number, Buffer?, Buffer?];
    if (reply[0] === 1) return view;
    return this.#viewOf(userId, key, reply[1] ?? null, reply[2]?.toString('latin1') ?? '');
  }

  /** A view of bytes a script returned; reads again if they were corrupt and replaced meanwhile. */
  async #viewOf(userId: string, key: string, raw: Buffer | null, sha: string): Promise<StateView> {
    return (await this.#decodeView(userId, key, raw, sha)) ?? this.#readState(userId, key);
  }

  /**
   * Decodes a state record's bytes into a cached view (the cache entry is reused when the SHA-1
   * matches). A corrupt record is moved aside and reported, or null when it was replaced before
   * it could be moved (the caller reads again).
   */
  async #decodeView(userId: string, key: string, raw: Buffer | null, sha: string): Promise<StateView | null> {
    if (raw === null) {
      this.#cache.delete(key);
      return { sha: '', value: null, size: 0 };
    }
    const cached = this.#cache.get(key);
    if (cached !== undefined && cached.sha === sha) return cached;
    this.#cache.delete(key);
    const decoded = decodeStateAfter(userId, raw.toString('utf8'), cached?.value ?? null);
    if (decoded.ok) {
      const view = { sha, value: decoded.value, size: raw.length * CACHE_COST };
      this.#cache.set(key, view);
      return view;
    }
    const aside = asideKey(key);
    const moved = await this.#connection.run((client) => MOVE_ASIDE.run(client, [key, aside], [sha]));
    if (moved !== 1) return null;
    throw new CorruptRecordError(userId, 'state', aside, { cause: decoded.cause });
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
