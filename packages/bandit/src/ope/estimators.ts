// Off-policy estimators (ADR-0020). For a log of n decisions with contexts xᵢ (the candidates),
// logged choices aᵢ, logging propensities pᵢ and rewards rᵢ, and a target policy π, the value
// V(π) = E_x[Σₐ π(a|x)·E[r | x, a]] is estimated from the importance weights wᵢ = π(aᵢ|xᵢ)/pᵢ.
// Every interval is value ± t₀.₉₇₅(ν)·SE, with SE from the per-decision terms and ν the effective
// degrees of freedom of those terms (`termsDegreesOfFreedom`): the normal interval when the terms
// are well behaved, wider when a few large importance weights carry the variance.
import { BanditError, DimensionError, InvalidInputError, NonFiniteError } from '../errors.js';
import { type DirectModelFit, type DirectModelOptions, fitDirectModel } from './direct-model.js';
import { type CheckedLog, checkLog, type LoggedDecision } from './logged-decision.js';
import { studentT975 } from './student-t.js';
import type { TargetPolicy } from './target-policies.js';

/** How far from 1 a target policy's probabilities may sum, per candidate: rounding, not a different distribution. */
const SUM_TOLERANCE = 1e-6;

export type EstimatorName = 'ips' | 'snips' | 'dr';

/** How much the log tells about the target policy; read these before trusting an interval. */
export interface WeightDiagnostics {
  /**
   * (Σw)²/Σw² over the weights used (Kong 1992; Owen 2013, _Monte Carlo theory, methods and
   * examples_, §9.3): roughly how many on-policy decisions the log is worth. Far below n means a few
   * large weights carry the estimate. 0 when no logged choice is supported.
   */
  effectiveSampleSize: number;
  /** Largest importance weight π(aᵢ|xᵢ)/pᵢ before clipping. */
  maxWeight: number;
  /** Mean weight used; its expectation is 1 when the logging policy covers every choice of π. */
  meanWeight: number;
  /** Decisions whose logged choice the target policy gives positive probability. */
  supported: number;
  /** The clipping threshold applied, or null when weights were not clipped. */
  clip: number | null;
  /** How many weights were lowered to `clip` (each one biases the estimate, usually downwards). */
  clipped: number;
}

export interface PolicyEstimate {
  estimator: EstimatorName;
  /** Estimated mean reward per decision of the target policy. */
  value: number;
  standardError: number;
  /**
   * Effective degrees of freedom of the standard error, 2n/(κ − 1) with κ the kurtosis of the
   * per-decision terms, at most n − 1 (see `ci95`). Near n when the terms are well behaved; small
   * when a few large weights carry the variance, and then the interval is wider than ±1.96·SE.
   */
  degreesOfFreedom: number;
  /**
   * value ± t₀.₉₇₅(ν)·standardError, ν = `degreesOfFreedom`: Student's t with Satterthwaite's
   * degrees of freedom for a variance estimated from heavy-tailed terms (ADR-0020).
   */
  ci95: [number, number];
  /** Decisions in the log. */
  n: number;
  diagnostics: WeightDiagnostics;
}

export interface DoublyRobustEstimate extends PolicyEstimate {
  estimator: 'dr';
  /** The direct model alone: (1/n)·Σᵢ Σₐ π(a|xᵢ)·q̂ᵢ(a), biased when the reward model is wrong. */
  directModel: { value: number; folds: number; lambda: number; intercept: boolean };
}

export interface EstimateOptions {
  /**
   * Clip importance weights at this value (> 0): lowers variance, adds bias; reported in the
   * diagnostics. Off by default.
   */
  clip?: number;
}

export interface DoublyRobustOptions extends EstimateOptions, DirectModelOptions {}

/**
 * An estimator that could not answer for one target policy on this log; the other estimators of
 * the same target still do. Test for it with `'error' in outcome`.
 */
