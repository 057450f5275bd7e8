import { randomBytes } from 'node:crypto';
import { readFileSync, renameSync, rmdirSync } from 'node:fs';
import { access, constants, lstat, mkdir, opendir, readdir, stat, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { CorruptRecordError, type RecordKind, StateError, StoreUnavailableError } from '../errors.js';
import { KeyedMutex } from '../internal/keyed-mutex.js';
import { processWide } from '../internal/process-wide.js';
import { RecordCache } from '../internal/record-cache.js';
import type { FiguresRecord } from '../records/figures-record.js';
import { decodeRecord, encodeRecord, type RecordOf } from '../records/record-codec.js';
import { decodeStateAfter, encodeState, mutableCopy } from '../records/state-codec.js';
import type { SyncRecord } from '../records/sync-record.js';
import { emptyUserState, type UserState } from '../records/user-state.js';
import { type ListUsersOptions, listUsersPageSize, type StateStore, type Update } from '../store.js';
import { syncDirectory, writeFileAtomic, writeFileAtomicFast } from './atomic-write.js';
import { FILE_STORE_DEFAULTS, type FileStoreOptions } from './file-store-options.js';
import { RECORD_FILE, StoreLayout } from './layout.js';
import {
  acquireFileLock,
  errorCode,
  type FileLock,
  LOCK_FILE,
  LockTimeoutError,
  tryAcquireFileLockSync,
} from './lock-file.js';
import { parseRecordDirName } from './record-dir-name.js';

// One mutex per process, shared by every FileStore instance and by both the ESM and the CJS
// build of this module, so that operations of one process queue instead of polling a lock file.
const MUTEX = processWide('@oo/state/file-store/mutex', () => new KeyedMutex());

/** The embedded default store: one directory per user under `dir`, see docs/adr/0004 and 0018. */
export function createFileStore(options: FileStoreOptions): StateStore {
  return new FileStore(options);
}

// Memory an entry takes per byte of its record (measured with 35 kB states: the bytes, the
// decoded objects, their JSON texts); the cache budget counts entries at this rate.
const CACHE_COST = 3.5;

/** A user's state as last read or written by this store: its exact bytes and their frozen value. */
interface CachedState {
  readonly bytes: Buffer;
  readonly value: UserState;
  readonly size: number;
}

/** What a read found when the record did not decode. */
class Corrupt {
  constructor(readonly cause: unknown) {}
}

class FileStore implements StateStore {
  readonly backend = 'file';
  readonly #layout: StoreLayout;
  readonly #fsync: boolean;
  readonly #lockTimeoutMs: number;
  readonly #staleLockMs: number;
  // Decoded states by user directory. An entry is used only when the file still holds exactly its
  // bytes (compared on every read, under the lock for updates), so a write by any other process,
  // a deletion or a hand edit is seen at once: the cache saves decoding and validating, never a
  // read (docs/adr/0018).
  readonly #cache: RecordCache<CachedState>;
  #closed = false;

  constructor(options: FileStoreOptions) {
    this.#layout = new StoreLayout(options.dir);
    this.#fsync = options.fsync ?? FILE_STORE_DEFAULTS.fsync;
    this.#lockTimeoutMs = options.lockTimeoutMs ?? FILE_STORE_DEFAULTS.lockTimeoutMs;
    this.#staleLockMs = options.staleLockMs ?? FILE_STORE_DEFAULTS.staleLockMs;
    this.#cache = new RecordCache(options.cacheBytes ?? FILE_STORE_DEFAULTS.cacheBytes);
  }

  async readUser(userId: string): Promise<UserState> {
    const state = await this.#read(this.#userDir(userId), 'state', userId);
    return state === null ? emptyUserState(userId) : mutableCopy(state);
  }

  async updateUser<T>(userId: string, fn: (state: UserState) => Update<T>): Promise<T> {
    const dir = this.#userDir(userId);
    let wrote = false;
    return this.#locked(
      dir,
      () => {
        const current = this.#readLocked(dir, 'state', userId);
        const { result, state } = fn(current === null ? emptyUserState(userId) : mutableCopy(current));
        if (state === undefined) return result;
        const encoded = encodeState(userId, state);
        const bytes = Buffer.from(encoded.text, 'utf8');
        const cache = () => {
          wrote = true;
          this.#cache.set(dir, { bytes, value: encoded.value, size: bytes.length * CACHE_COST });
          return result;
        };
        return this.#write(dir, 'state', bytes).then(cache);
      },
      () => {
        if (!wrote) removeIfEmpty(dir);
      },
    );
  }

  async deleteUser(userId: string): Promise<void> {
    const dir = this.#userDir(userId);
    // No directory, no lock and no record: the deletion is already true, and any write that
    // creates the directory from now on is ordered after it.
    if (!(await this.#io(exists(dir)))) return;
    await this.#locked(
      dir,
      async () => {
        this.#cache.delete(dir);
        const names = await this.#io(readdir(dir));
        const doomed = names.filter((name) => name !== LOCK_FILE && !name.startsWith(`${LOCK_FILE}.`));
        for (const name of doomed) await this.#io(unlinkIfPresent(join(dir, name)));
        if (this.#fsync && doomed.length > 0) await this.#io(syncDirectory(dir));
      },
      () => removeIfEmpty(dir),
    );
  }

  /**
   * Reads `users/` entry by entry (opendir, never the whole listing at once). Only real
   * directories whose names `recordDirName` produces and that hold a regular `state.json` count:
   * a symbolic link is never followed, so nothing outside the store's directory is looked at.
   */
  async *listUsers(options?: ListUsersOptions): AsyncGenerator<string[]> {
    const pageSize = listUsersPageSize(options);
    this.#assertOpen();
    const users = this.#layout.usersDir();
    if (!(await this.#io(isRealDirectory(users)))) return;
    const dir = await this.#io(opendir(users, { bufferSize: 64 }));
    let page: string[] = [];
    const entries = dir[Symbol.asyncIterator]();
    try {
      while (true) {
        const next = await this.#io(entries.next());
        if (next.done) break;
        const entry = next.value;
        if (!entry.isDirectory()) continue;
        const userId = parseRecordDirName(entry.name);
        if (userId === null) continue;
        if (!(await this.#io(isRegularFile(join(users, entry.name, RECORD_FILE.state))))) continue;
        page.push(userId);
        if (page.length === pageSize) {
          yield page;
          page = [];
        }
      }
    } finally {
      // Closes the directory handle when the scan ends early too (a consumer that stops reading).
      await entries.return?.();
    }
    if (page.length > 0) yield page;
  }

  async readSync(userId: string): Promise<SyncRecord | null> {
    return this.#read(this.#userDir(userId), 'sync', userId);
  }

  async updateSync<T>(userId: string, fn: (sync: SyncRecord | null) => Update<T, SyncRecord>): Promise<T> {
    const dir = this.#userDir(userId);
    let wrote = false;
    return this.#locked(
      dir,
      () => {
        const { result, state } = fn(this.#readLocked(dir, 'sync', userId));
        if (state === undefined) return result;
        const bytes = Buffer.from(encodeRecord('sync', userId, state), 'utf8');
        const done = () => {
          wrote = true;
          return result;
        };
        return this.#write(dir, 'sync', bytes).then(done);
      },
      () => {
        if (!wrote) removeIfEmpty(dir);
      },
    );
  }

  async readFigures(name: string): Promise<FiguresRecord | null> {
    return this.#read(this.#figuresDir(name), 'figures', name);
  }

  async writeFigures(name: string, figures: FiguresRecord): Promise<void> {
    const dir = this.#figuresDir(name);
    const bytes = Buffer.from(encodeRecord('figures', name, figures), 'utf8');
    await this.#locked(dir, () => this.#write(dir, 'figures', bytes));
  }

  async ping(): Promise<void> {
    this.#assertOpen();
    const { root } = this.#layout;
    await this.#io(mkdir(root, { recursive: true, mode: 0o700 }));
    await this.#io(access(root, constants.R_OK | constants.W_OK | constants.X_OK));
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#cache.clear();
  }

  #userDir(userId: string): string {
    this.#assertOpen();
    return this.#layout.userDir(userId);
  }

  #figuresDir(name: string): string {
    this.#assertOpen();
    return this.#layout.figuresDir(name);
  }

  #assertOpen(): void {
    if (this.#closed) throw new StoreUnavailableError('file', 'the file store is closed');
  }

  /**
   * Reads a record without the lock; null when it does not exist. A record that does not decode
   * is read again under the lock before it is judged: unlocked, the read may have met a file a
   * writer has replaced since (the rename is atomic, but our read of the old one need not be).
   */
  async #read<K extends RecordKind>(dir: string, kind: K, owner: string): Promise<RecordOf<K> | null> {
    const loaded = this.#ioSync(() => this.#load(dir, kind, owner));
    if (!(loaded instanceof Corrupt)) return loaded;
    return this.#locked(dir, () => this.#readLocked(dir, kind, owner));
  }

  /** Reads a record while holding its lock; a corrupt one is moved aside and reported. */
  #readLocked<K extends RecordKind>(dir: string, kind: K, owner: string): RecordOf<K> | null {
    const loaded = this.#ioSync(() => this.#load(dir, kind, owner));
    if (!(loaded instanceof Corrupt)) return loaded;
    const path = join(dir, RECORD_FILE[kind]);
    const aside = `${path}.corrupt-${new Date().toISOString().replace(/[:.]/g, '')}-${randomBytes(2).toString('hex')}`;
    try {
      renameSync(path, aside);
    } catch (error) {
      throw new CorruptRecordError(owner, kind, null, { cause: error });
    }
    throw new CorruptRecordError(owner, kind, aside, { cause: loaded.cause });
  }

  /**
   * One record's bytes, decoded: from the cache when they are the very bytes it holds (a state
   * record), else parsed and validated in full. Blocking calls: a page-cache read of a few kB is
   * cheaper than a round trip through the thread pool.
   */
  #load<K extends RecordKind>(dir: string, kind: K, owner: string): RecordOf<K> | null | Corrupt {
    let bytes: Buffer;
    try {
      bytes = readFileSync(join(dir, RECORD_FILE[kind]));
    } catch (error) {
      if (errorCode(error) !== 'ENOENT') throw error;
      if (kind === 'state') this.#cache.delete(dir);
      return null;
    }
    if (kind !== 'state') {
      const decoded = decodeRecord(kind, owner, bytes.toString('utf8'));
      return decoded.ok ? decoded.value : new Corrupt(decoded.cause);
    }
    const cached = this.#cache.get(dir);
    if (cached?.bytes.equals(bytes)) return cached.value as RecordOf<K>;
    this.#cache.delete(dir);
    const decoded = decodeStateAfter(owner, bytes.toString('utf8'), cached?.value ?? null);
    if (!decoded.ok) return new Corrupt(decoded.cause);
    this.#cache.set(dir, { bytes, value: decoded.value, size: bytes.length * CACHE_COST });
    return decoded.value as RecordOf<K>;
  }

  /** Replaces a record; with `fsync`, the file and the directory are flushed before it resolves. */
  #write(dir: string, kind: RecordKind, bytes: Buffer): Promise<void> {
    return this.#io(
      this.#fsync
        ? writeFileAtomic(dir, RECORD_FILE[kind], bytes, true)
        : writeFileAtomicFast(dir, RECORD_FILE[kind], bytes),
    );
  }

  /**
   * Runs `body` holding the directory's in-process mutex and its cross-process lock, both obtained
   * within `lockTimeoutMs`. A free lock is taken in one blocking call; a held one is waited for
   * (and judged stale or not) asynchronously. `afterUnlock` runs once the lock is released but
   * while the mutex is still held.
   */
  async #locked<T>(
    dir: string,
    body: () => T | Promise<T>,
    afterUnlock?: () => void | Promise<void>,
  ): Promise<T> {
    const deadline = Date.now() + this.#lockTimeoutMs;
    const timeout = () =>
      new StoreUnavailableError(
        'file',
        `timed out after ${this.#lockTimeoutMs} ms waiting for the lock of ${dir}`,
      );
    const release = await MUTEX.acquire(dir, this.#lockTimeoutMs, timeout);
    try {
      let lock: FileLock | null;
      try {
        // A directory created in fsync mode must be made durable in its parent, which the
        // asynchronous path below does; only the default mode creates it here.
        lock = tryAcquireFileLockSync(dir, !this.#fsync);
      } catch (error) {
        throw this.#unavailable(`cannot lock ${dir}`, error);
      }
      lock ??= await acquireFileLock(dir, {
        deadline,
        staleMs: this.#staleLockMs,
        onDirCreated: this.#fsync ? () => syncDirectory(dirname(dir)) : undefined,
      }).catch((error: unknown) => {
        throw error instanceof LockTimeoutError ? timeout() : this.#unavailable(`cannot lock ${dir}`, error);
      });
      try {
        return await body();
      } finally {
        lock.release();
      }
    } finally {
      try {
        await afterUnlock?.();
      } finally {
        release();
      }
    }
  }

  /** Maps a filesystem failure (EACCES, ENOSPC, EIO…) to `StoreUnavailableError`; state errors pass. */
  async #io<T>(operation: Promise<T>): Promise<T> {
    try {
      return await operation;
    } catch (error) {
      if (error instanceof StateError) throw error;
      throw this.#unavailable('file store I/O failed', error);
    }
  }

  #ioSync<T>(operation: () => T): T {
    try {
      return operation();
    } catch (error) {
      if (error instanceof StateError) throw error;
      throw this.#unavailable('file store I/O failed', error);
    }
  }

  #unavailable(message: string, cause: unknown): StoreUnavailableError {
    const code = errorCode(cause);
    return new StoreUnavailableError('file', code === undefined ? message : `${message} (${code})`, {
      cause,
    });
  }
}

async function unlinkIfPresent(path: string): Promise<void> {
  try {
    await unlink(path);
  } catch (error) {
    if (errorCode(error) !== 'ENOENT') throw error;
  }
}

async function isRealDirectory(path: string): Promise<boolean> {
  try {
    return (await lstat(path)).isDirectory();
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return false;
    throw error;
  }
}

// A user directory removed, or replaced by something else, since it was listed has no state.
async function isRegularFile(path: string): Promise<boolean> {
  try {
    return (await lstat(path)).isFile();
  } catch (error) {
    const code = errorCode(error);
    if (code === 'ENOENT' || code === 'ENOTDIR') return false;
    throw error;
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return false;
    throw error;
  }
}

// Leaves no directory (and so no trace of the id) for a user without records. Runs once our lock
// file is gone, and fails harmlessly (ENOTEMPTY) when the directory holds records or another
// process has just locked it again; that process recreates the directory if it needs it.
function removeIfEmpty(dir: string): void {
  try {
    rmdirSync(dir);
  } catch {
    // Not empty, or already gone.
  }
}
