import type { JetStreamClient, PubAck } from '@nats-io/jetstream';
import type { TaskSyncedEvent } from '@oo/contracts';

let counter = 0;

/** A valid signals.task.synced event; every call gets a fresh event_id. */
export function taskSynced(overrides: Partial<TaskSyncedEvent> = {}): TaskSyncedEvent {
  counter++;
  return {
    event_id: `evt-${process.pid}-${counter}`,
    occurred_at: '2025-03-01T10:00:00Z',
    user_id: `user-${counter}`,
    last_sync_ts: '2025-03-01T09:59:00Z',
    task_count: 7,
    ...overrides,
  };
}

export function publishJson(js: JetStreamClient, subject: string, body: unknown): Promise<PubAck> {
  return js.publish(subject, JSON.stringify(body));
}
