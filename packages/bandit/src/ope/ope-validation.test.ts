import { beforeAll, describe, expect, it } from 'vitest';
import { decide } from '../decide.js';
import { LinearModel } from '../linear-model.js';
import { POLICIES, type PolicySpec } from '../policies.js';
import { createRng, type Rng } from '../rng.js';
import { type EstimatorName, evaluatePolicies, ipsEstimate, type PolicyEvaluation } from './estimators.js';
import type { LoggedDecision } from './logged-decision.js';
import { Z_975 } from './student-t.js';
import {
  epsilonGreedyPolicy,
  greedyPolicy,
  linUcbPolicy,
  type TargetPolicy,
  uniformPolicy,
} from './target-policies.js';

/**
 * A seeded environment whose target-policy values are known. Each decision offers K = 5 candidates
 * with features uniform in [0, 1]^5; a candidate's reward is Bernoulli(μ(x)) with
 * μ(x) = 0.5 + θ*ᵀ(x − ½) + 0.4·(x₀ − ½)(x₁ − ½), in [0.05, 0.95]. The interaction term is there so
 * that the DR estimator's linear direct model is misspecified, as real ones are.
 *
 * The log is written by the production setup: an ε-greedy policy (ε = 0.1, the SPEC default)
 * through `decide`, learning online from its own rewards, its propensities exactly as `decide`
 * reports them. Only the log changes with the seed; the environment and the target policies are
 * fixed, so their true values are computed once, by Monte Carlo over 200,000 fresh decisions
 * (standard error ≤ 0.5/√200,000 ≈ 0.0011, under a tenth of any estimator's).
 */
const D = 5;
const K = 5;
const N = 2_000;
const SEEDS = Array.from({ length: 50 }, (_, i) => 1000 + i);
const TRUTH_DECISIONS = 200_000;
const THETA_STAR = [0.25, -0.15, 0.1, 0.05, -0.15];

function mu(x: Float64Array): number {
  let m = 0.5 + 0.4 * (x[0]! - 0.5) * (x[1]! - 0.5);
  for (let j = 0; j < D; j++) m += THETA_STAR[j]! * (x[j]! - 0.5);
  return m;
}

function drawCandidates(rng: Rng): Float64Array[] {
  return Array.from({ length: K }, () => Float64Array.from({ length: D }, () => rng.next()));
}

/** A model trained on `rounds` uniformly chosen decisions of the environment. */
function trainedModel(seed: number, rounds: number): LinearModel {
  const rng = createRng(seed);
  const model = LinearModel.create(D);
  for (let t = 0; t < rounds; t++) {
    const x = drawCandidates(rng)[Math.floor(rng.next() * K)]!;
    model.update(x, rng.next() < mu(x) ? 1 : 0);
  }
  return model;
}

const LOGGING: PolicySpec = {
  ...POLICIES['linucb-v1'],
  kind: 'egreedy',
  defaults: { lambda: 1, epsilon: 0.1 },
};

function simulateLog(seed: number): LoggedDecision[] {
  const rng = createRng(seed);
  const model = trainedModel(seed + 7, 100);
  const log: LoggedDecision[] = [];
  for (let t = 0; t < N; t++) {
    const candidates = drawCandidates(rng);
    const decision = decide(LOGGING, model, candidates, {}, rng);
    const x = candidates[decision.chosenIndex]!;
    const reward = rng.next() < mu(x) ? 1 : 0;
    model.update(x, reward);
    log.push({ candidates, chosen: decision.chosenIndex, propensity: decision.propensity, reward });
  }
  return log;
}

const TARGETS: Record<string, TargetPolicy> = {
  uniform: uniformPolicy(),
  'ε-greedy (ε = 0.1) over a model trained on 500 rounds': epsilonGreedyPolicy(trainedModel(1, 500), 0.1),
  'greedy over θ*': greedyPolicy(THETA_STAR),
  'LinUCB (α = 1) over a model trained on 50 rounds': linUcbPolicy(trainedModel(2, 50), 1),
  'greedy over −θ* (the logging policy rarely agrees)': greedyPolicy(THETA_STAR.map((v) => -v)),
};

/** V(π) = E_x[Σₐ π(a|x)·μ(xₐ)] by Monte Carlo, every policy on the same fresh decisions. */
function trueValues(names: readonly string[]): Record<string, number> {
  const rng = createRng(424242);
  const totals = new Float64Array(names.length);
  for (let t = 0; t < TRUTH_DECISIONS; t++) {
    const candidates = drawCandidates(rng);
    const means = candidates.map(mu);
    const decision = { candidates, chosen: 0, propensity: 1, reward: 0 };
    names.forEach((name, i) => {
      const p = TARGETS[name]!(candidates, decision);
      for (let a = 0; a < K; a++) totals[i]! += p[a]! * means[a]!;
    });
  }
  return Object.fromEntries(names.map((name, i) => [name, totals[i]! / TRUTH_DECISIONS]));
}

