import fc from 'fast-check';
import { inverse, Matrix } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import {
  BanditError,
  DimensionError,
  InvalidInputError,
  ModelFormatError,
  NonFiniteError,
} from './errors.js';
import { LinearModel, liveInverse, MAX_REFRESH_INTERVAL } from './linear-model.js';
import { featureStream, STREAM_KINDS } from './testing/feature-streams.js';
import { identityResidual, relativeError, ridgeTheta } from './testing/ridge-oracle.js';

const SPEC_DRIFT_BOUND = 1e-9;

/** A⁻¹ computed by ml-matrix's LU from the model's own A: an independent reference inverse. */
function referenceInverse(model: LinearModel): number[] {
  const { d, A } = model.toJSON();
  return inverse(new Matrix(Array.from({ length: d }, (_, i) => A.slice(i * d, (i + 1) * d)))).to1DArray();
}

const finiteFeature = fc.double({ min: -3, max: 3, noNaN: true, noDefaultInfinity: true });
const reward = fc.double({ min: -1, max: 1, noNaN: true, noDefaultInfinity: true });

describe('LinearModel.create', () => {
  it('starts at A = λI, b = 0, n = 0, θ = 0', () => {
    const model = LinearModel.create(3, 2);
    expect(model.toJSON()).toEqual({
      v: 1,
      d: 3,
      lambda: 2,
      n: 0,
      A: [2, 0, 0, 0, 2, 0, 0, 0, 2],
      b: [0, 0, 0],
    });
    expect(Array.from(model.theta())).toEqual([0, 0, 0]);
    expect(model.variance([1, 1, 0])).toBe(1);
    expect(model.d).toBe(3);
    expect(model.n).toBe(0);
  });

  it('defaults λ to 1', () => {
    expect(LinearModel.create(2).toJSON().lambda).toBe(1);
  });

  it.each([0, -1, 1.5, Number.NaN, 1025])('rejects d = %s', (d) => {
    expect(() => LinearModel.create(d)).toThrow(InvalidInputError);
  });

  it.each([0, -1, Number.NaN, Number.POSITIVE_INFINITY, 1e-320])('rejects λ = %s', (lambda) => {
    expect(() => LinearModel.create(2, lambda)).toThrow(InvalidInputError);
  });
});

