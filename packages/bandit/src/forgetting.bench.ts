// The discounted update (ADR-0021), in a file of its own: a discounted model in the same isolate
// as bandit.bench.ts would train `update`'s γ < 1 branch and blur the stationary figures there.
// Run with the others: `pnpm --filter @oo/bandit bench`.
import { bench, describe } from 'vitest';
import { LinearModel } from './linear-model.js';
import { featureStream } from './testing/feature-streams.js';

const D = 12;
const POOL = 1024;
const BATCH = 100;
const OPTIONS = { time: 1500, warmupTime: 300 };

const next = featureStream('uniform', D, 2024);
const pool = Array.from({ length: POOL }, next);
const rewards = Array.from({ length: POOL }, (_, i) => (i % 3 === 0 ? 1 : 0));

describe('one update, d = 12, forgetting γ = 0.99 (Cholesky rebuild of A⁻¹ on every update)', () => {
  const model = LinearModel.create(D, 1, { gamma: 0.99 });
  for (let i = 0; i < 500; i++) model.update(pool[i % POOL]!, rewards[i % POOL]!);
  let i = 0;

  bench(
    `@oo/bandit update, discounted (×${BATCH})`,
    () => {
      for (let n = 0; n < BATCH; n++) {
        const k = i++ % POOL;
        model.update(pool[k]!, rewards[k]!);
      }
    },
    OPTIONS,
  );
});
