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
import { LinearModel, liveInverse } from './linear-model.js';
import { POLICIES } from './policies.js';
import { featureStream, STREAM_KINDS } from './testing/feature-streams.js';
import { modelPathDigest } from './testing/model-digest.js';
import { discountedRidgeTheta, identityResidual, relativeError } from './testing/ridge-oracle.js';

const SPEC_DRIFT_BOUND = 1e-9;

function referenceInverse(model: LinearModel): number[] {
  const { d, A } = model.toJSON();
  return inverse(new Matrix(Array.from({ length: d }, (_, i) => A.slice(i * d, (i + 1) * d)))).to1DArray();
}

const finiteFeature = fc.double({ min: -3, max: 3, noNaN: true, noDefaultInfinity: true });
const reward = fc.double({ min: -1, max: 1, noNaN: true, noDefaultInfinity: true });
const gamma = fc.oneof(
  fc.constantFrom(0.5, 0.9, 0.99, 0.999),
  fc.double({ min: 0.05, max: 1, noNaN: true, noDefaultInfinity: true }),
);

describe('forgetting factor: creation and configuration', () => {
  it('is off by default and in every policy of the table', () => {
    expect(LinearModel.create(3).gamma).toBe(1);
    for (const spec of Object.values(POLICIES)) {
      expect(spec.defaults.gamma).toBe(1);
      expect(LinearModel.forPolicy(spec).gamma).toBe(1);
    }
  });

  it('is configured per model, and per policy through forPolicy', () => {
    expect(LinearModel.create(3, 2, { gamma: 0.95 }).gamma).toBe(0.95);
    const model = LinearModel.forPolicy(POLICIES['egreedy-v2'], { gamma: 0.99 });
    expect([model.d, model.lambda, model.gamma]).toEqual([12, 1, 0.99]);
    expect(LinearModel.forPolicy(POLICIES['linucb-v1'], { lambda: 3 }).lambda).toBe(3);
  });

  it.each([0, -0.5, 1.0000001, Number.NaN, Number.POSITIVE_INFINITY, '0.9'])('rejects γ = %s', (g) => {
    expect(() => LinearModel.create(2, 1, { gamma: g as number })).toThrow(InvalidInputError);
    expect(() => LinearModel.create(2).setGamma(g as number)).toThrow(InvalidInputError);
  });
});

