import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '@oo/observability';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadEnv } from '../env.js';
import { candidates, NOW, PROFILE } from '../testing/bodies.js';
import { get, post } from '../testing/http.js';
import { discountWeights, weightedRidge } from '../testing/ridge.js';
import { DIST_MAIN, startProcess } from '../testing/spawn-service.js';
import { specFeatures } from '../testing/spec-features.js';
import { startTestApp } from '../testing/test-app.js';
import {
  createStoreFixture,
  STORE_KINDS,
  type StoreFixture,
  type TestStore,
} from '../testing/test-stores.js';

const CLOCK = () => new Date(Date.parse(NOW) + 12 * 3_600_000);

/** A deterministic vector in [-1, 1]^d and a reward in [-1, 1] for observation s. */
const vector = (s: number, d: number) => Array.from({ length: d }, (_, i) => Math.sin(s * 7.3 + i * 1.9));
const rewardAt = (s: number) => Math.cos(s * 2.1);

function configError(env: Record<string, string>): ConfigError {
  try {
    loadEnv(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error(`loadEnv accepted ${JSON.stringify(env)}`);
}

function expectClose(actual: readonly number[], expected: readonly number[]) {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((value, i) => {
    expect(Math.abs(value - expected[i]!)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(expected[i]!)));
  });
}

describe('configuration of shadows and forgetting factors', () => {
  it('parses SHADOW_POLICIES and the γ of each policy; all unset by default', () => {
    expect(
      loadEnv({
        SHADOW_POLICIES: ' linucb-v1 , egreedy-v2',
        LINUCB_GAMMA: '0.99',
        EGREEDY_GAMMA: '1',
        EGREEDY_V2_GAMMA: '0.5',
        APPLY_GAMMA_TO_STORED_MODELS: '1',
      }),
    ).toMatchObject({
      SHADOW_POLICIES: ['linucb-v1', 'egreedy-v2'],
      LINUCB_GAMMA: 0.99,
      EGREEDY_GAMMA: 1,
      EGREEDY_V2_GAMMA: 0.5,
      APPLY_GAMMA_TO_STORED_MODELS: true,
    });
    const defaults = loadEnv({ SHADOW_POLICIES: '' });
    for (const name of [
      'SHADOW_POLICIES',
      'LINUCB_GAMMA',
      'EGREEDY_GAMMA',
      'EGREEDY_V2_GAMMA',
      'APPLY_GAMMA_TO_STORED_MODELS',
    ]) {
      expect(defaults).not.toHaveProperty(name);
    }
  });

  it.each([
    ['SHADOW_POLICIES', 'linucb-v2', 'unknown policy "linucb-v2"'],
    ['SHADOW_POLICIES', 'linucb-v1,,egreedy-v2', 'unknown policy ""'],
    ['SHADOW_POLICIES', 'egreedy-v2,linucb-v1,egreedy-v2', 'egreedy-v2 is listed twice'],
    ['LINUCB_GAMMA', '0', 'expected a number in (0, 1]'],
    ['EGREEDY_GAMMA', '1.01', 'expected a number in (0, 1]'],
    ['EGREEDY_V2_GAMMA', '-0.5', 'expected a number in (0, 1]'],
    ['EGREEDY_V2_GAMMA', 'NaN', 'expected a number in (0, 1]'],
    ['LINUCB_GAMMA', 'Infinity', 'expected a number in (0, 1]'],
    ['APPLY_GAMMA_TO_STORED_MODELS', 'yes', 'expected 0 or 1'],
  ])('refuses %s=%s, naming the variable', (variable, value, message) => {
    const error = configError({ [variable]: value });
    expect(error.variables).toEqual([variable]);
    expect(error.message).toContain(`${variable}: ${message}`);
  });

  describe('a serving process', () => {
    let dir: string;
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'oo-serving-gamma-'));
    });
    afterAll(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it.concurrent.each([
      ['SHADOW_POLICIES', 'linucb-v1,nope'],
      ['EGREEDY_GAMMA', '0'],
    ])('does not start with %s=%s, and says why', async (variable, value) => {
      const started = startProcess(DIST_MAIN, { [variable]: value, STATE_DIR: dir });
      expect(await started.exited).toBe(1);
      const line = JSON.parse(started.stderr().trim().split('\n').at(-1)!);
      expect(line).toMatchObject({ level: 'fatal', variables: [variable] });
      expect(line.msg).toContain(`${variable}:`);
    });
  });
});