describe('LinearModel.update', () => {
  it('accumulates A += x·xᵀ and b += r·x exactly, keeping A symmetric', () => {
    const model = LinearModel.create(2);
    model.update([1, 2], 0.5);
    model.update(new Float64Array([3, -1]), -1);
    expect(model.toJSON()).toEqual({ v: 1, d: 2, lambda: 1, n: 2, A: [11, -1, -1, 6], b: [-2.5, 2] });
  });

  it('matches the closed-form ridge solution after random sequences', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 12 }).chain((d) =>
          fc.tuple(
            fc.constant(d),
            fc.constantFrom(0.5, 1, 3),
            fc.array(fc.record({ x: fc.array(finiteFeature, { minLength: d, maxLength: d }), r: reward }), {
              maxLength: 300,
            }),
          ),
        ),
        ([d, lambda, history]) => {
          const model = LinearModel.create(d, lambda);
          for (const { x, r } of history) model.update(x, r);
          const expected = ridgeTheta(history, d, lambda);
          const theta = Array.from(model.theta());
          const scale = Math.max(1, Math.hypot(...expected));
          for (let i = 0; i < d; i++) expect(Math.abs(theta[i]! - expected[i]!)).toBeLessThan(1e-9 * scale);
          const probe = history[0]?.x ?? new Array<number>(d).fill(1);
          expect(model.predict(probe)).toBeCloseTo(
            probe.reduce((s, v, i) => s + v * expected[i]!, 0),
            8,
          );
          expect(model.n).toBe(history.length);
        },
      ),
      { numRuns: 150, seed: 20240311 },
    );
  });

  it('keeps A exactly symmetric and A⁻¹ within 1e-9 of an independent inverse after every update', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...STREAM_KINDS),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 0, max: 2 ** 31 }),
        (kind, d, seed) => {
          const model = LinearModel.create(d);
          const next = featureStream(kind, d, seed);
          for (let t = 0; t < 1500; t++) {
            model.update(next(), t % 3 === 0 ? 1 : 0);
            expect(relativeError(liveInverse(model), referenceInverse(model))).toBeLessThan(SPEC_DRIFT_BOUND);
          }
          const { A } = model.toJSON();
          for (let i = 0; i < d; i++) for (let j = 0; j < i; j++) expect(A[i * d + j]).toBe(A[j * d + i]);
        },
      ),
      { numRuns: 12, seed: 7 },
    );
  });

  it('keeps A⁻¹·A ≈ I within 1e-9 after 100,000 updates, on benign and ill-conditioned streams', () => {
    fc.assert(
      fc.property(fc.constantFrom(...STREAM_KINDS), fc.integer({ min: 0, max: 2 ** 31 }), (kind, seed) => {
        const d = 12;
        const model = LinearModel.create(d);
        const next = featureStream(kind, d, seed);
        for (let t = 1; t <= 100_000; t++) {
          model.update(next(), t & 1);
          if (t % 25_000 === 0) {
            expect(relativeError(liveInverse(model), referenceInverse(model))).toBeLessThan(SPEC_DRIFT_BOUND);
          }
        }
        expect(identityResidual(liveInverse(model), model.toJSON().A, d)).toBeLessThan(SPEC_DRIFT_BOUND);
        expect(model.n).toBe(100_000);
      }),
      // Every stream kind once, plus two more draws.
      { numRuns: STREAM_KINDS.length + 2, seed: 13, examples: STREAM_KINDS.map((k) => [k, 1]) },
    );
  });

  it('rebuilds A⁻¹ at least every MAX_REFRESH_INTERVAL updates even on a benign stream', () => {
    // After a rebuild A⁻¹ equals the Cholesky inverse of A bit for bit; Sherman–Morrison steps do not.
    const model = LinearModel.create(4);
    const next = featureStream('uniform', 4, 3);
    const rebuiltAt: number[] = [];
    for (let t = 1; t <= 3 * MAX_REFRESH_INTERVAL; t++) {
      model.update(next(), 1);
      const fresh = liveInverse(LinearModel.fromJSON(model.toJSON()));
      if (liveInverse(model).every((v, i) => v === fresh[i])) rebuiltAt.push(t);
    }
    const gaps = rebuiltAt.map((t, i) => t - (rebuiltAt[i - 1] ?? 0));
    expect(rebuiltAt.length).toBeGreaterThanOrEqual(3);
    expect(Math.max(...gaps, 3 * MAX_REFRESH_INTERVAL - rebuiltAt.at(-1)!)).toBeLessThanOrEqual(
      MAX_REFRESH_INTERVAL,
    );
  });

  describe('rejects bad input before touching the model', () => {
    const cases: [string, unknown, unknown, new (...args: never[]) => Error][] = [
      ['a short vector', [1, 2], 1, DimensionError],
      ['a long vector', [1, 2, 3, 4], 1, DimensionError],
      ['a non-array', 3, 1, DimensionError],
      ['null', null, 1, DimensionError],
      ['NaN in x', [1, Number.NaN, 3], 1, NonFiniteError],
      ['Infinity in x', [1, Number.POSITIVE_INFINITY, 3], 1, NonFiniteError],
      ['a string in x', [1, '2', 3], 1, NonFiniteError],
      ['a NaN reward', [1, 2, 3], Number.NaN, NonFiniteError],
      ['an infinite reward', [1, 2, 3], Number.NEGATIVE_INFINITY, NonFiniteError],
      ['a reward that is not a number', [1, 2, 3], '1', NonFiniteError],
      ['x·xᵀ that overflows', [1e200, 0, 0], 1, NonFiniteError],
      ['r·x that overflows', [1e10, 0, 0], 1e300, NonFiniteError],
    ];
    it.each(cases)('%s', (_name, x, r, ErrorClass) => {
      const model = LinearModel.create(3);
      model.update([0.5, -0.5, 1], 1);
      const before = model.toJSON();
      const thetaBefore = model.theta();
      expect(() => model.update(x as number[], r as number)).toThrow(ErrorClass);
      expect(model.toJSON()).toEqual(before);
      expect(model.theta()).toEqual(thetaBefore);
    });
  });

  it('refuses an update that would make A numerically singular and leaves the model intact', () => {
    // With λ = 1e-300, A + x·xᵀ rounds to the singular [[1, 1], [1, 1]].
    const model = LinearModel.create(2, 1e-300);
    const before = model.toJSON();
    expect(() => model.update([1, 1], 1)).toThrow(BanditError);
    expect(model.toJSON()).toEqual(before);
    expect(model.variance([1, 0]) / 1e300).toBeCloseTo(1, 12);
  });
});

