import { POLICIES, type PolicyId, type PolicyParams, type PolicySpec } from '@oo/bandit';
import type { ServingEnv } from '../env.js';

/** The URL suffix of each policy's /score, /reward and /stats endpoints (SPEC §2). */
export const POLICY_ROUTES: readonly { policy: PolicyId; suffix: string }[] = [
  { policy: 'linucb-v1', suffix: '' },
  { policy: 'egreedy-v1', suffix: '/egreedy' },
  { policy: 'egreedy-v2', suffix: '/egreedy/v2' },
];

export type ExplorationEnv = Pick<ServingEnv, 'LINUCB_ALPHA' | 'EGREEDY_EPSILON' | 'EGREEDY_V2_EPSILON'>;

/** The exploration parameters of a policy: α or ε from the environment, else the policy table's default. */
export function policyParams(spec: PolicySpec, env: Partial<ExplorationEnv>): PolicyParams {
  if (spec.kind === 'linucb') return { alpha: env.LINUCB_ALPHA ?? spec.defaults.alpha };
  const epsilon = spec.id === 'egreedy-v2' ? env.EGREEDY_V2_EPSILON : env.EGREEDY_EPSILON;
  return { epsilon: epsilon ?? spec.defaults.epsilon };
}

export function policySpec(policy: PolicyId): PolicySpec {
  return POLICIES[policy];
}
