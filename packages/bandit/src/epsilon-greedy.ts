import { dot } from './dense.js';
import { InvalidInputError } from './errors.js';
import type { Rng } from './rng.js';

/** Greedy scores θᵀx_i; returns the argmax, ties to the lowest index. Inputs are already validated. */
export function scoreGreedy(
  theta: Float64Array,
  candidates: readonly Float64Array[],
  d: number,
  scores: Float64Array,
  expected: Float64Array,
): number {
  let best = 0;
  for (let i = 0; i < candidates.length; i++) {
    const mean = dot(theta, candidates[i]!, d);
    expected[i] = mean;
    scores[i] = mean;
    if (mean > scores[best]!) best = i;
  }
  return best;
}

export interface EpsilonGreedyChoice {
  index: number;
  explored: boolean;
  propensity: number;
}

/**
 * ε-greedy (Sutton & Barto 2018, §2.2): one draw for the coin, and a second only when exploring,
 * so a seed fixes every choice. The propensity is the probability that this policy picks the
 * chosen candidate at all, (1 − ε)·[chosen = greedy] + ε/K, which is what off-policy estimators
 * need; `explored` only says which branch ran (exploring may land on the greedy candidate).
 */
export function chooseEpsilonGreedy(
  greedy: number,
  k: number,
  epsilon: number,
  rng: Rng,
): EpsilonGreedyChoice {
  const explored = draw(rng) < epsilon;
  const index = explored ? Math.min(k - 1, Math.floor(draw(rng) * k)) : greedy;
  // (1 − ε) + ε/K written as 1 − ε·(K − 1)/K, which rounds to 0.95 rather than 0.9500000000000001.
  const propensity = index === greedy ? 1 - (epsilon * (k - 1)) / k : epsilon / k;
  return { index, explored, propensity };
}

function draw(rng: Rng): number {
  const r = rng.next();
  if (!(r >= 0 && r < 1)) throw new InvalidInputError('rng', 'next() must return a number in [0, 1)');
  return r;
}
