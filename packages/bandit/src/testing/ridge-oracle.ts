// Test-only reference implementations, written independently of the package's kernels.

/** Solves M·z = y by Gaussian elimination with partial pivoting on a copy of M (row-major n×n). */
export function solveGaussian(m: ArrayLike<number>, y: ArrayLike<number>, n: number): number[] {
  const rows = Array.from({ length: n }, (_, i) => [
    ...Array.from({ length: n }, (_, j) => m[i * n + j]!),
    y[i]!,
  ]);
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(rows[r]![col]!) > Math.abs(rows[pivot]![col]!)) pivot = r;
    [rows[col], rows[pivot]] = [rows[pivot]!, rows[col]!];
    const p = rows[col]!;
    for (let r = col + 1; r < n; r++) {
      const row = rows[r]!;
      const f = row[col]! / p[col]!;
      for (let c = col; c <= n; c++) row[c]! -= f * p[c]!;
    }
  }
  const z = new Array<number>(n).fill(0);
  for (let i = n - 1; i >= 0; i--) {
    const row = rows[i]!;
    let s = row[n]!;
    for (let j = i + 1; j < n; j++) s -= row[j]! * z[j]!;
    z[i] = s / row[i]!;
  }
  return z;
}

/** The closed-form ridge solution θ = (λI + Σ x·xᵀ)⁻¹ Σ r·x built from the raw history. */
export function ridgeTheta(
  history: readonly { x: readonly number[]; r: number }[],
  d: number,
  lambda: number,
): number[] {
  const a = new Array<number>(d * d).fill(0);
  const b = new Array<number>(d).fill(0);
  for (let i = 0; i < d; i++) a[i * d + i] = lambda;
  for (const { x, r } of history) {
    for (let i = 0; i < d; i++) {
      b[i]! += r * x[i]!;
      for (let j = 0; j < d; j++) a[i * d + j]! += x[i]! * x[j]!;
    }
  }
  return solveGaussian(a, b, d);
}

export function frobenius(m: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < m.length; i++) s += m[i]! * m[i]!;
  return Math.sqrt(s);
}

/** ‖P − Q‖_F / ‖Q‖_F. */
export function relativeError(p: ArrayLike<number>, q: ArrayLike<number>): number {
  let diff = 0;
  for (let i = 0; i < q.length; i++) diff += (p[i]! - q[i]!) ** 2;
  return Math.sqrt(diff) / frobenius(q);
}

/** max |(P·Q − I)_ij| for row-major n×n P and Q. */
export function identityResidual(p: ArrayLike<number>, q: ArrayLike<number>, n: number): number {
  let worst = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += p[i * n + k]! * q[k * n + j]!;
      worst = Math.max(worst, Math.abs(s - (i === j ? 1 : 0)));
    }
  }
  return worst;
}

/**
 * The closed-form discounted ridge solution (ADR-0021) built from the raw history with explicit
 * weights, not the model's recurrence: θ = (λI + Σₛ wₛ·xₛxₛᵀ)⁻¹ Σₛ wₛ·rₛxₛ with wₛ = Πγ over the
 * updates after s. `gammas[s]` is the factor in force at update s (a constant γ gives wₛ = γ^(n−1−s)).
 */
export function discountedRidgeTheta(
  history: readonly { x: ArrayLike<number>; r: number }[],
  d: number,
  lambda: number,
  gammas: readonly number[],
): number[] {
  const n = history.length;
  const weights = new Array<number>(n).fill(1);
  for (let s = n - 2; s >= 0; s--) weights[s] = weights[s + 1]! * gammas[s + 1]!;
  const a = new Array<number>(d * d).fill(0);
  const b = new Array<number>(d).fill(0);
  for (let i = 0; i < d; i++) a[i * d + i] = lambda;
  history.forEach(({ x, r }, s) => {
    const w = weights[s]!;
    for (let i = 0; i < d; i++) {
      b[i]! += w * r * x[i]!;
      for (let j = 0; j < d; j++) a[i * d + j]! += w * x[i]! * x[j]!;
    }
  });
  return solveGaussian(a, b, d);
}
