import { scoreGreedy } from '../epsilon-greedy.js';
import { DimensionError, InvalidInputError, NonFiniteError } from '../errors.js';
import { LinearModel, liveInverse } from '../linear-model.js';
import { scoreLinUcb } from '../linucb.js';
import { assertVector } from '../validate.js';
import type { LoggedDecision } from './logged-decision.js';

/**
 * The policy being evaluated: for one logged decision, the probability it would give each
 * candidate (K non-negative numbers summing to 1). `candidates` are the decision's vectors, already
 * validated and copied into Float64Arrays; `decision` is the caller's own log entry, for policies
 * that need more than the logged features (a different encoding, the user, the time).
 */
export type TargetPolicy<D extends LoggedDecision = LoggedDecision> = (
  candidates: readonly Float64Array[],
  decision: D,
) => ArrayLike<number>;

/** A model (its θ, and A⁻¹ for LinUCB, are copied when the policy is made) or a plain θ. */
export type LinearScorer = LinearModel | ArrayLike<number>;

/** Picks every candidate with probability 1/K. */
export function uniformPolicy(): TargetPolicy {
  return (candidates) => {
    if (!Array.isArray(candidates) || candidates.length === 0) {
      throw new InvalidInputError('candidates', 'expected at least one candidate');
    }
    return new Float64Array(candidates.length).fill(1 / candidates.length);
  };
}

/**
 * Always the argmax of θᵀx, ties to the lowest index, like `decide`'s greedy branch. θ is a
 * snapshot: updating the model afterwards does not change the policy, so a log is evaluated
 * against one fixed policy, as the estimators assume.
 */
export function greedyPolicy(scorer: LinearScorer): TargetPolicy {
  return epsilonGreedyPolicy(scorer, 0);
}

/**
 * ε-greedy over θᵀx: (1 − ε)·[argmax] + ε/K, the distribution whose entries `decide` reports as
 * propensities. θ is a snapshot (see `greedyPolicy`).
 * @throws InvalidInputError unless ε ∈ [0, 1]; DimensionError, NonFiniteError for a bad θ
 */
export function epsilonGreedyPolicy(scorer: LinearScorer, epsilon: number): TargetPolicy {
  if (!(epsilon >= 0 && epsilon <= 1)) throw new InvalidInputError('epsilon', 'expected ε in [0, 1]');
  const theta = snapshotTheta(scorer);
  const d = theta.length;
  return (candidates) => {
    const k = checkCandidates(candidates, d);
    const scores = new Float64Array(k);
    const greedy = scoreGreedy(theta, candidates, d, scores, scores);
    assertFiniteScores(scores);
    const out = new Float64Array(k).fill(epsilon / k);
    // Written as in chooseEpsilonGreedy, so a propensity `decide` logged compares equal.
    out[greedy] = 1 - (epsilon * (k - 1)) / k;
    return out;
  };
}

/**
 * Always the LinUCB choice argmax θᵀx + α·sqrt(xᵀA⁻¹x) (Li et al. 2010, Alg. 1), ties to the
 * lowest index, exactly as `decide` picks for a `linucb` policy. θ and A⁻¹ are snapshots.
 * @throws InvalidInputError unless α is finite and ≥ 0
 */
export function linUcbPolicy(model: LinearModel, alpha = 1): TargetPolicy {
  if (!(model instanceof LinearModel)) throw new InvalidInputError('model', 'expected a LinearModel');
  if (!(Number.isFinite(alpha) && alpha >= 0))
    throw new InvalidInputError('alpha', 'expected a finite α ≥ 0');
  const theta = model.theta();
  const ainv = liveInverse(model).slice();
  const d = model.d;
  return (candidates) => {
    const k = checkCandidates(candidates, d);
    const scores = new Float64Array(k);
    const scratch = new Float64Array(k);
    const best = scoreLinUcb(theta, ainv, candidates, alpha, d, scores, scratch, scratch);
    assertFiniteScores(scores);
    const out = new Float64Array(k);
    out[best] = 1;
    return out;
  };
}

function snapshotTheta(scorer: LinearScorer): Float64Array {
  if (scorer instanceof LinearModel) return scorer.theta();
  const length = (scorer as { length?: unknown } | null | undefined)?.length;
  if (typeof length !== 'number' || length < 1) {
    throw new DimensionError('theta', 1, typeof length === 'number' ? length : null);
  }
  assertVector(scorer, length, 'theta');
  return Float64Array.from(scorer);
}

function checkCandidates(candidates: readonly Float64Array[], d: number): number {
  if (!Array.isArray(candidates) || candidates.length === 0) {
    throw new InvalidInputError('candidates', 'expected at least one candidate');
  }
  for (let i = 0; i < candidates.length; i++) assertVector(candidates[i], d, 'candidates', i);
  return candidates.length;
}

// As in `decide`: finite but huge inputs can overflow a score, which must not be ranked.
function assertFiniteScores(scores: Float64Array): void {
  for (let i = 0; i < scores.length; i++) {
    if (!Number.isFinite(scores[i]!)) throw new NonFiniteError(`candidates[${i}]`, 'score overflows');
  }
}
