import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Full-jitter exponential backoff (Brooks, "Exponential Backoff And Jitter", AWS Architecture Blog
 * 2015): a uniform delay in [0, min(cap, base·2^attempt)], so contenders spread out instead of
 * retrying in lockstep.
 */
export function backoffDelay(attempt: number, baseMs: number, capMs: number): number {
  return Math.random() * Math.min(capMs, baseMs * 2 ** Math.min(attempt, 30));
}

export function pause(ms: number): Promise<void> {
  return sleep(ms);
}
