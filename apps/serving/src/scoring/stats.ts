import { isPolicyId, type PolicyId, type PolicySpec } from '@oo/bandit';
import type { DecisionLogEntry, StatsResponse } from '@oo/contracts';
import type { PolicyRecord, UserState } from '@oo/state';
import { loadModel, policyRecord } from './user-policy.js';

type ShadowStats = NonNullable<StatsResponse['shadows']>;

/**
 * A user's figures for one policy; a user never seen gets zeros and θ = 0 (A = λI, b = 0).
 * `gamma` appears only for a model that forgets and `shadows` only once a shadow has decided
 * beside this policy, so the answer is what it always was while neither feature is used.
 */
export function userStats(state: UserState, spec: PolicySpec): StatsResponse {
  const record = policyRecord(state, spec);
  const model = record ? loadModel(spec, record) : undefined;
  const n_rewards = record?.n_rewards ?? 0;
  const reward_sum = record?.reward_sum ?? 0;
  // Rewards are in [-1, 1], so the mean is too; the clamp only absorbs summation rounding.
  const mean = n_rewards > 0 ? Math.min(1, Math.max(-1, reward_sum / n_rewards)) : 0;
  const shadows = shadowStats(record);
  return {
    user_id: state.user_id,
    policy: spec.id,
    d: spec.d,
    n_scores: record?.n_scores ?? 0,
    n_rewards,
    reward_sum,
    mean_reward: mean,
    theta: model ? Array.from(model.theta()) : new Array<number>(spec.d).fill(0),
    updated_at: record?.updated_at ?? null,
    ...(model && model.gamma !== 1 ? { gamma: model.gamma } : {}),
    ...(shadows ? { shadows } : {}),
  };
}

/** The apprentice match rate of every shadow this policy has had, for one user. */
function shadowStats(record: PolicyRecord | undefined): ShadowStats | undefined {
  const stats: ShadowStats = {};
  let any = false;
  for (const [policy, match] of Object.entries(record?.shadows ?? {})) {
    // A policy this version does not know (written by a newer one) is not part of its contract.
    if (!match || match.decisions === 0 || !isPolicyId(policy)) continue;
    stats[policy as PolicyId] = {
      decisions: match.decisions,
      agreements: match.agreements,
      match_rate: match.agreements / match.decisions,
    };
    any = true;
  }
  return any ? stats : undefined;
}

/** The decision log as GET /features shows it: newest first, without the bookkeeping fields. */
export function decisionLog(state: UserState): DecisionLogEntry[] {
  return state.decisions.map((entry) => {
    const shadows = (entry.shadows ?? [])
      .filter((shadow) => isPolicyId(shadow.policy))
      .map((shadow) => ({
        policy: shadow.policy as PolicyId,
        chosen_id: shadow.chosen_id,
        features: shadow.features,
        propensity: shadow.propensity,
      }));
    return {
      decision_id: entry.decision_id,
      policy: entry.policy as DecisionLogEntry['policy'],
      ts: entry.ts,
      chosen_id: entry.chosen_id,
      features: entry.features,
      propensity: entry.propensity,
      reward: entry.reward,
      ...(shadows.length > 0 ? { shadows } : {}),
    };
  });
}
