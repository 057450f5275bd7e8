import {
  type EstimateFailure as BanditEstimateFailure,
  type DoublyRobustEstimate,
  evaluatePolicies,
  POLICIES,
  type PolicyEstimate,
  type PolicyId,
} from '@oo/bandit';
import type { LogEntry, LogGroup, PolicyParams } from './read-log.js';
import { byTime, splitForFitting } from './split.js';
import {
  fitModels,
  isLearned,
  type ModelKind,
  type TargetKind,
  type TargetSpec,
  targetPolicy,
} from './targets.js';

/** The 97.5 % quantile of the standard normal distribution (the on-policy mean has tame terms). */
const Z_975 = 1.959963984540054;

/** Fewest evaluated decisions an estimate needs (a standard error needs two). */
export const MIN_EVALUATED = 2;

export interface EvaluateOptions {
  targets: readonly TargetSpec[];
  /** Per user, the earliest fraction of decisions that fit the learned targets' models. */
  fitFraction: number;
  model: ModelKind;
  /** Ridge λ of the targets' models; the logging policy's (logged, else the table's) otherwise. */
  lambda?: number;
  /** Clip importance weights at this value. */
  clip?: number;
  /** Cross-fitting folds of DR's direct model. */
  folds: number;
}

export interface EstimateResult {
  value: number;
  standard_error: number;
  /** Effective degrees of freedom of the standard error: ci95 = value ± t₀.₉₇₅(ν)·standard_error. */
  degrees_of_freedom: number;
  ci95: [number, number];
  n: number;
  effective_sample_size: number;
  max_weight: number;
  mean_weight: number;
  /** Evaluated decisions whose logged choice the target could make. */
  supported: number;
  clip: number | null;
  clipped: number;
  /** DR only: the direct model's own estimate and settings. */
  direct_model?: { value: number; folds: number; lambda: number; intercept: boolean };
}

/** An estimator that could not answer for this target (e.g. SNIPS when no logged choice is supported). */
export interface EstimateFailure {
  error: string;
}

export type EstimatorName = 'ips' | 'snips' | 'dr';
export const ESTIMATORS: readonly EstimatorName[] = ['ips', 'snips', 'dr'];

export interface TargetResult {
  target: string;
  kind: TargetKind;
  epsilon?: number;
  alpha?: number;
  ips: EstimateResult | EstimateFailure;
  snips: EstimateResult | EstimateFailure;
  dr: EstimateResult | EstimateFailure;
}

/** The logging policy's own mean reward on the evaluated decisions: what the targets compare with. */
export interface OnPolicyResult {
  value: number;
  standard_error: number;
  ci95: [number, number];
  n: number;
}

export interface GroupResult {
  label: string;
  policy: PolicyId;
  policy_version: string | null;
  policy_params: PolicyParams | null;
  d: number;
  users: number;
  /** Rewarded decisions of this logging policy. */
  decisions: number;
  /** Decisions that fitted the learned targets' models (0 when no target is learned). */
  fit: number;
  /** Decisions every target is evaluated on. */
  evaluated: number;
  /** λ of the targets' ridge models; null when no target is learned. */
  lambda: number | null;
  min_propensity: number;
  warnings: string[];
  /** Why the group was not evaluated, or null. */
  skipped: string | null;
  logged: OnPolicyResult | null;
  targets: TargetResult[];
}

/**
 * Evaluates every target on one logging policy's decisions. With a learned target, each user's
 * earliest `fitFraction` of decisions fit the models and all targets (uniform too, so the rows
 * compare on the same decisions) are evaluated on the rest; with only uniform, on everything.
 */
