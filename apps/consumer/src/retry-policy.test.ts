import { describe, expect, it } from 'vitest';
import { isFinalDelivery, nakDelayMs } from './retry-policy.js';

const policy = { maxDeliver: 5, nakBaseMs: 1000, nakMaxMs: 60_000 };

describe('nakDelayMs', () => {
  it('doubles from the base with each delivery', () => {
    expect([1, 2, 3, 4, 5].map((n) => nakDelayMs(policy, n))).toEqual([1000, 2000, 4000, 8000, 16_000]);
  });

  it('never exceeds the cap, even for absurd delivery counts', () => {
    expect(nakDelayMs(policy, 7)).toBe(60_000);
    expect(nakDelayMs(policy, 10_000)).toBe(60_000);
  });

  it('treats a zero base as immediate redelivery', () => {
    expect(nakDelayMs({ ...policy, nakBaseMs: 0 }, 4)).toBe(0);
  });
});

describe('isFinalDelivery', () => {
  it('is true from the configured delivery on', () => {
    expect([1, 4, 5, 6].map((n) => isFinalDelivery(policy, n))).toEqual([false, false, true, true]);
  });
});