describe('predict and variance', () => {
  it('give θᵀx and xᵀA⁻¹x', () => {
    const model = LinearModel.create(2);
    model.update([1, 0], 1);
    // A = [[2, 0], [0, 1]], b = [1, 0]: θ = [0.5, 0], A⁻¹ = diag(0.5, 1).
    expect(model.predict([2, 3])).toBeCloseTo(1, 15);
    expect(model.variance([2, 3])).toBeCloseTo(4 * 0.5 + 9, 14);
    expect(Array.from(model.theta())).toEqual([0.5, 0]);
  });

  it('hand out a copy of θ, not the cache', () => {
    const model = LinearModel.create(2);
    model.update([1, 0], 1);
    model.theta().fill(99);
    expect(model.predict([1, 0])).toBe(0.5);
  });

  it('reject wrong dimensions and non-finite values', () => {
    const model = LinearModel.create(2);
    expect(() => model.predict([1])).toThrow(DimensionError);
    expect(() => model.variance([1, 2, 3])).toThrow(DimensionError);
    expect(() => model.predict([1, Number.NaN])).toThrow(NonFiniteError);
    expect(() => model.variance([Number.POSITIVE_INFINITY, 1])).toThrow(NonFiniteError);
  });
});

describe('toJSON / fromJSON', () => {
  function trained(): LinearModel {
    const model = LinearModel.create(3);
    const next = featureStream('uniform', 3, 11);
    for (let t = 0; t < 50; t++) model.update(next(), t % 2);
    return model;
  }

  it('round-trips through JSON text with the same predictions and a rebuilt inverse', () => {
    const model = trained();
    const copy = LinearModel.fromJSON(JSON.parse(JSON.stringify(model)));
    expect(copy.toJSON()).toEqual(model.toJSON());
    expect(copy.n).toBe(50);
    expect(relativeError(liveInverse(copy), referenceInverse(model))).toBeLessThan(1e-14);
    for (const x of [
      [1, 0, 0],
      [0.3, -0.7, 0.9],
    ]) {
      expect(copy.predict(x)).toBeCloseTo(model.predict(x), 12);
      expect(copy.variance(x)).toBeCloseTo(model.variance(x), 12);
    }
  });

  it('keeps learning after a round trip exactly as the original does', () => {
    const original = trained();
    const copy = LinearModel.fromJSON(original.toJSON());
    original.update([1, 2, 3], 1);
    copy.update([1, 2, 3], 1);
    expect(copy.toJSON()).toEqual(original.toJSON());
  });

  it('averages a rounding-level asymmetry written by another writer', () => {
    const json = LinearModel.create(2).toJSON();
    json.A = [2, 0.5, 0.5 + 1e-15, 2];
    const mean = (0.5 + (0.5 + 1e-15)) / 2;
    expect(LinearModel.fromJSON(json).toJSON().A).toEqual([2, mean, mean, 2]);
  });

  const valid = () => trained().toJSON() as unknown as Record<string, unknown>;
  it.each<[string, (j: Record<string, unknown>) => unknown]>([
    ['not an object', () => 'model'],
    ['null', () => null],
    ['an array', () => []],
    ['an unknown version', (j) => ({ ...j, v: 2 })],
    ['a missing version', ({ v: _v, ...j }) => j],
    ['a fractional d', (j) => ({ ...j, d: 2.5 })],
    ['d = 0', (j) => ({ ...j, d: 0, A: [], b: [] })],
    ['a d that disagrees with the arrays', (j) => ({ ...j, d: 2 })],
    ['λ = 0', (j) => ({ ...j, lambda: 0 })],
    ['λ as a string', (j) => ({ ...j, lambda: '1' })],
    ['a negative n', (j) => ({ ...j, n: -1 })],
    ['a fractional n', (j) => ({ ...j, n: 1.5 })],
    ['A not an array', (j) => ({ ...j, A: 'A' })],
    ['A too short', (j) => ({ ...j, A: (j.A as number[]).slice(1) })],
    ['b too long', (j) => ({ ...j, b: [...(j.b as number[]), 0] })],
    ['a null in A (what JSON makes of NaN)', (j) => ({ ...j, A: [null, ...(j.A as number[]).slice(1)] })],
    ['a string in b', (j) => ({ ...j, b: ['0', 0, 0] })],
    ['an asymmetric A', (j) => ({ ...j, A: [1, 0.5, 0, 0, 1, 0, 0, 0, 1] })],
    ['an indefinite A', (j) => ({ ...j, A: [1, 2, 0, 2, 1, 0, 0, 0, 1] })],
    ['a singular A', (j) => ({ ...j, A: [1, 1, 0, 1, 1, 0, 0, 0, 1] })],
  ])('rejects %s with ModelFormatError', (_name, mutate) => {
    expect(() => LinearModel.fromJSON(mutate(valid()))).toThrow(ModelFormatError);
  });
});
