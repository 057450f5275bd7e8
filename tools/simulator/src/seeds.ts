import { createRng, type Rng } from '@oo/bandit';

/**
 * A seed for one named stream of a run (a user's world, a policy's coin flips, …), derived from
 * the run's seed and integer labels. Each label is folded in through MurmurHash3's fmix32
 * (Appleby), so neighbouring labels give unrelated streams and no two streams of a run share
 * numbers by accident. The result is a uint32, a valid `createRng` seed.
 */
export function deriveSeed(seed: number, ...labels: readonly number[]): number {
  let h = fmix32((seed >>> 0) ^ 0x5bd1e995);
  h = fmix32((h + Math.floor(seed / 4294967296)) >>> 0);
  for (const label of labels) h = fmix32((h ^ Math.imul(label + 0x9e3779b9, 0x85ebca6b)) >>> 0);
  return h;
}

export function streamRng(seed: number, ...labels: readonly number[]): Rng {
  return createRng(deriveSeed(seed, ...labels));
}

function fmix32(value: number): number {
  let z = value;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/** Labels of the independent streams of one seed (the first label of `deriveSeed`). */
export const STREAM = {
  population: 1,
  world: 2,
  player: 3,
} as const;

/** A standard normal draw (Box–Muller; one of the pair is discarded for simplicity). */
export function normal(rng: Rng, mean = 0, sd = 1): number {
  const u = 1 - rng.next();
  const v = rng.next();
  return mean + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

export function uniform(rng: Rng, low: number, high: number): number {
  return low + (high - low) * rng.next();
}

/** A Poisson draw by Knuth's product method: exact, and fast for the small means used here. */
export function poisson(rng: Rng, mean: number): number {
  if (!(mean > 0)) return 0;
  const limit = Math.exp(-mean);
  let k = 0;
  let product = rng.next();
  while (product > limit) {
    k++;
    product *= rng.next();
  }
  return k;
}

export function pick<T>(rng: Rng, items: readonly T[]): T {
  return items[Math.floor(rng.next() * items.length)]!;
}
