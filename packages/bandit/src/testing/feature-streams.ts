import { createRng } from '../rng.js';

/**
 * Deterministic feature streams for the numerical tests, from benign to adversarial for the
 * conditioning of A: `encoded` mimics egreedy-v2 vectors whose profile block is constant per
 * user, which leaves directions of A that never grow, so κ(A) rises linearly with n.
 */
export const STREAM_KINDS = ['uniform', 'encoded', 'repeated', 'low-rank', 'one-hot', 'large'] as const;
export type StreamKind = (typeof STREAM_KINDS)[number];

export function featureStream(kind: StreamKind, d: number, seed: number): () => Float64Array {
  const rng = createRng(seed);
  const uniform = (scale: number) => Float64Array.from({ length: d }, () => scale * (2 * rng.next() - 1));
  const fixed = uniform(1);
  const basisA = uniform(1);
  const basisB = uniform(1);
  const profile = Float64Array.from({ length: d }, () => rng.next());
  switch (kind) {
    case 'uniform':
      return () => uniform(1);
    case 'large':
      return () => uniform(100);
    case 'repeated':
      return () => fixed.slice();
    case 'low-rank':
      return () => {
        const s = 2 * rng.next() - 1;
        const t = 2 * rng.next() - 1;
        return basisA.map((v, i) => s * v + t * basisB[i]!);
      };
    case 'one-hot':
      return () => {
        const x = new Float64Array(d);
        x[Math.floor(rng.next() * d)] = 1 + rng.next();
        return x;
      };
    case 'encoded':
      return () => {
        const hour = (2 * Math.PI * rng.next() * 24) / 24;
        const weekday = (2 * Math.PI * Math.floor(rng.next() * 7)) / 7;
        const head = [
          Math.sin(hour),
          Math.cos(hour),
          rng.next() < 0.3 ? 1 : 0,
          rng.next(),
          Math.floor(rng.next() * 4) / 3,
          Math.sin(weekday),
          Math.cos(weekday),
        ];
        return Float64Array.from({ length: d }, (_, i) =>
          i < head.length && i < d - 5 ? head[i]! : profile[i]!,
        );
      };
  }
}
