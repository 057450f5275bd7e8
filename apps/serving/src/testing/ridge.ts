/**
 * An independent ridge solve for tests: builds A = λI + Σ xxᵀ and b = Σ r·x from the raw
 * observations and solves Aθ = b by Gaussian elimination with partial pivoting, sharing no code
 * with @oo/bandit (which uses Sherman–Morrison and Cholesky).
 */
export function ridge(observations: readonly { x: readonly number[]; r: number }[], d: number, lambda = 1) {
  const A = Array.from({ length: d }, (_, i) => Array.from({ length: d }, (_, j) => (i === j ? lambda : 0)));
  const b = new Array<number>(d).fill(0);
  for (const { x, r } of observations) {
    for (let i = 0; i < d; i++) {
      b[i]! += r * x[i]!;
      for (let j = 0; j < d; j++) A[i]![j]! += x[i]! * x[j]!;
    }
  }
  return { A, b, theta: solve(A, b), inverse: invert(A) };
}

export function solve(A: readonly (readonly number[])[], b: readonly number[]): number[] {
  const d = b.length;
  const m = A.map((row, i) => [...row, b[i]!]);
  for (let col = 0; col < d; col++) {
    let pivot = col;
    for (let row = col + 1; row < d; row++)
      if (Math.abs(m[row]![col]!) > Math.abs(m[pivot]![col]!)) pivot = row;
    [m[col], m[pivot]] = [m[pivot]!, m[col]!];
    for (let row = col + 1; row < d; row++) {
      const factor = m[row]![col]! / m[col]![col]!;
      for (let k = col; k <= d; k++) m[row]![k]! -= factor * m[col]![k]!;
    }
  }
  const x = new Array<number>(d).fill(0);
  for (let row = d - 1; row >= 0; row--) {
    let sum = m[row]![d]!;
    for (let k = row + 1; k < d; k++) sum -= m[row]![k]! * x[k]!;
    x[row] = sum / m[row]![row]!;
  }
  return x;
}

/** A⁻¹ column by column through `solve`. */
export function invert(A: readonly (readonly number[])[]): number[][] {
  const d = A.length;
  const columns = Array.from({ length: d }, (_, j) =>
    solve(
      A,
      Array.from({ length: d }, (_, i) => (i === j ? 1 : 0)),
    ),
  );
  return Array.from({ length: d }, (_, i) => Array.from({ length: d }, (_, j) => columns[j]![i]!));
}

export const dot = (a: readonly number[], b: readonly number[]) =>
  a.reduce((sum, v, i) => sum + v * b[i]!, 0);

/** xᵀMx. */
export const quadratic = (M: readonly (readonly number[])[], x: readonly number[]) =>
  x.reduce((sum, xi, i) => sum + xi * dot(M[i]!, x), 0);

/**
 * The same with per-observation weights: A = λI + Σ wₛ·xxᵀ, b = Σ wₛ·r·x. A forgetting factor γ
 * (ADR-0021) gives the s-th of n observations the weight γ^(n−1−s); pass `weights` explicitly for
 * a γ that changed midway.
 */
export function weightedRidge(
  observations: readonly { x: readonly number[]; r: number }[],
  weights: readonly number[],
  d: number,
  lambda = 1,
) {
  return ridge(
    observations.map(({ x, r }, s) => ({
      x: x.map((v) => v * Math.sqrt(weights[s]!)),
      r: r * Math.sqrt(weights[s]!),
    })),
    d,
    lambda,
  );
}

/** Weights γ^(n−1−s) of n observations discounted by γ after each one. */
export const discountWeights = (n: number, gamma: number) =>
  Array.from({ length: n }, (_, s) => gamma ** (n - 1 - s));
