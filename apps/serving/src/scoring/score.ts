import { decide, type PolicyParams, type PolicySpec, type Rng } from '@oo/bandit';
import type { CandidateScore } from '@oo/contracts';
import type { DecisionRecord, PolicyRecord, Update, UserState } from '@oo/state';
import type { ModelSettings } from './policy-config.js';
import { countMatches, decideShadows, type ShadowEntry, type ShadowInput } from './shadows.js';
import { loadModel, policyRecord, serializeModel, withPolicyRecord } from './user-policy.js';

export interface ScoreInput {
  spec: PolicySpec;
  params: PolicyParams;
  candidateIds: readonly string[];
  /** One encoded vector per candidate, in candidate order. */
  vectors: readonly Float64Array[];
  decisionId: string;
  now: Date;
  expiresAt: Date;
  /** Server time of the write (`updated_at`); `now` may be a caller-supplied past instant. */
  clock: Date;
  rng: Rng;
  /** Decisions a user's log keeps, newest first. */
  logSize: number;
  /** How a model this decision creates is configured. @default the policy table's defaults */
  settings?: ModelSettings;
  /** Shadow policies that decide beside this one, and their own random stream (ADR-0022). @default none */
  shadows?: { policies: readonly ShadowInput[]; rng: Rng };
}

export interface ScoreOutcome {
  decision: DecisionRecord;
  explored: boolean;
  scores: CandidateScore[];
  /** What each shadow decided, in `shadows` order (also logged on `decision`). */
  shadows: ShadowEntry[];
}

/**
 * One decision as a pure state transition, run inside `StateStore.updateUser` so that the model
 * read, `n_scores` and the decision log change atomically with respect to every other writer.
 */
export function applyScore(state: UserState, input: ScoreInput): Update<ScoreOutcome> {
  const { spec } = input;
  const current = policyRecord(state, spec);
  const model = loadModel(spec, current, input.settings);
  const choice = decide(spec, model, input.vectors, input.params, input.rng);
  const ts = input.now.toISOString();
  const scores = input.candidateIds.map((id, i) => ({
    id,
    score: choice.scores[i]!,
    expected_reward: choice.expected[i]!,
    exploration_bonus: choice.bonus[i]!,
  }));
  // The shadows decide after the active policy has, from their own random stream: they cannot
  // change its choice.
  const shadows = input.shadows
    ? decideShadows(state, input.shadows.policies, input.candidateIds, choice.chosenIndex, input.shadows.rng)
    : [];
  const decision: DecisionRecord = {
    decision_id: input.decisionId,
    policy: spec.id,
    ts,
    expires_at: input.expiresAt.toISOString(),
    chosen_id: input.candidateIds[choice.chosenIndex]!,
    features: Array.from(input.vectors[choice.chosenIndex]!),
    propensity: choice.propensity,
    reward: null,
    rewarded_at: null,
    ...(shadows.length > 0 ? { shadows } : {}),
  };
  const matches =
    shadows.length > 0 ? countMatches(current?.shadows, shadows, decision.chosen_id) : undefined;
  const record: PolicyRecord = {
    ...current,
    model: current?.model ?? serializeModel(model),
    n_scores: (current?.n_scores ?? 0) + 1,
    n_rewards: current?.n_rewards ?? 0,
    reward_sum: current?.reward_sum ?? 0,
    updated_at: input.clock.toISOString(),
    ...(matches ? { shadows: matches } : {}),
  };
  const decisions = [decision, ...state.decisions].slice(0, input.logSize);
  return {
    result: { decision, explored: choice.explored, scores, shadows },
    state: withPolicyRecord(state, spec, record, decisions),
  };
}
