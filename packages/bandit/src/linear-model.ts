import {
  addOuterProduct,
  cholesky,
  discountAddOuterProduct,
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
  isValidGamma,
  isValidLambda,
  MAX_DIMENSION,
  type ParsedModel,
  parseSerializedModel,
  type SerializedModel,
} from './model-format.js';
import type { PolicySpec } from './policies.js';
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

/** Options of `LinearModel.create`. */
export interface LinearModelOptions {
  /**
   * Forgetting factor γ ∈ (0, 1] (ADR-0021): each update first discounts the past,
   * A ← γA + (1 − γ)λI + x·xᵀ and b ← γb + r·x. 1 never forgets and is the stationary model.
   * @default 1
   */
  gamma?: number;
}

/** Hyper-parameters of a policy's model; a missing one falls back to the policy's default. */
export interface ModelParams extends LinearModelOptions {
  /** Ridge regulariser λ > 0. */
  lambda?: number;
}

interface ModelState {
  readonly d: number;
  readonly lambda: number;
  gamma: number;
  n: number;
  /**
   * A = λI + Σₛ γ^(n−s)·xₛxₛᵀ, row-major, exactly symmetric: the source of truth with b. With
   * γ = 1 this is SPEC §3's λI + Σ x·xᵀ.
   */
  readonly a: Float64Array;
  /** b = Σₛ γ^(n−s)·rₛxₛ. */
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
      gamma: parsed.gamma,
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

  /** A fresh model: A = λI, b = 0, n = 0; `options.gamma` turns on forgetting (ADR-0021). */
  static create(d: number, lambda = 1, options: LinearModelOptions = {}): LinearModel {
    if (!isValidDimension(d)) {
      throw new InvalidInputError('d', `expected an integer in [1, ${MAX_DIMENSION}]`);
    }
    if (!isValidLambda(lambda)) throw new InvalidInputError('lambda', 'expected a positive finite number');
    const gamma = options.gamma ?? 1;
    if (!isValidGamma(gamma)) throw new InvalidInputError('gamma', 'expected a number in (0, 1]');
    const a = new Float64Array(d * d);
    for (let i = 0; i < d; i++) a[i * d + i] = lambda;
    const model = new LinearModel({ d, lambda, gamma, n: 0, a, b: new Float64Array(d) });
    // (λI)⁻¹ = I/λ is exact; no factorisation needed.
    const s = model.#s;
    for (let i = 0; i < d; i++) s.ainv[i * d + i] = 1 / lambda;
    resetDriftBound(s, lambda * Math.sqrt(d), Math.sqrt(d) / lambda);
    return model;
  }

