import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

// Runs against the built package (turbo runs `build` before `test`): both module formats must
// expose the documented API and work on their own.
const RUNTIME_EXPORTS = [
  'BanditError',
  'DimensionError',
  'InvalidInputError',
  'LinearModel',
  'ModelFormatError',
  'NonFiniteError',
  'POLICIES',
  'POLICY_IDS',
  'PROFILE_FEATURE_NAMES',
  'createRng',
  'decide',
  'doublyRobustEstimate',
  'epsilonGreedyPolicy',
  'evaluatePolicies',
  'evaluatePolicy',
  'greedyPolicy',
  'ipsEstimate',
  'isPolicyId',
  'linUcbPolicy',
  'snipsEstimate',
  'uniformPolicy',
].sort();

const require = createRequire(import.meta.url);
const distEsm = new URL('../dist/index.js', import.meta.url).href;

type Bandit = typeof import('./index.js');

function exercise(bandit: Bandit): void {
  const spec = bandit.POLICIES['egreedy-v1'];
  const model = bandit.LinearModel.create(spec.d);
  const ctx = { now: new Date('2024-03-11T12:00:00Z'), tz_offset_min: 60 };
  const xs = [
    spec.encode({ due_at: null, created_at: '2024-03-01T00:00:00Z', priority: 2 }, ctx),
    spec.encode({ due_at: '2024-03-10T00:00:00Z', created_at: '2024-02-01T00:00:00Z', priority: 4 }, ctx),
  ];
  const decision = bandit.decide(spec, model, xs, spec.defaults, bandit.createRng(1));
  model.update(xs[decision.chosenIndex]!, 1);
  const copy = bandit.LinearModel.fromJSON(JSON.parse(JSON.stringify(model)));
  expect(copy.n).toBe(1);
  expect(() => model.update([1], 1)).toThrow(bandit.DimensionError);
  expect(() => model.update([1], 1)).toThrow(bandit.BanditError);
  const discounted = bandit.LinearModel.forPolicy(spec, { gamma: 0.99 });
  discounted.update(xs[0]!, 1);
  expect(bandit.LinearModel.fromJSON(JSON.parse(JSON.stringify(discounted))).gamma).toBe(0.99);
  const log = xs.map((_, chosen) => ({ candidates: xs, chosen, propensity: 0.5, reward: chosen }));
  const { ips, snips, dr } = bandit.evaluatePolicy(log, bandit.greedyPolicy(copy));
  for (const estimate of [ips, snips, dr]) expect('n' in estimate && estimate.n).toBe(2);
}

describe('the built package', () => {
  it('ESM dist/index.js exposes the API', async () => {
    const esm = (await import(/* @vite-ignore */ distEsm)) as Bandit;
    expect(Object.keys(esm).sort()).toEqual(RUNTIME_EXPORTS);
    exercise(esm);
  });

  it('CJS dist/index.cjs exposes the API', () => {
    const cjs = require('../dist/index.cjs') as Bandit;
    expect(Object.keys(cjs).sort()).toEqual(RUNTIME_EXPORTS);
    exercise(cjs);
  });

  it('resolves through the package.json exports map for require', () => {
    expect(require.resolve('@oo/bandit')).toMatch(/dist[\\/]index\.cjs$/);
    expect((require('@oo/bandit') as Bandit).POLICY_IDS).toEqual(['linucb-v1', 'egreedy-v1', 'egreedy-v2']);
  });

  it('resolves through the package.json exports map for import', () => {
    expect(import.meta.resolve('@oo/bandit')).toMatch(/dist\/index\.js$/);
  });
});
