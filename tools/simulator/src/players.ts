import {
  decide,
  type EncodeContext,
  LinearModel,
  POLICIES,
  type PolicyId,
  type PolicyParams,
  type Rng,
} from '@oo/bandit';
import type { SimUser } from './population.js';
import { STREAM, streamRng } from './seeds.js';
import type { Round } from './world.js';

/** One player's play for one user: choose a candidate, then learn from the reward. */
export interface Player {
  choose(round: Round): number | Promise<number>;
  learn(round: Round, index: number, reward: number): void | Promise<void>;
}

export interface PlayerContext {
  seed: number;
  user: SimUser;
  /**
   * A label derived from the player's id: each player draws from its own stream, the same one
   * whichever other players share the run.
   */
  stream: number;
}

/** What a run plays: a named strategy that makes a fresh Player for each user. */
export interface PlayerKind {
  /** Stable id, used in tables and file names: a policy id, `uniform`, `oracle`, or a variant. */
  readonly id: string;
  /** Learning policies are compared with uniform in tests; baselines are not. */
  readonly learns: boolean;
  create(context: PlayerContext): Player;
}

export const BASELINE_IDS = ['uniform', 'oracle'] as const;
export type BaselineId = (typeof BASELINE_IDS)[number];

/** Picks uniformly at random: the floor every learning policy must clear. */
export const UNIFORM: PlayerKind = {
  id: 'uniform',
  learns: false,
  create({ seed, user, stream }) {
    const rng = streamRng(seed, STREAM.player, stream, user.index);
    return {
      choose: (round) => Math.floor(rng.next() * round.candidates.length),
      learn: () => {},
    };
  },
};

/** Knows the hidden model and always picks the best candidate: its regret is 0 by definition. */
export const ORACLE: PlayerKind = {
  id: 'oracle',
  learns: false,
  create() {
    return { choose: (round) => round.best, learn: () => {} };
  },
};

export interface InProcessPolicyOptions {
  /** Exploration parameters; the policy table's defaults otherwise. */
  params?: PolicyParams;
  /** Forgetting factor γ ∈ (0, 1] of the model (ADR-0021); the table's default (1, off) otherwise. */
  gamma?: number;
  /** Called once per decision, after its reward, with everything a decision log records. */
  onDecision?: (decision: InProcessDecision) => void;
}

/** One decision of an in-process policy, as `onDecision` sees it (the vectors are reused afterwards). */
export interface InProcessDecision {
  /** The player id, e.g. `egreedy-v1` or `egreedy-v1 γ=0.99`. */
  playerId: string;
  policy: PolicyId;
  /** The parameters `decide` used, and the model's λ and γ. */
  params: { alpha?: number; epsilon?: number; gamma: number; lambda: number };
  seed: number;
  user: SimUser;
  round: Round;
  /** Every candidate's encoding, in candidate order. */
  vectors: readonly Float64Array[];
  chosen: number;
  /** `decide`'s propensity of the chosen candidate. */
  propensity: number;
  reward: number;
}

/**
 * A policy of the @oo/bandit table, played in this process exactly as the service plays it: one
 * ridge model per user, SPEC §2 encodings of the same candidates, `decide` with the policy's
 * default parameters, the chosen vector updated with the reward. With `gamma` the model forgets
 * (discounted ridge) and the player is named `<policy> γ=<gamma>`.
 */
export function inProcessPolicy(policy: PolicyId, options: InProcessPolicyOptions = {}): PlayerKind {
  const spec = POLICIES[policy];
  const params = options.params ?? {};
  const gamma = options.gamma;
  const id = gamma === undefined ? policy : discountedId(policy, gamma);
  const merged = { ...spec.defaults, ...params };
  const logged = {
    ...(spec.kind === 'linucb' ? { alpha: merged.alpha ?? 1 } : { epsilon: merged.epsilon ?? 0.1 }),
    gamma: gamma ?? spec.defaults.gamma ?? 1,
    lambda: spec.defaults.lambda,
  };
  const { onDecision } = options;
  return {
    id,
    learns: true,
    create({ seed, user, stream }) {
      const model = LinearModel.forPolicy(spec, gamma === undefined ? {} : { gamma });
      const rng: Rng = streamRng(seed, STREAM.player, stream, user.index);
      const pool: Float64Array[] = [];
      let vectors: Float64Array[] = [];
      let propensity = 1;
      return {
        choose(round) {
          const ctx: EncodeContext = {
            now: round.now,
            tz_offset_min: round.tzOffsetMin,
            profile_features: round.profile,
          };
          const k = round.candidates.length;
          while (pool.length < k) pool.push(new Float64Array(spec.d));
          vectors = pool.slice(0, k);
          for (let i = 0; i < k; i++) spec.encodeInto(round.candidates[i]!.task, ctx, vectors[i]!, 0);
          const decision = decide(spec, model, vectors, merged, rng);
          propensity = decision.propensity;
          return decision.chosenIndex;
        },
        learn(round, index, reward) {
          model.update(vectors[index]!, reward);
          onDecision?.({
            playerId: id,
            policy,
            params: logged,
            seed,
            user,
            round,
            vectors,
            chosen: index,
            propensity,
            reward,
          });
        },
      };
    },
  };
}

/** The player id of a policy played with forgetting factor γ, e.g. `egreedy-v1 γ=0.99`. */
export function discountedId(policy: PolicyId, gamma: number): string {
  return `${policy} γ=${gamma}`;
}
