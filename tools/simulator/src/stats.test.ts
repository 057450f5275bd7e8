import { describe, expect, it } from 'vitest';
import { interval, t975 } from './stats.js';

describe('t975', () => {
  it('gives the tabulated quantiles', () => {
    expect(t975(1)).toBe(12.706);
    expect(t975(4)).toBe(2.776);
    expect(t975(9)).toBe(2.262);
    expect(t975(30)).toBe(2.042);
  });

  it('continues with the Cornish–Fisher expansion past 30, within 1e-3 of exact values', () => {
    // Exact values (R: qt(0.975, df)): 31 → 2.039513, 60 → 2.000298, 120 → 1.979930, 1000 → 1.962339.
    expect(t975(31)).toBeCloseTo(2.039513, 3);
    expect(t975(60)).toBeCloseTo(2.000298, 3);
    expect(t975(120)).toBeCloseTo(1.97993, 3);
    expect(t975(1000)).toBeCloseTo(1.962339, 4);
    for (let df = 1; df < 200; df++) expect(t975(df + 1)).toBeLessThan(t975(df));
  });

  it('refuses degrees of freedom that are not positive integers', () => {
    expect(() => t975(0)).toThrow(RangeError);
    expect(() => t975(2.5)).toThrow(RangeError);
  });
});

describe('interval', () => {
  it('is the Student-t 95% interval of the mean', () => {
    const ci = interval([1, 2, 3]);
    expect(ci.mean).toBe(2);
    expect(ci.halfWidth).toBeCloseTo(4.303 / Math.sqrt(3), 12);
    expect(ci.low).toBeCloseTo(2 - 4.303 / Math.sqrt(3), 12);
    expect(ci.high).toBeCloseTo(2 + 4.303 / Math.sqrt(3), 12);
  });

  it('has zero width for identical values and no width for a single one', () => {
    expect(interval([5, 5, 5, 5]).halfWidth).toBe(0);
    const one = interval([7]);
    expect(one.mean).toBe(7);
    expect(one.halfWidth).toBeNaN();
  });

  it('refuses an empty sample', () => {
    expect(() => interval([])).toThrow(RangeError);
  });
});