describe('forgetting factor: the discounted ridge update', () => {
  it('computes A ← γA + (1 − γ)λI + x·xᵀ and b ← γb + r·x exactly, keeping A symmetric', () => {
    const model = LinearModel.create(2, 1, { gamma: 0.5 });
    model.update([1, 2], 0.5);
    expect(model.toJSON()).toMatchObject({ A: [2, 2, 2, 5], b: [0.5, 1] });
    model.update(new Float64Array([3, -1]), -1);
    expect(model.toJSON()).toEqual({
      v: 2,
      d: 2,
      lambda: 1,
      gamma: 0.5,
      n: 2,
      A: [10.5, -2, -2, 4],
      b: [-2.75, 1.5],
    });
  });

  it('matches an independent closed-form discounted ridge solve after random sequences', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 12 }).chain((d) =>
          fc.tuple(
            fc.constant(d),
            fc.constantFrom(0.5, 1, 3),
            gamma,
            fc.array(fc.record({ x: fc.array(finiteFeature, { minLength: d, maxLength: d }), r: reward }), {
              maxLength: 300,
            }),
          ),
        ),
        ([d, lambda, g, history]) => {
          const model = LinearModel.create(d, lambda, { gamma: g });
          for (const { x, r } of history) model.update(x, r);
          const expected = discountedRidgeTheta(
            history,
            d,
            lambda,
            new Array<number>(history.length).fill(g),
          );
          const theta = model.theta();
          const scale = Math.max(1, Math.hypot(...expected));
          for (let i = 0; i < d; i++) expect(Math.abs(theta[i]! - expected[i]!)).toBeLessThan(1e-9 * scale);
          expect(model.n).toBe(history.length);
        },
      ),
      { numRuns: 150, seed: 20250901 },
    );
  });

  it('discounts the earlier data by the new γ after setGamma, and stops after setGamma(1)', () => {
    const d = 4;
    const next = featureStream('uniform', d, 9);
    const history = Array.from({ length: 120 }, (_, t) => ({ x: next(), r: t % 4 === 0 ? 1 : -0.25 }));
    const gammas = history.map((_, t) => (t < 40 ? 1 : t < 80 ? 0.9 : 1));
    const model = LinearModel.create(d, 2);
    history.forEach(({ x, r }, t) => {
      model.setGamma(gammas[t]!);
      model.update(x, r);
    });
    const expected = discountedRidgeTheta(history, d, 2, gammas);
    expect(relativeError(model.theta(), expected)).toBeLessThan(1e-12);
    expect(relativeError(liveInverse(model), referenceInverse(model))).toBeLessThan(SPEC_DRIFT_BOUND);
  });

  it('rebuilds A⁻¹ by Cholesky on the first stationary update after forgetting is switched off', () => {
    const model = LinearModel.create(5, 1, { gamma: 0.9 });
    const next = featureStream('uniform', 5, 4);
    for (let t = 0; t < 30; t++) model.update(next(), t % 2);
    model.setGamma(1);
    model.update(next(), 1);
    // fromJSON rebuilds from the same A by Cholesky: equal bits mean no Sherman–Morrison step ran.
    expect(liveInverse(model)).toEqual(liveInverse(LinearModel.fromJSON(model.toJSON())));
    model.update(next(), 1);
    expect(liveInverse(model)).not.toEqual(liveInverse(LinearModel.fromJSON(model.toJSON())));
  });

  it('keeps A exactly symmetric and A⁻¹ within 1e-9 of an independent inverse after every update', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...STREAM_KINDS),
        fc.integer({ min: 1, max: 12 }),
        fc.constantFrom(0.5, 0.9, 0.99, 0.999, 0.9999),
        fc.integer({ min: 0, max: 2 ** 31 }),
        (kind, d, g, seed) => {
          const model = LinearModel.create(d, 1, { gamma: g });
          const next = featureStream(kind, d, seed);
          for (let t = 0; t < 1500; t++) {
            model.update(next(), t % 3 === 0 ? 1 : 0);
            expect(relativeError(liveInverse(model), referenceInverse(model))).toBeLessThan(SPEC_DRIFT_BOUND);
          }
          const { A } = model.toJSON();
          for (let i = 0; i < d; i++) for (let j = 0; j < i; j++) expect(A[i * d + j]).toBe(A[j * d + i]);
          expect(identityResidual(liveInverse(model), A, d)).toBeLessThan(SPEC_DRIFT_BOUND);
        },
      ),
      { numRuns: 12, seed: 11 },
    );
  });

  describe('rejects bad input before touching a discounted model', () => {
    const cases: [string, unknown, unknown, new (...args: never[]) => Error][] = [
      ['a short vector', [1, 2], 1, DimensionError],
      ['NaN in x', [1, Number.NaN, 3], 1, NonFiniteError],
      ['an infinite reward', [1, 2, 3], Number.NEGATIVE_INFINITY, NonFiniteError],
      ['x·xᵀ that overflows', [1e200, 0, 0], 1, NonFiniteError],
      ['r·x that overflows', [1e10, 0, 0], 1e300, NonFiniteError],
    ];
    it.each(cases)('%s', (_name, x, r, ErrorClass) => {
      const model = LinearModel.create(3, 1, { gamma: 0.9 });
      model.update([0.5, -0.5, 1], 1);
      const before = model.toJSON();
      const thetaBefore = model.theta();
      expect(() => model.update(x as number[], r as number)).toThrow(ErrorClass);
      expect(model.toJSON()).toEqual(before);
      expect(model.theta()).toEqual(thetaBefore);
    });

    it('refuses an update that would make A numerically singular', () => {
      const model = LinearModel.create(2, 1e-300, { gamma: 0.5 });
      const before = model.toJSON();
      expect(() => model.update([1, 1], 1)).toThrow(BanditError);
      expect(model.toJSON()).toEqual(before);
      expect(model.variance([1, 0]) / 1e300).toBeCloseTo(1, 12);
    });
  });
});

