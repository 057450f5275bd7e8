import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scoreBody } from './testing/bodies.js';
import { get, post } from './testing/http.js';
import { type ServiceProcess, spawnService } from './testing/spawn-service.js';
import { createStoreFixture, STORE_KINDS, type StoreFixture } from './testing/test-stores.js';

const REWARDS = 200;
const SCORES = 60;

describe.each(STORE_KINDS)('two serving processes over one %s store', (kind) => {
  let fixture: StoreFixture;
  let services: ServiceProcess[] = [];

  beforeAll(async () => {
    fixture = await createStoreFixture(kind);
    const { env } = await fixture.create();
    // 200 writes to one user queue behind each other; on a starved CI machine the last ones can
    // wait longer than the default 5 s and would be refused (503, nothing written). This test is
    // about lost updates, not latency, so they may wait.
    const children = { ...env, STATE_LOCK_TIMEOUT_MS: '60000' };
    services = await Promise.all([spawnService({ env: children }), spawnService({ env: children })]);
  });
  afterAll(async () => {
    await Promise.all(services.map((service) => service.stop()));
    await fixture?.close();
  });

  const via = (i: number) => services[i % services.length]!.url;

  it(`${REWARDS} concurrent rewards split between them: n_rewards == ${REWARDS}`, async () => {
    const user = `shared-rewards-${kind}`;
    const replies = await Promise.all(
      Array.from({ length: REWARDS }, (_, i) =>
        post(via(i), '/reward/egreedy', {
          user_id: user,
          features: [1, 0, 0, 0, 0, 0, 0],
          reward: i % 2 === 0 ? 1 : -0.5,
        }),
      ),
    );
    const statuses = replies.map((reply) =>
      reply.status === 200 ? 200 : `${reply.status} ${JSON.stringify(reply.body)}`,
    );
    expect(statuses).toEqual(new Array(REWARDS).fill(200));
    expect(new Set(replies.map((reply) => reply.body.n_rewards)).size).toBe(REWARDS);
    const stats = (await get(via(0), `/stats/egreedy/${user}`)).body;
    expect(stats.n_rewards).toBe(REWARDS);
    expect(stats.reward_sum).toBeCloseTo((REWARDS / 2) * 1 + (REWARDS / 2) * -0.5, 9);
    // θ₀ = Σr / (λ + n) for n identical unit vectors: every update reached A and b exactly once.
    expect(stats.theta[0]).toBeCloseTo(stats.reward_sum / (1 + REWARDS), 12);
  });

  it(`${SCORES} concurrent scores then a double reward of each: no decision or reward lost or doubled`, async () => {
    const user = `shared-scores-${kind}`;
    // Decision time = the children's clock, so the decisions are still fresh when rewarded.
    const scored = await Promise.all(
      Array.from({ length: SCORES }, (_, i) =>
        post(via(i), '/score', scoreBody(user, 3, { now: undefined })),
      ),
    );
    expect(scored.every((reply) => reply.status === 200)).toBe(true);
    const ids = scored.map((reply) => reply.body.decision_id as string);
    const log = (await get(via(1), `/features/${user}`)).body as { decision_id: string }[];
    expect(log).toHaveLength(SCORES);
    expect(new Set(log.map((entry) => entry.decision_id))).toEqual(new Set(ids));
    expect((await get(via(0), `/stats/${user}`)).body.n_scores).toBe(SCORES);

    // Every decision rewarded once through each process, all at the same time.
    const rewards = await Promise.all(
      ids.flatMap((decision_id) =>
        [0, 1].map((i) => post(via(i), '/reward', { user_id: user, decision_id, reward: 1 })),
      ),
    );
    expect(rewards.every((reply) => reply.status === 200)).toBe(true);
    expect(rewards.filter((reply) => reply.body.duplicate).length).toBe(SCORES);
    const stats = (await get(via(1), `/stats/${user}`)).body;
    expect(stats).toMatchObject({ n_scores: SCORES, n_rewards: SCORES, reward_sum: SCORES });
    const rewarded = (await get(via(0), `/features/${user}`)).body as { reward: number | null }[];
    expect(rewarded.every((entry) => entry.reward === 1)).toBe(true);
  });
});
