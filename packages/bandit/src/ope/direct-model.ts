import { addOuterProduct, cholesky, choleskySolve, dot } from '../dense.js';
import { BanditError } from '../errors.js';
import type { CheckedLog, LoggedDecision } from './logged-decision.js';

/** How the doubly robust estimator's direct model q̂(x) ≈ E[r | x] is fitted. */
export interface DirectModelOptions {
  /**
   * Ridge regulariser of the reward regression.
   * @default 1
   */
  lambda?: number;
  /**
   * Cross-fitting folds: decision i is predicted by a model fitted on the other folds only.
   * @default 5
   */
  folds?: number;
  /**
   * Append a constant feature, so the regression has an intercept (the encoded features have
   * none, and rewards rarely average 0).
   * @default true
   */
  intercept?: boolean;
}

export interface DirectModelFit {
  /** q̂ of every candidate, decision by decision, each from the model that did not see that decision. */
  readonly predictions: readonly Float64Array[];
  readonly folds: number;
  readonly lambda: number;
  readonly intercept: boolean;
}

/**
 * Cross-fitted ridge regression of the logged reward on the chosen candidate's features
 * (Chernozhukov et al. 2018, "Double/debiased machine learning", Econometrics Journal 21(1), C1–C68,
 * §3: cross-fitting). Fold f holds the decisions i with i mod F = f, so every fold spans the whole
 * log in time. q̂ for the decisions of fold f comes from a ridge fit on the other F − 1 folds:
 * q̂ is then independent of the reward it is subtracted from, each DR term keeps its conditional
 * mean, and the terms' sample variance is an honest estimate of the estimator's variance. Unlike
 * a single held-out split, every decision is used both to fit (for other folds) and to estimate.
 */
export function fitDirectModel<D extends LoggedDecision>(
  log: CheckedLog<D>,
  lambda: number,
  requestedFolds: number,
  intercept: boolean,
): DirectModelFit {
  const n = log.chosen.length;
  const folds = Math.min(requestedFolds, n);
  const p = log.d + (intercept ? 1 : 0);
  // Per-fold sufficient statistics Σ z·zᵀ and Σ r·z; a fold's model sums the others'.
  const foldA = Array.from({ length: folds }, () => new Float64Array(p * p));
  const foldB = Array.from({ length: folds }, () => new Float64Array(p));
  const z = new Float64Array(p);
  for (let i = 0; i < n; i++) {
    features(log.candidates[i]![log.chosen[i]!]!, z, intercept);
    const f = i % folds;
    addOuterProduct(foldA[f]!, z, p);
    const r = log.reward[i]!;
    const b = foldB[f]!;
    for (let k = 0; k < p; k++) b[k]! += r * z[k]!;
  }

  const a = new Float64Array(p * p);
  const l = new Float64Array(p * p);
  const b = new Float64Array(p);
  const thetas: Float64Array[] = [];
  for (let f = 0; f < folds; f++) {
    a.fill(0);
    b.fill(0);
    for (let i = 0; i < p; i++) a[i * p + i] = lambda;
    for (let g = 0; g < folds; g++) {
      if (g === f) continue;
      const ag = foldA[g]!;
      const bg = foldB[g]!;
      for (let k = 0; k < p * p; k++) a[k]! += ag[k]!;
      for (let k = 0; k < p; k++) b[k]! += bg[k]!;
    }
    // λI + Σ z·zᵀ is positive-definite for λ > 0; failure means it overflowed or λ underflowed.
    if (!cholesky(a, l, p))
      throw new BanditError('direct model: the ridge system is not numerically positive-definite');
    const theta = new Float64Array(p);
    choleskySolve(l, b, theta, p);
    thetas.push(theta);
  }

  const predictions = log.candidates.map((candidates, i) => {
    const theta = thetas[i % folds]!;
    const out = new Float64Array(candidates.length);
    for (let j = 0; j < candidates.length; j++) {
      features(candidates[j]!, z, intercept);
      out[j] = dot(theta, z, p);
    }
    return out;
  });
  return { predictions, folds, lambda, intercept };
}

function features(x: Float64Array, z: Float64Array, intercept: boolean): void {
  z.set(x);
  if (intercept) z[x.length] = 1;
}
