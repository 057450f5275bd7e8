import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InvalidUserIdError, StoreUnavailableError } from '../errors.js';
import { runStoreConformance } from '../store.case.js';
import type { StateStore } from '../store.js';
import { counterOf, counterState } from '../testing/counter-state.js';
import { isTempFileName } from './atomic-write.js';
import { createFileStore } from './file-store.js';
import { RECORD_FILE, StoreLayout } from './layout.js';

async function listFiles(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.map((e) => relative(root, join(e.parentPath, e.name))).sort();
}

runStoreConformance('file', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'oo-state-'));
  // Generous: the multi-process tests share two cores with everything else running.
  const spec = { backend: 'file', dir, lockTimeoutMs: 30_000 } as const;
  const layout = new StoreLayout(dir);
  const userFiles = (userId: string) => readdir(layout.userDir(userId)).catch(() => [] as string[]);
  return {
    store: createFileStore(spec),
    spec,
    async writeRaw(owner, record, raw) {
      const target = record === 'figures' ? layout.figuresDir(owner) : layout.userDir(owner);
      await mkdir(target, { recursive: true });
      await writeFile(join(target, RECORD_FILE[record]), raw);
    },
    readAt: (location) => readFile(location, 'utf8').catch(() => null),
    entriesOf: userFiles,
    everything: () => listFiles(dir),
    leftovers: async (userId) =>
      (await userFiles(userId)).filter((name) => isTempFileName(name) || name.startsWith('lock')),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
});

