import type { ErrorReporter } from '@oo/observability';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withBrokenReads } from '../testing/failing-store.js';
import { call, get } from '../testing/http.js';
import { startTestApp, type TestApp } from '../testing/test-app.js';
import { createStoreFixture, STORE_KINDS, type StoreFixture } from '../testing/test-stores.js';

describe.each(STORE_KINDS)('the error model [%s store]', (kind) => {
  let fixture: StoreFixture;
  let app: TestApp;
  const captured: { error: unknown; context: Record<string, unknown> | undefined }[] = [];
  const reporter: ErrorReporter = {
    enabled: true,
    capture: (error, context) => void captured.push({ error, context }),
    flush: async () => {},
  };

  beforeAll(async () => {
    fixture = await createStoreFixture(kind);
    const { store } = await fixture.create();
    app = await startTestApp({
      store: withBrokenReads(store, 'disk says /var/secret/path is gone'),
      reporter,
    });
  });
  afterAll(async () => {
    await app?.close();
    await fixture?.close();
  });

  it('404 not_found for an unknown route', async () => {
    const res = await get(app.url, '/nope');
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error: { code: 'not_found', message: 'no route for GET /nope' } });
  });

  it.each([
    ['GET', '/score', 'POST'],
    ['PUT', '/reward/egreedy', 'POST'],
    ['DELETE', '/stats/someone', 'GET, HEAD'],
    ['POST', '/health', 'GET, HEAD'],
  ])('%s %s: 404 in the error shape, with Allow: %s', async (method, path, allow) => {
    const res = await call(app.url, method, path);
    expect(res.status).toBe(404);
    expect(res.headers.get('allow')).toBe(allow);
    expect(res.body.error).toMatchObject({ code: 'not_found', details: { allow: allow.split(', ') } });
  });

  it('a bug is a 500 with a fixed message: no stack, no error text; logged and reported', async () => {
    const res = await get(app.url, '/stats/broken-user');
    expect(res.status).toBe(500);
    expect(res.body).toEqual({ error: { code: 'internal_error', message: 'internal error' } });
    expect(JSON.stringify(res.body)).not.toMatch(/secret|at |\.ts:|\.js:/);
    expect(captured).toHaveLength(1);
    expect((captured[0]!.error as Error).message).toBe('disk says /var/secret/path is gone');
    expect(captured[0]!.context).toMatchObject({ method: 'GET', route: '/stats/:user_id' });
    const logged = app.logs.lines.find((line) => line.msg === 'unhandled error');
    expect(logged).toMatchObject({ level: 'error', err: { message: 'disk says /var/secret/path is gone' } });
  });
});
