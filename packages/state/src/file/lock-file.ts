import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, readdir, readFile, stat, unlink, writeFile } from 'node:fs/promises';
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

// A lock whose content is missing or garbled was caught between create and write; its owner gets
// this long to finish writing before the lock counts as abandoned.
const UNREADABLE_GRACE_MS = 2_000;
// Breaking a stale lock takes microseconds; a breaker file older than this belongs to a dead breaker.
const BREAKER_STALE_MS = 5_000;

/** Who holds a lock file; written into it at creation. */
interface LockOwner {
  pid: number;
  tid: number;
  host: string;
  boot: string;
  ts: number;
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
  /** Removes the lock if it is still ours. Never throws: a lock left behind is stale for everyone. */
  release(): Promise<void>;
}

export class LockTimeoutError extends Error {
  override name = 'LockTimeoutError';
}

/**
 * Takes the cross-process lock of one record directory: a file `lock` created with O_EXCL
 * (`wx`), holding its owner. A lock is stale — and broken — when its owner is provably gone: same
 * host and boot, and either the pid no longer exists (kill(pid, 0) → ESRCH) or it is this very
 * process and thread but not a lock this thread holds now (a pid reused after a restart); or,
 * when the owner cannot be checked, when it is older than `staleMs`. So a SIGKILLed holder never
 * leaves a user locked for longer than one retry.
 *
 * Callers serialise per directory in-process first (`KeyedMutex`), so a process does not poll
 * against itself.
 */
export async function acquireFileLock(dir: string, options: FileLockOptions): Promise<FileLock> {
  const path = join(dir, LOCK_FILE);
  const owner: LockOwner = {
    pid: process.pid,
    tid: threadId,
    host: hostname(),
    boot: bootId(),
    ts: Date.now(),
    token: randomBytes(12).toString('hex'),
  };
  const content = JSON.stringify(owner);
  let brokeStale = false;
  for (let attempt = 0; ; attempt++) {
    if (attempt > 0 && Date.now() >= options.deadline) {
      throw new LockTimeoutError(`lock ${path} still held after the time-out`);
    }
    // Registered before the file exists: another store of this thread that reads the new lock
    // must already see it as held.
    HELD_TOKENS.add(owner.token);
    try {
      await writeFile(path, content, { flag: 'wx', mode: 0o600 });
      // Whoever broke a stale lock owns its leftovers: temp files of a writer killed mid-write can
      // only exist under a lock, and now that we hold it, no live writer has any.
      if (brokeStale) await sweepTempFiles(dir).catch(() => {});
      return {
        release: async () => {
          // Still held until the file is gone, or a store of this thread could break it while we
          // are removing it and lose its own fresh lock to our unlink.
          await releaseLock(path, owner.token);
          HELD_TOKENS.delete(owner.token);
        },
      };
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

interface HeldLock {
  raw: string;
  owner: LockOwner | null;
  mtimeMs: number;
}

/** Reads a lock file; null when it vanished meanwhile. */
async function inspectLock(path: string): Promise<HeldLock | null> {
  try {
    const [raw, info] = await Promise.all([readFile(path, 'utf8'), stat(path)]);
    return { raw, owner: parseOwner(raw), mtimeMs: info.mtimeMs };
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return null;
    throw error;
  }
}

function isStale(held: HeldLock, staleMs: number, unreadableGraceMs: number): boolean {
  const age = Date.now() - held.mtimeMs;
  const { owner } = held;
  if (owner === null) return age > unreadableGraceMs;
  if (owner.host === hostname()) {
    // Written before this machine rebooted: every process of that boot is gone.
    if (owner.boot !== '' && bootId() !== '' && owner.boot !== bootId()) return true;
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
 * Removes a stale lock, at most one breaker at a time (`lock.break`, itself O_EXCL), and only if
 * the lock still has the content judged stale: two processes that both saw the same dead owner
 * cannot end up deleting a fresh lock taken in between. Returns whether this call removed it.
 */
async function breakStaleLock(dir: string, path: string, staleRaw: string): Promise<boolean> {
  const breaker = join(dir, BREAKER_FILE);
  try {
    await writeFile(
      breaker,
      JSON.stringify({ pid: process.pid, tid: threadId, host: hostname(), boot: bootId() }),
      {
        flag: 'wx',
        mode: 0o600,
      },
    );
  } catch (error) {
    if (errorCode(error) !== 'EEXIST') throw error;
    const other = await inspectLock(breaker);
    if (other !== null && isStale(other, BREAKER_STALE_MS, BREAKER_STALE_MS)) await unlinkQuietly(breaker);
    else await pause(1);
    return false;
  }
  try {
    const current = await readFile(path, 'utf8').catch(() => null);
    if (current !== staleRaw) return false;
    await unlinkQuietly(path);
    return true;
  } finally {
    await unlinkQuietly(breaker);
  }
}

async function releaseLock(path: string, token: string): Promise<void> {
  try {
    const raw = await readFile(path, 'utf8');
    if (parseOwner(raw)?.token === token) await unlink(path);
  } catch {
    // Nothing to do: a lock we could not remove names this process and is broken as stale by the
    // next contender (or by this process, which cannot hold it while waiting for it).
  }
}

async function sweepTempFiles(dir: string): Promise<void> {
  const names = await readdir(dir);
  await Promise.all(names.filter(isTempFileName).map((name) => unlinkQuietly(join(dir, name))));
}

function parseOwner(raw: string): LockOwner | null {
  try {
    const value = JSON.parse(raw) as Partial<LockOwner> | null;
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
        host: value.host,
        boot: value.boot,
        ts: typeof value.ts === 'number' ? value.ts : 0,
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

let cachedBootId: string | undefined;

// Linux names each boot; elsewhere the empty string disables the check.
function bootId(): string {
  if (cachedBootId === undefined) {
    try {
      cachedBootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    } catch {
      cachedBootId = '';
    }
  }
  return cachedBootId;
}

async function unlinkQuietly(path: string): Promise<void> {
  await unlink(path).catch((error: unknown) => {
    if (errorCode(error) !== 'ENOENT') throw error;
  });
}

export function errorCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : undefined;
}
