import {
  addOuterProduct,
  cholesky,
  dot,
  frobeniusNorm,
  inverseFromCholesky,
  matVec,
  quadraticForm,
  shermanMorrison,
} from './dense.js';
import { BanditError, InvalidInputError, ModelFormatError, NonFiniteError } from './errors.js';
import {
  isValidDimension,
  isValidLambda,
  MAX_DIMENSION,
  type ParsedModel,
  parseSerializedModel,
  type SerializedModel,
} from './model-format.js';
import { assertFinite, assertVector } from './validate.js';

/** Unit roundoff of IEEE-754 binary64. */
const UNIT_ROUNDOFF = 2 ** -53;

/**
 * Budget for the drift bound of the Sherman–Morrison inverse, a tenth of SPEC §3's 1e-9 relative
 * error (ADR-0013): the inverse is rebuilt by Cholesky before the bound would pass it.
 */
export const DRIFT_BUDGET = 1e-10;

/** Rebuild at least this often even when the bound allows more (ADR-0013: defence in depth). */
export const MAX_REFRESH_INTERVAL = 1024;

interface ModelState {
  readonly d: number;
  readonly lambda: number;
  n: number;
  /** A = λI + Σ x·xᵀ, row-major, exactly symmetric: the source of truth with b. */
  readonly a: Float64Array;
  /** b = Σ r·x. */
  readonly b: Float64Array;
  /** Cached A⁻¹, exactly symmetric. */
  readonly ainv: Float64Array;
  readonly theta: Float64Array;
  thetaStale: boolean;
  /** ‖A‖_F and ‖A⁻¹‖_F at the last Cholesky rebuild, Σ‖x‖² and the drift bound since then. */
  normA: number;
  normInv: number;
  sumSquares: number;
  drift: number;
  sinceRefresh: number;
  // Scratch, so that an update allocates nothing.
  readonly x: Float64Array;
  readonly u: Float64Array;
  readonly l: Float64Array;
  readonly nextB: Float64Array;
  readonly backupA: Float64Array;
}

let stateOf: (model: LinearModel) => ModelState;

/**
 * Ridge regression (SPEC §3): A = λI + Σ x·xᵀ, b = Σ r·x, θ = A⁻¹b. A and b are the source of
 * truth; A⁻¹ is kept by Sherman–Morrison and rebuilt from A by Cholesky whenever a rounding-error
 * bound says it could otherwise drift past 1e-9 relative error (ADR-0013).
 */
export class LinearModel {
  readonly #s: ModelState;

  static {
    stateOf = (model) => model.#s;
  }

