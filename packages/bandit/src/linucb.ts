import { dot, quadraticForm } from './dense.js';

/**
 * LinUCB scores (Li, Chu, Langford & Schapire 2010, "A Contextual-Bandit Approach to Personalized
 * News Article Recommendation", Alg. 1): p_i = θᵀx_i + α·sqrt(x_iᵀA⁻¹x_i). Writes the per-candidate
 * arrays and returns the argmax, ties to the lowest index. Inputs are already validated.
 */
export function scoreLinUcb(
  theta: Float64Array,
  ainv: Float64Array,
  candidates: readonly Float64Array[],
  alpha: number,
  d: number,
  scores: Float64Array,
  expected: Float64Array,
  bonus: Float64Array,
): number {
  let best = 0;
  for (let i = 0; i < candidates.length; i++) {
    const x = candidates[i]!;
    const mean = dot(theta, x, d);
    // A⁻¹ is positive-definite; a negative quadratic form can only be rounding.
    const width = alpha * Math.sqrt(Math.max(0, quadraticForm(ainv, x, d)));
    const score = mean + width;
    expected[i] = mean;
    bonus[i] = width;
    scores[i] = score;
    if (score > scores[best]!) best = i;
  }
  return best;
}
