import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { get, post } from '../testing/http.js';
import { startTestApp, type TestApp } from '../testing/test-app.js';
import { createStoreFixture, type StoreFixture } from '../testing/test-stores.js';

const TOKEN = 'log-test-token-abcdef';
const TRACE_A = '4bf92f3577b34da6a3ce929d0e0e4736';
const TRACE_B = '0af7651916cd43dd8448eb211c80319c';
const SPAN_A = '00f067aa0ba902b7';
const SPAN_B = 'b7ad6b7169203331';

describe('request logging', () => {
  let fixture: StoreFixture;
  let app: TestApp;

  beforeAll(async () => {
    fixture = await createStoreFixture('file');
    app = await startTestApp({ store: (await fixture.create()).store, env: { ADMIN_TOKEN: TOKEN } });
  });
  afterAll(async () => {
    await app?.close();
    await fixture?.close();
  });

  it('puts the traceparent ids on every line of that request, and none on the others', async () => {
    const auth = { authorization: `Bearer ${TOKEN}` };
    await Promise.all([
      post(app.url, '/reset/trace-a', undefined, { ...auth, traceparent: `00-${TRACE_A}-${SPAN_A}-01` }),
      post(app.url, '/reset/trace-b', undefined, { ...auth, traceparent: `00-${TRACE_B}-${SPAN_B}-00` }),
      post(app.url, '/reset/trace-none', undefined, auth),
      // All-zero trace ids are invalid (W3C Trace Context §3.2.2.3).
      post(app.url, '/reset/trace-invalid', undefined, {
        ...auth,
        traceparent: `00-${'0'.repeat(32)}-${SPAN_A}-01`,
      }),
    ]);
    const linesOf = (user: string) =>
      app.logs.lines.filter((line) => line.user_id === user || line.path === `/reset/${user}`);
    for (const [user, trace, span] of [
      ['trace-a', TRACE_A, SPAN_A],
      ['trace-b', TRACE_B, SPAN_B],
    ] as const) {
      const lines = linesOf(user);
      expect(lines.map((line) => line.msg).sort()).toEqual(['request', 'user state reset']);
      for (const line of lines) expect(line).toMatchObject({ trace_id: trace, span_id: span });
    }
    for (const user of ['trace-none', 'trace-invalid']) {
      const lines = linesOf(user);
      expect(lines).toHaveLength(2);
      for (const line of lines) {
        expect(line).not.toHaveProperty('trace_id');
        expect(line).not.toHaveProperty('span_id');
      }
    }
  });

  it('writes one access line per request: level word, logger, ISO timestamp, route pattern, status, duration', async () => {
    const before = app.logs.lines.length;
    await get(app.url, '/stats/access-user?x=1');
    const lines = app.logs.lines.slice(before);
    expect(lines).toHaveLength(1);
    const [line] = lines;
    expect(line).toEqual({
      level: 'info',
      logger: 'serving',
      timestamp: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
      msg: 'request',
      method: 'GET',
      route: '/stats/:user_id',
      path: '/stats/access-user',
      status: 200,
      duration_ms: expect.any(Number),
    });
  });

  it('never logs request bodies (task data) or credentials', async () => {
    await post(app.url, '/score', {
      user_id: 'private-user',
      candidates: [
        { id: 'call-the-doctor', task: { due_at: null, created_at: '2025-01-01T00:00:00Z', priority: 1 } },
      ],
    });
    await post(app.url, '/reset/private-user', undefined, { authorization: 'Bearer guessed-token-999' });
    const text = JSON.stringify(app.logs.lines);
    expect(text).not.toContain('call-the-doctor');
    expect(text).not.toContain('guessed-token-999');
    expect(text).not.toContain(TOKEN);
  });
});
