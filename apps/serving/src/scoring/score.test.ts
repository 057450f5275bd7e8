import { createRng, POLICIES } from '@oo/bandit';
import { emptyUserState } from '@oo/state';
import { describe, expect, it } from 'vitest';
import { applyScore, type ScoreInput } from './score.js';

const NOW = new Date('2025-03-03T06:00:00Z');

const input = (overrides: Partial<ScoreInput> = {}): ScoreInput => ({
  spec: POLICIES['linucb-v1'],
  params: { alpha: 1 },
  candidateIds: ['a', 'b'],
  vectors: [Float64Array.of(1, 0, 0, 0, 0), Float64Array.of(0, 1, 0, 0, 1)],
  decisionId: 'd-1',
  now: NOW,
  expiresAt: new Date(NOW.getTime() + 1000),
  clock: new Date('2025-03-03T07:00:00Z'),
  rng: createRng(1),
  logSize: 3,
  ...overrides,
});

describe('applyScore', () => {
  it('records the decision, counts it and leaves the input state untouched', () => {
    const state = emptyUserState('u');
    const frozen = structuredClone(state);
    const { result, state: next } = applyScore(state, input());
    expect(state).toEqual(frozen);
    expect(result.decision).toEqual({
      decision_id: 'd-1',
      policy: 'linucb-v1',
      ts: NOW.toISOString(),
      expires_at: new Date(NOW.getTime() + 1000).toISOString(),
      chosen_id: 'b',
      features: [0, 1, 0, 0, 1],
      propensity: 1,
      reward: null,
      rewarded_at: null,
    });
    expect(next?.policies['linucb-v1']).toMatchObject({
      n_scores: 1,
      n_rewards: 0,
      updated_at: '2025-03-03T07:00:00.000Z',
    });
    expect(next?.decisions).toEqual([result.decision]);
  });

  it('keeps the newest logSize decisions, newest first', () => {
    let state = emptyUserState('u');
    for (let i = 0; i < 5; i++) state = applyScore(state, input({ decisionId: `d-${i}` })).state!;
    expect(state.decisions.map((d) => d.decision_id)).toEqual(['d-4', 'd-3', 'd-2']);
    expect(state.policies['linucb-v1']?.n_scores).toBe(5);
  });
});
