// Student's t quantiles for real degrees of freedom, for the estimators' intervals. No
// dependencies: the two-sided tail is the regularised incomplete beta function,
// P(|T| > t) = I_{ν/(ν+t²)}(ν/2, ½) (Abramowitz & Stegun 26.7.1), evaluated by its continued
// fraction (Press et al., _Numerical Recipes_, 3rd ed., §6.4), and the quantile found by bisection.

/** The 97.5 % quantile of the standard normal distribution (the limit as ν → ∞). */
export const Z_975 = 1.959963984540054;

/** Lanczos approximation of ln Γ(x) for x > 0 (g = 7, 9 terms; relative error < 1e-15). */
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const y = x - 1;
  let a = LANCZOS[0]!;
  for (let i = 1; i < LANCZOS.length; i++) a += LANCZOS[i]! / (y + i);
  const t = y + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (y + 0.5) * Math.log(t) - t + Math.log(a);
}

const TINY = 1e-300;

/** Continued fraction of I_x(a, b) by the modified Lentz method (Numerical Recipes §6.4 `betacf`). */
function betaContinuedFraction(a: number, b: number, x: number): number {
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < TINY) d = TINY;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 500; m++) {
    const m2 = 2 * m;
    for (const coefficient of [
      (m * (b - m) * x) / ((a - 1 + m2) * (a + m2)),
      (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + 1 + m2)),
    ]) {
      d = 1 + coefficient * d;
      if (Math.abs(d) < TINY) d = TINY;
      c = 1 + coefficient / c;
      if (Math.abs(c) < TINY) c = TINY;
      d = 1 / d;
      h *= d * c;
    }
    if (Math.abs(d * c - 1) < 1e-15) break;
  }
  return h;
}

/** The regularised incomplete beta function I_x(a, b). */
function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  return x < (a + 1) / (a + b + 2)
    ? (front * betaContinuedFraction(a, b, x)) / a
    : 1 - (front * betaContinuedFraction(b, a, 1 - x)) / b;
}

/** P(|T| > t) for Student's t with ν degrees of freedom. */
export function studentTwoSidedTail(t: number, df: number): number {
  return incompleteBeta(df / (df + t * t), df / 2, 0.5);
}

/**
 * The 97.5 % quantile of Student's t with `df` ≥ 1 degrees of freedom, not necessarily an
 * integer (12.706 at 1, 2.228 at 10, → 1.95996 as df → ∞).
 */
export function studentT975(df: number): number {
  if (!(df >= 1)) throw new RangeError(`degrees of freedom must be ≥ 1, got ${df}`);
  // Beyond 1e7 the quantile is within 1e-7·z of the normal one.
  if (df > 1e7) return Z_975;
  let low = Z_975;
  let high = 2 * Z_975;
  while (studentTwoSidedTail(high, df) > 0.05) high *= 2;
  // Bisection to the last bit: about 55 halvings.
  for (;;) {
    const mid = (low + high) / 2;
    if (mid <= low || mid >= high) return mid;
    if (studentTwoSidedTail(mid, df) > 0.05) low = mid;
    else high = mid;
  }
}
