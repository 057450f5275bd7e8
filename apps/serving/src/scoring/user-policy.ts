import { LinearModel, type PolicySpec } from '@oo/bandit';
import type { PolicyRecord, UserState } from '@oo/state';
import type { ModelSettings } from './policy-config.js';

/**
 * The user's model for a policy: the stored one, or a fresh ridge model (A = λI, b = 0) with the
 * configured γ. A stored model keeps the γ it was created with (it is part of what its A and b
 * mean) unless the settings say to apply the configured one to stored models (ADR-0022); without
 * settings, the policy table's defaults.
 */
export function loadModel(
  spec: PolicySpec,
  record: PolicyRecord | undefined,
  settings?: ModelSettings,
): LinearModel {
  if (!record) return LinearModel.forPolicy(spec, settings ? { gamma: settings.gamma } : {});
  const model = LinearModel.fromJSON(record.model);
  if (settings?.applyToStored && model.gamma !== settings.gamma) model.setGamma(settings.gamma);
  return model;
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
