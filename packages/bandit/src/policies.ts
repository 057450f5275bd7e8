import {
  allocating,
  type EncodeInto,
  encodeEgreedyV1Into,
  encodeEgreedyV2Into,
  encodeLinucbV1Into,
} from './encoders/encoders.js';
import {
  type FeatureName,
  PROFILE_FEATURE_NAMES,
  TASK_FEATURE_NAMES,
  WEEKDAY_FEATURE_NAMES,
} from './encoders/feature-names.js';
import type { EncodeContext, TaskInput } from './encoders/inputs.js';

/** Every policy the service serves, in a stable order (a tuple, so `z.enum(POLICY_IDS)` works). */
export const POLICY_IDS = ['linucb-v1', 'egreedy-v1', 'egreedy-v2'] as const;

export type PolicyId = (typeof POLICY_IDS)[number];

export type PolicyKind = 'linucb' | 'egreedy';

/** Exploration parameters for `decide`; a missing one falls back to the policy's default. */
export interface PolicyParams {
  /** LinUCB exploration weight α ≥ 0. */
  alpha?: number;
  /** ε-greedy exploration probability in [0, 1]. */
  epsilon?: number;
}

export interface PolicyDefaults extends PolicyParams {
  /** Ridge regulariser λ of the policy's LinearModel (SPEC §3: 1). */
  lambda: number;
  /**
   * Forgetting factor γ ∈ (0, 1] of the policy's LinearModel (ADR-0021); the table's policies say
   * 1 (off) and callers configure it per policy through `LinearModel.forPolicy(spec, { gamma })`.
   * @default 1
   */
  gamma?: number;
}

/** One row of the policy table: what the service and other callers read instead of repeating numbers. */
export interface PolicySpec {
  readonly id: PolicyId;
  /** Semver of the policy's features and scoring rule: the HTTP `policy_version`. */
  readonly version: string;
  /** Feature dimension of the policy's vectors and model. */
  readonly d: number;
  readonly kind: PolicyKind;
  /** Feature names in vector order; `features.length === d`. */
  readonly features: readonly FeatureName[];
  /** Encodes one candidate into a new Float64Array of exactly d features (SPEC §2). */
  encode(task: TaskInput, ctx: EncodeContext): Float64Array;
  /** The same, written into `out[offset … offset + d)` without allocating. */
  encodeInto: EncodeInto;
  readonly defaults: Readonly<PolicyDefaults>;
}

const LINUCB_V1_FEATURES = [...TASK_FEATURE_NAMES];
const EGREEDY_V1_FEATURES = [...LINUCB_V1_FEATURES, ...WEEKDAY_FEATURE_NAMES];
const EGREEDY_V2_FEATURES = [...EGREEDY_V1_FEATURES, ...PROFILE_FEATURE_NAMES];

function policy(
  id: PolicyId,
  kind: PolicyKind,
  features: readonly FeatureName[],
  encodeInto: EncodeInto,
  defaults: PolicyDefaults,
): PolicySpec {
  const d = features.length;
  return Object.freeze({
    id,
    version: '1.0.0',
    d,
    kind,
    features: Object.freeze([...features]),
    encode: allocating(encodeInto, d),
    encodeInto,
    defaults: Object.freeze({ ...defaults }),
  });
}

/**
 * The policy table (SPEC §2–3). egreedy-v1 is the active policy (ADR-0007), linucb-v1 the
 * shadow-eligible baseline, egreedy-v2 runs in shadow (ADR-0012). Defaults are the SPEC's
 * LINUCB_ALPHA, EGREEDY_EPSILON and EGREEDY_V2_EPSILON defaults; the service overrides them from
 * its environment through `decide`'s params.
 */
export const POLICIES: Readonly<Record<PolicyId, PolicySpec>> = Object.freeze({
  'linucb-v1': policy('linucb-v1', 'linucb', LINUCB_V1_FEATURES, encodeLinucbV1Into, {
    lambda: 1,
    gamma: 1,
    alpha: 1,
  }),
  'egreedy-v1': policy('egreedy-v1', 'egreedy', EGREEDY_V1_FEATURES, encodeEgreedyV1Into, {
    lambda: 1,
    gamma: 1,
    epsilon: 0.1,
  }),
  'egreedy-v2': policy('egreedy-v2', 'egreedy', EGREEDY_V2_FEATURES, encodeEgreedyV2Into, {
    lambda: 1,
    gamma: 1,
    epsilon: 0.1,
  }),
});

export function isPolicyId(value: unknown): value is PolicyId {
  return typeof value === 'string' && (POLICY_IDS as readonly string[]).includes(value);
}
