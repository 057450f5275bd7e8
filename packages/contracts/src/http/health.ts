import { z } from 'zod';
import { claimId } from '../claim-id.js';
import { IsoDateTime } from '../primitives.js';

export const ConsumerFigures = z
  .object({
    last_msg_ts: IsoDateTime.nullable().describe('When the last message was handled; null before the first.'),
    processed: z.int().min(0),
    errors: z.int().min(0),
  })
  .meta(claimId({ id: 'ConsumerFigures', description: 'Counters of one JetStream consumer (SPEC §6).' }));
export type ConsumerFigures = z.infer<typeof ConsumerFigures>;

export const HealthResponse = z
  .object({
    ok: z.boolean(),
    state: z.object({ backend: z.enum(['file', 'redis']), ok: z.boolean() }),
    nats: z.object({
      enabled: z.boolean().describe('False when NATS_URL is unset.'),
      consumers: z.object({ signals: ConsumerFigures, feedback: ConsumerFigures }),
    }),
  })
  .meta(
    claimId({
      id: 'HealthResponse',
      description: 'GET /health: 200 when ok, 503 with ok: false when the store is down.',
    }),
  );
export type HealthResponse = z.infer<typeof HealthResponse>;
