import { pooledFloat64Array } from './array-pool.js';
import { chooseEpsilonGreedy, scoreGreedy } from './epsilon-greedy.js';
import { DimensionError, InvalidInputError, NonFiniteError } from './errors.js';
import { type LinearModel, liveInverse, liveTheta } from './linear-model.js';
import { scoreLinUcb } from './linucb.js';
import type { PolicyParams, PolicySpec } from './policies.js';
import type { Rng } from './rng.js';
import { assertVector } from './validate.js';

/**
 * The outcome of one decision. The arrays hold one entry per candidate, in candidate order; they
 * may be views into a shared pool (like small Node Buffers), so use `.slice()` rather than
 * `.buffer` when an array of one's own is needed.
 */
export interface Decision {
  chosenIndex: number;
  /** Probability that the policy picks `chosenIndex` for these candidates: 1 for LinUCB. */
  propensity: number;
  /** True when ε-greedy took its exploration branch; always false for LinUCB. */
  explored: boolean;
  /** The value the policy ranks by: θᵀx + bonus. */
  scores: Float64Array;
  /** θᵀx. */
  expected: Float64Array;
  /** α·sqrt(xᵀA⁻¹x) for LinUCB, 0 for ε-greedy. */
  bonus: Float64Array;
}

/**
 * Scores the candidates with the policy's rule and picks one. Every vector, the model's dimension
 * and the parameters are validated before anything is computed; the model is only read.
 * @throws DimensionError, NonFiniteError, InvalidInputError
 */
export function decide(
  spec: PolicySpec,
  model: LinearModel,
  candidates: readonly Float64Array[],
  params: PolicyParams,
  rng: Rng,
): Decision {
  const { d, kind } = spec;
  if (kind !== 'linucb' && kind !== 'egreedy') {
    throw new InvalidInputError('spec.kind', `unknown policy kind ${JSON.stringify(kind)}`);
  }
  const alpha = params.alpha ?? spec.defaults.alpha ?? 1;
  if (kind === 'linucb' && !(Number.isFinite(alpha) && alpha >= 0)) {
    throw new InvalidInputError('alpha', 'expected a finite α ≥ 0');
  }
  const epsilon = params.epsilon ?? spec.defaults.epsilon ?? 0.1;
  if (kind === 'egreedy' && !(epsilon >= 0 && epsilon <= 1)) {
    throw new InvalidInputError('epsilon', 'expected ε in [0, 1]');
  }
  if (model.d !== d) throw new DimensionError('model', d, model.d);
  if (!Array.isArray(candidates) || candidates.length === 0) {
    throw new InvalidInputError('candidates', 'expected at least one candidate');
  }
  const k = candidates.length;
  for (let i = 0; i < k; i++) assertVector(candidates[i], d, 'candidates', i);

  const scores = pooledFloat64Array(k);
  const expected = pooledFloat64Array(k);
  const bonus = pooledFloat64Array(k);
  const theta = liveTheta(model);

  if (kind === 'linucb') {
    const chosenIndex = scoreLinUcb(theta, liveInverse(model), candidates, alpha, d, scores, expected, bonus);
    assertFiniteScores(scores);
    return { chosenIndex, propensity: 1, explored: false, scores, expected, bonus };
  }
  const greedy = scoreGreedy(theta, candidates, d, scores, expected);
  assertFiniteScores(scores);
  const choice = chooseEpsilonGreedy(greedy, k, epsilon, rng);
  return {
    chosenIndex: choice.index,
    propensity: choice.propensity,
    explored: choice.explored,
    scores,
    expected,
    bonus,
  };
}

// Finite but huge inputs can still overflow θᵀx; such a score must not be ranked or returned.
function assertFiniteScores(scores: Float64Array): void {
  for (let i = 0; i < scores.length; i++) {
    if (!Number.isFinite(scores[i]!)) throw new NonFiniteError(`candidates[${i}]`, 'score overflows');
  }
}
