export interface RetryPolicy {
  /** Deliveries before a failing message is dead-lettered. */
  maxDeliver: number;
  /** Delay before the second delivery. */
  nakBaseMs: number;
  /** Upper bound of any delay. */
  nakMaxMs: number;
}

/**
 * Delay before the next delivery after delivery `deliveryCount` failed: base·2^(n−1), capped.
 * A plain nak would be redelivered at once (a delayed nak is what makes it a backoff: the consumer's
 * `backoff` list only applies to ack_wait expiries, not to naks).
 */
export function nakDelayMs(policy: RetryPolicy, deliveryCount: number): number {
  const exponent = Math.min(Math.max(deliveryCount, 1) - 1, 30);
  return Math.min(policy.nakBaseMs * 2 ** exponent, policy.nakMaxMs);
}

/** Whether delivery `deliveryCount` is the last the worker allows. */
export function isFinalDelivery(policy: RetryPolicy, deliveryCount: number): boolean {
  return deliveryCount >= policy.maxDeliver;
}
