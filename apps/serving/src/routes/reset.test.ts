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

const TOKEN = 'reset-admin-token-0123456789';

describe.each(STORE_KINDS)('POST /reset/{user_id} [%s store]', (kind) => {
  let fixture: StoreFixture;
  let backing: TestStore;
  let app: TestApp;
  let disabled: TestApp;

  beforeAll(async () => {
    fixture = await createStoreFixture(kind);
    backing = await fixture.create();
    app = await startTestApp({
      store: backing.store,
      env: { ADMIN_TOKEN: TOKEN },
      clock: () => new Date(NOW),
    });
    disabled = await startTestApp({ store: backing.store });
  });
  afterAll(async () => {
    await Promise.all([app?.close(), disabled?.close()]);
    await fixture?.close();
  });

  const seed = async (user: string) => {
    await post(app.url, '/score', scoreBody(user));
    await post(app.url, '/score/egreedy', scoreBody(user));
    await post(app.url, '/reward/egreedy/v2', {
      user_id: user,
      features: new Array(12).fill(0.1),
      reward: 1,
    });
    await backing.store.updateSync(user, () => ({
      result: undefined,
      state: { v: 1, last_sync_ts: NOW, task_count: 1, event_ids: [], updated_at: NOW },
    }));
  };

  it('clears every policy, the decision log and the sync record', async () => {
    const user = 'reset-me';
    await seed(user);
    await seed('bystander');
    const res = await post(app.url, `/reset/${user}`, undefined, { authorization: `Bearer ${TOKEN}` });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ user_id: user, reset: true });
    for (const prefix of ['/stats', '/stats/egreedy', '/stats/egreedy/v2']) {
      expect((await get(app.url, `${prefix}/${user}`)).body).toMatchObject({
        n_scores: 0,
        n_rewards: 0,
        updated_at: null,
      });
    }
    expect((await get(app.url, `/features/${user}`)).body).toEqual([]);
    expect(await backing.store.readSync(user)).toBeNull();
    // Nobody else is touched.
    expect((await get(app.url, '/features/bystander')).body).toHaveLength(2);
    expect(await backing.store.readSync('bystander')).not.toBeNull();
  });

  it('is idempotent for a user never seen', async () => {
    const res = await post(app.url, '/reset/never-there', undefined, { authorization: `Bearer ${TOKEN}` });
    expect(res.status).toBe(200);
  });

  it.each([
    ['no Authorization header', {}, 401, 'missing_token'],
    [
      'a Basic credential',
      { authorization: `Basic ${Buffer.from(`admin:${TOKEN}`).toString('base64')}` },
      401,
      'missing_token',
    ],
    ['an empty bearer', { authorization: 'Bearer ' }, 401, 'missing_token'],
    ['a wrong token', { authorization: 'Bearer not-the-token' }, 403, 'invalid_token'],
    ['a token prefix', { authorization: `Bearer ${TOKEN.slice(0, -1)}` }, 403, 'invalid_token'],
    ['a longer token', { authorization: `Bearer ${TOKEN}x` }, 403, 'invalid_token'],
  ])('refuses %s', async (_name, headers, status, reason) => {
    const user = 'reset-guarded';
    await seed(user);
    const res = await post(app.url, `/reset/${user}`, undefined, headers);
    expect(res.status).toBe(status);
    expect(res.body.error).toMatchObject({
      code: status === 401 ? 'unauthorized' : 'forbidden',
      details: { reason },
    });
    if (status === 401) expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect((await get(app.url, `/features/${user}`)).body.length).toBeGreaterThan(0);
  });

  it('authenticates before it validates: an anonymous caller gets 401 even for a bad id', async () => {
    const res = await post(app.url, '/reset/..%2Fx', undefined);
    expect(res.status).toBe(401);
  });

  it('is disabled (403) when ADMIN_TOKEN is unset, whatever the request carries', async () => {
    const user = 'reset-disabled';
    await seed(user);
    for (const headers of <Record<string, string>[]>[
      {},
      { authorization: `Bearer ${TOKEN}` },
      { authorization: 'Bearer ' },
    ]) {
      const res = await post(disabled.url, `/reset/${user}`, undefined, headers);
      expect(res.status).toBe(403);
      expect(res.body.error).toMatchObject({ code: 'forbidden', details: { reason: 'admin_disabled' } });
    }
    expect((await get(app.url, `/features/${user}`)).body.length).toBeGreaterThan(0);
  });

  it('never logs the token', async () => {
    await post(app.url, '/reset/log-check', undefined, { authorization: `Bearer ${TOKEN}` });
    await post(app.url, '/reset/log-check', undefined, { authorization: 'Bearer wrong-guess-123' });
    const text = JSON.stringify(app.logs.lines);
    expect(app.logs.lines.some((line) => line.route === '/reset/:user_id')).toBe(true);
    expect(text).not.toContain(TOKEN);
    expect(text).not.toContain('wrong-guess-123');
  });
});