export function evaluateGroup(group: LogGroup, options: EvaluateOptions): GroupResult {
  const learned = options.targets.some(isLearned);
  const { fit, evaluate } = learned
    ? splitForFitting(group.entries, options.fitFraction)
    : { fit: [], evaluate: [...group.entries].sort(byTime) };
  const lambda = options.lambda ?? group.policyParams?.lambda ?? POLICIES[group.policy].defaults.lambda ?? 1;
  const users = new Set(group.entries.map((entry) => entry.userId));
  let minPropensity = 1;
  for (const entry of group.entries) minPropensity = Math.min(minPropensity, entry.propensity);
  const result: GroupResult = {
    label: group.label,
    policy: group.policy,
    policy_version: group.policyVersion,
    policy_params: group.policyParams,
    d: group.d,
    users: users.size,
    decisions: group.entries.length,
    fit: fit.length,
    evaluated: evaluate.length,
    lambda: learned ? lambda : null,
    min_propensity: minPropensity,
    warnings: warnings(fit, learned ? options.model : null, minPropensity, users.size),
    skipped: null,
    logged: null,
    targets: [],
  };
  if (evaluate.length < MIN_EVALUATED) {
    result.skipped = `${evaluate.length} decision${evaluate.length === 1 ? '' : 's'} left to evaluate; the estimators need at least ${MIN_EVALUATED}`;
    return result;
  }
  result.logged = onPolicy(evaluate);
  const models = fitModels(fit, group.d, lambda, options.model);
  const policies = options.targets.map((spec) => [spec, targetPolicy(spec, models)] as const);
  const estimatorOptions = {
    folds: options.folds,
    ...(options.clip === undefined ? {} : { clip: options.clip }),
  };
  const all = evaluatePolicies(
    evaluate,
    Object.fromEntries(policies.map(([spec, policy]) => [spec.name, policy])),
    estimatorOptions,
  );
  result.targets = policies.map(([spec]) => {
    const estimates = all[spec.name]!;
    return {
      target: spec.name,
      kind: spec.kind,
      ...(spec.epsilon === undefined ? {} : { epsilon: spec.epsilon }),
      ...(spec.alpha === undefined ? {} : { alpha: spec.alpha }),
      ips: toResult(estimates.ips),
      snips: toResult(estimates.snips),
      dr: toResult(estimates.dr),
    };
  });
  return result;
}

function toResult(
  estimate: PolicyEstimate | DoublyRobustEstimate | BanditEstimateFailure,
): EstimateResult | EstimateFailure {
  if ('error' in estimate) return { error: estimate.reason };
  const { diagnostics } = estimate;
  return {
    value: estimate.value,
    standard_error: estimate.standardError,
    degrees_of_freedom: estimate.degreesOfFreedom,
    ci95: estimate.ci95,
    n: estimate.n,
    effective_sample_size: diagnostics.effectiveSampleSize,
    max_weight: diagnostics.maxWeight,
    mean_weight: diagnostics.meanWeight,
    supported: diagnostics.supported,
    clip: diagnostics.clip,
    clipped: diagnostics.clipped,
    ...('directModel' in estimate ? { direct_model: estimate.directModel } : {}),
  };
}

function onPolicy(entries: readonly LogEntry[]): OnPolicyResult {
  const n = entries.length;
  let sum = 0;
  for (const entry of entries) sum += entry.reward;
  const mean = sum / n;
  let squares = 0;
  for (const entry of entries) squares += (entry.reward - mean) ** 2;
  const standardError = Math.sqrt(squares / (n - 1) / n);
  return {
    value: mean,
    standard_error: standardError,
    ci95: [mean - Z_975 * standardError, mean + Z_975 * standardError],
    n,
  };
}

function warnings(
  fit: readonly LogEntry[],
  learnedModel: ModelKind | null,
  minPropensity: number,
  users: number,
): string[] {
  const out: string[] = [];
  if (minPropensity === 1) {
    out.push(
      'every propensity is 1 (a deterministic logging policy such as LinUCB): the log never shows what the other candidates would have earned, so a target that chooses differently is not supported and its IPS and DR estimates are biased',
    );
  }
  if (learnedModel !== null && fit.length === 0) {
    out.push(
      'no decision fitted the models: every learned target is the θ = 0 policy (ties go to the first candidate)',
    );
  } else if (learnedModel === 'per-user') {
    const fitted = new Set(fit.map((entry) => entry.userId)).size;
    if (fitted < users) {
      out.push(
        `${users - fitted} of ${users} users have no decision to fit: their learned targets score with θ = 0 (ties go to the first candidate)`,
      );
    }
  }
  return out;
}
