import { POLICIES, POLICY_IDS, type PolicyId, type PolicyParams, type PolicySpec } from '@oo/bandit';
import type { ServingEnv } from '../env.js';

/** The URL suffix of each policy's /score, /reward and /stats endpoints (SPEC §2). */
export const POLICY_ROUTES: readonly { policy: PolicyId; suffix: string }[] = [
  { policy: 'linucb-v1', suffix: '' },
  { policy: 'egreedy-v1', suffix: '/egreedy' },
  { policy: 'egreedy-v2', suffix: '/egreedy/v2' },
];

export type ExplorationEnv = Pick<ServingEnv, 'LINUCB_ALPHA' | 'EGREEDY_EPSILON' | 'EGREEDY_V2_EPSILON'>;
export type ModelEnv = Pick<
  ServingEnv,
  'LINUCB_GAMMA' | 'EGREEDY_GAMMA' | 'EGREEDY_V2_GAMMA' | 'APPLY_GAMMA_TO_STORED_MODELS'
>;

/** How the per-user models of one policy are created and kept (ADR-0021, ADR-0022). */
export interface ModelSettings {
  /** Forgetting factor of a model created now. */
  gamma: number;
  /**
   * Whether a stored model whose γ differs takes `gamma` from its next update on; otherwise it
   * keeps the γ it was created with.
   */
  applyToStored: boolean;
}

export type ModelSettingsByPolicy = Readonly<Record<PolicyId, ModelSettings>>;

/** The exploration parameters of a policy: α or ε from the environment, else the policy table's default. */
export function policyParams(spec: PolicySpec, env: Partial<ExplorationEnv>): PolicyParams {
  if (spec.kind === 'linucb') return { alpha: env.LINUCB_ALPHA ?? spec.defaults.alpha };
  const epsilon = spec.id === 'egreedy-v2' ? env.EGREEDY_V2_EPSILON : env.EGREEDY_EPSILON;
  return { epsilon: epsilon ?? spec.defaults.epsilon };
}

export function policySpec(policy: PolicyId): PolicySpec {
  return POLICIES[policy];
}

/** γ of a policy: from the environment, else the policy table's default (1, no forgetting). */
export function modelSettings(spec: PolicySpec, env: Partial<ModelEnv>): ModelSettings {
  const gamma =
    spec.id === 'linucb-v1'
      ? env.LINUCB_GAMMA
      : spec.id === 'egreedy-v1'
        ? env.EGREEDY_GAMMA
        : env.EGREEDY_V2_GAMMA;
  return {
    gamma: gamma ?? spec.defaults.gamma ?? 1,
    applyToStored: env.APPLY_GAMMA_TO_STORED_MODELS ?? false,
  };
}

/** Every policy's model settings: a reward may update several policies' models (shadows). */
export function modelSettingsByPolicy(env: Partial<ModelEnv>): ModelSettingsByPolicy {
  return Object.fromEntries(POLICY_IDS.map((id) => [id, modelSettings(POLICIES[id], env)])) as Record<
    PolicyId,
    ModelSettings
  >;
}
