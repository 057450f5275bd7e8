import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decide } from './decide.js';
import { DimensionError, InvalidInputError, NonFiniteError } from './errors.js';
import { LinearModel } from './linear-model.js';
import { POLICIES, type PolicySpec } from './policies.js';
import { createRng, type Rng } from './rng.js';
import { featureStream } from './testing/feature-streams.js';

const LINUCB = POLICIES['linucb-v1'];
const EGREEDY = POLICIES['egreedy-v2'];

/** An Rng that replays fixed draws and counts how many were taken. */
function scripted(...draws: number[]): Rng & { taken: number } {
  const rng = {
    taken: 0,
    next(): number {
      const v = draws[rng.taken];
      if (v === undefined) throw new Error('scripted rng exhausted');
      rng.taken++;
      return v;
    },
  };
  return rng;
}

function trainedModel(d: number, seed: number, updates = 40): LinearModel {
  const model = LinearModel.create(d);
  const next = featureStream('uniform', d, seed);
  for (let t = 0; t < updates; t++) {
    const x = next();
    model.update(x, x[0]! > 0 ? 1 : 0);
  }
  return model;
}

function candidates(d: number, k: number, seed: number): Float64Array[] {
  const next = featureStream('uniform', d, seed);
  return Array.from({ length: k }, next);
}

const modelSeed = fc.integer({ min: 0, max: 10_000 });

