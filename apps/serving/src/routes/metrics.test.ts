import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NOW, scoreBody } from '../testing/bodies.js';
import { get, post } from '../testing/http.js';
import { startTestApp, type TestApp } from '../testing/test-app.js';
import { createStoreFixture, type StoreFixture } from '../testing/test-stores.js';

describe('GET /metrics', () => {
  let fixture: StoreFixture;
  let app: TestApp;

  beforeAll(async () => {
    fixture = await createStoreFixture('file');
    app = await startTestApp({ store: (await fixture.create()).store, clock: () => new Date(NOW) });
  });
  afterAll(async () => {
    await app?.close();
    await fixture?.close();
  });

  it('counts requests per route pattern and status, decisions and rewards per policy', async () => {
    const decision = (await post(app.url, '/score', scoreBody('metrics-user'))).body;
    await post(app.url, '/reward', { user_id: 'metrics-user', decision_id: decision.decision_id, reward: 1 });
    await post(app.url, '/reward', { user_id: 'metrics-user', decision_id: decision.decision_id, reward: 1 });
    await post(app.url, '/score/egreedy', scoreBody('metrics-user'));
    for (let i = 0; i < 3; i++) await get(app.url, `/stats/user-${i}`);
    await get(app.url, '/stats/..%2Fx');
    await get(app.url, '/no/such/route');

    const res = await get(app.url, '/metrics');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = res.body as string;
    expect(text).toContain('http_requests_total{method="POST",route="/score",status="200"} 1');
    expect(text).toContain('http_requests_total{method="GET",route="/stats/:user_id",status="200"} 3');
    expect(text).toContain('http_requests_total{method="GET",route="/stats/:user_id",status="422"} 1');
    expect(text).toContain('http_requests_total{method="GET",route="unmatched",status="404"} 1');
    // Durations depend on machine load; the count and the +Inf bucket do not.
    expect(text).toContain(
      'http_request_duration_seconds_bucket{le="+Inf",method="POST",route="/score",status="200"} 1',
    );
    expect(text).toContain(
      'http_request_duration_seconds_count{method="POST",route="/score",status="200"} 1',
    );
    expect(text).toContain('bandit_decisions_total{policy="linucb-v1",explored="false"} 1');
    expect(text).toMatch(/bandit_decisions_total\{policy="egreedy-v1",explored="(true|false)"\} 1/);
    expect(text).toContain('bandit_rewards_total{policy="linucb-v1",duplicate="false"} 1');
    expect(text).toContain('bandit_rewards_total{policy="linucb-v1",duplicate="true"} 1');
    expect(text).toContain('# TYPE state_store_errors_total counter');
    expect(text).toContain('process_cpu_user_seconds_total');
    // Raw paths never become labels.
    expect(text).not.toContain('user-1');
    expect(text).not.toContain('/no/such/route');
  });

  it('keeps one registry per app', async () => {
    const other = await startTestApp({ store: (await fixture.create()).store });
    try {
      const text = (await get(other.url, '/metrics')).body as string;
      expect(text).not.toContain('route="/score"');
    } finally {
      await other.close();
    }
  });
});
