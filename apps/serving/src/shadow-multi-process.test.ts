import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { candidates, PROFILE } from './testing/bodies.js';
import { get, post } from './testing/http.js';
import { ridge } from './testing/ridge.js';
import { type ServiceProcess, spawnService } from './testing/spawn-service.js';
import { specFeatures } from './testing/spec-features.js';
import { createStoreFixture, STORE_KINDS, type StoreFixture } from './testing/test-stores.js';

const SCORES = 40;

interface LogEntry {
  decision_id: string;
  ts: string;
  chosen_id: string;
  reward: number | null;
  shadows: { policy: string; chosen_id: string }[];
}

describe.each(STORE_KINDS)('two serving processes with shadow policies over one %s store', (kind) => {
  let fixture: StoreFixture;
  let services: ServiceProcess[] = [];

  beforeAll(async () => {
    fixture = await createStoreFixture(kind);
    const { env } = await fixture.create();
    // Many writes to one user queue behind each other; they may wait (see multi-process.test.ts).
    const children = {
      ...env,
      STATE_LOCK_TIMEOUT_MS: '60000',
      SHADOW_POLICIES: 'linucb-v1,egreedy-v2',
      EGREEDY_EPSILON: '0.3',
    };
    services = await Promise.all([spawnService({ env: children }), spawnService({ env: children })]);
  });
  afterAll(async () => {
    await Promise.all(services.map((service) => service.stop()));
    await fixture?.close();
  });

  const via = (i: number) => services[i % services.length]!.url;

  it(`${SCORES} concurrent scores, each rewarded through both at once: every shadow model learns each reward once`, async () => {
    const user = `shadowed-${kind}`;
    const cands = candidates(4);
    // Decision time = the children's clock, so the decisions are still fresh when rewarded; the
    // log's ts says which instant each decision was encoded at.
    const scored = await Promise.all(
      Array.from({ length: SCORES }, (_, i) =>
        post(via(i), '/score/egreedy', { user_id: user, candidates: cands, profile_features: PROFILE }),
      ),
    );
    expect(scored.map((reply) => reply.status)).toEqual(new Array(SCORES).fill(200));
    const rewardOf = (chosen: string) => (chosen === 'c1' || chosen === 'c3' ? 1 : -0.5);
    const rewards = await Promise.all(
      scored.flatMap((reply) =>
        [0, 1].map((i) =>
          post(via(i), '/reward/egreedy', {
            user_id: user,
            decision_id: reply.body.decision_id,
            reward: rewardOf(reply.body.chosen_id),
          }),
        ),
      ),
    );
    expect(rewards.map((reply) => reply.status)).toEqual(new Array(2 * SCORES).fill(200));
    expect(rewards.filter((reply) => reply.body.duplicate)).toHaveLength(SCORES);

    const log = (await get(via(1), `/features/${user}`)).body as LogEntry[];
    expect(log).toHaveLength(SCORES);
    expect(log.every((entry) => entry.reward === rewardOf(entry.chosen_id))).toBe(true);
    expect(log.every((entry) => entry.shadows.map((s) => s.policy).join() === 'linucb-v1,egreedy-v2')).toBe(
      true,
    );

    // Each model equals the ridge solve over its own encoding of every shown candidate, once each.
    const byId = new Map(cands.map((c) => [c.id, c.task]));
    for (const [path, policy, d] of [
      ['/stats/egreedy', 'egreedy-v1', 7],
      ['/stats', 'linucb-v1', 5],
      ['/stats/egreedy/v2', 'egreedy-v2', 12],
    ] as const) {
      const stats = (await get(via(0), `${path}/${user}`)).body;
      expect(stats.n_rewards).toBe(SCORES);
      const expected = ridge(
        log.map((entry) => ({
          x: specFeatures(policy, byId.get(entry.chosen_id)!, entry.ts, PROFILE),
          r: rewardOf(entry.chosen_id),
        })),
        d,
      ).theta;
      stats.theta.forEach((value: number, i: number) => {
        expect(value).toBeCloseTo(expected[i]!, 9);
      });
    }

    // The match counts saw every decision once.
    const { shadows, n_scores } = (await get(via(1), `/stats/egreedy/${user}`)).body;
    expect(n_scores).toBe(SCORES);
    for (const shadow of ['linucb-v1', 'egreedy-v2']) {
      const agreements = log.filter(
        (entry) => entry.shadows.find((s) => s.policy === shadow)!.chosen_id === entry.chosen_id,
      ).length;
      expect(shadows[shadow]).toEqual({ decisions: SCORES, agreements, match_rate: agreements / SCORES });
    }
  });
});
