import type { TaskSyncedEvent } from '@oo/contracts';
import { SYNC_EVENT_IDS_SIZE, type SyncRecord, type Update } from '@oo/state';
import type { HandlerContext, HandlerOutcome } from './context.js';

type SyncOutcome = Extract<HandlerOutcome, 'applied' | 'duplicate' | 'stale'>;

/**
 * The read-modify-write of a user's sync record; pure, as the store may call it more than once.
 *
 * - An event id the record already holds is a duplicate: nothing is written.
 * - An event older than the record (`last_sync_ts` before the stored one: out-of-order delivery, or a
 *   replay of an old dead letter) must not roll the record back. Its id is still recorded so a
 *   further redelivery is recognised without comparing timestamps.
 * - Otherwise the event becomes the record. Equal timestamps: the later-handled event wins.
 */
export function applyTaskSynced(
  current: SyncRecord | null,
  event: TaskSyncedEvent,
  now: string,
): Update<SyncOutcome, SyncRecord> {
  if (current?.event_ids.includes(event.event_id)) return { result: 'duplicate' };
  const event_ids = [event.event_id, ...(current?.event_ids ?? [])].slice(0, SYNC_EVENT_IDS_SIZE);
  if (current && Date.parse(event.last_sync_ts) < Date.parse(current.last_sync_ts)) {
    return { result: 'stale', state: { ...current, event_ids, updated_at: now } };
  }
  return {
    result: 'applied',
    state: {
      v: 1,
      last_sync_ts: event.last_sync_ts,
      task_count: event.task_count,
      event_ids,
      updated_at: now,
    },
  };
}

export async function handleTaskSynced(event: TaskSyncedEvent, ctx: HandlerContext): Promise<SyncOutcome> {
  const now = ctx.now().toISOString();
  const outcome = await ctx.store.updateSync(event.user_id, (current) =>
    applyTaskSynced(current, event, now),
  );
  ctx.logger.info(
    {
      event_id: event.event_id,
      user_id: event.user_id,
      last_sync_ts: event.last_sync_ts,
      task_count: event.task_count,
      outcome,
    },
    outcome === 'applied' ? 'task sync recorded' : `task sync skipped (${outcome})`,
  );
  return outcome;
}
