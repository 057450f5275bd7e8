import type { PolicyId, PolicySpec } from '@oo/bandit';
import type { DecisionRecord, PolicyRecord, Update, UserState } from '@oo/state';
import { DecisionNotFoundError, PolicyMismatchError, ValidationError } from '../errors.js';
import type { ModelSettingsByPolicy } from './policy-config.js';
import { rewardShadows, type ShadowEntry } from './shadows.js';
import { loadModel, policyRecord, serializeModel } from './user-policy.js';

export type RewardTarget = { decisionId: string } | { features: readonly number[] };

export interface RewardInput {
  spec: PolicySpec;
  reward: number;
  target: RewardTarget;
  /** Server time: decides expiry and stamps `rewarded_at`/`updated_at`. */
  now: Date;
  /** How models this reward creates or updates are configured. @default the policy table's defaults */
  settings?: ModelSettingsByPolicy;
}

export interface RewardOutcome {
  n_rewards: number;
  duplicate: boolean;
  /** Shadow policies whose model also learned from this reward (ADR-0022). */
  shadows: PolicyId[];
}

function findDecision(state: UserState, spec: PolicySpec, decisionId: string): DecisionRecord {
  const decision = state.decisions.find((entry) => entry.decision_id === decisionId);
  if (!decision) throw new DecisionNotFoundError('decision_not_found', decisionId);
  if (decision.policy !== spec.id) throw new PolicyMismatchError(decisionId, decision.policy, spec.id);
  return decision;
}

/**
 * A reward as a pure state transition inside `StateStore.updateUser`. By decision id it is
 * idempotent: a decision already rewarded answers `duplicate` and writes nothing, whether or not
 * it has expired since (ADR-0008). Every check runs before the model is touched, so a rejected
 * reward never reaches A or b. By decision id it also trains the shadows that decided on it, in
 * the same write (ADR-0022); by features it trains the route's policy only.
 */
export function applyReward(state: UserState, input: RewardInput): Update<RewardOutcome> {
  const { spec, reward, target, now } = input;
  const current = policyRecord(state, spec);
  const stamp = now.toISOString();
  let features: readonly number[];
  let decisions = state.decisions;
  let shadows: readonly ShadowEntry[] = [];
  if ('decisionId' in target) {
    const decision = findDecision(state, spec, target.decisionId);
    if (decision.reward !== null) {
      return { result: { n_rewards: current?.n_rewards ?? 0, duplicate: true, shadows: [] } };
    }
    if (now.getTime() > Date.parse(decision.expires_at)) {
      throw new DecisionNotFoundError('decision_expired', target.decisionId, decision.expires_at);
    }
    features = decision.features;
    shadows = decision.shadows ?? [];
    decisions = state.decisions.map((entry) =>
      entry === decision ? { ...entry, reward, rewarded_at: stamp } : entry,
    );
  } else {
    if (target.features.length !== spec.d) {
      throw new ValidationError([
        {
          path: 'features',
          message: `features must hold exactly ${spec.d} numbers for ${spec.id}, got ${target.features.length}`,
        },
      ]);
    }
    features = target.features;
  }
  const model = loadModel(spec, current, input.settings?.[spec.id]);
  model.update(features, reward);
  const n_rewards = (current?.n_rewards ?? 0) + 1;
  const record: PolicyRecord = {
    ...current,
    model: serializeModel(model),
    n_scores: current?.n_scores ?? 0,
    n_rewards,
    reward_sum: (current?.reward_sum ?? 0) + reward,
    updated_at: stamp,
  };
  const trained = rewardShadows(state.policies, shadows, reward, stamp, input.settings);
  return {
    result: { n_rewards, duplicate: false, shadows: trained.updated },
    state: { ...state, policies: { ...trained.policies, [spec.id]: record }, decisions },
  };
}
