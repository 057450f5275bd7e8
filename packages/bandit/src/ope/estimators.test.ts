import { describe, expect, it } from 'vitest';
import { BanditError, DimensionError, InvalidInputError, NonFiniteError } from '../errors.js';
import { createRng } from '../rng.js';
import { solveGaussian } from '../testing/ridge-oracle.js';
import { fitDirectModel } from './direct-model.js';
import {
  type DoublyRobustOptions,
  doublyRobustEstimate,
  evaluatePolicies,
  evaluatePolicy,
  ipsEstimate,
  snipsEstimate,
} from './estimators.js';
import { checkLog, type LoggedDecision } from './logged-decision.js';
import { studentT975 } from './student-t.js';
import { greedyPolicy, type TargetPolicy, uniformPolicy } from './target-policies.js';

const Z = 1.959963984540054;
/** qt(0.975, 3). */
const T3 = 3.182446305284263;

/** K = 2 candidates of d = 1; the uniform target gives each 1/2, so wᵢ = 0.5/pᵢ = [1, 2, 0.5, 1]. */
const SMALL: LoggedDecision[] = [
  { candidates: [[0], [1]], chosen: 0, propensity: 0.5, reward: 1 },
  { candidates: [[1], [0]], chosen: 1, propensity: 0.25, reward: 0 },
  { candidates: [[1], [1]], chosen: 1, propensity: 1, reward: 1 },
  { candidates: [[0], [0]], chosen: 0, propensity: 0.5, reward: -1 },
];
const SMALL_WEIGHTS = [1, 2, 0.5, 1];

function sampleSd(values: number[]): number {
  const mean = values.reduce((s, v) => s + v, 0) / values.length;
  return Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / (values.length - 1));
}

/** A random log of an ε-greedy-like logging policy with exact propensities. */
function randomLog(seed: number, n: number, k: number, d: number): LoggedDecision[] {
  const rng = createRng(seed);
  return Array.from({ length: n }, () => {
    const candidates = Array.from({ length: k }, () => Array.from({ length: d }, () => 2 * rng.next() - 1));
    const explore = rng.next() < 0.3;
    const chosen = explore ? Math.floor(rng.next() * k) : 0;
    const propensity = chosen === 0 ? 0.7 + 0.3 / k : 0.3 / k;
    return {
      candidates,
      chosen,
      propensity,
      reward: candidates[chosen]![0]! + (rng.next() < 0.5 ? 0.5 : -0.5),
    };
  });
}

