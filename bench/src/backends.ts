// The two state backends the service is measured on, each with a way to reset it between runs
// and to open it from the harness (for seeding users and measuring what they occupy).
import { mkdir, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StateStore } from '@oo/state';
import { createFileStore } from '@oo/state/file';
import { createRedisStore } from '@oo/state/redis';
import { type RedisServer, startRedisServer } from '@oo/state/testing';
import { Redis } from 'ioredis';

export type BackendName = 'file' | 'redis';

export interface Backend {
  readonly name: BackendName;
  /** The service's environment for this backend. */
  env(): Record<string, string>;
  openStore(): StateStore;
  /** Removes every record. */
  reset(): Promise<void>;
  /** What the backend holds: bytes of the records and what they occupy (disk blocks, Redis memory). */
  footprint(): Promise<{ recordBytes: number; occupiedBytes: number; entries: number }>;
  /** Resident memory of the backend's own server process (Redis), 0 for the file store. */
  serverRss(): Promise<number>;
  close(): Promise<void>;
}

export async function createBackend(name: BackendName, scratch: string): Promise<Backend> {
  return name === 'file' ? createFileBackend(scratch) : createRedisBackend();
}

async function createFileBackend(scratch: string): Promise<Backend> {
  const dir = await mkdtemp(join(scratch, 'state-'));
  return {
    name: 'file',
    env: () => ({ STATE_BACKEND: 'file', STATE_DIR: dir }),
    openStore: () => createFileStore({ dir }),
    async reset() {
      await rm(dir, { recursive: true, force: true });
      await mkdir(dir, { recursive: true, mode: 0o700 });
    },
    async footprint() {
      let recordBytes = 0;
      let occupiedBytes = 0;
      let entries = 0;
      const users = join(dir, 'users');
      const names = await readdir(users).catch(() => [] as string[]);
      for (const name of names) {
        const userDir = join(users, name);
        const dirInfo = await stat(userDir);
        occupiedBytes += dirInfo.blocks * 512;
        for (const file of await readdir(userDir)) {
          const info = await stat(join(userDir, file));
          recordBytes += info.size;
          occupiedBytes += info.blocks * 512;
          entries++;
        }
      }
      return { recordBytes, occupiedBytes, entries };
    },
    serverRss: async () => 0,
    async close() {
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function createRedisBackend(): Promise<Backend> {
  const server: RedisServer = await startRedisServer();
  const raw = new Redis(server.url);
  return {
    name: 'redis',
    env: () => ({ STATE_BACKEND: 'redis', REDIS_URL: server.url }),
    openStore: () => createRedisStore({ url: server.url }),
    async reset() {
      await raw.flushall();
    },
    async footprint() {
      let recordBytes = 0;
      let entries = 0;
      let cursor = '0';
      do {
        const [next, keys] = await raw.scan(cursor, 'COUNT', 1_000);
        cursor = next;
        if (keys.length === 0) continue;
        const lengths = await Promise.all(keys.map((key) => raw.strlen(key)));
        for (const length of lengths) recordBytes += length;
        entries += keys.length;
      } while (cursor !== '0');
      const info = await raw.info('memory');
      const used = Number(/used_memory:(\d+)/.exec(info)?.[1] ?? 0);
      const empty = Number(/used_memory_startup:(\d+)/.exec(info)?.[1] ?? 0);
      return { recordBytes, occupiedBytes: used - empty, entries };
    },
    async serverRss() {
      const info = await raw.info('memory');
      return Number(/used_memory_rss:(\d+)/.exec(info)?.[1] ?? 0);
    },
    async close() {
      raw.disconnect();
      await server.close();
    },
  };
}

export async function createScratchDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'oo-bench-'));
}
