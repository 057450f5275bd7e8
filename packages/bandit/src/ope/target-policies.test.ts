import { describe, expect, it } from 'vitest';
import { decide } from '../decide.js';
import { DimensionError, InvalidInputError, NonFiniteError } from '../errors.js';
import { LinearModel } from '../linear-model.js';
import { POLICIES, type PolicySpec } from '../policies.js';
import { createRng } from '../rng.js';
import { featureStream } from '../testing/feature-streams.js';
import type { LoggedDecision } from './logged-decision.js';
import {
  epsilonGreedyPolicy,
  greedyPolicy,
  linUcbPolicy,
  type TargetPolicy,
  uniformPolicy,
} from './target-policies.js';

const D = 5;
const EGREEDY: PolicySpec = {
  ...POLICIES['linucb-v1'],
  kind: 'egreedy',
  defaults: { lambda: 1, epsilon: 0.1 },
};
const LINUCB = POLICIES['linucb-v1'];

function trained(seed: number, rounds = 40): LinearModel {
  const model = LinearModel.create(D);
  const next = featureStream('uniform', D, seed);
  for (let t = 0; t < rounds; t++) model.update(next(), t % 3 === 0 ? 1 : -0.5);
  return model;
}

function call(policy: TargetPolicy, candidates: Float64Array[]): number[] {
  const decision: LoggedDecision = { candidates, chosen: 0, propensity: 1, reward: 0 };
  return Array.from(policy(candidates, decision));
}

const vectors = (...rows: number[][]) => rows.map((row) => Float64Array.from(row));

describe('target policies', () => {
  it('uniform gives 1/K to every candidate', () => {
    expect(call(uniformPolicy(), vectors([1], [2], [3], [4]))).toEqual([0.25, 0.25, 0.25, 0.25]);
  });

  it('greedy puts all mass on the argmax of θᵀx, ties to the lowest index', () => {
    const policy = greedyPolicy([1, -1]);
    expect(call(policy, vectors([0, 1], [1, 0], [0.5, 0]))).toEqual([0, 1, 0]);
    expect(call(policy, vectors([0, 1], [1, 0], [1, 0]))).toEqual([0, 1, 0]);
  });

  it('ε-greedy gives (1 − ε)·[argmax] + ε/K', () => {
    expect(call(epsilonGreedyPolicy([1, -1], 0.2), vectors([0, 1], [1, 0]))).toEqual([0.1, 0.9]);
  });

  it('ε-greedy over a model is the distribution decide draws from, propensities equal bit for bit', () => {
    const next = featureStream('uniform', D, 5);
    for (let seed = 0; seed < 40; seed++) {
      const model = trained(seed);
      const policy = epsilonGreedyPolicy(model, 0.1);
      const candidates = Array.from({ length: 2 + (seed % 7) }, next);
      const p = call(policy, candidates);
      expect(p.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 14);
      const rng = createRng(seed);
      for (let draw = 0; draw < 20; draw++) {
        const decision = decide(EGREEDY, model, candidates, {}, rng);
        expect(p[decision.chosenIndex]).toBe(decision.propensity);
      }
    }
  });

  it('LinUCB over a model picks what decide picks for a linucb policy', () => {
    const next = featureStream('uniform', D, 6);
    for (let seed = 0; seed < 40; seed++) {
      const model = trained(seed, 5 + seed);
      const candidates = Array.from({ length: 10 }, next);
      for (const alpha of [0, 0.5, 2]) {
        const { chosenIndex } = decide(LINUCB, model, candidates, { alpha }, createRng(0));
        const expected = candidates.map((_, i) => (i === chosenIndex ? 1 : 0));
        expect(call(linUcbPolicy(model, alpha), candidates)).toEqual(expected);
      }
    }
  });

  it('is a snapshot: later updates of the model do not change it', () => {
    const model = LinearModel.create(2);
    model.update([1, 0], 1);
    const greedy = greedyPolicy(model);
    const ucb = linUcbPolicy(model, 1);
    const candidates = vectors([1, 0], [0, 1]);
    const before = [call(greedy, candidates), call(ucb, candidates)];
    for (let t = 0; t < 20; t++) model.update([0, 1], 1);
    expect(greedyPolicy(model)(candidates, { candidates, chosen: 0, propensity: 1, reward: 0 })[1]).toBe(1);
    expect([call(greedy, candidates), call(ucb, candidates)]).toEqual(before);
  });

  it('rejects bad parameters and candidates with typed errors', () => {
    const model = LinearModel.create(2);
    expect(() => epsilonGreedyPolicy(model, 1.5)).toThrow(InvalidInputError);
    expect(() => epsilonGreedyPolicy(model, Number.NaN)).toThrow(InvalidInputError);
    expect(() => linUcbPolicy(model, -1)).toThrow(InvalidInputError);
    expect(() => linUcbPolicy([1, 2] as unknown as LinearModel)).toThrow(InvalidInputError);
    expect(() => greedyPolicy([])).toThrow(DimensionError);
    expect(() => greedyPolicy([1, Number.NaN])).toThrow(NonFiniteError);
    expect(() => call(greedyPolicy(model), vectors([1, 2, 3]))).toThrow(DimensionError);
    expect(() => call(linUcbPolicy(model), vectors([1, Number.POSITIVE_INFINITY]))).toThrow(NonFiniteError);
    expect(() => call(uniformPolicy(), [])).toThrow(InvalidInputError);
    expect(() => call(greedyPolicy(model), [])).toThrow(InvalidInputError);
    expect(() => call(greedyPolicy([1e300, -1e300]), vectors([1e10, 1e10]))).toThrow(NonFiniteError);
  });
});