export interface EstimateFailure {
  estimator: EstimatorName;
  /** Why, in words: the error's message. */
  reason: string;
  /**
   * What the estimator raised: `InvalidInputError` for SNIPS when the target gives probability 0
   * to every logged choice (no support), `NonFiniteError` when the terms overflow, `BanditError`
   * when DR's direct model cannot be fitted.
   */
  error: BanditError;
}

/**
 * The three estimates of one target policy on one log, sharing one pass over the target policy.
 * Each estimator answers or fails on its own.
 */
export interface PolicyEvaluation {
  ips: PolicyEstimate | EstimateFailure;
  snips: PolicyEstimate | EstimateFailure;
  dr: DoublyRobustEstimate | EstimateFailure;
}

/**
 * Inverse propensity scoring (Horvitz & Thompson 1952; for contextual bandits, Dudík, Langford & Li
 * 2011, §2): V̂ = (1/n)·Σ wᵢrᵢ. Unbiased when every pᵢ > 0 is the logging policy's true probability
 * and π only chooses what the logging policy could; its variance grows with the weights.
 * SE = sd(wᵢrᵢ)/√n.
 * @throws InvalidInputError, DimensionError, NonFiniteError for a bad log, policy output or option
 */
export function ipsEstimate<D extends LoggedDecision>(
  log: readonly D[],
  policy: TargetPolicy<D>,
  options: EstimateOptions = {},
): PolicyEstimate {
  return ips(prepare(log, policy, options));
}

/**
 * Self-normalised IPS (Swaminathan & Joachims 2015, "The Self-Normalized Estimator for
 * Counterfactual Learning", NeurIPS): V̂ = Σ wᵢrᵢ / Σ wᵢ. Biased by O(1/n) but bounded by the
 * rewards, and far less variable than IPS when weights are large; invariant to adding a constant to
 * every reward. With uniform logging and a deterministic π it is the replay estimator of Li, Chu,
 * Langford & Wang (2011, WSDM): the mean reward of the decisions where π agrees with the log.
 * SE by the delta method (Owen 2013, §9.2): SE² = n/(n − 1) · Σ wᵢ²(rᵢ − V̂)² / (Σ wᵢ)².
 * @throws InvalidInputError also when π gives probability 0 to every logged choice (no support)
 */
export function snipsEstimate<D extends LoggedDecision>(
  log: readonly D[],
  policy: TargetPolicy<D>,
  options: EstimateOptions = {},
): PolicyEstimate {
  return snips(prepare(log, policy, options));
}

/**
 * Doubly robust (Dudík, Langford & Li 2011, "Doubly Robust Policy Evaluation and Learning", ICML,
 * eq. 2): V̂ = (1/n)·Σᵢ [Σₐ π(a|xᵢ)·q̂ᵢ(a) + wᵢ·(rᵢ − q̂ᵢ(aᵢ))], with q̂ a cross-fitted ridge
 * regression of the reward on the candidate's features (`fitDirectModel`). Unbiased when the
 * propensities are right, whatever q̂; its variance shrinks as q̂ approaches the true reward.
 * SE = sd(termᵢ)/√n, honest because q̂ᵢ never saw rᵢ.
 */
export function doublyRobustEstimate<D extends LoggedDecision>(
  log: readonly D[],
  policy: TargetPolicy<D>,
  options: DoublyRobustOptions = {},
): DoublyRobustEstimate {
  const model = directModelSettings(options);
  const prepared = prepare(log, policy, options);
  return doublyRobust(prepared, fitDirectModel(prepared.log, model.lambda, model.folds, model.intercept));
}

/**
 * IPS, SNIPS and DR of one target policy, calling the policy once per decision. An estimator that
 * cannot answer (SNIPS without support, overflowing terms, a direct model that cannot be fitted) is
 * an `EstimateFailure` in its place; the others are still estimated.
 * @throws InvalidInputError, DimensionError, NonFiniteError for a bad log, option or policy output
 */