describe('IPS and SNIPS', () => {
  it('IPS is the mean of wᵢrᵢ with SE = sd/√n and a Student-t interval', () => {
    const result = ipsEstimate(SMALL, uniformPolicy());
    const terms = SMALL.map((e, i) => SMALL_WEIGHTS[i]! * e.reward);
    expect(result.estimator).toBe('ips');
    expect(result.value).toBeCloseTo(0.125, 15);
    expect(result.standardError).toBeCloseTo(sampleSd(terms) / 2, 15);
    // κ = 4·Σd⁴/(Σd²)² ≈ 1.85 gives 2n/(κ − 1) ≈ 9.5, capped at n − 1 = 3: qt(0.975, 3).
    expect(result.degreesOfFreedom).toBe(3);
    expect(result.ci95[0]).toBeCloseTo(0.125 - T3 * result.standardError, 11);
    expect(result.ci95[1]).toBeCloseTo(0.125 + T3 * result.standardError, 11);
    expect(result.n).toBe(4);
  });

  it('widen the interval by the terms’ kurtosis when a few large weights carry the variance', () => {
    // 1,000 decisions: the target agrees with the logged choice at p = 0.9 (w = 1/0.9) 980 times
    // and at p = 0.005 (w = 200) 20 times, the shape of ε-greedy logs with 20 candidates.
    const log: LoggedDecision[] = Array.from({ length: 1000 }, (_, i) => ({
      candidates: [[0], [1]],
      chosen: 0,
      propensity: i % 50 === 0 ? 0.005 : 0.9,
      reward: i % 3 === 0 ? 1 : 0,
    }));
    const always0: TargetPolicy = (candidates) => candidates.map((_, a) => (a === 0 ? 1 : 0));
    const { ips, snips, dr } = evaluatePolicy(log, always0);
    if ('error' in ips) throw ips.error;
    const terms = log.map((e) => e.reward / e.propensity);
    const mean = terms.reduce((s, t) => s + t, 0) / terms.length;
    const d2 = terms.map((t) => (t - mean) ** 2);
    const kurtosis = (1000 * d2.reduce((s, v) => s + v * v, 0)) / d2.reduce((s, v) => s + v, 0) ** 2;
    expect(ips.degreesOfFreedom).toBeCloseTo(2000 / (kurtosis - 1), 10);
    expect(ips.degreesOfFreedom).toBeLessThan(100);
    const half = (ips.ci95[1] - ips.ci95[0]) / 2;
    expect(half / ips.standardError).toBeCloseTo(studentT975(ips.degreesOfFreedom), 12);
    expect(half / ips.standardError).toBeGreaterThan(Z);
    for (const estimate of [snips, dr]) {
      if ('error' in estimate) throw estimate.error;
      expect(estimate.degreesOfFreedom).toBeLessThan(999);
    }
  });

  it('keep the normal interval, to rounding, for well-behaved terms on a large log', () => {
    const { ips, snips, dr } = evaluatePolicy(randomLog(5, 5000, 3, 2), uniformPolicy());
    for (const estimate of [ips, snips, dr]) {
      if ('error' in estimate) throw estimate.error;
      expect(estimate.degreesOfFreedom).toBeGreaterThan(1000);
      expect((estimate.ci95[1] - estimate.ci95[0]) / 2 / estimate.standardError).toBeLessThan(Z * 1.002);
    }
  });

  it('SNIPS is Σwr/Σw with the delta-method standard error', () => {
    const result = snipsEstimate(SMALL, uniformPolicy());
    const value = 0.5 / 4.5;
    const s = SMALL.reduce((acc, e, i) => acc + (SMALL_WEIGHTS[i]! * (e.reward - value)) ** 2, 0);
    expect(result.value).toBeCloseTo(value, 15);
    expect(result.standardError).toBeCloseTo(Math.sqrt((s * 4) / 3) / 4.5, 15);
  });

  it('report the weight diagnostics', () => {
    expect(ipsEstimate(SMALL, uniformPolicy()).diagnostics).toEqual({
      effectiveSampleSize: 4.5 ** 2 / (1 + 4 + 0.25 + 1),
      maxWeight: 2,
      meanWeight: 4.5 / 4,
      supported: 4,
      clip: null,
      clipped: 0,
    });
  });

  it('on-policy (target = logging distribution) both are the mean reward, with ESS = n', () => {
    const log = randomLog(3, 200, 4, 2);
    const logging: TargetPolicy = (candidates) =>
      candidates.map((_, a) => (a === 0 ? 0.7 + 0.3 / candidates.length : 0.3 / candidates.length));
    const mean = log.reduce((s, e) => s + e.reward, 0) / log.length;
    const ips = ipsEstimate(log, logging);
    expect(ips.value).toBeCloseTo(mean, 12);
    expect(snipsEstimate(log, logging).value).toBeCloseTo(mean, 12);
    expect(ips.diagnostics.effectiveSampleSize).toBeCloseTo(200, 9);
    expect(ips.diagnostics.meanWeight).toBeCloseTo(1, 12);
  });

  it('clip caps the weights, counts them and reports the cap', () => {
    const result = ipsEstimate(SMALL, uniformPolicy(), { clip: 0.75 });
    const clipped = SMALL_WEIGHTS.map((w) => Math.min(w, 0.75));
    expect(result.value).toBeCloseTo(SMALL.reduce((s, e, i) => s + clipped[i]! * e.reward, 0) / 4, 15);
    expect(result.diagnostics).toMatchObject({ clip: 0.75, clipped: 3, maxWeight: 2 });
  });

  it('without support, IPS says 0 with ESS 0 and SNIPS refuses', () => {
    // The target always picks candidate 1 where the log chose 0, and vice versa.
    const log = SMALL.map((e) => ({ ...e, chosen: 0 }));
    const never: TargetPolicy = (candidates) => candidates.map((_, a) => (a === 1 ? 1 : 0));
    const ips = ipsEstimate(log, never);
    expect([
      ips.value,
      ips.standardError,
      ips.diagnostics.effectiveSampleSize,
      ips.diagnostics.supported,
    ]).toEqual([0, 0, 0, 0]);
    expect(() => snipsEstimate(log, never)).toThrow(InvalidInputError);
  });

  it('hand a custom policy the caller’s own log entries', () => {
    interface UserDecision extends LoggedDecision {
      favourite: number;
    }
    const log: UserDecision[] = SMALL.map((e, i) => ({ ...e, favourite: i % 2 }));
    const seen: UserDecision[] = [];
    const favourite: TargetPolicy<UserDecision> = (candidates, decision) => {
      seen.push(decision);
      return candidates.map((_, a) => (a === decision.favourite ? 1 : 0));
    };
    const result = ipsEstimate(log, favourite);
    expect(seen).toEqual(log);
    expect(seen[2]).toBe(log[2]);
    // favourite = [0, 1, 0, 1], chosen = [0, 1, 1, 0]: decisions 0 and 1 match, w = 2 and 4.
    expect(result.value).toBeCloseTo((2 * 1 + 4 * 0) / 4, 15);
  });
});

