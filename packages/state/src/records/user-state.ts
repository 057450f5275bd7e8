import { z } from 'zod';
import { Count, IsoDateTime, SCHEMA_VERSION } from './schema-version.js';

/** How many decisions a user's log keeps (newest first); the store drops older ones on write. */
export const DECISION_LOG_SIZE = 100;

/**
 * Policy ids are free strings (the store does not depend on `@oo/bandit`), narrow enough to be an
 * object key and a log field without escaping.
 */
export const POLICY_KEY_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const PolicyKey = z.string().regex(POLICY_KEY_PATTERN);

/** Per user and policy: the bandit's serialized model (opaque to the store) and its counters. */
export const PolicyRecord = z.strictObject({
  model: z.record(z.string(), z.unknown()),
  n_scores: Count,
  n_rewards: Count,
  reward_sum: z.number(),
  updated_at: IsoDateTime.nullable(),
});
export type PolicyRecord = z.infer<typeof PolicyRecord>;

/** One scoring decision, kept so a later reward can find it by `decision_id`. */
export const DecisionRecord = z.strictObject({
  decision_id: z.string().min(1).max(128),
  policy: PolicyKey,
  ts: IsoDateTime,
  expires_at: IsoDateTime,
  chosen_id: z.string().min(1).max(128),
  features: z.array(z.number()),
  propensity: z.number().min(0).max(1),
  reward: z.number().nullable(),
  rewarded_at: IsoDateTime.nullable(),
});
export type DecisionRecord = z.infer<typeof DecisionRecord>;

/** Everything the service keeps per user apart from the sync record. */
export const UserState = z.strictObject({
  v: z.literal(SCHEMA_VERSION),
  user_id: z.string(),
  policies: z.partialRecord(PolicyKey, PolicyRecord),
  decisions: z.array(DecisionRecord),
});
export type UserState = z.infer<typeof UserState>;

/** The state of a user never seen before (or just deleted). */
export function emptyUserState(userId: string): UserState {
  return { v: SCHEMA_VERSION, user_id: userId, policies: {}, decisions: [] };
}
