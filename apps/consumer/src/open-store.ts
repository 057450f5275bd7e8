import type { StateStore } from '@oo/state';
import type { ConsumerEnv } from './env.js';

/** The configured backend, imported on demand: a file-store deployment never loads the Redis client. */
export async function openStore(
  env: Pick<ConsumerEnv, 'STATE_BACKEND' | 'STATE_DIR' | 'STATE_FSYNC' | 'REDIS_URL'>,
): Promise<StateStore> {
  if (env.STATE_BACKEND === 'redis') {
    const { createRedisStore } = await import('@oo/state/redis');
    return createRedisStore({ url: env.REDIS_URL });
  }
  const { createFileStore } = await import('@oo/state/file');
  return createFileStore({ dir: env.STATE_DIR, fsync: env.STATE_FSYNC });
}