describe('doubly robust', () => {
  /** DR recomputed from scratch: fold i mod F, ridge on [x, 1] solved by Gaussian elimination. */
  function naiveDoublyRobust(
    log: LoggedDecision[],
    policy: TargetPolicy,
    lambda: number,
    folds: number,
  ): number {
    const d = log[0]!.candidates[0]!.length + 1;
    const z = (x: ArrayLike<number>) => [...Array.from(x), 1];
    const thetas = Array.from({ length: folds }, (_, f) => {
      const a = new Array<number>(d * d).fill(0);
      const b = new Array<number>(d).fill(0);
      for (let i = 0; i < d; i++) a[i * d + i] = lambda;
      log.forEach((e, i) => {
        if (i % folds === f) return;
        const v = z(e.candidates[e.chosen]!);
        for (let p = 0; p < d; p++) {
          b[p]! += e.reward * v[p]!;
          for (let q = 0; q < d; q++) a[p * d + q]! += v[p]! * v[q]!;
        }
      });
      return solveGaussian(a, b, d);
    });
    const terms = log.map((e, i) => {
      const theta = thetas[i % folds]!;
      const q = e.candidates.map((x) => z(x).reduce((s, v, p) => s + v * theta[p]!, 0));
      const candidates = e.candidates.map((x) => Float64Array.from(x));
      const pi = policy(candidates, e);
      const baseline = q.reduce((s, v, a) => s + pi[a]! * v, 0);
      return baseline + (pi[e.chosen]! / e.propensity) * (e.reward - q[e.chosen]!);
    });
    return terms.reduce((s, v) => s + v, 0) / terms.length;
  }

  it('matches an independent recomputation with cross-fitted ridge', () => {
    const log = randomLog(11, 60, 3, 2);
    const policy = greedyPolicy([1, 0.5]);
    for (const [lambda, folds] of [
      [1, 5],
      [0.1, 2],
      [3, 7],
    ] as const) {
      const result = doublyRobustEstimate(log, policy, { lambda, folds });
      expect(result.value).toBeCloseTo(naiveDoublyRobust(log, policy, lambda, folds), 12);
      expect(result.directModel).toMatchObject({ folds, lambda, intercept: true });
    }
  });

  it('predicts each decision with a model that never saw its reward (cross-fitting)', () => {
    const log = randomLog(12, 50, 3, 2);
    const before = fitDirectModel(checkLog(log), 1, 5, true).predictions;
    const changed = log.map((e, i) => (i === 7 ? { ...e, reward: e.reward + 100 } : e));
    const after = fitDirectModel(checkLog(changed), 1, 5, true).predictions;
    log.forEach((_, i) => {
      if (i % 5 === 7 % 5) expect(after[i]).toEqual(before[i]);
      else expect(after[i]).not.toEqual(before[i]);
    });
  });

  it('with an exact reward model keeps only the spread of the target’s value across contexts', () => {
    // r = 2·x₀ − x₁ + 0.5 exactly: the ridge DM (λ tiny) recovers it, every correction term
    // vanishes, and DR's SE is the sd of V(xᵢ) = Σₐ π(a|xᵢ)·μ(xᵢₐ) over √n. IPS adds the noise of
    // the weights on top.
    const mu = (x: ArrayLike<number>) => 2 * x[0]! - x[1]! + 0.5;
    const rng = createRng(5);
    const log: LoggedDecision[] = Array.from({ length: 300 }, () => {
      const candidates = Array.from({ length: 4 }, () => [rng.next(), rng.next()]);
      const chosen = Math.floor(rng.next() * 4);
      return { candidates, chosen, propensity: 0.25, reward: mu(candidates[chosen]!) };
    });
    const policy = greedyPolicy([2, -1]);
    const values = log.map((e) => Math.max(...e.candidates.map(mu)));
    const dr = doublyRobustEstimate(log, policy, { lambda: 1e-9 });
    expect(dr.value).toBeCloseTo(values.reduce((s, v) => s + v, 0) / values.length, 6);
    expect(dr.standardError).toBeCloseTo(sampleSd(values) / Math.sqrt(values.length), 6);
    expect(ipsEstimate(log, policy).standardError).toBeGreaterThan(5 * dr.standardError);
  });

  it('works without the intercept when asked', () => {
    const log = randomLog(13, 40, 3, 2);
    const result = doublyRobustEstimate(log, uniformPolicy(), { intercept: false });
    expect(result.directModel.intercept).toBe(false);
    expect(result.value).not.toBe(doublyRobustEstimate(log, uniformPolicy()).value);
  });

  it('uses at most n folds on a tiny log', () => {
    expect(doublyRobustEstimate(SMALL.slice(0, 2), uniformPolicy()).directModel.folds).toBe(2);
  });
});

