import { describe, expect, it } from 'vitest';
import { StatsResponse } from './stats.js';

const stats = {
  user_id: 'user-42',
  policy: 'egreedy-v1',
  d: 7,
  n_scores: 12,
  n_rewards: 4,
  reward_sum: 2,
  mean_reward: 0.5,
  theta: [0.1, -0.2, 0.3, 0, 0.05, 0.01, -0.01],
  updated_at: '2025-01-31T09:30:00.000Z',
};

describe('StatsResponse', () => {
  it('accepts stats', () => {
    expect(StatsResponse.parse(stats)).toEqual(stats);
  });

  it('accepts the zero stats of a user never seen', () => {
    const zero = {
      ...stats,
      n_scores: 0,
      n_rewards: 0,
      reward_sum: 0,
      mean_reward: 0,
      theta: new Array(7).fill(0),
      updated_at: null,
    };
    expect(StatsResponse.parse(zero)).toEqual(zero);
  });

  it.each([
    ['theta shorter than d', { theta: [0, 0, 0, 0, 0] }, ['theta']],
    ['a NaN in theta', { theta: [0, 0, 0, Number.NaN, 0, 0, 0] }, ['theta', 3]],
    ['an infinite reward_sum', { reward_sum: Number.POSITIVE_INFINITY }, ['reward_sum']],
    ['a mean reward above 1', { mean_reward: 1.5 }, ['mean_reward']],
    ['a negative n_scores', { n_scores: -1 }, ['n_scores']],
    ['d = 0', { d: 0, theta: [] }, ['d']],
    ['updated_at missing its offset', { updated_at: '2025-01-31T09:30:00' }, ['updated_at']],
  ])('rejects %s', (_label, overrides, path) => {
    expect(StatsResponse.safeParse({ ...stats, ...overrides }).error?.issues.map((i) => i.path)).toEqual([
      path,
    ]);
  });
});
