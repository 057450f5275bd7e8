// `pnpm --filter @oo/state bench`: updateUser throughput per backend, with one writer and with 16
// concurrent writers on the same user. The update is the one /score makes: bump a policy's
// counters and prepend a decision to a full 100-entry log. Figures go to docs/benchmarks.md.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, bench, describe } from 'vitest';
import { createFileStore } from './file/file-store.js';
import { DECISION_LOG_SIZE, type DecisionRecord, type UserState } from './records/user-state.js';
import { createRedisStore } from './redis/redis-store.js';
import type { StateStore } from './store.js';
import { type RedisServer, startRedisServer } from './testing/redis-server.js';

const WRITERS = 16;
const POLICY_DIMENSIONS = { 'linucb-v1': 5, 'egreedy-v1': 7, 'egreedy-v2': 12 } as const;

function decision(i: number): DecisionRecord {
  return {
    decision_id: `0b8f7d52-6f1e-4c3a-9d2e-${String(i).padStart(12, '0')}`,
    policy: 'linucb-v1',
    ts: '2025-01-01T00:00:00.000Z',
    expires_at: '2025-01-01T00:10:00.000Z',
    chosen_id: `task-${i % 7}`,
    features: [0.25, 1, 0, 0.5, 0.75],
    propensity: 1,
    reward: null,
    rewarded_at: null,
  };
}

/** The /score update on a realistic state: three policies with their ridge models, a full log. */
function score(state: UserState): { result: number; state: UserState } {
  const policies = { ...state.policies };
  for (const [policy, d] of Object.entries(POLICY_DIMENSIONS)) {
    const current = policies[policy];
    const identity = Array.from({ length: d * d }, (_, k) => (k % (d + 1) === 0 ? 1 : 0.001 * k));
    policies[policy] = {
      model: current?.model ?? { v: 1, d, lambda: 1, n: 0, A: identity, b: new Array<number>(d).fill(0.1) },
      n_scores: (current?.n_scores ?? 0) + (policy === 'linucb-v1' ? 1 : 0),
      n_rewards: current?.n_rewards ?? 0,
      reward_sum: current?.reward_sum ?? 0,
      updated_at: '2025-01-01T00:00:00.000Z',
    };
  }
  const n = policies['linucb-v1']?.n_scores ?? 0;
  const decisions = [decision(n), ...state.decisions];
  while (decisions.length < DECISION_LOG_SIZE) decisions.push(decision(-decisions.length));
  return { result: n, state: { ...state, policies, decisions } };
}

let server: RedisServer;
let dir: string;
const stores: Record<string, StateStore> = {};

beforeAll(async () => {
  server = await startRedisServer();
  dir = await mkdtemp(join(tmpdir(), 'oo-state-bench-'));
  stores.file = createFileStore({ dir: join(dir, 'plain') });
  stores['file (fsync)'] = createFileStore({ dir: join(dir, 'fsync'), fsync: true });
  stores.redis = createRedisStore({ url: server.url });
});
afterAll(async () => {
  await Promise.all(Object.values(stores).map((s) => s.close()));
  await server?.close();
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

for (const backend of ['file', 'file (fsync)', 'redis']) {
  describe(`${backend} updateUser`, () => {
    let user = 0;
    const options = {
      time: 3_000,
      warmupTime: 300,
      // A fresh user per task, warmed to a full decision log before measuring.
      setup: async () => {
        user++;
        for (let i = 0; i < DECISION_LOG_SIZE; i++) await stores[backend]!.updateUser(`bench-${user}`, score);
      },
    };
    bench(
      '1 writer (updates/s = hz)',
      () => stores[backend]!.updateUser(`bench-${user}`, score).then(() => {}),
      options,
    );
    bench(
      `${WRITERS} concurrent writers, one user (updates/s = ${WRITERS} × hz)`,
      () =>
        Promise.all(
          Array.from({ length: WRITERS }, () => stores[backend]!.updateUser(`bench-${user}`, score)),
        ).then(() => {}),
      options,
    );
  });
}
