import type { Logger } from '@oo/observability';
import type { StateStore } from '@oo/state';
import type { RecentIds } from '../recent-ids.js';

/** What a handler did with a valid event; every outcome is acked. */
export type HandlerOutcome =
  /** The event changed what the service knows. */
  | 'applied'
  /** Its event_id was handled before (a redelivery or a replay). */
  | 'duplicate'
  /** Older than what the store holds: its id is recorded, the newer data kept. */
  | 'stale'
  /** Validated and logged (feedback: rewards go through HTTP). */
  | 'logged'
  /** No v1 schema for the subject: logged and acked so it is not redelivered forever. */
  | 'ignored';

export interface HandlerContext {
  store: StateStore;
  logger: Logger;
  now(): Date;
  /** Event ids of feedback this process logged recently (no store record carries them). */
  seenFeedback: RecentIds;
}
