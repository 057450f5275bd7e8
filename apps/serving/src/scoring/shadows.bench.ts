// What shadow policies cost a score (ADR-0022): the pure transition with 0 and 2 shadows, and a
// whole in-process POST /score/egreedy on the file store. Not part of `vitest run`; run with
// `cd apps/serving && nice pnpm exec vitest bench --run src/scoring/shadows.bench.ts`.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRng, POLICIES } from '@oo/bandit';
import { createLogger } from '@oo/observability';
import { DECISION_LOG_SIZE, emptyUserState, type UserState } from '@oo/state';
import { createFileStore } from '@oo/state/file';
import { bench, describe } from 'vitest';
import { createApp } from '../app.js';
import { loadEnv } from '../env.js';
import { candidates, NOW, PROFILE } from '../testing/bodies.js';
import { applyReward } from './reward.js';
import { applyScore } from './score.js';
import { planShadows } from './shadow-plan.js';

const K = 10;
const OPTIONS = { time: 2000, warmupTime: 500 };
const ACTIVE = POLICIES['egreedy-v1'];
const cands = candidates(K);
const ctx = { now: new Date(NOW), tz_offset_min: 0, profile_features: PROFILE };
const ids = cands.map((c) => c.id);
const plan = planShadows(ACTIVE, { SHADOW_POLICIES: ['linucb-v1', 'egreedy-v2'] });

/** A user after 200 rewarded decisions with shadows: trained models and a full decision log. */
function seasoned(): UserState {
  let state = emptyUserState('u');
  const rng = createRng(1);
  for (let i = 0; i < 200; i++) {
    const input = {
      spec: ACTIVE,
      params: {},
      candidateIds: ids,
      vectors: cands.map((c) => ACTIVE.encode(c.task, ctx)),
      decisionId: `d-${i}`,
      now: ctx.now,
      expiresAt: new Date(ctx.now.getTime() + 86_400_000),
      clock: ctx.now,
      rng,
      logSize: DECISION_LOG_SIZE,
      shadows: { policies: plan.encode(cands, ctx).policies, rng },
    };
    state = applyScore(state, input).state!;
    state = applyReward(state, {
      spec: ACTIVE,
      reward: i % 3 === 0 ? 1 : -0.5,
      target: { decisionId: `d-${i}` },
      now: ctx.now,
    }).state!;
  }
  return state;
}

describe(`the score transition, K = ${K}, encoding included`, () => {
  const state = seasoned();
  const rng = createRng(2);
  const input = (i: number) => ({
    spec: ACTIVE,
    params: {},
    candidateIds: ids,
    vectors: cands.map((c) => ACTIVE.encode(c.task, ctx)),
    decisionId: `b-${i}`,
    now: ctx.now,
    expiresAt: new Date(ctx.now.getTime() + 86_400_000),
    clock: ctx.now,
    rng,
    logSize: DECISION_LOG_SIZE,
  });
  let i = 0;
  bench('no shadow', () => void applyScore(state, input(i++)), OPTIONS);
  bench(
    '2 shadows (linucb-v1, egreedy-v2)',
    () =>
      void applyScore(state, { ...input(i++), shadows: { policies: plan.encode(cands, ctx).policies, rng } }),
    OPTIONS,
  );
});

describe(`POST /score/egreedy in process on the file store, K = ${K}, 50 users`, () => {
  const logger = createLogger({ name: 'bench', level: 'silent' });
  const appOf = (env: Record<string, string>) =>
    createApp({
      store: createFileStore({ dir: mkdtempSync(join(tmpdir(), 'oo-shadow-bench-')) }),
      env: loadEnv(env),
      logger,
      seed: 3,
    });
  const plain = appOf({});
  const shadowed = appOf({ SHADOW_POLICIES: 'linucb-v1,egreedy-v2' });
  const request = (n: number) =>
    new Request('http://bench/score/egreedy', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        user_id: `user-${n % 50}`,
        candidates: cands,
        now: NOW,
        profile_features: PROFILE,
      }),
    });
  let a = 0;
  let b = 0;
  bench('no shadow', async () => void (await plain.fetch(request(a++))).arrayBuffer(), OPTIONS);
  bench('2 shadows', async () => void (await shadowed.fetch(request(b++))).arrayBuffer(), OPTIONS);
});