describe('file store', () => {
  let dir: string;
  let store: StateStore;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'oo-state-'));
    store = createFileStore({ dir });
  });
  afterEach(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  const bump = (s: StateStore, userId: string) =>
    s.updateUser(userId, (state) => {
      const n = counterOf(state) + 1;
      return { result: n, state: counterState(state, n, 0) };
    });

  describe('layout', () => {
    it('gives every user a directory of its own with state.json and sync.json inside STATE_DIR', async () => {
      for (const id of ['alice', 'a', 'a_sync', 'A', 'auth0:42']) {
        await bump(store, id);
        await store.updateSync(id, () => ({
          result: null,
          state: {
            v: 1,
            last_sync_ts: '2025-01-01T00:00:00Z',
            task_count: 1,
            event_ids: [],
            updated_at: '2025-01-01T00:00:00Z',
          },
        }));
      }
      await store.writeFigures('consumer', { v: 1, consumers: {}, updated_at: '2025-01-01T00:00:00Z' });
      expect(await listFiles(dir)).toEqual(
        [
          'figures',
          'figures/u-consumer',
          'figures/u-consumer/figures.json',
          'users',
          ...['u-alice', 'u-a', 'u-a__sync', 'u-_a', 'u-auth0_-42'].flatMap((d) => [
            `users/${d}`,
            `users/${d}/state.json`,
            `users/${d}/sync.json`,
          ]),
        ].sort(),
      );
      const state = JSON.parse(await readFile(join(dir, 'users/u-a__sync/state.json'), 'utf8'));
      expect(state).toMatchObject({ v: 1, user_id: 'a_sync' });
    });

    it('keeps no directory for a user without records, leaving no trace of the id', async () => {
      await bump(store, 'gone');
      await bump(store, 'stays');
      await store.deleteUser('gone');
      await store.updateUser('looked-at', () => ({ result: null }));
      await store.updateSync('looked-at', () => ({ result: null }));
      await store.readUser('read-only');
      expect(await readdir(join(dir, 'users'))).toEqual(['u-stays']);
    });

    it('validates ids before touching the filesystem, and reports I/O failures as StoreUnavailableError', async () => {
      // A "directory" below a regular file: any fs call under it fails with ENOTDIR.
      const file = join(dir, 'plain-file');
      await writeFile(file, 'x');
      const broken = createFileStore({ dir: join(file, 'state') });
      await expect(broken.readUser('../../plain-file')).rejects.toBeInstanceOf(InvalidUserIdError);
      await expect(broken.updateUser('a/b', () => ({ result: null }))).rejects.toBeInstanceOf(
        InvalidUserIdError,
      );
      await expect(broken.updateUser('ok', () => ({ result: null }))).rejects.toBeInstanceOf(
        StoreUnavailableError,
      );
      await expect(broken.ping()).rejects.toBeInstanceOf(StoreUnavailableError);
      await expect(broken.readUser('ok')).rejects.toBeInstanceOf(StoreUnavailableError);
    });

    it('serialises stores that reach one directory through different paths (symlink)', async () => {
      await symlink(dir, `${dir}-link`);
      try {
        const other = createFileStore({ dir: `${dir}-link` });
        await Promise.all(Array.from({ length: 40 }, (_, i) => bump(i % 2 === 0 ? store : other, 'shared')));
        expect(counterOf(await store.readUser('shared'))).toBe(40);
      } finally {
        await rm(`${dir}-link`, { force: true });
      }
    });

    it('writes with fsync when asked to', async () => {
      const durable = createFileStore({ dir, fsync: true });
      await bump(durable, 'durable');
      await bump(durable, 'durable');
      await durable.deleteUser('durable');
      await bump(durable, 'durable');
      expect(counterOf(await durable.readUser('durable'))).toBe(1);
    });
  });

  describe('listing users', () => {
    const listAll = async (s: StateStore) => {
      const ids: string[] = [];
      for await (const page of s.listUsers()) ids.push(...page);
      return ids.sort();
    };

    it('follows no symbolic link and skips names it did not make', async () => {
      await bump(store, 'alice');
      const users = join(dir, 'users');
      // A user directory elsewhere, linked in under a valid name: never followed.
      const outside = await mkdtemp(join(tmpdir(), 'oo-state-outside-'));
      try {
        const elsewhere = createFileStore({ dir: outside });
        await bump(elsewhere, 'mallory');
        await elsewhere.close();
        await symlink(join(outside, 'users', 'u-mallory'), join(users, 'u-mallory'));
        // A real directory whose state.json is a link out of STATE_DIR: not a user either.
        await mkdir(join(users, 'u-eve'));
        await symlink(join(outside, 'users', 'u-mallory', 'state.json'), join(users, 'u-eve', 'state.json'));
        // Names no user id encodes to, and a stray file.
        await mkdir(join(users, 'u-Bad'));
        await writeFile(join(users, 'u-Bad', 'state.json'), '{}');
        await mkdir(join(users, 'notes'));
        await writeFile(join(users, 'u-file'), 'x');
        expect(await listAll(store)).toEqual(['alice']);
      } finally {
        await rm(outside, { recursive: true, force: true });
      }
    });

    it('lists nobody when users/ is a link out of STATE_DIR', async () => {
      const outside = await mkdtemp(join(tmpdir(), 'oo-state-outside-'));
      try {
        const elsewhere = createFileStore({ dir: outside });
        await bump(elsewhere, 'mallory');
        await elsewhere.close();
        await symlink(join(outside, 'users'), join(dir, 'users'));
        expect(await listAll(store)).toEqual([]);
      } finally {
        await rm(outside, { recursive: true, force: true });
      }
    });
  });

  describe('cross-process lock', () => {
    const bootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    const lockPath = (userId: string) => join(new StoreLayout(dir).userDir(userId), 'lock');
    const plantLock = async (userId: string, owner: Record<string, unknown> | string, ageMs = 0) => {
      const path = lockPath(userId);
      await mkdir(join(path, '..'), { recursive: true });
      await writeFile(path, typeof owner === 'string' ? owner : JSON.stringify(owner));
      if (ageMs > 0) {
        const then = new Date(Date.now() - ageMs);
        await utimes(path, then, then);
      }
    };
    const owner = (pid: number, extra: Record<string, unknown> = {}) => ({
      pid,
      tid: 0,
      host: hostname(),
      boot: bootId,
      ts: Date.now(),
      token: 'planted',
      ...extra,
    });
    const deadPid = async () => {
      const child = spawn(process.execPath, ['-e', '']);
      await once(child, 'exit');
      return child.pid!;
    };
    const timed = async <T>(work: () => Promise<T>) => {
      const started = performance.now();
      const outcome = await work().then(
        (value) => ({ value }),
        (error: unknown) => ({ error }),
      );
      return { ...outcome, ms: performance.now() - started };
    };

    it('breaks a lock whose owner died and sweeps the temp files it left', async () => {
      await bump(store, 'u1');
      const userDir = new StoreLayout(dir).userDir('u1');
      await plantLock('u1', owner(await deadPid()));
      await writeFile(join(userDir, 'state.json.12345-0badf00d.tmp'), '{"half":');
      const { ms, ...outcome } = await timed(() => bump(store, 'u1'));
      expect(outcome).toEqual({ value: 2 });
      expect(ms).toBeLessThan(1_000);
      expect((await readdir(userDir)).sort()).toEqual(['state.json']);
    });

    it('breaks a lock left by an earlier process that had this very pid', async () => {
      await plantLock('u1', owner(process.pid));
      expect(await bump(store, 'u1')).toBe(1);
    });

    it('breaks a lock written before the last reboot', async () => {
      await plantLock('u1', owner(process.ppid, { boot: 'another-boot' }));
      expect(await bump(store, 'u1')).toBe(1);
    });

    it('waits for a live owner, fails with StoreUnavailableError at the time-out, and proceeds once it is gone', async () => {
      const holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)']);
      try {
        await plantLock('u1', owner(holder.pid!));
        const impatient = createFileStore({ dir, lockTimeoutMs: 300 });
        const { ms, ...outcome } = await timed(() => bump(impatient, 'u1'));
        expect(outcome).toMatchObject({ error: expect.any(StoreUnavailableError) });
        expect(ms).toBeGreaterThanOrEqual(290);
        expect(ms).toBeLessThan(2_000);
        // Queued operations of this process are bounded by the same time-out.
        const queued = await Promise.allSettled([bump(impatient, 'u1'), bump(impatient, 'u1')]);
        expect(queued.map((r) => r.status)).toEqual(['rejected', 'rejected']);
      } finally {
        holder.kill('SIGKILL');
        await once(holder, 'exit');
      }
      expect(await bump(store, 'u1')).toBe(1);
    });

    it('treats a lock of another host as stale only after staleLockMs', async () => {
      await plantLock('u1', owner(1, { host: 'elsewhere' }));
      const patient = createFileStore({ dir, staleLockMs: 400, lockTimeoutMs: 5_000 });
      const { ms, ...outcome } = await timed(() => bump(patient, 'u1'));
      expect(outcome).toEqual({ value: 1 });
      expect(ms).toBeGreaterThanOrEqual(350);
    });

    it('gives a lock with unreadable content a grace period, then breaks it', async () => {
      await plantLock('u1', '');
      const impatient = createFileStore({ dir, lockTimeoutMs: 200 });
      await expect(bump(impatient, 'u1')).rejects.toBeInstanceOf(StoreUnavailableError);
      await plantLock('u1', '{"pid":', 10_000);
      expect(await bump(store, 'u1')).toBe(1);
    });

    it('recovers from a breaker that died while breaking', async () => {
      const userDir = new StoreLayout(dir).userDir('u1');
      await plantLock('u1', owner(await deadPid()));
      await writeFile(join(userDir, 'lock.break'), JSON.stringify(owner(await deadPid())));
      expect(await bump(store, 'u1')).toBe(1);
      expect((await readdir(userDir)).sort()).toEqual(['state.json']);
    });
  });
});
