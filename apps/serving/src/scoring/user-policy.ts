import { LinearModel, type PolicySpec } from '@oo/bandit';
import type { PolicyRecord, UserState } from '@oo/state';

/** The user's model for a policy: the stored one, or a fresh ridge model (A = λI, b = 0). */
export function loadModel(spec: PolicySpec, record: PolicyRecord | undefined): LinearModel {
  return record ? LinearModel.fromJSON(record.model) : LinearModel.create(spec.d, spec.defaults.lambda);
}

export function policyRecord(state: UserState, spec: PolicySpec): PolicyRecord | undefined {
  return state.policies[spec.id];
}

/** A copy of `state` with the policy's record replaced; the input is never mutated (fn may be retried). */
export function withPolicyRecord(
  state: UserState,
  spec: PolicySpec,
  record: PolicyRecord,
  decisions: UserState['decisions'] = state.decisions,
): UserState {
  return { ...state, policies: { ...state.policies, [spec.id]: record }, decisions };
}

export function serializeModel(model: LinearModel): PolicyRecord['model'] {
  return model.toJSON() as unknown as PolicyRecord['model'];
}
