import { readdir } from 'node:fs/promises';
import { POLICIES } from '@oo/bandit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NOW, type TestTask, task } from '../testing/bodies.js';
import { get, post, rawRequest } from '../testing/http.js';
import { dot, quadratic, ridge } from '../testing/ridge.js';
import { startTestApp, type TestApp } from '../testing/test-app.js';
import {
  createStoreFixture,
  STORE_KINDS,
  type StoreFixture,
  type TestStore,
} from '../testing/test-stores.js';

const ALPHA = 0.7;
const TOKEN = 'stats-test-admin-token';

/** SPEC §2, written out independently of @oo/bandit: the linucb-v1 vector at `now`, tz 0. */
function linucbFeatures(t: TestTask, now: string): number[] {
  const at = new Date(now);
  const h = at.getUTCHours() + at.getUTCMinutes() / 60 + at.getUTCSeconds() / 3600;
  const ageDays = (at.getTime() - Date.parse(t.created_at)) / 86_400_000;
  return [
    Math.sin((2 * Math.PI * h) / 24),
    Math.cos((2 * Math.PI * h) / 24),
    t.due_at !== null && Date.parse(t.due_at) < at.getTime() ? 1 : 0,
    Math.min(1, Math.max(0, ageDays / 30)),
    (t.priority - 1) / 3,
  ];
}

/** A deterministic vector in [-1, 1]^d. */
const vector = (seed: number, d: number) =>
  Array.from({ length: d }, (_, i) => Math.sin(seed * 7.3 + i * 1.9));

function expectClose(actual: readonly number[], expected: readonly number[], tolerance = 1e-9) {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((value, i) => {
    expect(Math.abs(value - expected[i]!)).toBeLessThanOrEqual(
      tolerance * Math.max(1, Math.abs(expected[i]!)),
    );
  });
}

