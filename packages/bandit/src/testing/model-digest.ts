import { createHash } from 'node:crypto';
import { type LinearModel, liveInverse } from '../linear-model.js';
import { featureStream, type StreamKind } from './feature-streams.js';

/**
 * SHA-256 over the exact bytes of A, b, the cached A⁻¹ and θ, taken every 250 updates of a seeded
 * stream: equal digests mean bit-for-bit equal models along the whole path, refreshes included.
 */
export function modelPathDigest(
  make: (d: number) => LinearModel,
  kind: StreamKind,
  d: number,
  seed: number,
  updates: number,
): string {
  const hash = createHash('sha256');
  const model = make(d);
  const next = featureStream(kind, d, seed);
  for (let t = 1; t <= updates; t++) {
    model.update(next(), (t * 7919) % 5 === 0 ? 1 : t % 3 === 0 ? -0.5 : 0);
    if (t % 250 === 0) {
      const { A, b } = model.toJSON();
      hash.update(new Uint8Array(Float64Array.from(A).buffer));
      hash.update(new Uint8Array(Float64Array.from(b).buffer));
      hash.update(new Uint8Array(liveInverse(model).slice().buffer));
      hash.update(new Uint8Array(model.theta().buffer));
    }
  }
  return hash.digest('hex');
}
