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
  DecisionCandidateRecord,
  DecisionPolicyParams,
  DecisionRecord,
  emptyUserState,
  FiguresRecord,
  MAX_CANDIDATES_PER_DECISION,
  POLICY_KEY_PATTERN,
  PolicyRecord,
  SCHEMA_VERSION,
  SYNC_EVENT_IDS_SIZE,
  SyncRecord,
  UserState,
} from './records/index.js';
export {
  LIST_USERS_PAGE_SIZE,
  type ListUsersOptions,
  MAX_LIST_USERS_PAGE_SIZE,
  type StateStore,
  type Update,
} from './store.js';
export { assertUserId, isValidUserId, USER_ID_PATTERN } from './user-id.js';
