import { POLICIES } from '@oo/bandit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MANIFEST } from '../agents/task-nudge.js';
import { candidates, NOW, PROFILE, scoreBody } from '../testing/bodies.js';
import { get, post } from '../testing/http.js';
import { startTestApp, type TestApp } from '../testing/test-app.js';
import { createStoreFixture, STORE_KINDS, type StoreFixture } from '../testing/test-stores.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** The index ε-greedy's argmax picks: highest score, ties to the lowest index. */
function argmax(scores: { score: number }[]): number {
  let best = 0;
  for (let i = 1; i < scores.length; i++) if (scores[i]!.score > scores[best]!.score) best = i;
  return best;
}

describe.each(STORE_KINDS)('POST /score* [%s store]', (kind) => {
  let fixture: StoreFixture;
  let app: TestApp;
  let greedy: TestApp; // ε = 0
  let uniform: TestApp; // ε = 1

  beforeAll(async () => {
    fixture = await createStoreFixture(kind);
    app = await startTestApp({ store: (await fixture.create()).store });
    greedy = await startTestApp({
      store: (await fixture.create()).store,
      env: { EGREEDY_EPSILON: '0', EGREEDY_V2_EPSILON: '0' },
    });
    uniform = await startTestApp({
      store: (await fixture.create()).store,
      env: { EGREEDY_EPSILON: '1', EGREEDY_V2_EPSILON: '1' },
    });
  });
  afterAll(async () => {
    await Promise.all([app, greedy, uniform].map((a) => a?.close()));
    await fixture?.close();
  });

  it('answers LinUCB decisions in the one response shape', async () => {
    const res = await post(app.url, '/score', scoreBody('score-linucb', 4));
    expect(res.status).toBe(200);
    const body = res.body;
    expect(Object.keys(body).sort()).toEqual(
      [
        'chosen_id',
        'decision_id',
        'expires_at',
        'explored',
        'policy',
        'policy_version',
        'propensity',
        'scores',
      ].sort(),
    );
    expect(body.decision_id).toMatch(UUID);
    expect(body).toMatchObject({
      policy: 'linucb-v1',
      policy_version: POLICIES['linucb-v1'].version,
      propensity: 1,
      explored: false,
      expires_at: new Date(Date.parse(NOW) + MANIFEST.ttl_sec * 1000).toISOString(),
    });
    expect(body.scores.map((s: { id: string }) => s.id)).toEqual(['c0', 'c1', 'c2', 'c3']);
    for (const s of body.scores) {
      expect(s.score).toBeCloseTo(s.expected_reward + s.exploration_bonus, 12);
      expect(s.exploration_bonus).toBeGreaterThan(0);
    }
    expect(body.chosen_id).toBe(body.scores[argmax(body.scores)].id);
  });

  it('logs every decision and counts it in n_scores, per policy', async () => {
    const user = 'score-counted';
    const first = await post(app.url, '/score', scoreBody(user, 2));
    const second = await post(app.url, '/score/egreedy', scoreBody(user, 2));
    const third = await post(app.url, '/score/egreedy/v2', scoreBody(user, 2, { profile_features: PROFILE }));
    expect([first.status, second.status, third.status]).toEqual([200, 200, 200]);
    const log = (await get(app.url, `/features/${user}`)).body;
    expect(log.map((e: { decision_id: string }) => e.decision_id)).toEqual([
      third.body.decision_id,
      second.body.decision_id,
      first.body.decision_id,
    ]);
    expect(log.map((e: { features: number[] }) => e.features.length)).toEqual([12, 7, 5]);
    expect(log[0].features.slice(7)).toEqual(PROFILE);
    for (const [path, n] of [
      [`/stats/${user}`, 1],
      [`/stats/egreedy/${user}`, 1],
      [`/stats/egreedy/v2/${user}`, 1],
    ] as const) {
      expect((await get(app.url, path)).body.n_scores).toBe(n);
    }
  });

  it('takes the server clock when now is absent', async () => {
    const before = Date.now();
    const res = await post(app.url, '/score', { user_id: 'score-clock', candidates: candidates(1) });
    const after = Date.now();
    const expires = Date.parse(res.body.expires_at) - MANIFEST.ttl_sec * 1000;
    expect(expires).toBeGreaterThanOrEqual(before);
    expect(expires).toBeLessThanOrEqual(after);
  });

  it('ε = 0: always the argmax, propensity 1, never explored', async () => {
    for (const path of ['/score/egreedy', '/score/egreedy/v2']) {
      const res = await post(greedy.url, path, scoreBody('score-greedy', 5, { profile_features: PROFILE }));
      expect(res.body).toMatchObject({ propensity: 1, explored: false });
      expect(res.body.scores.every((s: { exploration_bonus: number }) => s.exploration_bonus === 0)).toBe(
        true,
      );
      expect(res.body.chosen_id).toBe(res.body.scores[argmax(res.body.scores)].id);
    }
  });

  it('ε = 1: always explores, propensity 1/K', async () => {
    const chosen = new Set<string>();
    for (let i = 0; i < 30; i++) {
      const res = await post(uniform.url, '/score/egreedy', scoreBody('score-uniform', 4));
      expect(res.body.explored).toBe(true);
      expect(res.body.propensity).toBeCloseTo(1 / 4, 15);
      chosen.add(res.body.chosen_id);
    }
    // 30 uniform draws among 4 miss a candidate with probability 4·(3/4)^30 ≈ 7e-4 — and the rng is seeded.
    expect(chosen.size).toBe(4);
  });

  it('default ε: propensity = (1 − ε)·[chosen is the argmax] + ε/K on every decision', async () => {
    const epsilon = POLICIES['egreedy-v1'].defaults.epsilon!;
    const k = 4;
    let explored = 0;
    for (let i = 0; i < 60; i++) {
      const res = await post(app.url, '/score/egreedy', scoreBody('score-default-eps', k));
      const greedyIndex = argmax(res.body.scores);
      const isGreedy = res.body.chosen_id === res.body.scores[greedyIndex].id;
      expect(res.body.propensity).toBeCloseTo((1 - epsilon) * (isGreedy ? 1 : 0) + epsilon / k, 15);
      if (!isGreedy) expect(res.body.explored).toBe(true);
      if (res.body.explored) explored++;
    }
    // Seeded: some but far from all of the 60 decisions explore.
    expect(explored).toBeGreaterThan(0);
    expect(explored).toBeLessThan(30);
  });

  it('v2 requires profile_features: 422 naming it', async () => {
    const res = await post(app.url, '/score/egreedy/v2', scoreBody('score-v2'));
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('validation_failed');
    expect(res.body.error.details.map((d: { path: string }) => d.path)).toEqual(['profile_features']);
  });

  it.each([
    ['duplicate candidate ids', { candidates: [candidates(2)[0], candidates(2)[0]] }, 'candidates.1.id'],
    ['no candidates', { candidates: [] }, 'candidates'],
    ['101 candidates', { candidates: candidates(101) }, 'candidates'],
    [
      'a priority of 5',
      { candidates: [{ id: 'x', task: { ...candidates(1)[0]!.task, priority: 5 } }] },
      'candidates.0.task.priority',
    ],
    [
      'a missing created_at',
      { candidates: [{ id: 'x', task: { due_at: null, priority: 1 } }] },
      'candidates.0.task.created_at',
    ],
    ['an impossible date', { now: '2025-02-30T00:00:00Z' }, 'now'],
    ['tz_offset_min 841', { tz_offset_min: 841 }, 'tz_offset_min'],
    ['a hostile user_id', { user_id: '../etc/passwd' }, 'user_id'],
    ['a profile of 4 values', { profile_features: [0, 0, 0, 0] }, 'profile_features'],
    ['now at the end of time', { now: '9999-12-31T12:00:00Z' }, 'now'],
  ])('422 for %s, naming the field', async (_name, patch, path) => {
    const res = await post(app.url, '/score', { ...scoreBody('score-invalid'), ...patch });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('validation_failed');
    expect(res.body.error.details.map((d: { path: string }) => d.path)).toContain(path);
    expect(res.body.error.message).toContain(path);
  });

  it('422 naming the body when it is not an object', async () => {
    const res = await post(app.url, '/score', [1, 2]);
    expect(res.status).toBe(422);
    expect(res.body.error.details[0].path).toBe('body');
  });

  it('writes nothing for a rejected request', async () => {
    await post(app.url, '/score', { ...scoreBody('score-nothing'), tz_offset_min: 9999 });
    expect((await get(app.url, '/stats/score-nothing')).body.n_scores).toBe(0);
    expect((await get(app.url, '/features/score-nothing')).body).toEqual([]);
  });
});
