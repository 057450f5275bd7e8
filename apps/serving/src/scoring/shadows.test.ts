import { createRng, LinearModel, POLICIES, type PolicySpec } from '@oo/bandit';
import { emptyUserState, type UserState } from '@oo/state';
import { describe, expect, it } from 'vitest';
import { modelSettings, policyParams } from './policy-config.js';
import { applyReward } from './reward.js';
import { applyScore, type ScoreInput } from './score.js';
import { planShadows } from './shadow-plan.js';
import { shadowSeed } from './shadows.js';
import { decisionLog, userStats } from './stats.js';

const NOW = new Date('2025-03-03T06:00:00Z');
const ACTIVE = POLICIES['egreedy-v1'];
const LINUCB = POLICIES['linucb-v1'];
const V2 = POLICIES['egreedy-v2'];
const PROFILE = [0.5, 0.25, 0.75, 0.1, 0.9];

const tasks = [
  { due_at: '2025-03-01T00:00:00Z', created_at: '2025-02-01T12:00:00Z', priority: 1 as const },
  { due_at: null, created_at: '2025-02-20T12:00:00Z', priority: 4 as const },
  { due_at: '2025-03-10T00:00:00Z', created_at: '2025-03-02T12:00:00Z', priority: 2 as const },
];
const ids = ['a', 'b', 'c'];
const ctx = { now: NOW, tz_offset_min: 0, profile_features: PROFILE };

/** A stored model of `spec` trained so that it prefers candidate `index` of `tasks`. */
function trainedTowards(spec: PolicySpec, index: number) {
  const model = LinearModel.create(spec.d);
  for (let i = 0; i < 20; i++) {
    tasks.forEach((task, j) => void model.update(spec.encode(task, ctx), j === index ? 1 : -1));
  }
  return { model: model.toJSON() as never, n_scores: 0, n_rewards: 20, reward_sum: 0, updated_at: null };
}

function scoreInput(state: UserState, overrides: Partial<ScoreInput> = {}): ScoreInput {
  return {
    spec: ACTIVE,
    params: { epsilon: 0 },
    candidateIds: ids,
    vectors: tasks.map((task) => ACTIVE.encode(task, ctx)),
    decisionId: `d-${state.decisions.length}`,
    now: NOW,
    expiresAt: new Date(NOW.getTime() + 60_000),
    clock: NOW,
    rng: createRng(7),
    logSize: 100,
    ...overrides,
  };
}

const shadowsOf = (env: Parameters<typeof planShadows>[1]) =>
  planShadows(ACTIVE, { EGREEDY_V2_EPSILON: 0, ...env }).encode(
    tasks.map((task) => ({ task })),
    ctx,
  ).policies;

/** The active model prefers b; linucb-v1 prefers c; egreedy-v2 prefers b. */
const trained: UserState = {
  ...emptyUserState('u'),
  policies: {
    'egreedy-v1': trainedTowards(ACTIVE, 1),
    'linucb-v1': trainedTowards(LINUCB, 2),
    'egreedy-v2': trainedTowards(V2, 1),
  },
};

describe('shadowSeed', () => {
  it('is a fixed-point-free involution onto safe integers, and its stream is another one', () => {
    for (const seed of [
      0,
      1,
      42,
      -1,
      2 ** 32,
      2 ** 48 - 1,
      Number.MAX_SAFE_INTEGER,
      Number.MIN_SAFE_INTEGER,
    ]) {
      const derived = shadowSeed(seed);
      expect(Number.isSafeInteger(derived), String(seed)).toBe(true);
      expect(derived).not.toBe(seed);
      expect(shadowSeed(derived)).toBe(seed);
      const a = createRng(seed);
      const b = createRng(derived);
      const draws = Array.from({ length: 8 }, () => [a.next(), b.next()]);
      expect(draws.some(([x, y]) => x !== y)).toBe(true);
    }
  });
});

