import fc from 'fast-check';
import { CholeskyDecomposition, inverse, Matrix } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import {
  addOuterProduct,
  cholesky,
  frobeniusNorm,
  inverseFromCholesky,
  quadraticForm,
  shermanMorrison,
} from './dense.js';

const entry = fc.double({ min: -2, max: 2, noNaN: true, noDefaultInfinity: true });

/** A random symmetric positive-definite matrix: I + Σ x·xᵀ over a few random x. */
const spd = fc.integer({ min: 1, max: 12 }).chain((d) =>
  fc.array(fc.array(entry, { minLength: d, maxLength: d }), { maxLength: 20 }).map((xs) => {
    const a = new Float64Array(d * d);
    for (let i = 0; i < d; i++) a[i * d + i] = 1;
    for (const x of xs) addOuterProduct(a, x, d);
    return { d, a };
  }),
);

const toMatrix = (a: Float64Array, d: number) =>
  new Matrix(Array.from({ length: d }, (_, i) => Array.from(a.subarray(i * d, (i + 1) * d))));

describe('dense kernels', () => {
  it('cholesky matches ml-matrix and the inverse matches ml-matrix LU', () => {
    fc.assert(
      fc.property(spd, ({ d, a }) => {
        const l = new Float64Array(d * d);
        expect(cholesky(a, l, d)).toBe(true);
        const reference = new CholeskyDecomposition(toMatrix(a, d)).lowerTriangularMatrix.to1DArray();
        for (let i = 0; i < d * d; i++) expect(l[i]).toBeCloseTo(reference[i]!, 10);
        const ainv = new Float64Array(d * d);
        inverseFromCholesky(l, ainv, d);
        const expected = inverse(toMatrix(a, d)).to1DArray();
        for (let i = 0; i < d * d; i++) expect(ainv[i]).toBeCloseTo(expected[i]!, 9);
        for (let i = 0; i < d; i++) for (let j = 0; j < i; j++) expect(ainv[i * d + j]).toBe(ainv[j * d + i]);
      }),
      { numRuns: 200 },
    );
  });

  it('cholesky refuses matrices that are not positive-definite', () => {
    const l = new Float64Array(4);
    expect(cholesky(new Float64Array([1, 2, 2, 1]), l, 2)).toBe(false);
    expect(cholesky(new Float64Array([0, 0, 0, 1]), l, 2)).toBe(false);
    expect(cholesky(new Float64Array([-1, 0, 0, 1]), l, 2)).toBe(false);
    expect(cholesky(new Float64Array([Number.NaN, 0, 0, 1]), l, 2)).toBe(false);
  });

  it('Sherman–Morrison gives the inverse of A + x·xᵀ', () => {
    fc.assert(
      fc.property(spd, fc.array(entry, { minLength: 12, maxLength: 12 }), ({ d, a }, xs) => {
        const x = xs.slice(0, d);
        const l = new Float64Array(d * d);
        const ainv = new Float64Array(d * d);
        cholesky(a, l, d);
        inverseFromCholesky(l, ainv, d);
        shermanMorrison(ainv, x, new Float64Array(d), d);
        addOuterProduct(a, x, d);
        const expected = inverse(toMatrix(a, d)).to1DArray();
        for (let i = 0; i < d * d; i++) expect(ainv[i]).toBeCloseTo(expected[i]!, 9);
      }),
      { numRuns: 200 },
    );
  });

  it('quadraticForm reads the upper triangle and equals xᵀMx', () => {
    fc.assert(
      fc.property(spd, fc.array(entry, { minLength: 12, maxLength: 12 }), ({ d, a }, xs) => {
        const x = xs.slice(0, d);
        const direct = toMatrix(a, d).mmul(Matrix.columnVector(x)).to1DArray();
        const expected = x.reduce((s, v, i) => s + v * direct[i]!, 0);
        expect(quadraticForm(a, x, d)).toBeCloseTo(expected, 9);
      }),
    );
  });

  it('frobeniusNorm does not overflow on huge entries', () => {
    expect(frobeniusNorm(new Float64Array([3, 4]), 2)).toBe(5);
    expect(frobeniusNorm(new Float64Array([3e300, 4e300]), 2)).toBeCloseTo(5e300, -290);
    expect(frobeniusNorm(new Float64Array(4), 4)).toBe(0);
  });
});
