import { safeId, UserId } from '../../ids.js';
import { IsoDateTime } from '../../primitives.js';

// The fields every v1 event carries. event_id is the idempotency key of the consumer, which may
// persist it next to the user's records, hence the same safe character set as user ids.
export const eventEnvelope = {
  event_id: safeId('event_id').describe('Unique per event; redeliveries carry the same id.'),
  occurred_at: IsoDateTime.describe('When the event happened at the producer.'),
  user_id: UserId,
};
