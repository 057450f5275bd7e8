import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MANIFEST } from '../agents/task-nudge.js';
import { NOW, PROFILE, scoreBody } from '../testing/bodies.js';
import { get, post } from '../testing/http.js';
import { startTestApp, type TestApp } from '../testing/test-app.js';
import { createStoreFixture, STORE_KINDS, type StoreFixture } from '../testing/test-stores.js';

const TTL_MS = MANIFEST.ttl_sec * 1000;

describe.each(STORE_KINDS)('POST /reward* [%s store]', (kind) => {
  let fixture: StoreFixture;
  let app: TestApp;
  // The server clock of `app`; decisions are made at NOW.
  let clock = new Date(NOW);

  beforeAll(async () => {
    fixture = await createStoreFixture(kind);
    app = await startTestApp({ store: (await fixture.create()).store, clock: () => clock });
  });
  afterAll(async () => {
    await app?.close();
    await fixture?.close();
  });

  const decide = async (user: string, path = '/score', extra: Record<string, unknown> = {}) => {
    const res = await post(app.url, path, scoreBody(user, 3, extra));
    expect(res.status).toBe(200);
    return res.body.decision_id as string;
  };

  it('rewards a decision once; the second time is a duplicate that changes nothing', async () => {
    clock = new Date(NOW);
    const user = 'reward-once';
    const decision_id = await decide(user);
    const first = await post(app.url, '/reward', { user_id: user, decision_id, reward: 1 });
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ user_id: user, policy: 'linucb-v1', n_rewards: 1, duplicate: false });
    const statsAfterFirst = (await get(app.url, `/stats/${user}`)).body;

    const second = await post(app.url, '/reward', { user_id: user, decision_id, reward: -1 });
    expect(second.status).toBe(200);
    expect(second.body).toEqual({ user_id: user, policy: 'linucb-v1', n_rewards: 1, duplicate: true });
    expect((await get(app.url, `/stats/${user}`)).body).toEqual(statsAfterFirst);
    expect(statsAfterFirst).toMatchObject({ n_rewards: 1, reward_sum: 1, mean_reward: 1 });

    const log = (await get(app.url, `/features/${user}`)).body;
    expect(log[0]).toMatchObject({ decision_id, reward: 1 });
  });

  it.each([
    ['/reward/egreedy', '/score/egreedy', 'egreedy-v1'],
    ['/reward/egreedy/v2', '/score/egreedy/v2', 'egreedy-v2'],
  ])('%s rewards decisions of %s', async (rewardPath, scorePath, policy) => {
    clock = new Date(NOW);
    const user = `reward-${policy}`;
    const decision_id = await decide(user, scorePath, { profile_features: PROFILE });
    const res = await post(app.url, rewardPath, { user_id: user, decision_id, reward: 0.5 });
    expect(res.body).toEqual({ user_id: user, policy, n_rewards: 1, duplicate: false });
  });

  it('409 for a decision of another policy, naming it; nothing changes', async () => {
    clock = new Date(NOW);
    const user = 'reward-mismatch';
    const decision_id = await decide(user, '/score/egreedy');
    const res = await post(app.url, '/reward', { user_id: user, decision_id, reward: 1 });
    expect(res.status).toBe(409);
    expect(res.body.error).toMatchObject({
      code: 'conflict',
      details: { reason: 'policy_mismatch', decision_policy: 'egreedy-v1', route_policy: 'linucb-v1' },
    });
    expect((await get(app.url, `/stats/${user}`)).body.n_rewards).toBe(0);
    expect((await get(app.url, `/stats/egreedy/${user}`)).body.n_rewards).toBe(0);
    // The right endpoint still takes it.
    expect((await post(app.url, '/reward/egreedy', { user_id: user, decision_id, reward: 1 })).status).toBe(
      200,
    );
  });

  it("404 for an unknown decision, or another user's", async () => {
    clock = new Date(NOW);
    const theirs = await decide('reward-owner');
    for (const decision_id of ['00000000-0000-4000-8000-000000000000', theirs]) {
      const res = await post(app.url, '/reward', { user_id: 'reward-stranger', decision_id, reward: 1 });
      expect(res.status).toBe(404);
      expect(res.body.error).toMatchObject({
        code: 'not_found',
        details: { reason: 'decision_not_found', decision_id },
      });
    }
    expect((await get(app.url, '/stats/reward-stranger')).body.n_rewards).toBe(0);
  });

  it('404 once the decision has expired (ttl_sec of task-nudge), not a moment before', async () => {
    const user = 'reward-expiry';
    clock = new Date(NOW);
    const onTime = await decide(user);
    const late = await decide(user);
    clock = new Date(Date.parse(NOW) + TTL_MS);
    expect((await post(app.url, '/reward', { user_id: user, decision_id: onTime, reward: 1 })).status).toBe(
      200,
    );
    clock = new Date(Date.parse(NOW) + TTL_MS + 1);
    const res = await post(app.url, '/reward', { user_id: user, decision_id: late, reward: 1 });
    expect(res.status).toBe(404);
    expect(res.body.error).toMatchObject({
      code: 'not_found',
      details: { reason: 'decision_expired', expires_at: new Date(Date.parse(NOW) + TTL_MS).toISOString() },
    });
    expect((await get(app.url, `/stats/${user}`)).body.n_rewards).toBe(1);
    // A reward already applied stays idempotent after expiry (ADR-0008).
    const again = await post(app.url, '/reward', { user_id: user, decision_id: onTime, reward: 1 });
    expect(again.status).toBe(200);
    expect(again.body.duplicate).toBe(true);
  });

  it('rewards an explicit feature vector of exactly d numbers', async () => {
    clock = new Date(NOW);
    const user = 'reward-features';
    for (const [path, d] of [
      ['/reward', 5],
      ['/reward/egreedy', 7],
      ['/reward/egreedy/v2', 12],
    ] as const) {
      const ok = await post(app.url, path, { user_id: user, reward: -0.5, features: new Array(d).fill(0.5) });
      expect(ok.status).toBe(200);
      expect(ok.body).toMatchObject({ n_rewards: 1, duplicate: false });
      const wrong = await post(app.url, path, {
        user_id: user,
        reward: 1,
        features: new Array(d - 1).fill(0.5),
      });
      expect(wrong.status).toBe(422);
      expect(wrong.body.error.details).toEqual([
        { path: 'features', message: expect.stringContaining(`${d}`) },
      ]);
    }
    const stats = (await get(app.url, `/stats/egreedy/v2/${user}`)).body;
    expect(stats).toMatchObject({ n_rewards: 1, reward_sum: -0.5, mean_reward: -0.5 });
  });

  it.each([
    ['a reward of 2', { reward: 2, features: [0, 0, 0, 0, 0] }, 'reward'],
    ['a non-numeric reward', { reward: '1', features: [0, 0, 0, 0, 0] }, 'reward'],
    ['a feature out of range', { reward: 1, features: [0, 0, 0, 0, 7] }, 'features.4'],
    ['both targets', { reward: 1, features: [0, 0, 0, 0, 0], decision_id: 'x' }, 'body'],
    ['no target', { reward: 1 }, 'body'],
    ['a hostile decision_id', { reward: 1, decision_id: '../../x' }, 'decision_id'],
  ])('422 for %s, and A and b stay untouched', async (_name, patch, path) => {
    const user = 'reward-invalid';
    const res = await post(app.url, '/reward', { user_id: user, ...patch });
    expect(res.status).toBe(422);
    expect(res.body.error.details.map((d: { path: string }) => d.path)).toContain(path);
    const stats = (await get(app.url, `/stats/${user}`)).body;
    expect(stats).toMatchObject({ n_rewards: 0, theta: [0, 0, 0, 0, 0], updated_at: null });
  });
});
