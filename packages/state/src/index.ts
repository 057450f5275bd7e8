export {
  CorruptRecordError,
  InvalidUserIdError,
  type RecordKind,
  StateError,
  StoreUnavailableError,
  UnknownSchemaVersionError,
} from './errors.js';
export {
  ConsumerFigures,
  DECISION_LOG_SIZE,
  DecisionRecord,
  emptyUserState,
  FiguresRecord,
  POLICY_KEY_PATTERN,
  PolicyRecord,
  SCHEMA_VERSION,
  SYNC_EVENT_IDS_SIZE,
  SyncRecord,
  UserState,
} from './records/index.js';
export type { StateStore, Update } from './store.js';
export { assertUserId, isValidUserId, USER_ID_PATTERN } from './user-id.js';
