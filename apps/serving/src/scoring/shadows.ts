import {
  decide,
  isPolicyId,
  POLICIES,
  type PolicyId,
  type PolicyParams,
  type PolicySpec,
  type Rng,
} from '@oo/bandit';
import type { DecisionRecord, PolicyRecord, UserState } from '@oo/state';
import type { ModelSettings, ModelSettingsByPolicy } from './policy-config.js';
import { loadModel, serializeModel } from './user-policy.js';

/** One shadow's decision as the decision log keeps it (docs/adr/0022). */
export type ShadowEntry = NonNullable<DecisionRecord['shadows']>[number];
/** Per shadow policy: decisions compared with the active policy's and agreements. */
export type ShadowMatches = NonNullable<PolicyRecord['shadows']>;

/** A shadow policy ready to decide on one request's candidates. */
export interface ShadowInput {
  spec: PolicySpec;
  params: PolicyParams;
  settings: ModelSettings;
  /** The shadow's own encoding of every candidate, in candidate order. */
  vectors: readonly Float64Array[];
}

// XORed into the low 32 bits of the service's seed to seed the shadows' stream. `createRng` maps
// distinct seeds to distinct states and this is an involution without a fixed point, so the two
// streams never share a state, and the high bits stay put, so the result is a safe integer.
const SHADOW_STREAM = 0x5ad0_5eed;
const TWO_POW_32 = 2 ** 32;

/**
 * The seed of the shadow policies' random stream, derived from the service's seed: a shadow's
 * ε-greedy draws never consume the active policy's numbers, so the active choices for a seed are
 * the same with or without shadows.
 */
export function shadowSeed(seed: number): number {
  const high = Math.floor(seed / TWO_POW_32);
  const low = seed - high * TWO_POW_32;
  return high * TWO_POW_32 + ((low ^ SHADOW_STREAM) >>> 0);
}

/**
 * Each shadow decides on the same candidates with its own per-user model and its own stream of
 * randomness. Nothing here touches the active decision, which has been made before this runs.
 */
export function decideShadows(
  state: UserState,
  shadows: readonly ShadowInput[],
  candidateIds: readonly string[],
  activeIndex: number,
  rng: Rng,
): ShadowEntry[] {
  return shadows.map((shadow) => {
    const model = loadModel(shadow.spec, state.policies[shadow.spec.id], shadow.settings);
    const choice = decide(shadow.spec, model, shadow.vectors, shadow.params, rng);
    const entry: ShadowEntry = {
      policy: shadow.spec.id,
      chosen_id: candidateIds[choice.chosenIndex]!,
      features: Array.from(shadow.vectors[choice.chosenIndex]!),
      propensity: choice.propensity,
    };
    // What its model will learn from if the shown candidate is rewarded; when it agreed, that
    // is `features` already, so the log does not keep it twice.
    if (choice.chosenIndex !== activeIndex) entry.shown_features = Array.from(shadow.vectors[activeIndex]!);
    return entry;
  });
}

/** The active record's match counts after one decision that the shadows in `entries` made too. */
export function countMatches(
  current: ShadowMatches | undefined,
  entries: readonly ShadowEntry[],
  activeChosenId: string,
): ShadowMatches {
  const next: ShadowMatches = { ...current };
  for (const entry of entries) {
    const before = next[entry.policy] ?? { decisions: 0, agreements: 0 };
    next[entry.policy] = {
      decisions: before.decisions + 1,
      agreements: before.agreements + (entry.chosen_id === activeChosenId ? 1 : 0),
    };
  }
  return next;
}

export interface ShadowRewards {
  policies: UserState['policies'];
  /** The shadow policies whose model learned from this reward. */
  updated: PolicyId[];
}

/**
 * A rewarded decision also trains each shadow that decided on it, with the shadow's own encoding
 * of the candidate the active policy chose: that is what the user saw and reacted to. A shadow
 * this version does not know (a record from a newer deployment) cannot be trained here and is
 * left alone.
 */
export function rewardShadows(
  policies: UserState['policies'],
  entries: readonly ShadowEntry[],
  reward: number,
  stamp: string,
  settings: ModelSettingsByPolicy | undefined,
): ShadowRewards {
  const next = { ...policies };
  const updated: PolicyId[] = [];
  for (const entry of entries) {
    if (!isPolicyId(entry.policy)) continue;
    const spec = POLICIES[entry.policy];
    const current = next[spec.id];
    const model = loadModel(spec, current, settings?.[spec.id]);
    model.update(entry.shown_features ?? entry.features, reward);
    next[spec.id] = {
      ...current,
      model: serializeModel(model),
      n_scores: current?.n_scores ?? 0,
      n_rewards: (current?.n_rewards ?? 0) + 1,
      reward_sum: (current?.reward_sum ?? 0) + reward,
      updated_at: stamp,
    };
    updated.push(spec.id);
  }
  return { policies: next, updated };
}
