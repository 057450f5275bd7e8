export {
  EVENT_SUBJECTS,
  eventSchemaForSubject,
  FeedbackEvent,
  TaskSyncedEvent,
  TipFeedbackEvent,
} from './events/v1/index.js';
export { DECISION_LOG_FORMAT_VERSION, DecisionLogLine } from './export/decision-log-line.js';
export { DecisionExportQuery } from './http/decision-export.js';
export { ERROR_CODES, ErrorBody, type ErrorCode } from './http/error.js';
export { DecisionLogEntry, FeaturesResponse } from './http/features.js';
export { GenerateRequest, GenerateResponse, SilencedResponse, TipCandidate } from './http/generate.js';
export { ConsumerFigures, HealthResponse } from './http/health.js';
export {
  OPE_DEFAULT_MAX_DECISIONS,
  OPE_MAX_DECISIONS,
  OPE_MODEL_KINDS,
  OPE_TARGET_KINDS,
  OpeReport,
  OpeRequest,
} from './http/ope.js';
export { AgentRegistryResponse, RegisteredAgent } from './http/registry.js';
export { ResetResponse } from './http/reset.js';
export { RewardRequest, RewardResponse } from './http/reward.js';
export {
  CandidateScore,
  ScoreCandidate,
  ScoreRequest,
  ScoreRequestWithProfile,
  ScoreResponse,
  TaskFeatures,
} from './http/score.js';
export { StatsResponse } from './http/stats.js';
export { DecisionId, PolicyId, UserId } from './ids.js';
export { AgentManifest } from './manifest.js';
