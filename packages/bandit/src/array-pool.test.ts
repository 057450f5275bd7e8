import { describe, expect, it } from 'vitest';
import { pooledFloat64Array } from './array-pool.js';

describe('pooledFloat64Array', () => {
  it('hands out zero-filled, non-overlapping arrays of the requested length', () => {
    const arrays = Array.from({ length: 500 }, (_, i) => pooledFloat64Array(1 + (i % 13)));
    arrays.forEach((a, i) => {
      expect(a).toHaveLength(1 + (i % 13));
      expect(a.every((v) => v === 0)).toBe(true);
      a.fill(i + 1);
    });
    // Had any two views overlapped, a later fill would have overwritten an earlier one.
    arrays.forEach((a, i) => {
      expect(a.every((v) => v === i + 1)).toBe(true);
    });
  });

  it('gives large requests an array of their own', () => {
    const big = pooledFloat64Array(5000);
    expect(big).toHaveLength(5000);
    expect(big.buffer.byteLength).toBe(5000 * 8);
  });
});