describe('evaluatePolicy and evaluatePolicies', () => {
  it('give the three estimates, equal to the single-estimator functions', () => {
    const log = randomLog(21, 80, 3, 2);
    const policies = { uniform: uniformPolicy(), greedy: greedyPolicy([1, -1]) };
    const all = evaluatePolicies(log, policies, { clip: 10 });
    for (const [name, policy] of Object.entries(policies)) {
      const one = evaluatePolicy(log, policy, { clip: 10 });
      expect(all[name as keyof typeof policies]).toEqual(one);
      expect(one.ips).toEqual(ipsEstimate(log, policy, { clip: 10 }));
      expect(one.snips).toEqual(snipsEstimate(log, policy, { clip: 10 }));
      expect(one.dr).toEqual(doublyRobustEstimate(log, policy, { clip: 10 }));
    }
  });

  it('answer with each estimator on its own: SNIPS without support fails alone, with its reason', () => {
    // The log always chose candidate 0; `never` always picks candidate 1.
    const log = SMALL.map((e) => ({ ...e, chosen: 0 }));
    const never: TargetPolicy = (candidates) => candidates.map((_, a) => (a === 1 ? 1 : 0));
    const all = evaluatePolicies(log, { uniform: uniformPolicy(), never });
    expect(all.never.snips).toMatchObject({
      estimator: 'snips',
      reason:
        'log: the target policy gives probability 0 to every logged choice: self-normalised IPS is undefined',
    });
    expect('error' in all.never.snips && all.never.snips.error).toBeInstanceOf(InvalidInputError);
    expect(all.never.ips).toEqual(ipsEstimate(log, never));
    expect(all.never.dr).toEqual(doublyRobustEstimate(log, never));
    expect(all.uniform).toEqual({
      ips: ipsEstimate(log, uniformPolicy()),
      snips: snipsEstimate(log, uniformPolicy()),
      dr: doublyRobustEstimate(log, uniformPolicy()),
    });
    expect(evaluatePolicy(log, never)).toEqual(all.never);
  });

  it('keep IPS and SNIPS when the direct model cannot be fitted, and say why DR failed', () => {
    // Finite features whose squares overflow: the ridge system is not positive-definite.
    const log = SMALL.map((e) => ({ ...e, candidates: e.candidates.map((x) => [x[0]! * 1e200]) }));
    const { ips, snips, dr } = evaluatePolicy(log, uniformPolicy());
    expect(dr).toMatchObject({
      estimator: 'dr',
      reason: 'direct model: the ridge system is not numerically positive-definite',
    });
    expect('error' in dr && dr.error).toBeInstanceOf(BanditError);
    expect(ips).toEqual(ipsEstimate(log, uniformPolicy()));
    expect(snips).toEqual(snipsEstimate(log, uniformPolicy()));
  });

  it('name the policy whose output is wrong', () => {
    const bad: TargetPolicy = (candidates) => new Float64Array(candidates.length);
    expect(() => evaluatePolicies(SMALL, { uniform: uniformPolicy(), bad })).toThrow('policies.bad(log[0])');
    expect(() => evaluatePolicy(SMALL, bad)).toThrow('policy(log[0])');
  });
});

