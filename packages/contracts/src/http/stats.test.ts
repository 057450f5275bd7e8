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

  it('accepts the forgetting factor and the shadows’ match counts (both optional)', () => {
    const full = {
      ...stats,
      gamma: 0.99,
      shadows: {
        'linucb-v1': { decisions: 12, agreements: 9, match_rate: 0.75 },
        'egreedy-v2': { decisions: 3, agreements: 3, match_rate: 1 },
      },
    };
    expect(StatsResponse.parse(full)).toEqual(full);
  });

  it.each([
    ['theta shorter than d', { theta: [0, 0, 0, 0, 0] }, ['theta']],
    ['a NaN in theta', { theta: [0, 0, 0, Number.NaN, 0, 0, 0] }, ['theta', 3]],
    ['an infinite reward_sum', { reward_sum: Number.POSITIVE_INFINITY }, ['reward_sum']],
    ['a mean reward above 1', { mean_reward: 1.5 }, ['mean_reward']],
    ['a negative n_scores', { n_scores: -1 }, ['n_scores']],
    ['d = 0', { d: 0, theta: [] }, ['d']],
    ['updated_at missing its offset', { updated_at: '2025-01-31T09:30:00' }, ['updated_at']],
    ['gamma 1 (the stationary model omits it)', { gamma: 1 }, ['gamma']],
    ['gamma 0', { gamma: 0 }, ['gamma']],
    [
      'a shadow that is no policy',
      { shadows: { 'linucb-v9': { decisions: 1, agreements: 0, match_rate: 0 } } },
      // zod reports an invalid record key at the record itself.
      ['shadows'],
    ],
    [
      'more agreements than decisions',
      { shadows: { 'linucb-v1': { decisions: 1, agreements: 2, match_rate: 1 } } },
      ['shadows', 'linucb-v1', 'agreements'],
    ],
    [
      'a shadow with no decision',
      { shadows: { 'linucb-v1': { decisions: 0, agreements: 0, match_rate: 0 } } },
      ['shadows', 'linucb-v1', 'decisions'],
    ],
  ])('rejects %s', (_label, overrides, path) => {
    expect(StatsResponse.safeParse({ ...stats, ...overrides }).error?.issues.map((i) => i.path)).toEqual([
      path,
    ]);
  });
});
