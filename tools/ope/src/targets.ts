import {
  epsilonGreedyPolicy,
  greedyPolicy,
  LinearModel,
  linUcbPolicy,
  type TargetPolicy,
  uniformPolicy,
} from '@oo/bandit';
import type { LogEntry } from './read-log.js';

export const TARGET_KINDS = ['uniform', 'egreedy', 'greedy', 'linucb'] as const;
export type TargetKind = (typeof TARGET_KINDS)[number];

export const MODEL_KINDS = ['per-user', 'pooled'] as const;
/** One ridge model per user (as the service keeps them), or one for all users. */
export type ModelKind = (typeof MODEL_KINDS)[number];

/** A target policy to evaluate, before its model is fitted. */
export interface TargetSpec {
  /** Row label, e.g. `egreedy ε=0.1`, `linucb α=1`. */
  name: string;
  kind: TargetKind;
  epsilon?: number;
  alpha?: number;
}

export interface TargetSelection {
  targets: readonly TargetKind[];
  epsilons: readonly number[];
  alpha: number;
}

/** The targets in table order: uniform, ε-greedy at each ε, greedy, LinUCB. */
export function targetSpecs({ targets, epsilons, alpha }: TargetSelection): TargetSpec[] {
  const specs: TargetSpec[] = [];
  for (const kind of TARGET_KINDS) {
    if (!targets.includes(kind)) continue;
    if (kind === 'egreedy') {
      for (const epsilon of epsilons) specs.push({ name: `egreedy ε=${epsilon}`, kind, epsilon });
    } else if (kind === 'linucb') {
      specs.push({ name: `linucb α=${alpha}`, kind, alpha });
    } else {
      specs.push({ name: kind, kind });
    }
  }
  return specs;
}

/** Whether a target needs a fitted model (every kind but uniform). */
export function isLearned(spec: Pick<TargetSpec, 'kind'>): boolean {
  return spec.kind !== 'uniform';
}

/** The ridge models the learned targets score with, fitted once per group. */
export interface FittedModels {
  readonly kind: ModelKind;
  /** The model that scores this user's decisions: a fresh one (θ = 0) for a user with no fit data. */
  forUser(userId: string): LinearModel;
}

/**
 * Ridge regression of the reward on the chosen candidate's features (SPEC §3, stationary: γ = 1),
 * updated in time order over the fit decisions, per user or pooled over users.
 */
export function fitModels(
  fit: readonly LogEntry[],
  d: number,
  lambda: number,
  kind: ModelKind,
): FittedModels {
  const fresh = LinearModel.create(d, lambda);
  if (kind === 'pooled') {
    const pooled = LinearModel.create(d, lambda);
    for (const entry of fit) pooled.update(entry.candidates[entry.chosen]!, entry.reward);
    return { kind, forUser: () => pooled };
  }
  const models = new Map<string, LinearModel>();
  for (const entry of fit) {
    let model = models.get(entry.userId);
    if (model === undefined) {
      model = LinearModel.create(d, lambda);
      models.set(entry.userId, model);
    }
    model.update(entry.candidates[entry.chosen]!, entry.reward);
  }
  return { kind, forUser: (userId) => models.get(userId) ?? fresh };
}

/**
 * The target as the estimators call it: the policy of the decision's user, built once per user
 * from a snapshot of that user's model (the @oo/bandit constructors copy θ and A⁻¹), so every
 * evaluated decision meets one fixed policy.
 */
export function targetPolicy(spec: TargetSpec, models: FittedModels): TargetPolicy<LogEntry> {
  if (spec.kind === 'uniform') return uniformPolicy();
  const make = (model: LinearModel): TargetPolicy => {
    switch (spec.kind) {
      case 'egreedy':
        return epsilonGreedyPolicy(model, spec.epsilon!);
      case 'greedy':
        return greedyPolicy(model);
      default:
        return linUcbPolicy(model, spec.alpha!);
    }
  };
  const perModel = new Map<LinearModel, TargetPolicy>();
  return (candidates, decision) => {
    const model = models.forUser(decision.userId);
    let policy = perModel.get(model);
    if (policy === undefined) {
      policy = make(model);
      perModel.set(model, policy);
    }
    return policy(candidates, decision);
  };
}