describe.each(STORE_KINDS)('GET /stats* [%s store]', (kind) => {
  let fixture: StoreFixture;
  let backing: TestStore;
  let app: TestApp;

  beforeAll(async () => {
    fixture = await createStoreFixture(kind);
    backing = await fixture.create();
    app = await startTestApp({
      store: backing.store,
      env: { LINUCB_ALPHA: String(ALPHA), ADMIN_TOKEN: TOKEN },
      // Decisions are made at NOW and later; they must not have expired when rewarded.
      clock: () => new Date(Date.parse(NOW) + 12 * 3_600_000),
    });
  });
  afterAll(async () => {
    await app?.close();
    await fixture?.close();
  });

  it.each([
    ['/stats', 'linucb-v1'],
    ['/stats/egreedy', 'egreedy-v1'],
    ['/stats/egreedy/v2', 'egreedy-v2'],
  ] as const)('%s of a user never seen: zero stats, not 404', async (prefix, policy) => {
    const res = await get(app.url, `${prefix}/never-seen`);
    expect(res.status).toBe(200);
    const { d } = POLICIES[policy];
    expect(res.body).toEqual({
      user_id: 'never-seen',
      policy,
      d,
      n_scores: 0,
      n_rewards: 0,
      reward_sum: 0,
      mean_reward: 0,
      theta: new Array(d).fill(0),
      updated_at: null,
    });
  });

  it('LinUCB: θ equals an independent ridge solve, and a later score matches it exactly', async () => {
    const user = 'exact-linucb';
    const observations: { x: number[]; r: number }[] = [];
    // Rewards by decision: the logged features are the chosen candidate's encoding.
    for (let i = 0; i < 6; i++) {
      const tasks = [
        task({ priority: 1 }),
        task({ priority: 4, due_at: '2025-03-01T00:00:00Z' }),
        task({ priority: 3 }),
      ];
      const now = new Date(Date.parse(NOW) + i * 3_700_000).toISOString();
      const scored = await post(app.url, '/score', {
        user_id: user,
        now,
        candidates: tasks.map((t, j) => ({ id: `t${j}`, task: t })),
      });
      const chosen = tasks[Number(scored.body.chosen_id.slice(1))]!;
      const r = i % 3 === 0 ? 1 : -0.2 * i;
      const rewarded = await post(app.url, '/reward', {
        user_id: user,
        decision_id: scored.body.decision_id,
        reward: r,
      });
      expect(rewarded.status).toBe(200);
      observations.push({ x: linucbFeatures(chosen, now), r });
    }
    // And rewards by explicit features.
    for (let i = 0; i < 5; i++) {
      const x = vector(i, 5);
      const r = Math.cos(i);
      expect((await post(app.url, '/reward', { user_id: user, features: x, reward: r })).status).toBe(200);
      observations.push({ x, r });
    }

    const { theta, inverse } = ridge(observations, 5);
    const stats = (await get(app.url, `/stats/${user}`)).body;
    expect(stats).toMatchObject({ n_scores: 6, n_rewards: 11 });
    expect(stats.reward_sum).toBeCloseTo(
      observations.reduce((s, o) => s + o.r, 0),
      12,
    );
    expectClose(stats.theta, theta);

    const tasks = [task({ priority: 2 }), task({ priority: 4, due_at: '2025-03-02T00:00:00Z' })];
    const now = '2025-03-04T15:30:00Z';
    const scored = await post(app.url, '/score', {
      user_id: user,
      now,
      candidates: tasks.map((t, j) => ({ id: `n${j}`, task: t })),
    });
    scored.body.scores.forEach(
      (s: { expected_reward: number; exploration_bonus: number; score: number }, j: number) => {
        const x = linucbFeatures(tasks[j]!, now);
        expectClose([s.expected_reward], [dot(theta, x)]);
        expectClose([s.exploration_bonus], [ALPHA * Math.sqrt(quadratic(inverse, x))]);
        expectClose([s.score], [dot(theta, x) + ALPHA * Math.sqrt(quadratic(inverse, x))]);
      },
    );
  });

  it('ε-greedy v2: θ equals the ridge solve and a score is θᵀx with no bonus', async () => {
    const user = 'exact-egreedy-v2';
    const observations = Array.from({ length: 20 }, (_, i) => ({ x: vector(i + 100, 12), r: Math.sin(i) }));
    for (const { x, r } of observations) {
      expect(
        (await post(app.url, '/reward/egreedy/v2', { user_id: user, features: x, reward: r })).status,
      ).toBe(200);
    }
    const { theta } = ridge(observations, 12);
    expectClose((await get(app.url, `/stats/egreedy/v2/${user}`)).body.theta, theta);
    const profile = [0.2, 0.4, 0.6, 0.8, 1];
    const t = task({ priority: 4 });
    const scored = await post(app.url, '/score/egreedy/v2', {
      user_id: user,
      now: NOW,
      profile_features: profile,
      candidates: [{ id: 'only', task: t }],
    });
    const x = [...linucbFeatures(t, NOW), Math.sin(0), Math.cos(0), ...profile]; // NOW is a Monday: d = 0
    expectClose([scored.body.scores[0].expected_reward], [dot(theta, x)]);
    expect(scored.body.scores[0].exploration_bonus).toBe(0);
  });

  it('keeps user a and user a_sync apart, state and sync record alike', async () => {
    await post(app.url, '/reward', { user_id: 'a', features: [1, 0, 0, 0, 0], reward: 1 });
    await backing.store.updateSync('a', () => ({
      result: undefined,
      state: { v: 1, last_sync_ts: NOW, task_count: 3, event_ids: ['e1'], updated_at: NOW },
    }));
    expect((await get(app.url, '/stats/a_sync')).body).toMatchObject({ n_rewards: 0, updated_at: null });
    expect((await get(app.url, '/features/a_sync')).body).toEqual([]);
    await post(app.url, '/reward', { user_id: 'a_sync', features: [0, 1, 0, 0, 0], reward: -1 });
    expect((await get(app.url, '/stats/a')).body).toMatchObject({ n_rewards: 1, reward_sum: 1 });

    const reset = await post(app.url, '/reset/a_sync', undefined, { authorization: `Bearer ${TOKEN}` });
    expect(reset.status).toBe(200);
    expect((await get(app.url, '/stats/a')).body.n_rewards).toBe(1);
    expect(await backing.store.readSync('a')).toMatchObject({ task_count: 3 });
    expect(await backing.store.readSync('a_sync')).toBeNull();
  });

  it('an encoded dot-dot segment is resolved by URL parsing and matches no user route', async () => {
    const res = await rawRequest(app.url, 'GET', '/stats/%2E%2E');
    expect(res.status).toBe(404);
    expect(JSON.parse(res.body).error.code).toBe('not_found');
  });

  it.each([
    ['an encoded slash and dot-dot', '..%2Fx'],
    ['a NUL byte', '%00'],
    ['an encoded slash', 'a%2Fb'],
    ['a leading dot', '.hidden'],
    ['a space', 'a%20b'],
    ['a backslash', '..%5Cx'],
    ['a 10 kB id', 'x'.repeat(10_000)],
  ])('422 for %s in the path, and no record is touched', async (_name, id) => {
    const before = backing.env.STATE_DIR ? await readdir(backing.env.STATE_DIR) : [];
    for (const [method, path, headers] of [
      ['GET', `/stats/${id}`, {}],
      ['GET', `/stats/egreedy/${id}`, {}],
      ['GET', `/stats/egreedy/v2/${id}`, {}],
      ['GET', `/features/${id}`, {}],
      ['POST', `/reset/${id}`, { authorization: `Bearer ${TOKEN}` }],
    ] as const) {
      const res = await rawRequest(app.url, method, path, undefined, headers);
      expect(res.status, `${method} ${path.slice(0, 40)}`).toBe(422);
      const body = JSON.parse(res.body);
      expect(body.error.code).toBe('validation_failed');
      expect(body.error.details[0].path).toBe('user_id');
      expect(res.body.length).toBeLessThan(2_000);
    }
    if (backing.env.STATE_DIR) expect(await readdir(backing.env.STATE_DIR)).toEqual(before);
  });
});
