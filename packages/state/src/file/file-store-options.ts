/** Options of `createFileStore`. */
export interface FileStoreOptions {
  /**
   * The directory that holds every record (`STATE_DIR`). Created on first write; several processes
   * (on this host) may share it.
   */
  dir: string;
  /**
   * fsync each record before acknowledging a write (`STATE_FSYNC=1`): the temp file before the
   * rename and the directory after it. Without it a write survives a crash of the process at any
   * instant but not necessarily a power loss.
   * @default false
   */
  fsync?: boolean;
  /**
   * How long one operation may wait for the other operations on the same user (in this process and
   * in the others sharing `dir`) before failing with `StoreUnavailableError`.
   * @default 5000
   */
  lockTimeoutMs?: number;
  /**
   * Age after which a lock file is considered abandoned even though its owner cannot be proven dead
   * (a lock written on another host, or a pid reused by an unrelated process). Owners proven dead on
   * this host are detected at once. Must comfortably exceed the longest write.
   * @default 30000
   */
  staleLockMs?: number;
  /**
   * Memory budget of the in-process cache of decoded user states, in bytes. An entry is counted as
   * 3.5 times its record's size (measured: the bytes, kept for comparison, the decoded objects
   * and their JSON texts). A cached state is used only while its file still holds exactly the
   * same bytes, so the cache never serves a stale or hand-edited record; it saves parsing and
   * validating. 0 disables it.
   * @default 134217728 (128 MiB)
   */
  cacheBytes?: number;
}

export const FILE_STORE_DEFAULTS = {
  fsync: false,
  lockTimeoutMs: 5_000,
  staleLockMs: 30_000,
  cacheBytes: 128 * 1024 * 1024,
} as const satisfies Omit<Required<FileStoreOptions>, 'dir'>;