  /**
   * A fresh model for a policy of the table, with its default λ and γ unless `params` overrides
   * them (e.g. from the service's environment).
   */
  static forPolicy(spec: Pick<PolicySpec, 'd' | 'defaults'>, params: ModelParams = {}): LinearModel {
    return LinearModel.create(spec.d, params.lambda ?? spec.defaults.lambda, {
      gamma: params.gamma ?? spec.defaults.gamma,
    });
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

  /** Version 1 for γ = 1 (as before forgetting existed), version 2 with `gamma` otherwise. */
  toJSON(): SerializedModel {
    const s = this.#s;
    if (s.gamma === 1) {
      return { v: 1, d: s.d, lambda: s.lambda, n: s.n, A: Array.from(s.a), b: Array.from(s.b) };
    }
    return {
      v: 2,
      d: s.d,
      lambda: s.lambda,
      gamma: s.gamma,
      n: s.n,
      A: Array.from(s.a),
      b: Array.from(s.b),
    };
  }

  get d(): number {
    return this.#s.d;
  }

  /** Number of updates applied since creation. */
  get n(): number {
    return this.#s.n;
  }

  /** Ridge regulariser λ. */
  get lambda(): number {
    return this.#s.lambda;
  }

  /** Forgetting factor γ ∈ (0, 1]; 1 is the stationary model. */
  get gamma(): number {
    return this.#s.gamma;
  }

  /**
   * Changes the forgetting factor for the updates to come (e.g. when the service's configuration
   * changed since the model was stored). A and b are kept: they stay λI + the discounted data so far.
   * @throws InvalidInputError unless γ ∈ (0, 1]
   */
  setGamma(gamma: number): void {
    if (!isValidGamma(gamma)) throw new InvalidInputError('gamma', 'expected a number in (0, 1]');
    this.#s.gamma = gamma;
  }

  /**
   * A += x·xᵀ, b += r·x; with forgetting, A ← γA + (1 − γ)λI + x·xᵀ and b ← γb + r·x, and A⁻¹ is
   * rebuilt from A by Cholesky (ADR-0021). Everything is validated first: a rejected update leaves
   * the model as it was.
   * @throws DimensionError when x does not have d entries
   * @throws NonFiniteError when x or r is not finite, or the update would overflow
   */
  update(x: ArrayLike<number>, reward: number): void {
    const s = this.#s;
    // Dispatched before anything else, so the stationary path below is exactly the code it was
    // before forgetting existed.
    if (s.gamma !== 1) {
      discountedUpdate(s, x, reward);
      return;
    }
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

/**
 * The discounted step (ADR-0021). (γA + (1 − γ)λI)⁻¹ is not a low-rank change of A⁻¹, so no
 * Sherman–Morrison recurrence carries it; A⁻¹ is rebuilt from the new A by Cholesky on every
 * update: O(d³), with the accuracy of a fresh factorisation. Validates exactly as the stationary
 * path does, before anything is written.
 */
function discountedUpdate(s: ModelState, x: ArrayLike<number>, reward: number): void {
  const { d, gamma } = s;
  assertVector(x, d, 'x');
  assertFinite(reward, 'reward');
  const xs = s.x;
  for (let i = 0; i < d; i++) xs[i] = x[i]!;
  // γA + (1 − γ)λI + x·xᵀ is bounded entrywise by ‖A‖_F + λ + ‖x‖², so a finite bound keeps A finite.
  if (!Number.isFinite(s.normA + s.sumSquares + s.lambda + dot(xs, xs, d))) {
    throw new NonFiniteError('x', 'update would overflow A');
  }
  const nextB = s.nextB;
  for (let i = 0; i < d; i++) {
    const v = gamma * s.b[i]! + reward * xs[i]!;
    if (!Number.isFinite(v)) throw new NonFiniteError('reward', 'update would overflow b');
    nextB[i] = v;
  }
  s.backupA.set(s.a);
  discountAddOuterProduct(s.a, xs, gamma, (1 - gamma) * s.lambda, d);
  if (!rebuildInverse(s)) {
    s.a.set(s.backupA);
    rebuildInverse(s);
    throw new BanditError('update would make A numerically singular; the model is unchanged');
  }
  s.b.set(nextB);
  s.n++;
  s.thetaStale = true;
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

/**
 * The discounted path's rebuild: A⁻¹ from A by Cholesky, without the two Frobenius norms of
 * `refresh` (a third of its cost at d = 12), which only the Sherman–Morrison drift bound needs.
 * For a positive-definite A every |a_ij| ≤ max a_ii, so d·max a_ii bounds ‖A‖_F for the next
 * update's overflow check, and A⁻¹ is finite when its diagonal is. ‖A⁻¹‖_F is recorded as unknown
 * (+∞): should γ be set back to 1, the next stationary step's drift bound is infinite and it
 * rebuilds through `refresh` before any Sherman–Morrison step.
 */
function rebuildInverse(s: ModelState): boolean {
  const { d } = s;
  if (!cholesky(s.a, s.l, d)) return false;
  inverseFromCholesky(s.l, s.ainv, d);
  let maxDiagonal = 0;
  for (let i = 0; i < d; i++) {
    if (!Number.isFinite(s.ainv[i * d + i]!)) return false;
    maxDiagonal = Math.max(maxDiagonal, s.a[i * d + i]!);
  }
  resetDriftBound(s, d * maxDiagonal, Number.POSITIVE_INFINITY);
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
