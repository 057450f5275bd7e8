import { z } from 'zod';
import { Count, IsoDateTime, SCHEMA_VERSION } from './schema-version.js';

/** One consumer's counters, as `apps/consumer` publishes them. */
export const ConsumerFigures = z.strictObject({
  last_msg_ts: IsoDateTime.nullable(),
  processed: Count,
  errors: Count,
});
export type ConsumerFigures = z.infer<typeof ConsumerFigures>;

/** Per deployment, under a name such as `consumer`: what the consumer publishes for `/health`. */
export const FiguresRecord = z.strictObject({
  v: z.literal(SCHEMA_VERSION),
  consumers: z.record(z.string().min(1).max(64), ConsumerFigures),
  updated_at: IsoDateTime,
});
export type FiguresRecord = z.infer<typeof FiguresRecord>;