describe.each(STORE_KINDS)('forgetting factors in serving [%s store]', (kind) => {
  let fixture: StoreFixture;
  beforeAll(async () => {
    fixture = await createStoreFixture(kind);
  });
  afterAll(async () => {
    await fixture?.close();
  });

  /** Runs `fn` against an app on `backing` with `env`, then closes the app. */
  async function withApp<T>(
    backing: TestStore,
    env: Record<string, string>,
    fn: (url: string) => Promise<T>,
  ) {
    const app = await startTestApp({ store: backing.store, env, clock: CLOCK });
    try {
      return await fn(app.url);
    } finally {
      await app.close();
    }
  }

  const rewardFeatures = async (url: string, user: string, from: number, to: number) => {
    for (let s = from; s < to; s++) {
      const reply = await post(url, '/reward/egreedy', {
        user_id: user,
        features: vector(s, 7),
        reward: rewardAt(s),
      });
      expect(reply.status).toBe(200);
    }
  };
  const observations = (n: number) =>
    Array.from({ length: n }, (_, s) => ({ x: vector(s, 7), r: rewardAt(s) }));

  it('γ < 1 makes θ the discounted ridge solution, and /stats names γ', async () => {
    const backing = await fixture.create();
    await withApp(backing, { EGREEDY_GAMMA: '0.9' }, async (url) => {
      await rewardFeatures(url, 'forgets', 0, 40);
      const stats = (await get(url, '/stats/egreedy/forgets')).body;
      expect(stats).toMatchObject({ gamma: 0.9, n_rewards: 40 });
      expectClose(stats.theta, weightedRidge(observations(40), discountWeights(40, 0.9), 7).theta);
      // The check can fail: the stationary solution is far from it.
      const stationary = weightedRidge(observations(40), discountWeights(40, 1), 7).theta;
      expect(
        Math.max(...stats.theta.map((v: number, i: number) => Math.abs(v - stationary[i]!))),
      ).toBeGreaterThan(0.01);
      // Other policies keep the default: no forgetting, no gamma field.
      await post(url, '/reward', { user_id: 'forgets', features: vector(0, 5), reward: 1 });
      expect((await get(url, '/stats/forgets')).body).not.toHaveProperty('gamma');
    });
  });

  it('a stored model keeps its γ when the configuration changes, unless APPLY_GAMMA_TO_STORED_MODELS=1', async () => {
    const backing = await fixture.create();
    await withApp(backing, { EGREEDY_GAMMA: '0.9' }, (url) => rewardFeatures(url, 'kept', 0, 10));
    // Restarted with γ = 1: the stored model still forgets at 0.9; a new user's model does not.
    await withApp(backing, {}, async (url) => {
      await rewardFeatures(url, 'kept', 10, 20);
      const stats = (await get(url, '/stats/egreedy/kept')).body;
      expect(stats.gamma).toBe(0.9);
      expectClose(stats.theta, weightedRidge(observations(20), discountWeights(20, 0.9), 7).theta);
      await rewardFeatures(url, 'newcomer', 0, 20);
      const fresh = (await get(url, '/stats/egreedy/newcomer')).body;
      expect(fresh).not.toHaveProperty('gamma');
      expectClose(fresh.theta, weightedRidge(observations(20), discountWeights(20, 1), 7).theta);
    });
    // Restarted with γ = 1 applied to stored models: from the next update on, nothing is discounted.
    await withApp(backing, { APPLY_GAMMA_TO_STORED_MODELS: '1' }, async (url) => {
      await rewardFeatures(url, 'kept', 20, 30);
      const stats = (await get(url, '/stats/egreedy/kept')).body;
      expect(stats).not.toHaveProperty('gamma');
      const weights = [...discountWeights(20, 0.9), ...new Array(10).fill(1)];
      expectClose(stats.theta, weightedRidge(observations(30), weights, 7).theta);
    });
  });

  it('applies to shadow models: a shadow with γ < 1 learns the discounted solution of what was shown', async () => {
    const backing = await fixture.create();
    await withApp(
      backing,
      { SHADOW_POLICIES: 'linucb-v1,egreedy-v2', LINUCB_GAMMA: '0.8', EGREEDY_V2_GAMMA: '0.95' },
      async (url) => {
        const shown: { x5: number[]; x12: number[]; r: number }[] = [];
        for (let i = 0; i < 20; i++) {
          const cands = candidates(2 + (i % 3));
          const now = new Date(Date.parse(NOW) + i * 11 * 60_000).toISOString();
          const reply = await post(url, '/score/egreedy', {
            user_id: 'shadowed',
            candidates: cands,
            now,
            profile_features: PROFILE,
          });
          const chosen = cands.find((c) => c.id === reply.body.chosen_id)!;
          const r = rewardAt(i);
          await post(url, '/reward/egreedy', {
            user_id: 'shadowed',
            decision_id: reply.body.decision_id,
            reward: r,
          });
          shown.push({
            x5: specFeatures('linucb-v1', chosen.task, now),
            x12: specFeatures('egreedy-v2', chosen.task, now, PROFILE),
            r,
          });
        }
        const linucb = (await get(url, '/stats/shadowed')).body;
        expect(linucb).toMatchObject({ gamma: 0.8, n_rewards: 20 });
        expectClose(
          linucb.theta,
          weightedRidge(
            shown.map((s) => ({ x: s.x5, r: s.r })),
            discountWeights(20, 0.8),
            5,
          ).theta,
        );
        const v2 = (await get(url, '/stats/egreedy/v2/shadowed')).body;
        expect(v2).toMatchObject({ gamma: 0.95, n_rewards: 20 });
        expectClose(
          v2.theta,
          weightedRidge(
            shown.map((s) => ({ x: s.x12, r: s.r })),
            discountWeights(20, 0.95),
            12,
          ).theta,
        );
        expect((await get(url, '/stats/egreedy/shadowed')).body).not.toHaveProperty('gamma');
      },
    );
  });
});