describe('input validation', () => {
  const ok = SMALL;
  const withEntry = (i: number, patch: Record<string, unknown>) =>
    ok.map((e, j) => (j === i ? { ...e, ...patch } : e)) as unknown as LoggedDecision[];
  const logCases: [string, unknown, new (...args: never[]) => Error][] = [
    ['not an array', { 0: ok[0] }, InvalidInputError],
    ['one decision (no standard error)', ok.slice(0, 1), InvalidInputError],
    ['an entry that is not an object', [ok[0], null], InvalidInputError],
    ['no candidates', withEntry(1, { candidates: [] }), InvalidInputError],
    ['candidates not an array', withEntry(1, { candidates: 'x' }), InvalidInputError],
    [
      'a dimension that changes within the log',
      withEntry(2, {
        candidates: [
          [1, 2],
          [3, 4],
        ],
      }),
      DimensionError,
    ],
    ['an empty feature vector', withEntry(0, { candidates: [[], []] }), DimensionError],
    ['a NaN feature', withEntry(3, { candidates: [[0], [Number.NaN]] }), NonFiniteError],
    ['a string feature', withEntry(3, { candidates: [[0], ['1']] }), NonFiniteError],
    ['chosen out of range', withEntry(0, { chosen: 2 }), InvalidInputError],
    ['a fractional chosen', withEntry(0, { chosen: 0.5 }), InvalidInputError],
    ['propensity 0', withEntry(0, { propensity: 0 }), InvalidInputError],
    ['propensity above 1', withEntry(0, { propensity: 1.01 }), InvalidInputError],
    ['a negative propensity', withEntry(0, { propensity: -0.5 }), InvalidInputError],
    ['a NaN propensity', withEntry(0, { propensity: Number.NaN }), NonFiniteError],
    ['a missing propensity', withEntry(0, { propensity: undefined }), NonFiniteError],
    ['an infinite reward', withEntry(1, { reward: Number.POSITIVE_INFINITY }), NonFiniteError],
    ['a null reward (not yet rewarded)', withEntry(1, { reward: null }), NonFiniteError],
  ];
  it.each(logCases)('rejects a log with %s', (_name, log, ErrorClass) => {
    for (const estimate of [ipsEstimate, snipsEstimate, doublyRobustEstimate, evaluatePolicy]) {
      expect(() => estimate(log as LoggedDecision[], uniformPolicy())).toThrow(ErrorClass);
    }
  });

  it('names the offending entry', () => {
    expect(() => ipsEstimate(withEntry(3, { candidates: [[0], [Number.NaN]] }), uniformPolicy())).toThrow(
      'log[3].candidates[1][0]',
    );
    expect(() => ipsEstimate(withEntry(2, { propensity: 2 }), uniformPolicy())).toThrow('log[2].propensity');
  });

  const policyCases: [string, TargetPolicy, new (...args: never[]) => Error][] = [
    ['too few probabilities', () => [1], DimensionError],
    ['not an array', () => 1 as unknown as number[], DimensionError],
    ['a NaN probability', () => [Number.NaN, 1], NonFiniteError],
    ['a negative probability', () => [-0.5, 1.5], InvalidInputError],
    ['probabilities not summing to 1', () => [0.5, 0.4], InvalidInputError],
  ];
  it.each(policyCases)('rejects a target policy giving %s', (_name, policy, ErrorClass) => {
    expect(() => ipsEstimate(ok, policy)).toThrow(ErrorClass);
  });

  it('rejects a policy that is not a function', () => {
    expect(() => ipsEstimate(ok, 'uniform' as unknown as TargetPolicy)).toThrow(InvalidInputError);
    expect(() => evaluatePolicies(ok, null as unknown as Record<string, TargetPolicy>)).toThrow(
      InvalidInputError,
    );
  });

  const optionCases: [string, DoublyRobustOptions][] = [
    ['clip 0', { clip: 0 }],
    ['clip NaN', { clip: Number.NaN }],
    ['clip infinite', { clip: Number.POSITIVE_INFINITY }],
    ['1 fold', { folds: 1 }],
    ['2.5 folds', { folds: 2.5 }],
    ['λ = 0', { lambda: 0 }],
    ['an intercept that is not a boolean', { intercept: 'yes' as unknown as boolean }],
  ];
  it.each(optionCases)('rejects %s', (_name, options) => {
    expect(() => evaluatePolicy(ok, uniformPolicy(), options)).toThrow(InvalidInputError);
  });
});
