import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NOW, PROFILE, scoreBody } from '../testing/bodies.js';
import { get, post } from '../testing/http.js';
import { startTestApp, type TestApp } from '../testing/test-app.js';
import { createStoreFixture, STORE_KINDS, type StoreFixture } from '../testing/test-stores.js';

describe.each(STORE_KINDS)('GET /features/{user_id} [%s store]', (kind) => {
  let fixture: StoreFixture;
  let app: TestApp;

  beforeAll(async () => {
    fixture = await createStoreFixture(kind);
    app = await startTestApp({ store: (await fixture.create()).store, clock: () => new Date(NOW) });
  });
  afterAll(async () => {
    await app?.close();
    await fixture?.close();
  });

  it('is an empty list for a user never seen', async () => {
    const res = await get(app.url, '/features/nobody');
    expect(res.status).toBe(200);
    expect(res.body).toEqual([]);
  });

  it('lists decisions of every policy newest first, with the reward once given', async () => {
    const user = 'log-shape';
    const a = (await post(app.url, '/score', scoreBody(user, 2))).body;
    const b = (await post(app.url, '/score/egreedy/v2', scoreBody(user, 2, { profile_features: PROFILE })))
      .body;
    await post(app.url, '/reward', { user_id: user, decision_id: a.decision_id, reward: -0.75 });
    const log = (await get(app.url, `/features/${user}`)).body;
    expect(log).toHaveLength(2);
    expect(log[0]).toEqual({
      decision_id: b.decision_id,
      policy: 'egreedy-v2',
      ts: new Date(NOW).toISOString(),
      chosen_id: b.chosen_id,
      features: expect.any(Array),
      propensity: b.propensity,
      reward: null,
    });
    expect(log[1]).toMatchObject({
      decision_id: a.decision_id,
      policy: 'linucb-v1',
      reward: -0.75,
      propensity: 1,
    });
    expect(log[1].features).toHaveLength(5);
  });

  it('keeps the last 100 decisions', async () => {
    const user = 'log-cap';
    const ids: string[] = [];
    for (let i = 0; i < 101; i++)
      ids.push((await post(app.url, '/score/egreedy', scoreBody(user, 1))).body.decision_id);
    const log = (await get(app.url, `/features/${user}`)).body;
    expect(log).toHaveLength(100);
    expect(log.map((e: { decision_id: string }) => e.decision_id)).toEqual(ids.slice(1).reverse());
    expect((await get(app.url, `/stats/egreedy/${user}`)).body.n_scores).toBe(101);
    // The dropped decision can no longer be rewarded.
    const gone = await post(app.url, '/reward/egreedy', { user_id: user, decision_id: ids[0], reward: 1 });
    expect(gone.status).toBe(404);
  });
});
