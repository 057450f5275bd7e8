import { createFileStore } from '../file/file-store.js';
import type { StateStore } from '../store.js';

/** How to open a store, as plain JSON, so that a child process can open the same one. */
export type StoreSpec =
  | { backend: 'file'; dir: string; fsync?: boolean; lockTimeoutMs?: number; cacheBytes?: number }
  | {
      backend: 'redis';
      url: string;
      keyPrefix: string;
      lockTimeoutMs?: number;
      commandTimeoutMs?: number;
      connectTimeoutMs?: number;
      cacheBytes?: number;
    };

/** Opens the store a spec describes; the Redis client is loaded only for a Redis spec. */
export async function openStore(spec: StoreSpec): Promise<StateStore> {
  if (spec.backend === 'file') return createFileStore(spec);
  const { createRedisStore } = await import('../redis/redis-store.js');
  return createRedisStore(spec);
}
