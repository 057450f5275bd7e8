import type { PolicySpec } from '@oo/bandit';
import type { DecisionLogEntry, StatsResponse } from '@oo/contracts';
import type { UserState } from '@oo/state';
import { loadModel, policyRecord } from './user-policy.js';

/** A user's figures for one policy; a user never seen gets zeros and θ = 0 (A = λI, b = 0). */
export function userStats(state: UserState, spec: PolicySpec): StatsResponse {
  const record = policyRecord(state, spec);
  const n_rewards = record?.n_rewards ?? 0;
  const reward_sum = record?.reward_sum ?? 0;
  // Rewards are in [-1, 1], so the mean is too; the clamp only absorbs summation rounding.
  const mean = n_rewards > 0 ? Math.min(1, Math.max(-1, reward_sum / n_rewards)) : 0;
  return {
    user_id: state.user_id,
    policy: spec.id,
    d: spec.d,
    n_scores: record?.n_scores ?? 0,
    n_rewards,
    reward_sum,
    mean_reward: mean,
    theta: record ? Array.from(loadModel(spec, record).theta()) : new Array<number>(spec.d).fill(0),
    updated_at: record?.updated_at ?? null,
  };
}

/** The decision log as GET /features shows it: newest first, without the bookkeeping fields. */
export function decisionLog(state: UserState): DecisionLogEntry[] {
  return state.decisions.map((entry) => ({
    decision_id: entry.decision_id,
    policy: entry.policy as DecisionLogEntry['policy'],
    ts: entry.ts,
    chosen_id: entry.chosen_id,
    features: entry.features,
    propensity: entry.propensity,
    reward: entry.reward,
  }));
}
