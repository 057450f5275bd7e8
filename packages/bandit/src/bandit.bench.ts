// Micro-benchmarks for docs/benchmarks.md: `pnpm --filter @oo/bandit bench`.
// Each benchmark iteration does BATCH operations, so per-iteration timer overhead does not swamp
// sub-microsecond work: operations per second = hz × BATCH. The naive baselines keep only A and b
// and re-invert A with ml-matrix whenever A⁻¹ is needed.
import { inverse, Matrix } from 'ml-matrix';
import { bench, describe } from 'vitest';
import { decide } from './decide.js';
import { LinearModel } from './linear-model.js';
import { POLICIES, type PolicySpec } from './policies.js';
import { createRng } from './rng.js';
import { featureStream } from './testing/feature-streams.js';

const D = 12;
const K = 10;
const POOL = 1024;
const ALPHA = 1;
const BATCH = 100;
/** Long enough for a few thousand samples of the fast paths, so one scheduler hiccup moves the mean little. */
const OPTIONS = { time: 1500, warmupTime: 300 };

const next = featureStream('uniform', D, 2024);
const pool = Array.from({ length: POOL }, next);
const decisions = Array.from({ length: POOL / K }, (_, i) => pool.slice(i * K, (i + 1) * K));
const rewards = Array.from({ length: POOL }, (_, i) => (i % 3 === 0 ? 1 : 0));

function trained(): LinearModel {
  const model = LinearModel.create(D);
  for (let i = 0; i < 500; i++) model.update(pool[i % POOL]!, rewards[i % POOL]!);
  return model;
}

/** The textbook implementation: A and b as ml-matrix matrices, A⁻¹ by LU whenever needed. */
class NaiveRidge {
  readonly a = Matrix.eye(D, D);
  readonly b = Matrix.zeros(D, 1);
  ainv = Matrix.eye(D, D);

  update(x: Float64Array, r: number): void {
    for (let i = 0; i < D; i++) {
      this.b.set(i, 0, this.b.get(i, 0) + r * x[i]!);
      for (let j = 0; j < D; j++) this.a.set(i, j, this.a.get(i, j) + x[i]! * x[j]!);
    }
    this.ainv = inverse(this.a);
  }

  scoreGreedy(xs: readonly Float64Array[]): number {
    const theta = inverse(this.a).mmul(this.b).transpose();
    let best = 0;
    let bestScore = Number.NEGATIVE_INFINITY;
    xs.forEach((x, i) => {
      const score = theta.mmul(Matrix.columnVector(Array.from(x))).get(0, 0);
      if (score > bestScore) {
        bestScore = score;
        best = i;
      }
    });
    return best;
  }

  scoreLinUcb(xs: readonly Float64Array[]): number {
    const ainv = inverse(this.a);
    const theta = ainv.mmul(this.b);
    let best = 0;
    let bestScore = Number.NEGATIVE_INFINITY;
    xs.forEach((x, i) => {
      const col = Matrix.columnVector(Array.from(x));
      const score =
        theta.transpose().mmul(col).get(0, 0) +
        ALPHA * Math.sqrt(col.transpose().mmul(ainv).mmul(col).get(0, 0));
      if (score > bestScore) {
        bestScore = score;
        best = i;
      }
    });
    return best;
  }
}

function trainedNaive(): NaiveRidge {
  const naive = new NaiveRidge();
  for (let i = 0; i < 500; i++) naive.update(pool[i % POOL]!, rewards[i % POOL]!);
  return naive;
}

const LINUCB_D12: PolicySpec = {
  ...POLICIES['egreedy-v2'],
  kind: 'linucb',
  defaults: { lambda: 1, alpha: ALPHA },
};

describe('score 10 candidates, d = 12', () => {
  const model = trained();
  const naive = trainedNaive();
  const rng = createRng(1);
  let i = 0;

  bench(
    `@oo/bandit decide, LinUCB rule (×${BATCH})`,
    () => {
      for (let n = 0; n < BATCH; n++) decide(LINUCB_D12, model, decisions[i++ % decisions.length]!, {}, rng);
    },
    OPTIONS,
  );

  bench(
    `@oo/bandit decide, egreedy-v2 (×${BATCH})`,
    () => {
      for (let n = 0; n < BATCH; n++) {
        decide(POLICIES['egreedy-v2'], model, decisions[i++ % decisions.length]!, {}, rng);
      }
    },
    OPTIONS,
  );

  bench(
    `naive: ml-matrix inverse(A) per decision, ε-greedy rule (×${BATCH})`,
    () => {
      for (let n = 0; n < BATCH; n++) {
        naive.scoreGreedy(decisions[i++ % decisions.length]!);
      }
    },
    OPTIONS,
  );

  bench(
    `naive: ml-matrix inverse(A) per decision, LinUCB rule (×${BATCH})`,
    () => {
      for (let n = 0; n < BATCH; n++) naive.scoreLinUcb(decisions[i++ % decisions.length]!);
    },
    OPTIONS,
  );
});

describe('one update, d = 12', () => {
  const model = trained();
  const naive = trainedNaive();
  let i = 0;

  bench(
    `@oo/bandit update (Sherman–Morrison, Cholesky refresh) (×${BATCH})`,
    () => {
      for (let n = 0; n < BATCH; n++) {
        const k = i++ % POOL;
        model.update(pool[k]!, rewards[k]!);
      }
    },
    OPTIONS,
  );

  bench(
    `naive: A += x·xᵀ, b += r·x, then ml-matrix inverse(A) (×${BATCH})`,
    () => {
      for (let n = 0; n < BATCH; n++) {
        const k = i++ % POOL;
        naive.update(pool[k]!, rewards[k]!);
      }
    },
    OPTIONS,
  );
});

describe('one update, d = 12, ill-conditioned A (κ_F ≈ 5e5: constant profile block, 100,000 updates)', () => {
  const model = LinearModel.create(D);
  const encoded = featureStream('encoded', D, 5);
  const stream = Array.from({ length: POOL }, encoded);
  for (let t = 0; t < 100_000; t++) model.update(stream[t % POOL]!, rewards[t % POOL]!);
  let i = 0;

  bench(
    `@oo/bandit update, refreshing as often as the drift bound asks (×${BATCH})`,
    () => {
      for (let n = 0; n < BATCH; n++) {
        const k = i++ % POOL;
        model.update(stream[k]!, rewards[k]!);
      }
    },
    OPTIONS,
  );
});