describe('γ = 1 is the stationary model, bit for bit', () => {
  // SHA-256 of A, b, A⁻¹ and θ every 250 updates along 3,000 updates, computed with the package as
  // it was before the forgetting factor existed (commit e15d11c, `LinearModel.create(d)`).
  const GOLDEN: Record<string, string> = {
    'uniform/5': '2c267426de446d5aa95598e2626095978bac9dbe1dd7bca42ebed129aed0fd28',
    'uniform/12': '54c9142587526f640f04ecff629363dbbd4b09be9cc0b435554656a44b5c79a1',
    'encoded/5': 'da0a38062d249098d6c47c711ec345f8d7130ea0f65f3ea21f056d088f00d994',
    'encoded/12': 'ec01f0719f897b72ddc168932b285dbdb1b5e682c22701364d13a764ec5cdecf',
    'one-hot/5': '74f45981bb8f3edc9b4077dbf7abfe21723690a21092198191de70ee5f3d0731',
    'one-hot/12': 'aaa48fc35b75cfeb206862102095ea05e7469b30d9132bd126bd9668bdcde2b5',
    'large/5': '0df717d823e131c4bf2da7166e3434f76e358eabf48cd212a9a1f2c4a0872d2b',
    'large/12': '833b0caa8a72207ca49ad22281e5cb40a852bc00bbcea64cb94a5dbf8b81d285',
    'low-rank/5': 'e0b01b7b16cdffd1f2d54c5196a4ade11e5186b1de2916c9d5f6c3c383906f9a',
    'low-rank/12': 'b746bfb55b8bf06a67c41e354a26b6bc3d2aa21c2ad1c5baace9e43520173f55',
  };
  const makers: [string, (d: number) => LinearModel][] = [
    ['LinearModel.create(d)', (d) => LinearModel.create(d)],
    ['LinearModel.create(d, 1, { gamma: 1 })', (d) => LinearModel.create(d, 1, { gamma: 1 })],
    ['LinearModel.forPolicy(spec)', (d) => LinearModel.forPolicy({ d, defaults: { lambda: 1, gamma: 1 } })],
    [
      'a model whose γ was switched off again',
      (d) => {
        const model = LinearModel.create(d, 1, { gamma: 0.9 });
        model.setGamma(1);
        return model;
      },
    ],
  ];

  it.each(makers)('%s reproduces the pre-forgetting model along the whole path', (_name, make) => {
    for (const [key, digest] of Object.entries(GOLDEN)) {
      const [kind, d] = key.split('/') as [(typeof STREAM_KINDS)[number], string];
      expect(`${key} ${modelPathDigest(make, kind, Number(d), 42, 3000)}`).toBe(`${key} ${digest}`);
    }
  });

  it('and is written as the version 1 format, with no gamma field', () => {
    const model = LinearModel.create(2, 1, { gamma: 1 });
    model.update([1, 2], 1);
    expect(model.toJSON()).toEqual({ v: 1, d: 2, lambda: 1, n: 1, A: [2, 2, 2, 5], b: [1, 2] });
  });

  it('a discounted model differs from it (the digest can fail)', () => {
    expect(
      modelPathDigest((d) => LinearModel.create(d, 1, { gamma: 0.999 }), 'uniform', 5, 42, 3000),
    ).not.toBe(GOLDEN['uniform/5']);
  });
});

describe('forgetting factor: persistence', () => {
  function trained(g: number): LinearModel {
    const model = LinearModel.create(3, 1, { gamma: g });
    const next = featureStream('uniform', 3, 11);
    for (let t = 0; t < 50; t++) model.update(next(), t % 2);
    return model;
  }

  it('writes version 2 with gamma and round-trips through JSON text', () => {
    const model = trained(0.9);
    const json = JSON.parse(JSON.stringify(model)) as Record<string, unknown>;
    expect(json).toMatchObject({ v: 2, d: 3, lambda: 1, gamma: 0.9, n: 50 });
    const copy = LinearModel.fromJSON(json);
    expect(copy.gamma).toBe(0.9);
    expect(copy.toJSON()).toEqual(model.toJSON());
    copy.update([1, 2, 3], 1);
    model.update([1, 2, 3], 1);
    expect(copy.toJSON()).toEqual(model.toJSON());
    expect(copy.theta()).toEqual(model.theta());
  });

  it('reads a model written before forgetting existed (version 1) as γ = 1', () => {
    const v1 = { v: 1, d: 2, lambda: 1, n: 1, A: [2, 2, 2, 5], b: [1, 2] };
    const model = LinearModel.fromJSON(v1);
    expect(model.gamma).toBe(1);
    expect(model.toJSON()).toEqual(v1);
  });

  it('accepts version 2 with γ = 1 and writes it back as version 1', () => {
    const model = LinearModel.fromJSON({ v: 2, d: 1, lambda: 1, gamma: 1, n: 0, A: [1], b: [0] });
    expect(model.toJSON()).toEqual({ v: 1, d: 1, lambda: 1, n: 0, A: [1], b: [0] });
  });

  const valid = () => trained(0.9).toJSON() as unknown as Record<string, unknown>;
  it.each<[string, (j: Record<string, unknown>) => unknown]>([
    ['version 2 without gamma', ({ gamma: _g, ...j }) => j],
    ['γ = 0', (j) => ({ ...j, gamma: 0 })],
    ['γ > 1', (j) => ({ ...j, gamma: 1.5 })],
    ['γ negative', (j) => ({ ...j, gamma: -0.9 })],
    ['γ as a string', (j) => ({ ...j, gamma: '0.9' })],
    ['γ null (what JSON makes of NaN)', (j) => ({ ...j, gamma: null })],
    ['a gamma field in a version 1 model', (j) => ({ ...j, v: 1 })],
    ['version 3', (j) => ({ ...j, v: 3 })],
    ['an indefinite A', (j) => ({ ...j, A: [1, 2, 0, 2, 1, 0, 0, 0, 1] })],
  ])('rejects %s with ModelFormatError', (_name, mutate) => {
    expect(() => LinearModel.fromJSON(mutate(valid()))).toThrow(ModelFormatError);
  });
});