export function evaluatePolicy<D extends LoggedDecision>(
  log: readonly D[],
  policy: TargetPolicy<D>,
  options: DoublyRobustOptions = {},
): PolicyEvaluation {
  return evaluateAll(log, [['policy', policy]], options, () => 'policy').policy!;
}

/**
 * IPS, SNIPS and DR of several target policies on one log, e.g. every policy of the table against
 * the active policy's log. The log is validated and the direct model fitted once (it depends on
 * the log only), then each policy is called once per decision. As in `evaluatePolicy`, each
 * estimator of each target answers or fails on its own.
 * @throws InvalidInputError, DimensionError, NonFiniteError for a bad log or option, or a policy
 *   whose output is not a distribution over the candidates (named `policies.<name>(log[i])`)
 */
export function evaluatePolicies<D extends LoggedDecision, P extends string>(
  log: readonly D[],
  policies: Readonly<Record<P, TargetPolicy<D>>>,
  options: DoublyRobustOptions = {},
): Record<P, PolicyEvaluation> {
  if (typeof policies !== 'object' || policies === null) {
    throw new InvalidInputError('policies', 'expected an object of target policies');
  }
  const entries = Object.entries(policies) as [P, TargetPolicy<D>][];
  return evaluateAll(log, entries, options, (name) => `policies.${name}`);
}

function evaluateAll<D extends LoggedDecision, P extends string>(
  log: readonly D[],
  policies: readonly (readonly [P, TargetPolicy<D>])[],
  options: DoublyRobustOptions,
  field: (name: P) => string,
): Record<P, PolicyEvaluation> {
  const clip = checkClip(options.clip);
  const model = directModelSettings(options);
  const checked = checkLog(log);
  let fit: DirectModelFit | EstimateFailure | undefined;
  const out = {} as Record<P, PolicyEvaluation>;
  for (const [name, policy] of policies) {
    // A bad policy output is the caller's error, not an estimator's: it still throws.
    const prepared = weigh(checked, policy, clip, field(name));
    fit ??= attempt('dr', () => fitDirectModel(checked, model.lambda, model.folds, model.intercept));
    const directModel = fit;
    out[name] = {
      ips: attempt('ips', () => ips(prepared)),
      snips: attempt('snips', () => snips(prepared)),
      dr: 'error' in directModel ? directModel : attempt('dr', () => doublyRobust(prepared, directModel)),
    };
  }
  return out;
}

/** Runs one estimator; the errors it raises on purpose become its failure, anything else propagates. */
function attempt<T>(estimator: EstimatorName, run: () => T): T | EstimateFailure {
  try {
    return run();
  } catch (error) {
    if (!(error instanceof BanditError)) throw error;
    return { estimator, reason: error.message, error };
  }
}

interface Prepared<D extends LoggedDecision> {
  log: CheckedLog<D>;
  /** π(·|xᵢ) per decision. */
  target: Float64Array[];
  /** Importance weights of the logged choices, clipped when asked. */
  weights: Float64Array;
  diagnostics: WeightDiagnostics;
}

function prepare<D extends LoggedDecision>(
  log: readonly D[],
  policy: TargetPolicy<D>,
  options: EstimateOptions,
): Prepared<D> {
  const clip = checkClip(options.clip);
  return weigh(checkLog(log), policy, clip, 'policy');
}

function checkClip(clip: unknown): number | null {
  if (clip === undefined) return null;
  if (!(typeof clip === 'number' && clip > 0 && Number.isFinite(clip))) {
    throw new InvalidInputError('clip', 'expected a positive finite weight cap');
  }
  return clip;
}

function directModelSettings(options: DirectModelOptions): Required<DirectModelOptions> {
  const lambda = options.lambda ?? 1;
  if (!(typeof lambda === 'number' && lambda > 0 && Number.isFinite(lambda))) {
    throw new InvalidInputError('lambda', 'expected a positive finite number');
  }
  const folds = options.folds ?? 5;
  if (!(Number.isInteger(folds) && folds >= 2))
    throw new InvalidInputError('folds', 'expected an integer ≥ 2');
  const intercept = options.intercept ?? true;
  if (typeof intercept !== 'boolean') throw new InvalidInputError('intercept', 'expected a boolean');
  return { lambda, folds, intercept };
}

