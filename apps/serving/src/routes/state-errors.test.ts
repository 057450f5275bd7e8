import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StateStore } from '@oo/state';
import { createFileStore, recordDirName } from '@oo/state/file';
import { createRedisStore } from '@oo/state/redis';
import { type RedisServer, startRedisServer } from '@oo/state/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NOW } from '../testing/bodies.js';
import { get, post } from '../testing/http.js';
import { startTestApp, type TestApp } from '../testing/test-app.js';

const TOKEN = 'state-errors-token';

/** A record that parses and validates, but whose A is not positive-definite. */
const badModelRecord = (userId: string) =>
  JSON.stringify({
    v: 1,
    user_id: userId,
    policies: {
      'linucb-v1': {
        model: { v: 1, d: 5, lambda: 1, n: 0, A: new Array(25).fill(0), b: new Array(5).fill(0) },
        n_scores: 1,
        n_rewards: 0,
        reward_sum: 0,
        updated_at: NOW,
      },
    },
    decisions: [],
  });

interface Backend {
  kind: 'file' | 'redis';
  store: StateStore;
  writeRaw(userId: string, raw: string): Promise<void>;
  close(): Promise<void>;
}

async function fileBackend(): Promise<Backend> {
  const dir = await mkdtemp(join(tmpdir(), 'oo-serving-corrupt-'));
  const store = createFileStore({ dir });
  return {
    kind: 'file',
    store,
    async writeRaw(userId, raw) {
      const userDir = join(dir, 'users', recordDirName(userId));
      await mkdir(userDir, { recursive: true });
      await writeFile(join(userDir, 'state.json'), raw);
    },
    async close() {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function redisBackend(): Promise<Backend> {
  const server: RedisServer = await startRedisServer();
  const store = createRedisStore({ url: server.url, keyPrefix: 'corrupt:' });
  const raw = new Redis(server.url);
  return {
    kind: 'redis',
    store,
    async writeRaw(userId, value) {
      await raw.set(`corrupt:{${userId}}:state`, value);
    },
    async close() {
      raw.disconnect();
      await store.close();
      await server.close();
    },
  };
}

describe.each([
  ['file', fileBackend],
  ['redis', redisBackend],
] as const)('unreadable state [%s store]', (_kind, makeBackend) => {
  let backend: Backend;
  let app: TestApp;

  beforeAll(async () => {
    backend = await makeBackend();
    app = await startTestApp({ store: backend.store, env: { ADMIN_TOKEN: TOKEN } });
  });
  afterAll(async () => {
    await app?.close();
    await backend?.close();
  });

  it('a corrupt record is 503 state_corrupt for that request, then set aside', async () => {
    await backend.writeRaw('corrupt-user', '{"v":1,"user_id":');
    const res = await get(app.url, '/stats/corrupt-user');
    expect(res.status).toBe(503);
    expect(res.body.error.code).toBe('state_corrupt');
    expect((await get(app.url, '/stats/corrupt-user')).status).toBe(200);
    expect((await get(app.url, '/stats/someone-else')).status).toBe(200);
    const metrics = (await get(app.url, '/metrics')).body as string;
    expect(metrics).toContain(`state_store_errors_total{backend="${backend.kind}",kind="corrupt"} 1`);
  });

  it('a record of a newer schema version is 503 state_corrupt and left in place', async () => {
    await backend.writeRaw('future-user', JSON.stringify({ v: 99, user_id: 'future-user' }));
    for (let i = 0; i < 2; i++) {
      const res = await post(app.url, '/reward', {
        user_id: 'future-user',
        features: [0, 0, 0, 0, 0],
        reward: 1,
      });
      expect(res.status).toBe(503);
      expect(res.body.error.code).toBe('state_corrupt');
    }
  });

  it('a stored model that fails validation is 503 state_corrupt until the user is reset', async () => {
    await backend.writeRaw('bad-model', badModelRecord('bad-model'));
    expect((await get(app.url, '/stats/bad-model')).body.error.code).toBe('state_corrupt');
    expect(
      (await post(app.url, '/reward', { user_id: 'bad-model', features: [0, 0, 0, 0, 0], reward: 1 })).status,
    ).toBe(503);
    expect(
      (await post(app.url, '/reset/bad-model', undefined, { authorization: `Bearer ${TOKEN}` })).status,
    ).toBe(200);
    expect((await get(app.url, '/stats/bad-model')).status).toBe(200);
  });
});
