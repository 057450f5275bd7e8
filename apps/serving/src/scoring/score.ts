import { decide, type PolicyParams, type PolicySpec, type Rng } from '@oo/bandit';
import type { CandidateScore } from '@oo/contracts';
import type {
  DecisionCandidateRecord,
  DecisionPolicyParams,
  DecisionRecord,
  PolicyRecord,
  Update,
  UserState,
} from '@oo/state';
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
  /**
   * Log every candidate's vector, the policy's version and its parameters with the decision, for
   * off-policy evaluation (ADR-0023). @default false
   */
  logCandidates?: boolean;
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
    ...(input.logCandidates
      ? {
          ...loggedCandidates(input.candidateIds, input.vectors, choice.chosenIndex),
          policy_version: spec.version,
          policy_params: loggedParams(input.params, model.gamma, model.lambda),
        }
      : {}),
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

/**
 * Every candidate in request order with the vector the encoder made (numbers as they are: JSON
 * writes the shortest text that reads back to the same double), each number kept once: the chosen
 * candidate's vector is the decision's `features`, and the columns every candidate shares (time
 * of day and week, the profile) are left out of the others' (ADR-0023). Without that, ten
 * candidates would more than quadruple a 100-decision record, past the 128 kB at which V8
 * allocates each write's text and buffer as large objects (about 1 ms more per write, measured).
 */
function loggedCandidates(
  ids: readonly string[],
  vectors: readonly Float64Array[],
  chosen: number,
): Pick<DecisionRecord, 'candidates' | 'shared_columns'> {
  const reference = vectors[chosen]!;
  const own: number[] = [];
  const shared: number[] = [];
  for (let j = 0; j < reference.length; j++) {
    let same = true;
    for (let i = 0; i < vectors.length && same; i++) same = vectors[i]![j] === reference[j];
    (same && vectors.length > 1 ? shared : own).push(j);
  }
  const candidates: DecisionCandidateRecord[] = new Array(ids.length);
  for (let i = 0; i < ids.length; i++) {
    if (i === chosen) {
      candidates[i] = { id: ids[i]! };
      continue;
    }
    const vector = vectors[i]!;
    const features = new Array<number>(own.length);
    for (let k = 0; k < own.length; k++) features[k] = vector[own[k]!]!;
    candidates[i] = { id: ids[i]!, features };
  }
  return shared.length > 0 ? { candidates, shared_columns: shared } : { candidates };
}

/** What the decision was made with: α or ε as configured, γ and λ of the model that scored. */
function loggedParams(params: PolicyParams, gamma: number, lambda: number): DecisionPolicyParams {
  return {
    ...(params.alpha === undefined ? {} : { alpha: params.alpha }),
    ...(params.epsilon === undefined ? {} : { epsilon: params.epsilon }),
    gamma,
    lambda,
  };
}
