// Dense kernels on row-major d×d Float64Arrays. Plain loops, no allocation: these sit on the
// per-update and per-candidate paths (STYLE habit 10).

/**
 * In-place Cholesky factorisation A = L·Lᵀ (Golub & Van Loan, Matrix Computations, 4th ed.,
 * Alg. 4.2.1). Reads the lower triangle of `a`, writes L into the lower triangle of `l` and zeros
 * above the diagonal. Returns false when a pivot is not strictly positive, i.e. `a` is not
 * (numerically) positive-definite.
 */
export function cholesky(a: Float64Array, l: Float64Array, d: number): boolean {
  for (let j = 0; j < d; j++) {
    const rowJ = j * d;
    let pivot = a[rowJ + j]!;
    for (let k = 0; k < j; k++) {
      const v = l[rowJ + k]!;
      pivot -= v * v;
    }
    if (!(pivot > 0) || !Number.isFinite(pivot)) return false;
    const ljj = Math.sqrt(pivot);
    l[rowJ + j] = ljj;
    for (let k = j + 1; k < d; k++) l[rowJ + k] = 0;
    for (let i = j + 1; i < d; i++) {
      const rowI = i * d;
      let s = a[rowI + j]!;
      for (let k = 0; k < j; k++) s -= l[rowI + k]! * l[rowJ + k]!;
      l[rowI + j] = s / ljj;
    }
  }
  return true;
}

/**
 * Given the Cholesky factor L (lower triangle of `l`), overwrites `l` with L⁻¹ and writes
 * A⁻¹ = L⁻ᵀ·L⁻¹ into `out`, both triangles, exactly symmetric.
 */
export function inverseFromCholesky(l: Float64Array, out: Float64Array, d: number): void {
  // In-place forward substitution, column by column: x_jj = 1/l_jj and, for i > j,
  // x_ij = −(Σ_{k=j}^{i−1} l_ik·x_kj) / l_ii. Row i right of column j and the diagonal l_ii are
  // still L's when column j is processed, so one array suffices.
  for (let j = 0; j < d; j++) {
    l[j * d + j] = 1 / l[j * d + j]!;
    for (let i = j + 1; i < d; i++) {
      const rowI = i * d;
      let s = 0;
      for (let k = j; k < i; k++) s -= l[rowI + k]! * l[k * d + j]!;
      l[rowI + j] = s / l[rowI + i]!;
    }
  }
  for (let i = 0; i < d; i++) {
    for (let j = i; j < d; j++) {
      let s = 0;
      for (let k = j; k < d; k++) s += l[k * d + i]! * l[k * d + j]!;
      out[i * d + j] = s;
      out[j * d + i] = s;
    }
  }
}

/** xᵀ·M·x for a symmetric M, reading only its upper triangle. */
export function quadraticForm(m: Float64Array, x: ArrayLike<number>, d: number): number {
  let total = 0;
  for (let i = 0; i < d; i++) {
    const row = i * d;
    const xi = x[i]!;
    let off = 0;
    for (let j = i + 1; j < d; j++) off += m[row + j]! * x[j]!;
    total += xi * (m[row + i]! * xi + 2 * off);
  }
  return total;
}

/** aᵀ·b over the first d entries. */
export function dot(a: ArrayLike<number>, b: ArrayLike<number>, d: number): number {
  let s = 0;
  for (let i = 0; i < d; i++) s += a[i]! * b[i]!;
  return s;
}

/** out = M·x for a row-major d×d M. */
export function matVec(m: Float64Array, x: ArrayLike<number>, out: Float64Array, d: number): void {
  for (let i = 0; i < d; i++) {
    const row = i * d;
    let s = 0;
    for (let j = 0; j < d; j++) s += m[row + j]! * x[j]!;
    out[i] = s;
  }
}

/** A += x·xᵀ, each product computed once and written to both triangles so A stays exactly symmetric. */
export function addOuterProduct(a: Float64Array, x: ArrayLike<number>, d: number): void {
  for (let i = 0; i < d; i++) {
    const xi = x[i]!;
    const row = i * d;
    a[row + i]! += xi * xi;
    for (let j = i + 1; j < d; j++) {
      const v = xi * x[j]!;
      a[row + j]! += v;
      a[j * d + i]! += v;
    }
  }
}

/**
 * A ← γ·A + shift·I + x·xᵀ, the discounted ridge step (ADR-0021), each entry computed once and
 * written to both triangles so A stays exactly symmetric.
 */
export function discountAddOuterProduct(
  a: Float64Array,
  x: ArrayLike<number>,
  gamma: number,
  shift: number,
  d: number,
): void {
  for (let i = 0; i < d; i++) {
    const xi = x[i]!;
    const row = i * d;
    a[row + i] = gamma * a[row + i]! + shift + xi * xi;
    for (let j = i + 1; j < d; j++) {
      const v = gamma * a[row + j]! + xi * x[j]!;
      a[row + j] = v;
      a[j * d + i] = v;
    }
  }
}

/**
 * Sherman–Morrison for a positive rank-one update (Sherman & Morrison 1950; Golub & Van Loan §2.1.4):
 * (A + x·xᵀ)⁻¹ = A⁻¹ − (A⁻¹x)(A⁻¹x)ᵀ / (1 + xᵀA⁻¹x). The denominator is ≥ 1 because A⁻¹ is
 * positive-definite, so the step never divides by a small number. `u` is scratch of length d.
 * Writes the upper triangle and mirrors it, so the cached inverse stays exactly symmetric.
 */
export function shermanMorrison(ainv: Float64Array, x: ArrayLike<number>, u: Float64Array, d: number): void {
  matVec(ainv, x, u, d);
  const scale = 1 / (1 + dot(x, u, d));
  for (let i = 0; i < d; i++) {
    const ui = u[i]! * scale;
    const row = i * d;
    for (let j = i; j < d; j++) {
      const v = ainv[row + j]! - ui * u[j]!;
      ainv[row + j] = v;
      ainv[j * d + i] = v;
    }
  }
}

/** ‖m‖_F over the first `length` entries, scaled so that entries beyond 1e154 do not overflow. */
export function frobeniusNorm(m: Float64Array, length: number): number {
  let scale = 0;
  for (let i = 0; i < length; i++) scale = Math.max(scale, Math.abs(m[i]!));
  if (scale === 0 || !Number.isFinite(scale)) return scale;
  let s = 0;
  for (let i = 0; i < length; i++) {
    const v = m[i]! / scale;
    s += v * v;
  }
  return scale * Math.sqrt(s);
}

/**
 * Solves A·z = y given A's Cholesky factor L (lower triangle of `l`): forward substitution
 * L·w = y, then back substitution Lᵀ·z = w. `out` may alias `y`.
 */
export function choleskySolve(l: Float64Array, y: ArrayLike<number>, out: Float64Array, d: number): void {
  for (let i = 0; i < d; i++) {
    const row = i * d;
    let s = y[i]!;
    for (let k = 0; k < i; k++) s -= l[row + k]! * out[k]!;
    out[i] = s / l[row + i]!;
  }
  for (let i = d - 1; i >= 0; i--) {
    let s = out[i]!;
    for (let k = i + 1; k < d; k++) s -= l[k * d + i]! * out[k]!;
    out[i] = s / l[i * d + i]!;
  }
}
