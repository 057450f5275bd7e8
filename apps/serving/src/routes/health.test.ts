import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFileStore } from '@oo/state/file';
import { createRedisStore } from '@oo/state/redis';
import { startRedisServer } from '@oo/state/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NOW, scoreBody } from '../testing/bodies.js';
import { get, post } from '../testing/http.js';
import { startTestApp, type TestApp } from '../testing/test-app.js';
import {
  createStoreFixture,
  STORE_KINDS,
  type StoreFixture,
  type TestStore,
} from '../testing/test-stores.js';

const ZERO = { last_msg_ts: null, processed: 0, errors: 0 };

describe.each(STORE_KINDS)('GET /health [%s store]', (kind) => {
  let fixture: StoreFixture;
  let backing: TestStore;
  let app: TestApp;
  let withNats: TestApp;

  beforeAll(async () => {
    fixture = await createStoreFixture(kind);
    backing = await fixture.create();
    app = await startTestApp({ store: backing.store });
    withNats = await startTestApp({
      store: backing.store,
      env: { NATS_URL: 'nats://127.0.0.1:4222', NATS_DURABLE_PREFIX: 'other-pipeline' },
    });
  });
  afterAll(async () => {
    await Promise.all([app?.close(), withNats?.close()]);
    await fixture?.close();
  });

  it('is ok with zero consumer figures before the consumer publishes any', async () => {
    const res = await get(app.url, '/health');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      ok: true,
      state: { backend: kind, ok: true },
      nats: { enabled: false, consumers: { signals: ZERO, feedback: ZERO } },
    });
  });

  it('reports the figures the consumer published under its durable prefix', async () => {
    const signals = { last_msg_ts: NOW, processed: 41, errors: 2 };
    await backing.store.writeFigures('consumer:other-pipeline', {
      v: 1,
      consumers: { signals, feedback: ZERO },
      updated_at: NOW,
    });
    const res = await get(withNats.url, '/health');
    expect(res.body.nats).toEqual({ enabled: true, consumers: { signals, feedback: ZERO } });
    // The default prefix reads its own record, which does not exist.
    expect((await get(app.url, '/health')).body.nats.consumers.signals).toEqual(ZERO);
  });
});

describe('GET /health with the state store down', () => {
  it('redis: 503 with ok false while redis is stopped, 200 again once it is back', async () => {
    const redis = await startRedisServer();
    const store = createRedisStore({ url: redis.url, connectTimeoutMs: 300, commandTimeoutMs: 300 });
    const app = await startTestApp({ store }).catch(async (error: unknown) => {
      await store.close();
      await redis.close();
      throw error;
    });
    try {
      expect((await get(app.url, '/health')).status).toBe(200);
      await redis.stop();
      const down = await get(app.url, '/health');
      expect(down.status).toBe(503);
      expect(down.body).toMatchObject({ ok: false, state: { backend: 'redis', ok: false } });
      const score = await post(app.url, '/score', scoreBody('health-down'));
      expect(score.status).toBe(503);
      expect(score.body.error.code).toBe('state_unavailable');
      await redis.restart();
      let status = 0;
      for (let i = 0; i < 50 && status !== 200; i++) {
        status = (await get(app.url, '/health')).status;
        if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(status).toBe(200);
      const metrics = (await get(app.url, '/metrics')).body as string;
      expect(metrics).toMatch(/state_store_errors_total\{backend="redis",kind="unavailable"\} [1-9]/);
    } finally {
      await app.close();
      await store.close();
      await redis.close();
    }
  });

  it('file: 503 when STATE_DIR cannot be a directory', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'oo-serving-health-'));
    const app = await (async () => {
      await writeFile(join(dir, 'not-a-dir'), 'x');
      return startTestApp({ store: createFileStore({ dir: join(dir, 'not-a-dir', 'state') }) });
    })().catch(async (error: unknown) => {
      await rm(dir, { recursive: true, force: true });
      throw error;
    });
    try {
      const res = await get(app.url, '/health');
      expect(res.status).toBe(503);
      expect(res.body).toMatchObject({ ok: false, state: { backend: 'file', ok: false } });
      const score = await post(app.url, '/score', scoreBody('health-file-down'));
      expect(score.status).toBe(503);
      expect(score.body.error).toEqual({ code: 'state_unavailable', message: expect.any(String) });
    } finally {
      await app.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
