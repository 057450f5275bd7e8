import { describe, expect, it } from 'vitest';
import { RewardRequest, RewardResponse } from './reward.js';

const byDecision = { user_id: 'user-42', reward: 1, decision_id: '0b8f7d52-6f1e-4c3a-9d2e-5a7c1f0e9b41' };
const byFeatures = { user_id: 'user-42', reward: -0.5, features: [0.5, -0.866, 0, 0.2, 1] };

function issues(value: unknown) {
  return (
    RewardRequest.safeParse(value).error?.issues.map((i) => ({ path: i.path, message: i.message })) ?? []
  );
}

describe('RewardRequest', () => {
  it('accepts a reward by decision_id', () => {
    expect(RewardRequest.parse(byDecision)).toEqual(byDecision);
  });

  it('accepts a reward by features, 1 to 12 long', () => {
    expect(RewardRequest.parse(byFeatures)).toEqual(byFeatures);
    expect(RewardRequest.safeParse({ ...byFeatures, features: [1] }).success).toBe(true);
    expect(RewardRequest.safeParse({ ...byFeatures, features: new Array(12).fill(-1) }).success).toBe(true);
  });

  it.each([-1, 0, 1])('accepts the reward %d', (reward) => {
    expect(RewardRequest.safeParse({ ...byDecision, reward }).success).toBe(true);
  });

  it.each([-1.0001, 1.0001, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, '1', null])(
    'rejects the reward %j',
    (reward) => {
      expect(issues({ ...byDecision, reward }).map((i) => i.path)).toEqual([['reward']]);
    },
  );

  it('names the range of an out-of-range reward', () => {
    expect(issues({ ...byDecision, reward: 1.0001 })[0]?.message).toBe(
      'reward must be a finite number in [-1, 1]',
    );
  });

  it('rejects a body with both decision_id and features, saying so', () => {
    expect(issues({ ...byDecision, features: byFeatures.features })).toEqual([
      { path: [], message: 'send either decision_id or features, not both' },
    ]);
  });

  it('rejects a body with neither decision_id nor features, saying so', () => {
    expect(issues({ user_id: 'user-42', reward: 0 })).toEqual([
      { path: [], message: 'one of decision_id or features is required' },
    ]);
  });

  it.each([
    ['no features', [], ['features']],
    ['13 features', new Array(13).fill(0), ['features']],
    ['a NaN feature', [0, Number.NaN], ['features', 1]],
    ['an infinite feature', [Number.NEGATIVE_INFINITY], ['features', 0]],
    ['a feature above 1', [0, 0, 1.5], ['features', 2]],
    ['a huge finite feature', [1e200], ['features', 0]],
    ['a string feature', ['0.5'], ['features', 0]],
  ])('rejects %s', (_label, features, path) => {
    expect(issues({ ...byFeatures, features }).map((i) => i.path)).toEqual([path]);
  });

  it.each(['', '../d', 'a/b'])('rejects the decision_id %j', (decision_id) => {
    expect(issues({ ...byDecision, decision_id }).map((i) => i.path)).toEqual([['decision_id']]);
  });

  it('rejects an invalid user_id', () => {
    expect(issues({ ...byDecision, user_id: '.hidden' }).map((i) => i.path)).toEqual([['user_id']]);
  });
});

describe('RewardResponse', () => {
  const response = { user_id: 'user-42', policy: 'linucb-v1', n_rewards: 3, duplicate: false };

  it('accepts a result', () => {
    expect(RewardResponse.parse(response)).toEqual(response);
  });

  it.each([
    ['a negative count', { n_rewards: -1 }, ['n_rewards']],
    ['a fractional count', { n_rewards: 1.5 }, ['n_rewards']],
    ['duplicate as a string', { duplicate: 'false' }, ['duplicate']],
    ['an unknown policy', { policy: 'linucb-v9' }, ['policy']],
  ])('rejects %s', (_label, overrides, path) => {
    expect(RewardResponse.safeParse({ ...response, ...overrides }).error?.issues.map((i) => i.path)).toEqual([
      path,
    ]);
  });
});
