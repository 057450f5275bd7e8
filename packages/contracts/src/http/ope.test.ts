import { describe, expect, it } from 'vitest';
import { DecisionExportQuery } from './decision-export.js';
import { OPE_MAX_DECISIONS, OpeRequest } from './ope.js';

describe('OpeRequest', () => {
  it('accepts an empty body (every default) and every option', () => {
    expect(OpeRequest.parse({})).toEqual({});
    const full = {
      user_id: 'user-42',
      targets: ['uniform', 'egreedy', 'greedy', 'linucb'],
      epsilons: [0, 0.1, 1],
      alpha: 0,
      model: 'pooled',
      lambda: 2,
      fit_fraction: 0.25,
      clip: 50,
      folds: 2,
      policy: 'egreedy-v1',
      max_decisions: OPE_MAX_DECISIONS,
    };
    expect(OpeRequest.parse(full)).toEqual(full);
  });

  it.each([
    ['an unknown target', { targets: ['oracle'] }, 'targets.0'],
    ['no target', { targets: [] }, 'targets'],
    ['a target twice', { targets: ['uniform', 'uniform'] }, 'targets'],
    ['ε above 1', { epsilons: [0.1, 1.5] }, 'epsilons.1'],
    ['an ε twice', { epsilons: [0.1, 0.1] }, 'epsilons'],
    ['a negative α', { alpha: -1 }, 'alpha'],
    ['an unknown model', { model: 'global' }, 'model'],
    ['λ = 0', { lambda: 0 }, 'lambda'],
    ['fit_fraction = 1', { fit_fraction: 1 }, 'fit_fraction'],
    ['clip = 0', { clip: 0 }, 'clip'],
    ['one fold', { folds: 1 }, 'folds'],
    ['fractional folds', { folds: 2.5 }, 'folds'],
    ['an unknown policy', { policy: 'ucb' }, 'policy'],
    ['too many decisions', { max_decisions: OPE_MAX_DECISIONS + 1 }, 'max_decisions'],
    ['a bad user id', { user_id: '../x' }, 'user_id'],
    ['an unknown option', { seed: 1 }, ''],
  ])('rejects %s, naming the field', (_label, body, path) => {
    const result = OpeRequest.safeParse(body);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path.join('.')).toBe(path);
  });
});

describe('DecisionExportQuery', () => {
  it('takes an optional valid user id', () => {
    expect(DecisionExportQuery.parse({})).toEqual({});
    expect(DecisionExportQuery.parse({ user_id: 'u-1' })).toEqual({ user_id: 'u-1' });
    expect(DecisionExportQuery.safeParse({ user_id: '.hidden' }).success).toBe(false);
  });
});
