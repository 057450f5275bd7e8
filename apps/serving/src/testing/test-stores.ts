import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StateStore } from '@oo/state';
import { createFileStore } from '@oo/state/file';
import { createRedisStore } from '@oo/state/redis';
import { type RedisServer, startRedisServer } from '@oo/state/testing';

export const STORE_KINDS = ['file', 'redis'] as const;
export type StoreKind = (typeof STORE_KINDS)[number];

export interface TestStore {
  store: StateStore;
  /** The environment that points a serving process at the same data. */
  env: Record<string, string>;
}

/**
 * Fresh, isolated stores of one backend: a new temp directory per file store; one real
 * redis-server per fixture, a new key prefix per store. A missing redis-server fails the suite.
 */
export interface StoreFixture {
  readonly kind: StoreKind;
  create(): Promise<TestStore>;
  /** The running redis-server (redis fixtures only). */
  readonly redis: RedisServer | undefined;
  close(): Promise<void>;
}

export async function createStoreFixture(kind: StoreKind): Promise<StoreFixture> {
  const redis = kind === 'redis' ? await startRedisServer() : undefined;
  const dirs: string[] = [];
  const stores: StateStore[] = [];
  return {
    kind,
    redis,
    async create(): Promise<TestStore> {
      if (redis) {
        // Children run with the default key prefix; in-process stores get their own.
        const store = createRedisStore({ url: redis.url, keyPrefix: `t${randomUUID().slice(0, 8)}:` });
        stores.push(store);
        return { store, env: { STATE_BACKEND: 'redis', REDIS_URL: redis.url } };
      }
      const dir = await mkdtemp(join(tmpdir(), 'oo-serving-'));
      dirs.push(dir);
      const store = createFileStore({ dir });
      stores.push(store);
      return { store, env: { STATE_BACKEND: 'file', STATE_DIR: dir } };
    },
    async close() {
      await Promise.all(stores.map((store) => store.close().catch(() => {})));
      await redis?.close();
      await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
    },
  };
}
