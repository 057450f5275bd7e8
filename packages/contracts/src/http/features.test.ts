import { describe, expect, it } from 'vitest';
import { DecisionLogEntry, FeaturesResponse } from './features.js';

const entry = {
  decision_id: 'd-1',
  policy: 'linucb-v1',
  ts: '2025-01-31T09:30:00.000Z',
  chosen_id: 't1',
  features: [0.5, -0.866, 0, 0.2, 1],
  propensity: 1,
  reward: null,
};

describe('DecisionLogEntry', () => {
  it('accepts an entry not yet rewarded, and a rewarded one', () => {
    expect(DecisionLogEntry.parse(entry)).toEqual(entry);
    expect(DecisionLogEntry.parse({ ...entry, reward: -1 }).reward).toBe(-1);
  });

  it('accepts the shadows’ decisions beside the active one', () => {
    const shadows = [
      { policy: 'egreedy-v1', chosen_id: 't2', features: [0.5, -0.866, 1, 0.2, 0, 0, 1], propensity: 0.05 },
      { policy: 'egreedy-v2', chosen_id: 't1', features: new Array(12).fill(0.5), propensity: 0.95 },
    ];
    expect(DecisionLogEntry.parse({ ...entry, shadows })).toEqual({ ...entry, shadows });
  });

  it.each([
    ['a reward above 1', { reward: 1.0001 }, ['reward']],
    ['a missing reward', { reward: undefined }, ['reward']],
    ['a NaN feature', { features: [Number.NaN] }, ['features', 0]],
    ['13 features', { features: new Array(13).fill(0) }, ['features']],
    ['propensity 0', { propensity: 0 }, ['propensity']],
    ['a bad decision id', { decision_id: '../d' }, ['decision_id']],
    ['an empty shadow list', { shadows: [] }, ['shadows']],
    [
      'a shadow of no known policy',
      { shadows: [{ policy: 'x', chosen_id: 't1', features: [1], propensity: 1 }] },
      ['shadows', 0, 'policy'],
    ],
    [
      'a shadow with propensity 0',
      { shadows: [{ policy: 'egreedy-v1', chosen_id: 't1', features: [1], propensity: 0 }] },
      ['shadows', 0, 'propensity'],
    ],
  ])('rejects %s', (_label, overrides, path) => {
    expect(DecisionLogEntry.safeParse({ ...entry, ...overrides }).error?.issues.map((i) => i.path)).toEqual([
      path,
    ]);
  });
});

describe('FeaturesResponse', () => {
  it('accepts an empty log and a full one', () => {
    expect(FeaturesResponse.parse([])).toEqual([]);
    expect(FeaturesResponse.parse(new Array(100).fill(entry))).toHaveLength(100);
  });

  it('rejects more than 100 entries and a non-array', () => {
    expect(FeaturesResponse.safeParse(new Array(101).fill(entry)).success).toBe(false);
    expect(FeaturesResponse.safeParse({ entries: [] }).success).toBe(false);
  });

  it('names the index of a bad entry', () => {
    const result = FeaturesResponse.safeParse([entry, { ...entry, policy: 'x' }]);
    expect(result.error?.issues.map((i) => i.path)).toEqual([[1, 'policy']]);
  });
});
