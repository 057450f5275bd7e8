import { createRng, POLICIES } from '@oo/bandit';
import { emptyUserState, type UserState } from '@oo/state';
import { describe, expect, it } from 'vitest';
import { DecisionNotFoundError, PolicyMismatchError, ValidationError } from '../errors.js';
import { applyReward } from './reward.js';
import { applyScore } from './score.js';

const NOW = new Date('2025-03-03T06:00:00Z');
const spec = POLICIES['linucb-v1'];

function scored(): UserState {
  return applyScore(emptyUserState('u'), {
    spec,
    params: {},
    candidateIds: ['only'],
    vectors: [Float64Array.of(0.5, 0.5, 0, 1, 0)],
    decisionId: 'd-1',
    now: NOW,
    expiresAt: new Date(NOW.getTime() + 60_000),
    clock: NOW,
    rng: createRng(1),
    logSize: 100,
  }).state!;
}

describe('applyReward', () => {
  it('updates the model with the logged features and marks the decision, without mutating its input', () => {
    const state = scored();
    const frozen = structuredClone(state);
    const { result, state: next } = applyReward(state, {
      spec,
      reward: 1,
      target: { decisionId: 'd-1' },
      now: NOW,
    });
    expect(state).toEqual(frozen);
    expect(result).toEqual({ n_rewards: 1, duplicate: false, shadows: [] });
    expect(next?.decisions[0]).toMatchObject({ reward: 1, rewarded_at: NOW.toISOString() });
    expect(next?.policies['linucb-v1']).toMatchObject({ n_scores: 1, n_rewards: 1, reward_sum: 1 });
    expect((next!.policies['linucb-v1']!.model as { b: number[] }).b).toEqual([0.5, 0.5, 0, 1, 0]);
  });

  it('answers a duplicate without a state to write', () => {
    const once = applyReward(scored(), { spec, reward: 1, target: { decisionId: 'd-1' }, now: NOW }).state!;
    const twice = applyReward(once, { spec, reward: -1, target: { decisionId: 'd-1' }, now: NOW });
    expect(twice).toEqual({ result: { n_rewards: 1, duplicate: true, shadows: [] } });
  });

  it('throws the typed errors before touching anything', () => {
    const state = scored();
    const late = new Date(NOW.getTime() + 60_001);
    expect(() => applyReward(state, { spec, reward: 1, target: { decisionId: 'nope' }, now: NOW })).toThrow(
      DecisionNotFoundError,
    );
    expect(() =>
      applyReward(state, {
        spec: POLICIES['egreedy-v1'],
        reward: 1,
        target: { decisionId: 'd-1' },
        now: NOW,
      }),
    ).toThrow(PolicyMismatchError);
    expect(() => applyReward(state, { spec, reward: 1, target: { decisionId: 'd-1' }, now: late })).toThrow(
      expect.objectContaining({ reason: 'decision_expired' }),
    );
    expect(() => applyReward(state, { spec, reward: 1, target: { features: [1, 2, 3] }, now: NOW })).toThrow(
      ValidationError,
    );
  });
});
