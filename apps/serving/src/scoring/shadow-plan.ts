import {
  type EncodeContext,
  type FeatureName,
  POLICIES,
  type PolicyId,
  type PolicySpec,
  PROFILE_FEATURE_NAMES,
  type TaskInput,
} from '@oo/bandit';
import type { ServingEnv } from '../env.js';
import { type ExplorationEnv, type ModelEnv, modelSettings, policyParams } from './policy-config.js';
import type { ShadowInput } from './shadows.js';

export type ShadowSkipReason = 'missing_profile_features';

export interface ShadowSkip {
  policy: PolicyId;
  reason: ShadowSkipReason;
}

export interface EncodedShadows {
  /** The shadows that can decide on this request, each with its own vectors. */
  policies: ShadowInput[];
  /** The shadows that cannot, and why. */
  skipped: ShadowSkip[];
}

/** The shadow policies of one route, built once at start-up. */
export interface ShadowPlan {
  /** Encodes the candidates for every shadow that has the inputs it needs. */
  encode(candidates: readonly { task: TaskInput }[], ctx: EncodeContext): EncodedShadows;
}

export type ShadowEnv = Partial<ExplorationEnv & ModelEnv & Pick<ServingEnv, 'SHADOW_POLICIES'>>;

const PROFILE_FEATURES: ReadonlySet<FeatureName> = new Set(PROFILE_FEATURE_NAMES);

/**
 * The shadows that decide beside `active`: every policy of SHADOW_POLICIES except `active`
 * itself (a policy cannot shadow its own decision), with the same exploration and model settings
 * as on its own routes.
 */
export function planShadows(active: PolicySpec, env: ShadowEnv): ShadowPlan {
  const shadows = (env.SHADOW_POLICIES ?? [])
    .filter((id) => id !== active.id)
    .map((id) => {
      const spec = POLICIES[id];
      return {
        spec,
        params: policyParams(spec, env),
        settings: modelSettings(spec, env),
        needsProfile: spec.features.some((name) => PROFILE_FEATURES.has(name)),
      };
    });
  return {
    encode(candidates, ctx) {
      const encoded: EncodedShadows = { policies: [], skipped: [] };
      for (const { spec, params, settings, needsProfile } of shadows) {
        // Only /score/egreedy/v2 requires profile_features; on the other routes they are optional,
        // and a shadow that needs them sits out the requests that lack them.
        if (needsProfile && ctx.profile_features === undefined) {
          encoded.skipped.push({ policy: spec.id, reason: 'missing_profile_features' });
          continue;
        }
        const vectors = candidates.map((candidate) => spec.encode(candidate.task, ctx));
        encoded.policies.push({ spec, params, settings, vectors });
      }
      return encoded;
    },
  };
}