const ESTIMATORS: EstimatorName[] = ['ips', 'snips', 'dr'];

interface Tally {
  covered: Record<EstimatorName, number>;
  meanAbsError: Record<EstimatorName, number>;
}

const names = Object.keys(TARGETS);
const tallies: Record<string, Tally> = {};
let truth: Record<string, number> = {};
/** IPS of greedy over θ* on logs whose propensities were misreported as 1/K: the negative control. */
let misreportedCovered = 0;

function covers([low, high]: [number, number], value: number): boolean {
  return low <= value && value <= high;
}

beforeAll(() => {
  truth = trueValues(names);
  for (const name of names) {
    tallies[name] = { covered: { ips: 0, snips: 0, dr: 0 }, meanAbsError: { ips: 0, snips: 0, dr: 0 } };
  }
  for (const seed of SEEDS) {
    const log = simulateLog(seed);
    const evaluations = evaluatePolicies(log, TARGETS);
    for (const name of names) {
      const tally = tallies[name]!;
      for (const estimator of ESTIMATORS) {
        const outcome = evaluations[name]![estimator];
        if ('error' in outcome) throw new Error(`${name} ${estimator}: ${outcome.reason}`);
        const { value, ci95 } = outcome;
        if (covers(ci95, truth[name]!)) tally.covered[estimator]++;
        tally.meanAbsError[estimator] += Math.abs(value - truth[name]!) / SEEDS.length;
      }
    }
    const misreported = log.map((entry) => ({ ...entry, propensity: 1 / K }));
    if (covers(ipsEstimate(misreported, TARGETS['greedy over θ*']!).ci95, truth['greedy over θ*']!)) {
      misreportedCovered++;
    }
  }
  // `OPE_REPORT=1 pnpm exec vitest run src/ope/ope-validation.test.ts` prints the figures of ADR-0020.
  if (process.env.OPE_REPORT === '1') {
    console.log(
      names
        .map((name) => {
          const { covered, meanAbsError: e } = tallies[name]!;
          return `${name}: truth ${truth[name]!.toFixed(4)}; covered ips ${covered.ips}/50, snips ${covered.snips}/50, dr ${covered.dr}/50; MAE ips ${e.ips.toFixed(4)}, snips ${e.snips.toFixed(4)}, dr ${e.dr.toFixed(4)} (dr/ips ${(e.dr / e.ips).toFixed(2)})`;
        })
        .concat(`negative control (propensities misreported as 1/K): IPS covered ${misreportedCovered}/50`)
        .join('\n'),
    );
  }
});

describe('off-policy estimates on simulated logs with known values (50 seeds × 2,000 decisions)', () => {
  it.each(names)('%s: every 95 %% interval covers the truth in ≥ 90 %% of runs', (name) => {
    for (const estimator of ESTIMATORS) {
      const covered = tallies[name]!.covered[estimator];
      expect(
        covered / SEEDS.length,
        `${estimator} covered ${covered}/${SEEDS.length}`,
      ).toBeGreaterThanOrEqual(0.9);
    }
  });

  it.each(names)('%s: DR’s mean absolute error is no larger than IPS’s', (name) => {
    const { dr, ips } = tallies[name]!.meanAbsError;
    expect(dr, `DR ${dr}, IPS ${ips}`).toBeLessThanOrEqual(ips);
  });

  it('misreported propensities break the intervals (the coverage check can fail)', () => {
    expect(misreportedCovered / SEEDS.length).toBeLessThan(0.5);
  });
});

/**
 * The regime of the simulator's logs (docs/simulation.md): each decision offers K uniform in
 * 2…20 candidates, so ε-greedy's exploration propensity ε/K falls to 0.005 and the weights of a
 * target that disagrees with the logging policy reach 200. The same environment, logging policy
 * and seeds as above otherwise, 3,000 decisions per log. Here a few explored decisions carry each
 * learned target's estimate; the normal interval ±1.96·SE undercovers IPS (43 of 50 for the
 * ε-greedy target, misses all below the truth), and the Student-t interval with the terms'
 * effective degrees of freedom is what the estimators report (ADR-0020).
 */
