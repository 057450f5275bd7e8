export { type LineIssue, LogInputError, UsageError } from './errors.js';
export type {
  EstimateFailure,
  EstimateResult,
  GroupResult,
  OnPolicyResult,
  TargetResult,
} from './evaluate.js';
export { evaluateLog, type OpeIo, runOpeCli } from './ope-command.js';
export { DEFAULT_EPSILONS, type OpeOptions, parseOpeArgs, USAGE } from './options.js';
export { MAX_LINE_CHARS, type PolicyParams } from './read-log.js';
export { formatJson, formatText, type OpeReport } from './report.js';
export { MODEL_KINDS, type ModelKind, TARGET_KINDS, type TargetKind } from './targets.js';