  private constructor(parsed: ParsedModel) {
    const { d } = parsed;
    this.#s = {
      d,
      lambda: parsed.lambda,
      n: parsed.n,
      a: parsed.a,
      b: parsed.b,
      ainv: new Float64Array(d * d),
      theta: new Float64Array(d),
      thetaStale: true,
      normA: 0,
      normInv: 0,
      sumSquares: 0,
      drift: 0,
      sinceRefresh: 0,
      x: new Float64Array(d),
      u: new Float64Array(d),
      l: new Float64Array(d * d),
      nextB: new Float64Array(d),
      backupA: new Float64Array(d * d),
    };
  }

  /** A fresh model: A = λI, b = 0, n = 0. */
  static create(d: number, lambda = 1): LinearModel {
    if (!isValidDimension(d)) {
      throw new InvalidInputError('d', `expected an integer in [1, ${MAX_DIMENSION}]`);
    }
    if (!isValidLambda(lambda)) throw new InvalidInputError('lambda', 'expected a positive finite number');
    const a = new Float64Array(d * d);
    for (let i = 0; i < d; i++) a[i * d + i] = lambda;
    const model = new LinearModel({ d, lambda, n: 0, a, b: new Float64Array(d) });
    // (λI)⁻¹ = I/λ is exact; no factorisation needed.
    const s = model.#s;
    for (let i = 0; i < d; i++) s.ainv[i * d + i] = 1 / lambda;
    resetDriftBound(s, lambda * Math.sqrt(d), Math.sqrt(d) / lambda);
    return model;
  }

  /**
   * Rebuilds a model from `toJSON()` output. Validates version, shapes, finiteness, symmetry of A
   * and positive-definiteness (Cholesky must succeed), and recomputes A⁻¹ from A.
   * @throws ModelFormatError
   */
  static fromJSON(json: unknown): LinearModel {
    const model = new LinearModel(parseSerializedModel(json));
    if (!refresh(model.#s)) throw new ModelFormatError('model.A: not positive-definite');
    return model;
  }

  toJSON(): SerializedModel {
    const s = this.#s;
    return { v: 1, d: s.d, lambda: s.lambda, n: s.n, A: Array.from(s.a), b: Array.from(s.b) };
  }

  get d(): number {
    return this.#s.d;
  }

  /** Number of updates applied since creation. */
  get n(): number {
    return this.#s.n;
  }

  /**
   * A += x·xᵀ, b += r·x. Everything is validated first: a rejected update leaves the model as it was.
   * @throws DimensionError when x does not have d entries
   * @throws NonFiniteError when x or r is not finite, or the update would overflow
   */
  update(x: ArrayLike<number>, reward: number): void {
    const s = this.#s;
    const { d } = s;
    assertVector(x, d, 'x');
    assertFinite(reward, 'reward');
    const xs = s.x;
    for (let i = 0; i < d; i++) xs[i] = x[i]!;
    const squares = dot(xs, xs, d);
    // ‖A‖_F + Σ‖x‖² bounds every entry of the updated A, so a finite bound keeps A finite.
    const growth = s.normA + s.sumSquares + squares;
    if (!Number.isFinite(growth)) throw new NonFiniteError('x', 'update would overflow A');
    const nextB = s.nextB;
    for (let i = 0; i < d; i++) {
      const v = s.b[i]! + reward * xs[i]!;
      if (!Number.isFinite(v)) throw new NonFiniteError('reward', 'update would overflow b');
      nextB[i] = v;
    }

    // First-order rounding model for one Sherman–Morrison step (ADR-0013): the relative drift of A⁻¹
    // grows by at most u·κ(A_k), and κ(A_k) ≤ (‖A_r‖_F + Σ‖x‖²)·‖A_r⁻¹‖_F since the last rebuild r.
    const step = UNIT_ROUNDOFF * growth * s.normInv;
    if (s.drift + step > DRIFT_BUDGET || s.sinceRefresh + 1 >= MAX_REFRESH_INTERVAL) {
      s.backupA.set(s.a);
      addOuterProduct(s.a, xs, d);
      if (!refresh(s)) {
        s.a.set(s.backupA);
        // The old A factorised before, so this restores an exact inverse as well.
        refresh(s);
        throw new BanditError('update would make A numerically singular; the model is unchanged');
      }
    } else {
      addOuterProduct(s.a, xs, d);
      shermanMorrison(s.ainv, xs, s.u, d);
      s.drift += step;
      s.sumSquares += squares;
      s.sinceRefresh++;
    }
    for (let i = 0; i < d; i++) s.b[i] = nextB[i]!;
    s.n++;
    s.thetaStale = true;
  }

  /** θ = A⁻¹b, a copy. */
  theta(): Float64Array {
    return liveTheta(this).slice();
  }

  /** θᵀx. @throws DimensionError, NonFiniteError */
  predict(x: ArrayLike<number>): number {
    assertVector(x, this.#s.d, 'x');
    return dot(liveTheta(this), x, this.#s.d);
  }

  /**
   * xᵀA⁻¹x, the ridge posterior variance of θᵀx up to the noise scale. A⁻¹ is positive-definite,
   * so a negative value can only be rounding and is returned as 0.
   * @throws DimensionError, NonFiniteError
   */
  variance(x: ArrayLike<number>): number {
    const s = this.#s;
    assertVector(x, s.d, 'x');
    return Math.max(0, quadraticForm(s.ainv, x, s.d));
  }
}

/** Package-internal: the cached θ, recomputed if stale. Callers must not write to it. */
export function liveTheta(model: LinearModel): Float64Array {
  const s = stateOf(model);
  if (s.thetaStale) {
    matVec(s.ainv, s.b, s.theta, s.d);
    s.thetaStale = false;
  }
  return s.theta;
}

/** Package-internal: the cached A⁻¹. Callers must not write to it. */
export function liveInverse(model: LinearModel): Float64Array {
  return stateOf(model).ainv;
}

/** Rebuilds A⁻¹ from A by Cholesky and resets the drift bound; false when A is not positive-definite. */
function refresh(s: ModelState): boolean {
  const { d } = s;
  if (!cholesky(s.a, s.l, d)) return false;
  inverseFromCholesky(s.l, s.ainv, d);
  const normInv = frobeniusNorm(s.ainv, d * d);
  if (!Number.isFinite(normInv)) return false;
  resetDriftBound(s, frobeniusNorm(s.a, d * d), normInv);
  return true;
}

function resetDriftBound(s: ModelState, normA: number, normInv: number): void {
  s.normA = normA;
  s.normInv = normInv;
  s.sumSquares = 0;
  s.drift = 0;
  s.sinceRefresh = 0;
  s.thetaStale = true;
}
