import { randomBytes } from 'node:crypto';
import { access, constants, mkdir, readdir, readFile, rename, rmdir, stat, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { CorruptRecordError, type RecordKind, StateError, StoreUnavailableError } from '../errors.js';
import { KeyedMutex } from '../internal/keyed-mutex.js';
import { processWide } from '../internal/process-wide.js';
import type { FiguresRecord } from '../records/figures-record.js';
import { decodeRecord, encodeRecord, type RecordOf } from '../records/record-codec.js';
import type { SyncRecord } from '../records/sync-record.js';
import { emptyUserState, type UserState } from '../records/user-state.js';
import type { StateStore, Update } from '../store.js';
import { syncDirectory, writeFileAtomic } from './atomic-write.js';
import { FILE_STORE_DEFAULTS, type FileStoreOptions } from './file-store-options.js';
import { RECORD_FILE, StoreLayout } from './layout.js';
import { acquireFileLock, errorCode, LOCK_FILE, LockTimeoutError } from './lock-file.js';

// One mutex per process, shared by every FileStore instance and by both the ESM and the CJS
// build of this module, so that operations of one process queue instead of polling a lock file.
const MUTEX = processWide('@oo/state/file-store/mutex', () => new KeyedMutex());

/** The embedded default store: one directory per user under `dir`, see docs/adr/0004. */
export function createFileStore(options: FileStoreOptions): StateStore {
  return new FileStore(options);
}

class FileStore implements StateStore {
  readonly backend = 'file';
  readonly #layout: StoreLayout;
  readonly #fsync: boolean;
  readonly #lockTimeoutMs: number;
  readonly #staleLockMs: number;
  #closed = false;

  constructor(options: FileStoreOptions) {
    this.#layout = new StoreLayout(options.dir);
    this.#fsync = options.fsync ?? FILE_STORE_DEFAULTS.fsync;
    this.#lockTimeoutMs = options.lockTimeoutMs ?? FILE_STORE_DEFAULTS.lockTimeoutMs;
    this.#staleLockMs = options.staleLockMs ?? FILE_STORE_DEFAULTS.staleLockMs;
  }

  async readUser(userId: string): Promise<UserState> {
    const dir = this.#userDir(userId);
    return (await this.#read(dir, 'state', userId)) ?? emptyUserState(userId);
  }

  async updateUser<T>(userId: string, fn: (state: UserState) => Update<T>): Promise<T> {
    const dir = this.#userDir(userId);
    let wrote = false;
    return this.#locked(
      dir,
      async () => {
        const current = (await this.#read(dir, 'state', userId, true)) ?? emptyUserState(userId);
        const { result, state } = fn(current);
        if (state !== undefined) {
          await this.#write(dir, 'state', encodeRecord('state', userId, state));
          wrote = true;
        }
        return result;
      },
      () => (wrote ? Promise.resolve() : removeIfEmpty(dir)),
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
        const names = await this.#io(readdir(dir));
        const doomed = names.filter((name) => name !== LOCK_FILE && !name.startsWith(`${LOCK_FILE}.`));
        for (const name of doomed) await this.#io(unlinkIfPresent(join(dir, name)));
        if (this.#fsync && doomed.length > 0) await this.#io(syncDirectory(dir));
      },
      () => removeIfEmpty(dir),
    );
  }

  async readSync(userId: string): Promise<SyncRecord | null> {
    return this.#read(this.#userDir(userId), 'sync', userId);
  }

  async updateSync<T>(userId: string, fn: (sync: SyncRecord | null) => Update<T, SyncRecord>): Promise<T> {
    const dir = this.#userDir(userId);
    let wrote = false;
    return this.#locked(
      dir,
      async () => {
        const { result, state } = fn(await this.#read(dir, 'sync', userId, true));
        if (state !== undefined) {
          await this.#write(dir, 'sync', encodeRecord('sync', userId, state));
          wrote = true;
        }
        return result;
      },
      () => (wrote ? Promise.resolve() : removeIfEmpty(dir)),
    );
  }

  async readFigures(name: string): Promise<FiguresRecord | null> {
    return this.#read(this.#figuresDir(name), 'figures', name);
  }

  async writeFigures(name: string, figures: FiguresRecord): Promise<void> {
    const dir = this.#figuresDir(name);
    const data = encodeRecord('figures', name, figures);
    await this.#locked(dir, () => this.#write(dir, 'figures', data));
  }

  async ping(): Promise<void> {
    this.#assertOpen();
    const { root } = this.#layout;
    await this.#io(mkdir(root, { recursive: true, mode: 0o700 }));
    await this.#io(access(root, constants.R_OK | constants.W_OK | constants.X_OK));
  }

  async close(): Promise<void> {
    this.#closed = true;
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
   * Reads and decodes one record; null when it does not exist. A corrupt record is moved aside only
   * under the lock and only if it is still corrupt there: read without the lock, it may be a stale
   * view of a file a writer has replaced since.
   */
  async #read<K extends RecordKind>(
    dir: string,
    kind: K,
    owner: string,
    locked = false,
  ): Promise<RecordOf<K> | null> {
    const path = join(dir, RECORD_FILE[kind]);
    let raw: string;
    try {
      raw = await readFile(path, 'utf8');
    } catch (error) {
      const code = errorCode(error);
      if (code === 'ENOENT') return null;
      throw this.#unavailable(`cannot read ${path}`, error);
    }
    const decoded = decodeRecord(kind, owner, raw);
    if (decoded.ok) return decoded.value;
    if (!locked) return this.#locked(dir, () => this.#read(dir, kind, owner, true));
    const aside = `${path}.corrupt-${new Date().toISOString().replace(/[:.]/g, '')}-${randomBytes(2).toString('hex')}`;
    try {
      await rename(path, aside);
    } catch (error) {
      throw new CorruptRecordError(owner, kind, null, { cause: error });
    }
    throw new CorruptRecordError(owner, kind, aside, { cause: decoded.cause });
  }

  async #write(dir: string, kind: RecordKind, data: string): Promise<void> {
    await this.#io(writeFileAtomic(dir, RECORD_FILE[kind], data, this.#fsync));
  }

  /**
   * Runs `body` holding the directory's in-process mutex and its cross-process lock file, both
   * obtained within `lockTimeoutMs`. `afterUnlock` runs once the lock file is released but while
   * the mutex is still held.
   */
  async #locked<T>(dir: string, body: () => Promise<T>, afterUnlock?: () => Promise<void>): Promise<T> {
    const deadline = Date.now() + this.#lockTimeoutMs;
    const timeout = () =>
      new StoreUnavailableError(
        'file',
        `timed out after ${this.#lockTimeoutMs} ms waiting for the lock of ${dir}`,
      );
    const release = await MUTEX.acquire(dir, this.#lockTimeoutMs, timeout);
    try {
      const lock = await acquireFileLock(dir, {
        deadline,
        staleMs: this.#staleLockMs,
        onDirCreated: this.#fsync ? () => syncDirectory(dirname(dir)) : undefined,
      }).catch((error: unknown) => {
        throw error instanceof LockTimeoutError ? timeout() : this.#unavailable(`cannot lock ${dir}`, error);
      });
      try {
        return await body();
      } finally {
        await lock.release();
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
async function removeIfEmpty(dir: string): Promise<void> {
  await rmdir(dir).catch(() => {});
}
