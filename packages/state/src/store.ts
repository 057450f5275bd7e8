import type { FiguresRecord } from './records/figures-record.js';
import type { SyncRecord } from './records/sync-record.js';
import type { UserState } from './records/user-state.js';

/**
 * What an update function returns: the value `updateUser`/`updateSync` resolves to and, when the
 * record should change, its new content. No `state` → nothing is written.
 */
export type Update<T, S = UserState> = { result: T; state?: S };

/** How `StateStore.listUsers` pages. */
export interface ListUsersOptions {
  /**
   * Most ids per page (an integer in 1–10,000); a page may hold fewer.
   * @default 100
   */
  pageSize?: number;
}

/** The page size `listUsers` uses when none is given. */
export const LIST_USERS_PAGE_SIZE = 100;

/** The largest page `listUsers` accepts: a page is held in memory whole. */
export const MAX_LIST_USERS_PAGE_SIZE = 10_000;

/**
 * Everything the service keeps: per user a `UserState` (one record per policy and the decision
 * log) and a sync record; per deployment the consumer's published figures.
 *
 * Every method validates its user id first and throws `InvalidUserIdError` before any I/O.
 * Backend trouble surfaces as `StoreUnavailableError` within the configured time-outs, a record
 * that does not parse as `CorruptRecordError` (the record is moved aside), a record written by a
 * newer schema as `UnknownSchemaVersionError`.
 */
export interface StateStore {
  readonly backend: 'file' | 'redis';

  /** The user's state; a user never seen (or deleted) has `emptyUserState(userId)`. */
  readUser(userId: string): Promise<UserState>;

  /**
   * Atomic read-modify-write of one user's state. `fn` receives the current (validated) state; when
   * it returns `state`, that state is validated and written atomically with respect to every other
   * `updateUser`/`deleteUser` of the same user in any process sharing the store: no update is lost.
   *
   * `fn` must be pure and synchronous: a backend may call it more than once (optimistic retry), and
   * only the last call's outcome counts. If `fn` throws, nothing is written and the error
   * propagates unchanged.
   */
  updateUser<T>(userId: string, fn: (state: UserState) => Update<T>): Promise<T>;

  /**
   * The ids of the users that have a state record (policies, decision log), for admin scans: an
   * async iterable of non-empty pages, read from the backend page by page as it is consumed, so
   * a scan of any number of users holds one page at a time. Order is unspecified. A user whose
   * state exists throughout the scan is listed exactly once; one written or deleted during the
   * scan may or may not be. A user with only a sync record is not listed.
   * @throws RangeError (when iterated) for a `pageSize` outside 1–10,000
   */
  listUsers(options?: ListUsersOptions): AsyncIterable<string[]>;

  /** Removes every record of the user: state, sync record and anything moved aside. */
  deleteUser(userId: string): Promise<void>;

  readSync(userId: string): Promise<SyncRecord | null>;

  /** Like `updateUser`, for the user's sync record (`null` when there is none yet). */
  updateSync<T>(userId: string, fn: (sync: SyncRecord | null) => Update<T, SyncRecord>): Promise<T>;

  /** Deployment-level figures under `name` (same character rule as user ids); null if never written. */
  readFigures(name: string): Promise<FiguresRecord | null>;

  /** Replaces the figures under `name` (last writer wins; each write is atomic). */
  writeFigures(name: string, figures: FiguresRecord): Promise<void>;

  /** Resolves when the backend can serve requests; throws `StoreUnavailableError` otherwise. */
  ping(): Promise<void>;

  /** Releases connections and handles; the store cannot be used afterwards. */
  close(): Promise<void>;
}

/** The page size `options` ask for, checked. */
export function listUsersPageSize(options: ListUsersOptions | undefined): number {
  const size = options?.pageSize ?? LIST_USERS_PAGE_SIZE;
  if (!Number.isSafeInteger(size) || size < 1 || size > MAX_LIST_USERS_PAGE_SIZE) {
    throw new RangeError(`pageSize must be an integer in 1–${MAX_LIST_USERS_PAGE_SIZE}, got ${size}`);
  }
  return size;
}