describe('LinUCB (linucb-v1)', () => {
  it('scores θᵀx + α·sqrt(xᵀA⁻¹x), picks the argmax with propensity 1 and draws nothing', () => {
    fc.assert(
      fc.property(
        modelSeed,
        fc.integer({ min: 1, max: 20 }),
        fc.double({ min: 0, max: 3, noNaN: true }),
        (seed, k, alpha) => {
          const model = trainedModel(5, seed);
          const xs = candidates(5, k, seed + 1);
          const rng = scripted();
          const decision = decide(LINUCB, model, xs, { alpha }, rng);
          for (let i = 0; i < k; i++) {
            const mean = model.predict(xs[i]!);
            const width = alpha * Math.sqrt(model.variance(xs[i]!));
            expect(decision.expected[i]).toBeCloseTo(mean, 12);
            expect(decision.bonus[i]).toBeCloseTo(width, 12);
            expect(decision.scores[i]).toBe(decision.expected[i]! + decision.bonus[i]!);
          }
          const best = Math.max(...decision.scores);
          expect(decision.chosenIndex).toBe(decision.scores.indexOf(best));
          expect(decision).toMatchObject({ propensity: 1, explored: false });
          expect(rng.taken).toBe(0);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('breaks ties towards the lowest index', () => {
    const x = new Float64Array([0.2, 0.4, 0, 1, 0]);
    const other = new Float64Array([0, 0, 0, 0.1, 0]);
    const decision = decide(LINUCB, LinearModel.create(5), [other, x, x.slice(), x.slice()], {}, scripted());
    expect(decision.chosenIndex).toBe(1);
  });

  it('uses the policy default α = 1 unless told otherwise; α = 0 is pure exploitation', () => {
    const model = trainedModel(5, 3);
    const xs = candidates(5, 4, 9);
    const byDefault = decide(LINUCB, model, xs, {}, scripted());
    const explicit = decide(LINUCB, model, xs, { alpha: 1 }, scripted());
    expect(byDefault).toEqual(explicit);
    const greedy = decide(LINUCB, model, xs, { alpha: 0 }, scripted());
    expect(Array.from(greedy.bonus)).toEqual([0, 0, 0, 0]);
    expect(greedy.scores).toEqual(greedy.expected);
  });

  it('explores what it has not seen: an untrained model prefers the larger-variance candidate', () => {
    const model = LinearModel.create(5);
    model.update([1, 0, 0, 0, 0], 0);
    const seen = new Float64Array([1, 0, 0, 0, 0]);
    const unseen = new Float64Array([0, 1, 0, 0, 0]);
    expect(decide(LINUCB, model, [seen, unseen], {}, scripted()).chosenIndex).toBe(1);
  });
});

describe('ε-greedy (egreedy-v1, egreedy-v2)', () => {
  it('scores θᵀx with no bonus', () => {
    const model = trainedModel(12, 5);
    const xs = candidates(12, 6, 6);
    const decision = decide(EGREEDY, model, xs, { epsilon: 0.1 }, createRng(1));
    expect(Array.from(decision.bonus)).toEqual([0, 0, 0, 0, 0, 0]);
    expect(decision.scores).toEqual(decision.expected);
    for (let i = 0; i < 6; i++) expect(decision.expected[i]).toBeCloseTo(model.predict(xs[i]!), 12);
  });

  it('exploits with one draw when the coin is ≥ ε: the argmax, propensity 1 − ε + ε/K', () => {
    const model = trainedModel(12, 5);
    const xs = candidates(12, 4, 6);
    const rng = scripted(0.1);
    const decision = decide(EGREEDY, model, xs, { epsilon: 0.1 }, rng);
    expect(rng.taken).toBe(1);
    expect(decision.chosenIndex).toBe(decision.scores.indexOf(Math.max(...decision.scores)));
    expect(decision.explored).toBe(false);
    expect(decision.propensity).toBeCloseTo(0.9 + 0.1 / 4, 15);
  });

  it('explores with a second draw when the coin is < ε: uniform index, propensity ε/K off the argmax', () => {
    const model = trainedModel(12, 5);
    const xs = candidates(12, 4, 6);
    const greedy = decide(EGREEDY, model, xs, { epsilon: 0 }, scripted(0)).chosenIndex;
    for (let j = 0; j < 4; j++) {
      const rng = scripted(0.0999, (j + 0.5) / 4);
      const decision = decide(EGREEDY, model, xs, { epsilon: 0.1 }, rng);
      expect(rng.taken).toBe(2);
      expect(decision.chosenIndex).toBe(j);
      expect(decision.explored).toBe(true);
      expect(decision.propensity).toBeCloseTo(j === greedy ? 0.9 + 0.025 : 0.025, 15);
    }
  });

  it('breaks ties towards the lowest index', () => {
    const x = new Float64Array(12).fill(0.5);
    const decision = decide(EGREEDY, LinearModel.create(12), [x, x, x], { epsilon: 0 }, scripted(0.3));
    expect(decision.chosenIndex).toBe(0);
    expect(decision.propensity).toBe(1);
  });

  it('uses ε = 0.1 from the policy table unless told otherwise', () => {
    const xs = candidates(12, 3, 2);
    expect(decide(EGREEDY, LinearModel.create(12), xs, {}, scripted(0.0999, 0.9)).explored).toBe(true);
    expect(decide(EGREEDY, LinearModel.create(12), xs, {}, scripted(0.1)).explored).toBe(false);
  });

  it('gives propensities that sum to 1 over all candidates', () => {
    fc.assert(
      fc.property(
        modelSeed,
        fc.integer({ min: 1, max: 30 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (seed, k, epsilon) => {
          const model = trainedModel(12, seed);
          const xs = candidates(12, k, seed + 1);
          // Force every reachable outcome: the exploit branch, then exploration onto each index.
          const outcomes = epsilon < 1 ? [decide(EGREEDY, model, xs, { epsilon }, scripted(epsilon))] : [];
          if (epsilon > 0) {
            for (let j = 0; j < k; j++) {
              outcomes.push(decide(EGREEDY, model, xs, { epsilon }, scripted(0, (j + 0.5) / k)));
            }
          }
          const byIndex = new Map<number, number>();
          for (const { chosenIndex, propensity } of outcomes) {
            const seen = byIndex.get(chosenIndex);
            if (seen !== undefined) expect(propensity).toBe(seen);
            byIndex.set(chosenIndex, propensity);
          }
          const total = [...byIndex.values()].reduce((s, p) => s + p, 0);
          expect(total).toBeCloseTo(1, 12);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('chooses each candidate about as often as its propensity says', () => {
    const model = trainedModel(12, 8);
    const xs = candidates(12, 5, 9);
    const rng = createRng(2024);
    const counts = new Array<number>(5).fill(0);
    const propensity = new Array<number>(5).fill(0);
    const n = 20_000;
    for (let t = 0; t < n; t++) {
      const { chosenIndex, propensity: p } = decide(EGREEDY, model, xs, { epsilon: 0.3 }, rng);
      counts[chosenIndex]!++;
      propensity[chosenIndex] = p;
    }
    for (let i = 0; i < 5; i++) {
      const p = propensity[i]!;
      expect(Math.abs(counts[i]! / n - p)).toBeLessThan(4 * Math.sqrt((p * (1 - p)) / n));
    }
  });
});

describe('seeding', () => {
  it('a seed fixes every choice, through decisions and updates', () => {
    fc.assert(
      fc.property(fc.integer(), fc.constantFrom(...Object.values(POLICIES)), (seed, spec) => {
        const run = () => {
          const rng = createRng(seed);
          const model = LinearModel.create(spec.d);
          const next = featureStream('uniform', spec.d, 77);
          const trace: unknown[] = [];
          for (let t = 0; t < 60; t++) {
            const xs = [next(), next(), next()];
            const decision = decide(spec, model, xs, { epsilon: 0.3 }, rng);
            model.update(xs[decision.chosenIndex]!, rng.next() < 0.5 ? 1 : 0);
            trace.push([decision.chosenIndex, decision.explored, decision.propensity, ...decision.scores]);
          }
          return trace;
        };
        expect(run()).toEqual(run());
      }),
      { numRuns: 60 },
    );
  });
});

describe('validation happens before anything is computed', () => {
  const model = trainedModel(12, 1);
  const good = candidates(12, 3, 2);

  it.each<[string, () => unknown, new (...args: never[]) => Error]>([
    [
      'a model of another dimension',
      () => decide(EGREEDY, LinearModel.create(7), good, {}, createRng(1)),
      DimensionError,
    ],
    ['no candidates', () => decide(EGREEDY, model, [], {}, createRng(1)), InvalidInputError],
    [
      'candidates that are not an array',
      () => decide(EGREEDY, model, good[0] as never, {}, createRng(1)),
      InvalidInputError,
    ],
    [
      'a short candidate',
      () => decide(EGREEDY, model, [good[0]!, new Float64Array(11)], {}, createRng(1)),
      DimensionError,
    ],
    [
      'a long candidate',
      () => decide(LINUCB, LinearModel.create(5), [new Float64Array(6)], {}, createRng(1)),
      DimensionError,
    ],
    [
      'a NaN feature',
      () => decide(EGREEDY, model, [good[0]!, new Float64Array(12).fill(Number.NaN)], {}, createRng(1)),
      NonFiniteError,
    ],
    [
      'an infinite feature',
      () =>
        decide(
          LINUCB,
          LinearModel.create(5),
          [new Float64Array([0, 0, 0, 0, Number.POSITIVE_INFINITY])],
          {},
          createRng(1),
        ),
      NonFiniteError,
    ],
    ['ε > 1', () => decide(EGREEDY, model, good, { epsilon: 1.5 }, createRng(1)), InvalidInputError],
    ['ε < 0', () => decide(EGREEDY, model, good, { epsilon: -0.1 }, createRng(1)), InvalidInputError],
    ['ε = NaN', () => decide(EGREEDY, model, good, { epsilon: Number.NaN }, createRng(1)), InvalidInputError],
    [
      'α < 0',
      () => decide(LINUCB, LinearModel.create(5), [new Float64Array(5)], { alpha: -1 }, createRng(1)),
      InvalidInputError,
    ],
    [
      'α = ∞',
      () =>
        decide(
          LINUCB,
          LinearModel.create(5),
          [new Float64Array(5)],
          { alpha: Number.POSITIVE_INFINITY },
          createRng(1),
        ),
      InvalidInputError,
    ],
    ['an rng that returns 1', () => decide(EGREEDY, model, good, {}, scripted(1)), InvalidInputError],
    [
      'an rng that returns NaN',
      () => decide(EGREEDY, model, good, {}, scripted(Number.NaN)),
      InvalidInputError,
    ],
    [
      'an unknown policy kind',
      () => decide({ ...EGREEDY, kind: 'thompson' } as unknown as PolicySpec, model, good, {}, createRng(1)),
      InvalidInputError,
    ],
  ])('rejects %s', (_name, call, ErrorClass) => {
    const before = model.toJSON();
    expect(call).toThrow(ErrorClass);
    expect(model.toJSON()).toEqual(before);
  });

  it('draws nothing from the rng when a candidate is rejected', () => {
    const rng = scripted(0.5, 0.5);
    expect(() => decide(EGREEDY, model, [good[0]!, new Float64Array(3)], {}, rng)).toThrow(DimensionError);
    expect(rng.taken).toBe(0);
  });

  it('rejects finite features whose score overflows', () => {
    const lin = LinearModel.create(5);
    lin.update([1, 0, 0, 0, 0], 1);
    const huge = new Float64Array([1e308, 1e308, 0, 0, 0]);
    expect(() => decide(LINUCB, lin, [new Float64Array(5), huge], {}, scripted())).toThrow(NonFiniteError);
  });

  it('accepts a custom spec, e.g. LinUCB at d = 12', () => {
    const spec: PolicySpec = { ...EGREEDY, kind: 'linucb', defaults: { lambda: 1, alpha: 0.5 } };
    const decision = decide(spec, model, good, {}, scripted());
    expect(decision.bonus[0]).toBeCloseTo(0.5 * Math.sqrt(model.variance(good[0]!)), 12);
  });
});