/** π(·|xᵢ) for every decision, validated, and the importance weights of the logged choices. */
function weigh<D extends LoggedDecision>(
  checked: CheckedLog<D>,
  policy: TargetPolicy<D>,
  clip: number | null,
  field: string,
): Prepared<D> {
  if (typeof policy !== 'function') throw new InvalidInputError(field, 'expected a function');
  const n = checked.chosen.length;
  const target: Float64Array[] = [];
  const weights = new Float64Array(n);
  let maxWeight = 0;
  let clipped = 0;
  let supported = 0;
  for (let i = 0; i < n; i++) {
    const candidates = checked.candidates[i]!;
    const probabilities = checkDistribution(
      policy(candidates, checked.decisions[i]!),
      candidates.length,
      `${field}(log[${i}])`,
    );
    target.push(probabilities);
    const w = probabilities[checked.chosen[i]!]! / checked.propensity[i]!;
    if (w > 0) supported++;
    maxWeight = Math.max(maxWeight, w);
    if (clip !== null && w > clip) {
      weights[i] = clip;
      clipped++;
    } else {
      weights[i] = w;
    }
  }
  let sum = 0;
  let squares = 0;
  for (let i = 0; i < n; i++) {
    sum += weights[i]!;
    squares += weights[i]! * weights[i]!;
  }
  const diagnostics: WeightDiagnostics = {
    effectiveSampleSize: squares > 0 ? (sum * sum) / squares : 0,
    maxWeight,
    meanWeight: sum / n,
    supported,
    clip,
    clipped,
  };
  return { log: checked, target, weights, diagnostics };
}

function ips<D extends LoggedDecision>({ log, weights, diagnostics }: Prepared<D>): PolicyEstimate {
  const n = weights.length;
  const terms = new Float64Array(n);
  for (let i = 0; i < n; i++) terms[i] = weights[i]! * log.reward[i]!;
  const { mean, standardError, degreesOfFreedom } = meanAndStandardError(terms);
  return estimate('ips', mean, standardError, degreesOfFreedom, n, diagnostics);
}

function snips<D extends LoggedDecision>({ log, weights, diagnostics }: Prepared<D>): PolicyEstimate {
  const n = weights.length;
  let sumW = 0;
  let sumWR = 0;
  for (let i = 0; i < n; i++) {
    sumW += weights[i]!;
    sumWR += weights[i]! * log.reward[i]!;
  }
  if (!(sumW > 0)) {
    throw new InvalidInputError(
      'log',
      'the target policy gives probability 0 to every logged choice: self-normalised IPS is undefined',
    );
  }
  const value = sumWR / sumW;
  // The delta method's per-decision terms (influence function) are wᵢ(rᵢ − V̂)/Σw, mean 0.
  const terms = new Float64Array(n);
  let s = 0;
  for (let i = 0; i < n; i++) {
    const t = weights[i]! * (log.reward[i]! - value);
    terms[i] = t;
    s += t * t;
  }
  return estimate(
    'snips',
    value,
    Math.sqrt((s * n) / (n - 1)) / sumW,
    termsDegreesOfFreedom(terms, 0),
    n,
    diagnostics,
  );
}

function doublyRobust<D extends LoggedDecision>(
  { log, target, weights, diagnostics }: Prepared<D>,
  fit: DirectModelFit,
): DoublyRobustEstimate {
  const n = weights.length;
  const terms = new Float64Array(n);
  let direct = 0;
  for (let i = 0; i < n; i++) {
    const q = fit.predictions[i]!;
    const pi = target[i]!;
    let baseline = 0;
    for (let a = 0; a < q.length; a++) baseline += pi[a]! * q[a]!;
    direct += baseline;
    terms[i] = baseline + weights[i]! * (log.reward[i]! - q[log.chosen[i]!]!);
  }
  const { mean, standardError, degreesOfFreedom } = meanAndStandardError(terms);
  if (!Number.isFinite(mean) || !Number.isFinite(standardError)) {
    throw new NonFiniteError('log', 'the doubly robust terms overflow');
  }
  return {
    ...estimate('dr', mean, standardError, degreesOfFreedom, n, diagnostics),
    estimator: 'dr',
    directModel: { value: direct / n, folds: fit.folds, lambda: fit.lambda, intercept: fit.intercept },
  };
}

