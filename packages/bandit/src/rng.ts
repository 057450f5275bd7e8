import { InvalidInputError } from './errors.js';

/** A source of uniform numbers in [0, 1). Inject one to make every choice reproducible. */
export interface Rng {
  next(): number;
}

const TWO_POW_32 = 4294967296;

/**
 * A deterministic generator for `seed` (any safe integer, negative included).
 *
 * sfc32, Chris Doty-Humphrey's "small fast chaotic" generator from PractRand
 * (https://pracrand.sourceforge.net/, passes its 32 TB battery): 128 bits of state, 32-bit output.
 * The state words are filled from the seed with a SplitMix-style sequence (Steele, Lea & Flood 2014:
 * a Weyl step of 0x9E3779B9 followed by MurmurHash3's fmix32 finaliser), so nearby seeds give
 * unrelated streams; the first 12 outputs are discarded as PractRand's own seeding does.
 */
export function createRng(seed: number): Rng {
  if (!Number.isSafeInteger(seed)) throw new InvalidInputError('seed', 'expected a safe integer');
  // The low word drives the SplitMix sequence and the high word is folded into the third state
  // word through a bijection, so distinct safe-integer seeds always give distinct states.
  let weyl = seed >>> 0;
  const splitmix = (): number => {
    weyl = (weyl + 0x9e3779b9) | 0;
    return fmix32(weyl);
  };
  let a = splitmix();
  let b = splitmix();
  let c = (splitmix() ^ fmix32(Math.floor(seed / TWO_POW_32) | 0)) | 0;
  let counter = 1;
  const next = (): number => {
    const t = (((a + b) | 0) + counter) | 0;
    counter = (counter + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / TWO_POW_32;
  };
  for (let i = 0; i < 12; i++) next();
  return { next };
}

/** MurmurHash3's 32-bit finaliser (Appleby): a bijection on uint32 with full avalanche. */
function fmix32(h: number): number {
  let z = h;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}
