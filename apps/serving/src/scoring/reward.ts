import type { PolicySpec } from '@oo/bandit';
import type { DecisionRecord, Update, UserState } from '@oo/state';
import { DecisionNotFoundError, PolicyMismatchError, ValidationError } from '../errors.js';
import { loadModel, policyRecord, serializeModel, withPolicyRecord } from './user-policy.js';

export type RewardTarget = { decisionId: string } | { features: readonly number[] };

export interface RewardInput {
  spec: PolicySpec;
  reward: number;
  target: RewardTarget;
  /** Server time: decides expiry and stamps `rewarded_at`/`updated_at`. */
  now: Date;
}

export interface RewardOutcome {
  n_rewards: number;
  duplicate: boolean;
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
 * reward never reaches A or b.
 */
export function applyReward(state: UserState, input: RewardInput): Update<RewardOutcome> {
  const { spec, reward, target, now } = input;
  const current = policyRecord(state, spec);
  const stamp = now.toISOString();
  let features: readonly number[];
  let decisions = state.decisions;
  if ('decisionId' in target) {
    const decision = findDecision(state, spec, target.decisionId);
    if (decision.reward !== null) {
      return { result: { n_rewards: current?.n_rewards ?? 0, duplicate: true } };
    }
    if (now.getTime() > Date.parse(decision.expires_at)) {
      throw new DecisionNotFoundError('decision_expired', target.decisionId, decision.expires_at);
    }
    features = decision.features;
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
  const model = loadModel(spec, current);
  model.update(features, reward);
  const n_rewards = (current?.n_rewards ?? 0) + 1;
  const record = {
    model: serializeModel(model),
    n_scores: current?.n_scores ?? 0,
    n_rewards,
    reward_sum: (current?.reward_sum ?? 0) + reward,
    updated_at: stamp,
  };
  return {
    result: { n_rewards, duplicate: false },
    state: withPolicyRecord(state, spec, record, decisions),
  };
}
