import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidInputError } from './errors.js';
import { createRng } from './rng.js';

const take = (seed: number, n: number) => {
  const rng = createRng(seed);
  return Array.from({ length: n }, () => rng.next());
};

describe('createRng', () => {
  it('is a pure function of the seed', () => {
    fc.assert(
      fc.property(fc.maxSafeInteger(), (seed) => {
        expect(take(seed, 20)).toEqual(take(seed, 20));
      }),
    );
  });

  it('produces sfc32 seeded by SplitMix/fmix32: the first outputs for seed 42 are pinned', () => {
    // Cross-checked against an independent Python transcription of PractRand's sfc32 with the same
    // seeding. A change here silently changes every seeded decision the service replays.
    expect(take(42, 4).map((v) => v * 2 ** 32)).toEqual([2476999517, 2284424721, 914527439, 3398404915]);
  });

  it('gives different streams for nearby seeds and for seeds that differ only above bit 32', () => {
    const seeds = [0, 1, 2, -1, 2 ** 32, 2 ** 32 + 1, -(2 ** 32), Number.MAX_SAFE_INTEGER];
    const firsts = new Set(seeds.map((s) => take(s, 3).join()));
    expect(firsts.size).toBe(seeds.length);
  });

  it('stays in [0, 1) and is close to uniform', () => {
    const rng = createRng(7);
    const buckets = new Array<number>(10).fill(0);
    const n = 100_000;
    let outside = 0;
    for (let i = 0; i < n; i++) {
      const v = rng.next();
      if (!(v >= 0 && v < 1)) outside++;
      else buckets[Math.floor(v * 10)]!++;
    }
    expect(outside).toBe(0);
    // χ² with 9 degrees of freedom: 27.9 is the 0.999 quantile.
    const chi2 = buckets.reduce((s, c) => s + (c - n / 10) ** 2 / (n / 10), 0);
    expect(chi2).toBeLessThan(27.9);
  });

  it.each([1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53])('rejects seed %s', (seed) => {
    expect(() => createRng(seed)).toThrow(InvalidInputError);
  });
});