describe('planShadows', () => {
  it('leaves out the active policy itself and skips a shadow lacking profile features', () => {
    const plan = planShadows(ACTIVE, { SHADOW_POLICIES: ['egreedy-v1', 'linucb-v1', 'egreedy-v2'] });
    const withProfile = plan.encode(
      tasks.map((task) => ({ task })),
      ctx,
    );
    expect(withProfile.policies.map((shadow) => shadow.spec.id)).toEqual(['linucb-v1', 'egreedy-v2']);
    expect(withProfile.policies[1]!.vectors.map((v) => Array.from(v))).toEqual(
      tasks.map((task) => Array.from(V2.encode(task, ctx))),
    );
    expect(withProfile.skipped).toEqual([]);
    const without = plan.encode(
      tasks.map((task) => ({ task })),
      { now: NOW, tz_offset_min: 0 },
    );
    expect(without.policies.map((shadow) => shadow.spec.id)).toEqual(['linucb-v1']);
    expect(without.skipped).toEqual([{ policy: 'egreedy-v2', reason: 'missing_profile_features' }]);
  });

  it('gives each shadow the exploration and model settings of its own routes', () => {
    const env = { SHADOW_POLICIES: ['linucb-v1' as const], LINUCB_ALPHA: 0.3, LINUCB_GAMMA: 0.95 };
    const [shadow] = shadowsOf(env);
    expect(shadow!.params).toEqual(policyParams(LINUCB, env));
    expect(shadow!.params).toEqual({ alpha: 0.3 });
    expect(shadow!.settings).toEqual(modelSettings(LINUCB, env));
    expect(shadow!.settings).toEqual({ gamma: 0.95, applyToStored: false });
  });
});

describe('applyScore with shadows', () => {
  it('logs each shadow beside the active decision and leaves the active outcome as it was', () => {
    const plain = applyScore(trained, scoreInput(trained));
    const policies = shadowsOf({ SHADOW_POLICIES: ['linucb-v1', 'egreedy-v2'] });
    const shadowed = applyScore(trained, scoreInput(trained, { shadows: { policies, rng: createRng(9) } }));

    expect(shadowed.result.scores).toEqual(plain.result.scores);
    expect(shadowed.result.explored).toBe(plain.result.explored);
    const { shadows, ...active } = shadowed.result.decision;
    expect(active).toEqual(plain.result.decision);
    expect(active.chosen_id).toBe('b');
    expect(shadows).toEqual([
      {
        policy: 'linucb-v1',
        chosen_id: 'c',
        features: Array.from(LINUCB.encode(tasks[2]!, ctx)),
        propensity: 1,
        shown_features: Array.from(LINUCB.encode(tasks[1]!, ctx)),
      },
      // It agreed, so what was shown is its `features`: not stored twice.
      {
        policy: 'egreedy-v2',
        chosen_id: 'b',
        features: Array.from(V2.encode(tasks[1]!, ctx)),
        propensity: 1,
      },
    ]);
    expect(shadowed.result.shadows).toEqual(shadows);
    // Shadows change no model and no counter of their own at decision time.
    expect(shadowed.state!.policies['linucb-v1']).toBe(trained.policies['linucb-v1']);
    expect(shadowed.state!.policies['egreedy-v2']).toBe(trained.policies['egreedy-v2']);
    expect(shadowed.state!.policies['egreedy-v1']).toMatchObject({
      n_scores: 1,
      shadows: {
        'linucb-v1': { decisions: 1, agreements: 0 },
        'egreedy-v2': { decisions: 1, agreements: 1 },
      },
    });
  });

  it('accumulates match counts and keeps them across decisions without shadows', () => {
    const policies = shadowsOf({ SHADOW_POLICIES: ['linucb-v1', 'egreedy-v2'] });
    let state = trained;
    for (let i = 0; i < 3; i++) {
      state = applyScore(state, scoreInput(state, { shadows: { policies, rng: createRng(i) } })).state!;
    }
    state = applyScore(state, scoreInput(state)).state!;
    expect(state.policies['egreedy-v1']).toMatchObject({
      n_scores: 4,
      shadows: {
        'linucb-v1': { decisions: 3, agreements: 0 },
        'egreedy-v2': { decisions: 3, agreements: 3 },
      },
    });
    expect(state.decisions[0]!.shadows).toBeUndefined();
    expect(userStats(state, ACTIVE).shadows).toEqual({
      'linucb-v1': { decisions: 3, agreements: 0, match_rate: 0 },
      'egreedy-v2': { decisions: 3, agreements: 3, match_rate: 1 },
    });
    expect(decisionLog(state)[1]!.shadows?.map((shadow) => Object.keys(shadow))).toEqual([
      ['policy', 'chosen_id', 'features', 'propensity'],
      ['policy', 'chosen_id', 'features', 'propensity'],
    ]);
    expect(decisionLog(state)[0]).not.toHaveProperty('shadows');
  });

  it('draws a shadow’s exploration from the shadow stream only', () => {
    const policies = shadowsOf({ SHADOW_POLICIES: ['egreedy-v2'], EGREEDY_V2_EPSILON: 1 });
    const activeRng = createRng(3);
    const reference = createRng(3);
    const shadowRng = createRng(4);
    applyScore(trained, scoreInput(trained, { rng: activeRng, shadows: { policies, rng: shadowRng } }));
    // ε = 0 for the active policy: it draws once (explore or not); the shadow (ε = 1) draws twice.
    reference.next();
    expect(activeRng.next()).toBe(reference.next());
  });
});

