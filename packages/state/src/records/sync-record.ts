import { z } from 'zod';
import { Count, IsoDateTime, SCHEMA_VERSION } from './schema-version.js';

/** How many recently applied event ids a sync record remembers for idempotent redelivery. */
export const SYNC_EVENT_IDS_SIZE = 64;

/** Per user: the last task sync the consumer applied. */
export const SyncRecord = z.strictObject({
  v: z.literal(SCHEMA_VERSION),
  last_sync_ts: IsoDateTime,
  task_count: Count,
  /** Newest first; the store keeps the first `SYNC_EVENT_IDS_SIZE`. */
  event_ids: z.array(z.string().min(1).max(128)),
  updated_at: IsoDateTime,
});
export type SyncRecord = z.infer<typeof SyncRecord>;
