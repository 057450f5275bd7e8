export { ConsumerFigures, FiguresRecord } from './figures-record.js';
export { type Decoded, decodeRecord, encodeRecord, type RecordOf } from './record-codec.js';
export { IsoDateTime, SCHEMA_VERSION } from './schema-version.js';
export { SYNC_EVENT_IDS_SIZE, SyncRecord } from './sync-record.js';
export {
  DECISION_LOG_SIZE,
  DecisionCandidateRecord,
  DecisionPolicyParams,
  DecisionRecord,
  emptyUserState,
  MAX_CANDIDATES_PER_DECISION,
  POLICY_KEY_PATTERN,
  PolicyRecord,
  UserState,
} from './user-state.js';