describe('applyReward with shadows', () => {
  const policies = shadowsOf({ SHADOW_POLICIES: ['linucb-v1', 'egreedy-v2'] });
  const scored = applyScore(trained, scoreInput(trained, { shadows: { policies, rng: createRng(9) } }))
    .state!;
  const reward = { spec: ACTIVE, reward: 0.5, target: { decisionId: 'd-0' }, now: NOW };

  it('trains each shadow with its own encoding of the candidate the active policy chose', () => {
    const { result, state } = applyReward(scored, reward);
    expect(result).toEqual({ n_rewards: 21, duplicate: false, shadows: ['linucb-v1', 'egreedy-v2'] });
    for (const spec of [ACTIVE, LINUCB, V2]) {
      const expected = LinearModel.fromJSON(trained.policies[spec.id]!.model);
      expected.update(spec.encode(tasks[1]!, ctx), 0.5);
      expect(state!.policies[spec.id]).toEqual({
        ...trained.policies[spec.id],
        ...(spec === ACTIVE ? { n_scores: 1, shadows: scored.policies['egreedy-v1']!.shadows } : {}),
        model: expected.toJSON(),
        n_rewards: 21,
        reward_sum: 0.5,
        updated_at: NOW.toISOString(),
      });
    }
    // A repeat is a duplicate for the shadows too: nothing to write.
    expect(applyReward(state!, reward)).toEqual({ result: { n_rewards: 21, duplicate: true, shadows: [] } });
  });

  it('creates a shadow’s model with its configured γ, and trains only the route’s policy by features', () => {
    const fresh = applyScore(
      emptyUserState('u'),
      scoreInput(emptyUserState('u'), { shadows: { policies, rng: createRng(9) } }),
    ).state!;
    const settings = {
      'linucb-v1': { gamma: 0.9, applyToStored: false },
      'egreedy-v1': { gamma: 1, applyToStored: false },
      'egreedy-v2': { gamma: 1, applyToStored: false },
    };
    const { state } = applyReward(fresh, { ...reward, settings });
    expect(state!.policies['linucb-v1']!.model).toMatchObject({ v: 2, gamma: 0.9, n: 1 });
    expect(state!.policies['egreedy-v2']!.model).toMatchObject({ v: 1, n: 1 });

    const byFeatures = applyReward(scored, { ...reward, target: { features: [1, 0, 0, 0, 0, 0, 0] } });
    expect(byFeatures.result.shadows).toEqual([]);
    expect(byFeatures.state!.policies['linucb-v1']).toBe(scored.policies['linucb-v1']);
    expect(byFeatures.state!.policies['egreedy-v2']).toBe(scored.policies['egreedy-v2']);
  });

  it('leaves alone a shadow this version does not know (a record from a newer one)', () => {
    const future: UserState = {
      ...scored,
      decisions: [
        {
          ...scored.decisions[0]!,
          shadows: [{ policy: 'egreedy-v9', chosen_id: 'a', features: [1, 2], propensity: 1 }],
        },
      ],
      policies: {
        ...scored.policies,
        'egreedy-v1': {
          ...scored.policies['egreedy-v1']!,
          shadows: { 'egreedy-v9': { decisions: 1, agreements: 0 } },
        },
      },
    };
    const { result, state } = applyReward(future, reward);
    expect(result.shadows).toEqual([]);
    expect(Object.keys(state!.policies).sort()).toEqual(['egreedy-v1', 'egreedy-v2', 'linucb-v1']);
    expect(userStats(future, ACTIVE)).not.toHaveProperty('shadows');
    expect(decisionLog(future)[0]).not.toHaveProperty('shadows');
  });
});
