export { type Decision, decide } from './decide.js';
export type { EncodeInto } from './encoders/encoders.js';
export { type FeatureName, PROFILE_FEATURE_NAMES } from './encoders/feature-names.js';
export type { EncodeContext, TaskInput } from './encoders/inputs.js';
export {
  BanditError,
  DimensionError,
  InvalidInputError,
  ModelFormatError,
  NonFiniteError,
} from './errors.js';
export { LinearModel, type LinearModelOptions, type ModelParams } from './linear-model.js';
export type { SerializedModel, SerializedModelV1, SerializedModelV2 } from './model-format.js';
export type { DirectModelOptions } from './ope/direct-model.js';
export {
  type DoublyRobustEstimate,
  type DoublyRobustOptions,
  doublyRobustEstimate,
  type EstimateFailure,
  type EstimateOptions,
  type EstimatorName,
  evaluatePolicies,
  evaluatePolicy,
  ipsEstimate,
  type PolicyEstimate,
  type PolicyEvaluation,
  snipsEstimate,
  type WeightDiagnostics,
} from './ope/estimators.js';
export type { LoggedDecision } from './ope/logged-decision.js';
export {
  epsilonGreedyPolicy,
  greedyPolicy,
  type LinearScorer,
  linUcbPolicy,
  type TargetPolicy,
  uniformPolicy,
} from './ope/target-policies.js';
export {
  isPolicyId,
  POLICIES,
  POLICY_IDS,
  type PolicyDefaults,
  type PolicyId,
  type PolicyKind,
  type PolicyParams,
  type PolicySpec,
} from './policies.js';
export { createRng, type Rng } from './rng.js';
