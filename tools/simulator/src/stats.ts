/** Mean and 95% confidence interval of a sample (here: one value per seed). */
export interface Interval {
  n: number;
  mean: number;
  /** Half-width of the two-sided 95% Student-t interval; NaN with fewer than 2 values. */
  halfWidth: number;
  low: number;
  high: number;
}

// Two-sided 95% quantiles t(0.975, ν) for ν = 1…30 (any statistics table, e.g. NIST/SEMATECH
// e-Handbook §1.3.6.7.2), rounded to 3 decimals.
const T_975 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131,
  2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
] as const;
const Z_975 = 1.959963984540054;

/**
 * t(0.975, ν): the table up to 30 degrees of freedom, then the Cornish–Fisher expansion of
 * Abramowitz & Stegun 26.7.5 around the normal quantile (error < 1e-4 from ν = 30 on).
 */
export function t975(df: number): number {
  if (!(Number.isInteger(df) && df >= 1)) throw new RangeError(`degrees of freedom must be ≥ 1, got ${df}`);
  if (df <= T_975.length) return T_975[df - 1]!;
  const z = Z_975;
  const z3 = z ** 3;
  const z5 = z ** 5;
  const z7 = z ** 7;
  return (
    z +
    (z3 + z) / (4 * df) +
    (5 * z5 + 16 * z3 + 3 * z) / (96 * df ** 2) +
    (3 * z7 + 19 * z5 + 17 * z3 - 15 * z) / (384 * df ** 3)
  );
}

export function interval(values: ArrayLike<number>): Interval {
  const n = values.length;
  if (n === 0) throw new RangeError('an interval needs at least one value');
  let sum = 0;
  for (let i = 0; i < n; i++) sum += values[i]!;
  const mean = sum / n;
  if (n < 2) return { n, mean, halfWidth: Number.NaN, low: Number.NaN, high: Number.NaN };
  let squares = 0;
  for (let i = 0; i < n; i++) squares += (values[i]! - mean) ** 2;
  const halfWidth = (t975(n - 1) * Math.sqrt(squares / (n - 1))) / Math.sqrt(n);
  return { n, mean, halfWidth, low: mean - halfWidth, high: mean + halfWidth };
}
