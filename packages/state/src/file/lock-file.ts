import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, readlinkSync, symlinkSync, unlinkSync } from 'node:fs';
import { lstat, mkdir, readdir, readFile, readlink, symlink, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { threadId } from 'node:worker_threads';
import { backoffDelay, pause } from '../internal/backoff.js';
import { processWide } from '../internal/process-wide.js';
import { isTempFileName } from './atomic-write.js';

export const LOCK_FILE = 'lock';

// Tokens of the lock files this thread holds, shared by every copy of this module (ESM and CJS).
const HELD_TOKENS = processWide('@oo/state/file-store/held-locks', () => new Set<string>());
const BREAKER_FILE = 'lock.break';

// A lock whose content is missing or garbled (a regular lock file of an earlier version caught
// between create and write) gets this long before it counts as abandoned.
const UNREADABLE_GRACE_MS = 2_000;
// Breaking a stale lock takes microseconds; a breaker file older than this belongs to a dead breaker.
const BREAKER_STALE_MS = 5_000;

/**
 * Who holds a lock. Host and boot are 8-hex-digit tags (the first 32 bits of the SHA-1 of the
 * host name and of the boot id), so the whole owner fits a fast symlink: ext4 keeps a target under 60
 * bytes in the inode itself, where a longer one (or a regular lock file) costs a data block to
 * allocate and free (measured: 15 µs against 250–440 µs per lock, docs/adr/0018).
 */
interface LockOwner {
  pid: number;
  tid: number;
  host: string;
  boot: string;
  token: string;
}

export interface FileLockOptions {
  /** Epoch ms after which waiting gives up with `LockTimeoutError`. */
  deadline: number;
  /** Age after which a lock whose owner cannot be checked (another host, or a reused pid) is stale. */
  staleMs: number;
  /** Called after the directory had to be created (so the caller can make that durable). */
  onDirCreated?: () => Promise<void>;
}

export interface FileLock {
  /**
   * Removes the lock if it is still ours, in blocking calls (a readlink and an unlink). Never
   * throws: a lock left behind is stale for everyone.
   */
  release(): void;
}

export class LockTimeoutError extends Error {
  override name = 'LockTimeoutError';
}

/**
 * Takes the cross-process lock of one record directory: a symbolic link `lock` whose target
 * names its owner, created by symlink(2), which fails with EEXIST when the name exists — the same
 * exclusion as an O_EXCL file, in one system call and with the owner in place from the first
 * instant (docs/adr/0018; a regular lock file of an earlier version is honoured the same way). A
 * lock is **stale** — and broken — when its owner is provably gone: same host and boot, and
 * either the pid no longer exists (kill(pid, 0) → ESRCH) or it is this very process and thread
 * but not a lock this thread holds now (a pid reused after a restart); or, when the owner cannot
 * be checked, when it is older than `staleMs`. So a SIGKILLed holder never leaves a user locked
 * for longer than one retry.
 *
 * Callers serialise per directory in-process first (`KeyedMutex`), so a process does not poll
 * against itself.
 */
export async function acquireFileLock(dir: string, options: FileLockOptions): Promise<FileLock> {
  const path = join(dir, LOCK_FILE);
  const owner = newOwner();
  const content = formatOwner(owner);
  let brokeStale = false;
  for (let attempt = 0; ; attempt++) {
    if (attempt > 0 && Date.now() >= options.deadline) {
      throw new LockTimeoutError(`lock ${path} still held after the time-out`);
    }
    // Registered before the lock exists: another store of this thread that reads the new lock
    // must already see it as held.
    HELD_TOKENS.add(owner.token);
    try {
      await symlink(content, path);
      // Whoever broke a stale lock owns its leftovers: temp files of a writer killed mid-write can
      // only exist under a lock, and now that we hold it, no live writer has any.
      if (brokeStale) await sweepTempFiles(dir).catch(() => {});
      return heldLock(path, owner.token);
    } catch (error) {
      HELD_TOKENS.delete(owner.token);
      const code = errorCode(error);
      if (code === 'ENOENT') {
        await mkdir(dir, { recursive: true, mode: 0o700 });
        await options.onDirCreated?.();
        continue;
      }
      if (code !== 'EEXIST') throw error;
    }
    const held = await inspectLock(path);
    if (held !== null && isStale(held, options.staleMs, UNREADABLE_GRACE_MS)) {
      if (await breakStaleLock(dir, path, held.raw)) brokeStale = true;
      continue;
    }
    await pause(Math.max(0, Math.min(options.deadline - Date.now(), 1 + backoffDelay(attempt, 1, 10))));
  }
}

// A lock's token tells its owner's acquisitions apart (a pid reused after a restart, two stores
// of one thread): random per process, counted per lock.
const TOKEN_PREFIX = randomBytes(4).toString('hex');
let tokenCounter = 0;

/**
 * Takes the lock at once, in blocking calls, when nobody holds it: the uncontended case, one
 * symlink(2). Returns null when the lock is held (or the directory is missing and `createDir` is
 * false); the caller then waits with `acquireFileLock`, which also judges and breaks stale locks.
 * Other failures (EACCES, ENOSPC…) throw.
 */
export function tryAcquireFileLockSync(dir: string, createDir: boolean): FileLock | null {
  const path = join(dir, LOCK_FILE);
  const owner = newOwner();
  const content = formatOwner(owner);
  for (let attempt = 0; attempt < 2; attempt++) {
    HELD_TOKENS.add(owner.token);
    try {
      symlinkSync(content, path);
      return heldLock(path, owner.token);
    } catch (error) {
      HELD_TOKENS.delete(owner.token);
      const code = errorCode(error);
      if (code === 'ENOENT' && createDir && attempt === 0) {
        mkdirSync(dir, { recursive: true, mode: 0o700 });
        continue;
      }
      if (code === 'ENOENT' || code === 'EEXIST') return null;
      throw error;
    }
  }
  return null;
}

function newOwner(): LockOwner {
  tokenCounter++;
  return {
    pid: process.pid,
    tid: threadId,
    host: hostTag(),
    boot: bootTag(),
    token: `${TOKEN_PREFIX}${tokenCounter.toString(36)}`,
  };
}

// `o1 <pid> <tid> <host> <boot> <token>`: under 60 characters (pid ≤ 7 digits, token ≤ 19).
function formatOwner(owner: LockOwner): string {
  return `o1 ${owner.pid} ${owner.tid} ${owner.host} ${owner.boot === '' ? '-' : owner.boot} ${owner.token}`;
}

function heldLock(path: string, token: string): FileLock {
  return {
    release() {
      try {
        if (parseOwner(readLockSync(path))?.token === token) unlinkSync(path);
      } catch {
        // Nothing to do: a lock we could not remove names this process and is broken as stale by
        // the next contender (or by this process, which cannot hold it while waiting for it).
      }
      // Still held until the lock is gone, or a store of this thread could break it while we
      // are removing it and lose its own fresh lock to our unlink.
      HELD_TOKENS.delete(token);
    },
  };
}

interface HeldLock {
  raw: string;
  owner: LockOwner | null;
  mtimeMs: number;
}

/** Reads a lock (a symbolic link, or a regular file of an earlier version); null when it vanished. */
async function inspectLock(path: string): Promise<HeldLock | null> {
  try {
    const info = await lstat(path);
    const raw = info.isSymbolicLink() ? await readlink(path, 'utf8') : await readFile(path, 'utf8');
    return { raw, owner: parseOwner(raw), mtimeMs: info.mtimeMs };
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return null;
    throw error;
  }
}

function readLockSync(path: string): string {
  try {
    return readlinkSync(path, 'utf8');
  } catch (error) {
    if (errorCode(error) !== 'EINVAL') throw error;
    return readFileSync(path, 'utf8');
  }
}

async function readLock(path: string): Promise<string> {
  try {
    return await readlink(path, 'utf8');
  } catch (error) {
    if (errorCode(error) !== 'EINVAL') throw error;
    return readFile(path, 'utf8');
  }
}

function isStale(held: HeldLock, staleMs: number, unreadableGraceMs: number): boolean {
  const age = Date.now() - held.mtimeMs;
  const { owner } = held;
  if (owner === null) return age > unreadableGraceMs;
  if (owner.host === hostTag()) {
    // Written before this machine rebooted: every process of that boot is gone.
    if (owner.boot !== '' && bootTag() !== '' && owner.boot !== bootTag()) return true;
    // This very thread: the lock is live exactly if this thread holds it right now (another store
    // instance may, possibly through another path to the same directory); otherwise it was left by
    // an earlier process with the same pid, e.g. a restarted container's pid 1.
    if (owner.pid === process.pid && owner.tid === threadId) return !HELD_TOKENS.has(owner.token);
    if (!isProcessAlive(owner.pid)) return true;
  }
  // A live pid may be a reused one, and another host's pids cannot be checked: fall back on age.
  return age > staleMs;
}

/**
 * Removes a stale lock, at most one breaker at a time (`lock.break`, itself created exclusively),
 * and only if the lock still has the content judged stale: two processes that both saw the same
 * dead owner cannot end up deleting a fresh lock taken in between. Returns whether this call
 * removed it.
 */
async function breakStaleLock(dir: string, path: string, staleRaw: string): Promise<boolean> {
  const breaker = join(dir, BREAKER_FILE);
  try {
    await symlink(formatOwner(newOwner()), breaker);
  } catch (error) {
    if (errorCode(error) !== 'EEXIST') throw error;
    const other = await inspectLock(breaker);
    if (other !== null && isStale(other, BREAKER_STALE_MS, BREAKER_STALE_MS)) await unlinkQuietly(breaker);
    else await pause(1);
    return false;
  }
  try {
    const current = await readLock(path).catch(() => null);
    if (current !== staleRaw) return false;
    await unlinkQuietly(path);
    return true;
  } finally {
    await unlinkQuietly(breaker);
  }
}

async function sweepTempFiles(dir: string): Promise<void> {
  const names = await readdir(dir);
  await Promise.all(names.filter(isTempFileName).map((name) => unlinkQuietly(join(dir, name))));
}

/** Parses an owner: the compact form of a symlink, or the JSON of a lock file of an earlier version. */
function parseOwner(raw: string): LockOwner | null {
  const compact = /^o1 (\d+) (\d+) ([0-9a-f]{8}) ([0-9a-f]{8}|-) (\S+)$/.exec(raw);
  if (compact !== null) {
    return {
      pid: Number(compact[1]),
      tid: Number(compact[2]),
      host: compact[3]!,
      boot: compact[4] === '-' ? '' : compact[4]!,
      token: compact[5]!,
    };
  }
  try {
    const value = JSON.parse(raw) as Record<string, unknown> | null;
    if (
      typeof value === 'object' &&
      value !== null &&
      Number.isInteger(value.pid) &&
      typeof value.host === 'string' &&
      typeof value.boot === 'string'
    ) {
      return {
        pid: value.pid as number,
        tid: typeof value.tid === 'number' ? value.tid : 0,
        host: tagOf(value.host),
        boot: bootTagOf(value.boot),
        token: typeof value.token === 'string' ? value.token : '',
      };
    }
  } catch {
    // Garbled content is reported as an unknown owner.
  }
  return null;
}

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    return errorCode(error) !== 'ESRCH';
  }
}

let cachedBootTag: string | undefined;

// Linux names each boot; elsewhere the empty string disables the check.
function bootTag(): string {
  if (cachedBootTag === undefined) {
    try {
      cachedBootTag = bootTagOf(readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim());
    } catch {
      cachedBootTag = '';
    }
  }
  return cachedBootTag;
}

function bootTagOf(bootId: string): string {
  return bootId === '' ? '' : tagOf(bootId);
}

let cachedHostTag: string | undefined;

// Read once per process, like the boot id: a host renamed under a running process only makes
// its locks look foreign to the others, which then judge them by age (`staleMs`), never wrongly.
function hostTag(): string {
  cachedHostTag ??= tagOf(hostname());
  return cachedHostTag;
}

function tagOf(text: string): string {
  return createHash('sha1').update(text).digest('hex').slice(0, 8);
}

async function unlinkQuietly(path: string): Promise<void> {
  await unlink(path).catch((error: unknown) => {
    if (errorCode(error) !== 'ENOENT') throw error;
  });
}

export function errorCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : undefined;
}
