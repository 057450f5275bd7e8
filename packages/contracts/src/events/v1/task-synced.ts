import { z } from 'zod';
import { claimId } from '../../claim-id.js';
import { IsoDateTime } from '../../primitives.js';
import { eventEnvelope } from './envelope.js';

export const TaskSyncedEvent = z
  .object({
    ...eventEnvelope,
    last_sync_ts: IsoDateTime.describe('When the user’s tasks were last synced.'),
    task_count: z.int().min(0, 'task_count must be a non-negative integer'),
  })
  .meta(
    claimId({
      id: 'TaskSyncedEvent',
      description: 'signals.task.synced v1: the app synced a user’s tasks. Stored as the user’s sync record.',
    }),
  );
export type TaskSyncedEvent = z.infer<typeof TaskSyncedEvent>;