describe('off-policy estimates with up to 20 candidates (50 seeds × 3,000 decisions)', () => {
  const K_MAX = 20;
  const N_MANY = 3_000;
  const drawMany = (rng: Rng): Float64Array[] => {
    const k = 2 + Math.floor(rng.next() * (K_MAX - 1));
    return Array.from({ length: k }, () => Float64Array.from({ length: D }, () => rng.next()));
  };
  const trainedOnMany = (seed: number, rounds: number): LinearModel => {
    const rng = createRng(seed);
    const model = LinearModel.create(D);
    for (let t = 0; t < rounds; t++) {
      const candidates = drawMany(rng);
      const x = candidates[Math.floor(rng.next() * candidates.length)]!;
      model.update(x, rng.next() < mu(x) ? 1 : 0);
    }
    return model;
  };
  const targets: Record<string, TargetPolicy> = {
    uniform: uniformPolicy(),
    'ε-greedy (ε = 0.1) over a model trained on 500 rounds': epsilonGreedyPolicy(trainedOnMany(1, 500), 0.1),
    'greedy over θ*': greedyPolicy(THETA_STAR),
    'LinUCB (α = 1) over a model trained on 50 rounds': linUcbPolicy(trainedOnMany(2, 50), 1),
    'greedy over −θ*': greedyPolicy(THETA_STAR.map((v) => -v)),
  };
  const targetNames = Object.keys(targets);
  const covered: Record<string, Record<EstimatorName, number>> = {};
  const normalCovered: Record<string, Record<EstimatorName, number>> = {};
  const meanAbsError: Record<string, Record<EstimatorName, number>> = {};
  const truthMany: Record<string, number> = {};

  beforeAll(() => {
    const rng = createRng(424242);
    const totals = new Float64Array(targetNames.length);
    for (let t = 0; t < TRUTH_DECISIONS; t++) {
      const candidates = drawMany(rng);
      const decision = { candidates, chosen: 0, propensity: 1, reward: 0 };
      targetNames.forEach((name, i) => {
        const p = targets[name]!(candidates, decision);
        for (let a = 0; a < candidates.length; a++) totals[i]! += p[a]! * mu(candidates[a]!);
      });
    }
    targetNames.forEach((name, i) => {
      truthMany[name] = totals[i]! / TRUTH_DECISIONS;
      covered[name] = { ips: 0, snips: 0, dr: 0 };
      normalCovered[name] = { ips: 0, snips: 0, dr: 0 };
      meanAbsError[name] = { ips: 0, snips: 0, dr: 0 };
    });
    for (const seed of SEEDS) {
      const rng = createRng(seed);
      const model = trainedOnMany(seed + 7, 100);
      const log: LoggedDecision[] = [];
      for (let t = 0; t < N_MANY; t++) {
        const candidates = drawMany(rng);
        const decision = decide(LOGGING, model, candidates, {}, rng);
        const x = candidates[decision.chosenIndex]!;
        const reward = rng.next() < mu(x) ? 1 : 0;
        model.update(x, reward);
        log.push({ candidates, chosen: decision.chosenIndex, propensity: decision.propensity, reward });
      }
      const evaluations: Record<string, PolicyEvaluation> = evaluatePolicies(log, targets);
      for (const name of targetNames) {
        for (const estimator of ESTIMATORS) {
          const outcome = evaluations[name]![estimator];
          if ('error' in outcome) throw new Error(`${name} ${estimator}: ${outcome.reason}`);
          const truthValue = truthMany[name]!;
          if (covers(outcome.ci95, truthValue)) covered[name]![estimator]++;
          const half = Z_975 * outcome.standardError;
          if (covers([outcome.value - half, outcome.value + half], truthValue))
            normalCovered[name]![estimator]++;
          meanAbsError[name]![estimator] += Math.abs(outcome.value - truthValue) / SEEDS.length;
        }
      }
    }
    if (process.env.OPE_REPORT === '1') {
      console.log(
        targetNames
          .map((name) => {
            const c = covered[name]!;
            const z = normalCovered[name]!;
            const e = meanAbsError[name]!;
            return `${name}: truth ${truthMany[name]!.toFixed(4)}; covered ips ${c.ips}, snips ${c.snips}, dr ${c.dr} of 50 (normal interval: ${z.ips}, ${z.snips}, ${z.dr}); MAE ips ${e.ips.toFixed(4)}, snips ${e.snips.toFixed(4)}, dr ${e.dr.toFixed(4)}`;
          })
          .join('\n'),
      );
    }
  });

  it.each(targetNames)('%s: every 95 %% interval covers the truth in ≥ 90 %% of runs', (name) => {
    for (const estimator of ESTIMATORS) {
      const count = covered[name]![estimator];
      expect(count, `${estimator} covered ${count}/${SEEDS.length}`).toBeGreaterThanOrEqual(45);
    }
  });

  it.each(targetNames)('%s: DR’s mean absolute error is no larger than IPS’s', (name) => {
    const { dr, ips } = meanAbsError[name]!;
    expect(dr, `DR ${dr}, IPS ${ips}`).toBeLessThanOrEqual(ips);
  });

  it('the normal interval ±1.96·SE would fall short here (what the t interval corrects)', () => {
    const name = 'ε-greedy (ε = 0.1) over a model trained on 500 rounds';
    expect(normalCovered[name]!.ips).toBeLessThan(45);
  });
});
