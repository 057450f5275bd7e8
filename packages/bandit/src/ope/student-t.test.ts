import { describe, expect, it } from 'vitest';
import { studentT975, studentTwoSidedTail, Z_975 } from './student-t.js';

describe('studentT975', () => {
  it('matches the closed forms at 1 and 2 degrees of freedom', () => {
    // ν = 1 is the Cauchy distribution; for ν = 2, t = sqrt(2/(P(2 − P)) − 2) at two-sided P.
    expect(studentT975(1)).toBeCloseTo(Math.tan(0.475 * Math.PI), 10);
    expect(studentT975(2)).toBeCloseTo(Math.sqrt(2 / (0.05 * 1.95) - 2), 10);
  });

  it('matches published quantiles (R: qt(0.975, df))', () => {
    for (const [df, t] of [
      [3, 3.182446305284263],
      [10, 2.228138851986274],
      [30, 2.042272456301238],
    ] as const) {
      expect(studentT975(df)).toBeCloseTo(t, 10);
    }
  });

  it('matches the Cornish–Fisher expansion for many degrees of freedom', () => {
    // Abramowitz & Stegun 26.7.5, the terms to 1/ν³; the next one is far below 1e-10 at ν = 1000.
    const z = Z_975;
    const series = (df: number) =>
      z +
      (z ** 3 + z) / (4 * df) +
      (5 * z ** 5 + 16 * z ** 3 + 3 * z) / (96 * df ** 2) +
      (3 * z ** 7 + 19 * z ** 5 + 17 * z ** 3 - 15 * z) / (384 * df ** 3);
    for (const df of [1000, 12_345.6]) expect(studentT975(df)).toBeCloseTo(series(df), 10);
  });

  it('takes real degrees of freedom, decreasing towards the normal quantile', () => {
    const dfs = [1, 1.5, 2.5, 7.3, 45.2, 1e4, 1e6, 1e8];
    const quantiles = dfs.map(studentT975);
    for (const [i, df] of dfs.entries()) {
      if (df <= 1e7) expect(studentTwoSidedTail(quantiles[i]!, df)).toBeCloseTo(0.05, 10);
      if (i > 0) expect(quantiles[i]!).toBeLessThan(quantiles[i - 1]!);
      expect(quantiles[i]!).toBeGreaterThan(Z_975 - 1e-12);
    }
    expect(studentT975(1e8)).toBe(Z_975);
  });

  it('rejects fewer than one degree of freedom', () => {
    expect(() => studentT975(0.5)).toThrow(RangeError);
    expect(() => studentT975(Number.NaN)).toThrow(RangeError);
  });
});