function checkDistribution(p: unknown, k: number, field: string): Float64Array {
  const length = (p as { length?: unknown } | null | undefined)?.length;
  if (typeof p !== 'object' || p === null || typeof length !== 'number')
    throw new DimensionError(field, k, null);
  if (length !== k) throw new DimensionError(field, k, length);
  const values = p as ArrayLike<unknown>;
  const out = new Float64Array(k);
  let sum = 0;
  for (let a = 0; a < k; a++) {
    const v = values[a];
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new NonFiniteError(`${field}[${a}]`);
    if (v < 0) throw new InvalidInputError(`${field}[${a}]`, 'expected a probability ≥ 0');
    out[a] = v;
    sum += v;
  }
  if (Math.abs(sum - 1) > SUM_TOLERANCE * k) {
    throw new InvalidInputError(field, `expected probabilities summing to 1, got ${sum}`);
  }
  return out;
}

function meanAndStandardError(terms: Float64Array): {
  mean: number;
  standardError: number;
  degreesOfFreedom: number;
} {
  const n = terms.length;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += terms[i]!;
  const mean = sum / n;
  let s = 0;
  for (let i = 0; i < n; i++) s += (terms[i]! - mean) ** 2;
  return {
    mean,
    standardError: Math.sqrt(s / (n - 1) / n),
    degreesOfFreedom: termsDegreesOfFreedom(terms, mean),
  };
}

/**
 * Satterthwaite's effective degrees of freedom of a variance estimated from n terms:
 * Var(s²)/σ⁴ ≈ (κ − 1)/n with κ = n·Σd⁴/(Σd²)² the terms' kurtosis, matched to a scaled χ²_ν
 * (Var = 2/ν), gives ν = 2n/(κ − 1), capped at n − 1 (normal terms, κ = 3, give n). With ε-greedy
 * logs of many candidates the terms are a bulk near 1 and a few weights of K/ε (up to 200): the
 * sample variance rests on those few, is often too small exactly when the estimate is off, and the
 * normal interval undercovers (ADR-0020: 43 of 50 simulated logs). κ sees it; t₀.₉₇₅(ν) widens.
 */
function termsDegreesOfFreedom(terms: Float64Array, centre: number): number {
  const n = terms.length;
  let s2 = 0;
  let s4 = 0;
  for (let i = 0; i < n; i++) {
    const d2 = (terms[i]! - centre) ** 2;
    s2 += d2;
    s4 += d2 * d2;
  }
  const kurtosis = (n * s4) / (s2 * s2);
  // κ ≤ 1 (two equal-sized groups) or 0/0 (constant terms): nothing heavy-tailed to correct.
  if (!(kurtosis > 1) || !Number.isFinite(kurtosis)) return n - 1;
  return Math.min(n - 1, (2 * n) / (kurtosis - 1));
}

function estimate(
  estimator: EstimatorName,
  value: number,
  standardError: number,
  degreesOfFreedom: number,
  n: number,
  diagnostics: WeightDiagnostics,
): PolicyEstimate {
  if (!Number.isFinite(value) || !Number.isFinite(standardError)) {
    throw new NonFiniteError('log', `the ${estimator} estimate overflows`);
  }
  const half = studentT975(degreesOfFreedom) * standardError;
  return {
    estimator,
    value,
    standardError,
    degreesOfFreedom,
    ci95: [value - half, value + half],
    n,
    diagnostics: { ...diagnostics },
  };
}
