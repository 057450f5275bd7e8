import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { candidates, NOW, PROFILE, type TestTask, task } from '../testing/bodies.js';
import { get, post } from '../testing/http.js';
import { ridge } from '../testing/ridge.js';
import { specFeatures } from '../testing/spec-features.js';
import { startTestApp, type TestApp } from '../testing/test-app.js';
import { createStoreFixture, STORE_KINDS, type StoreFixture } from '../testing/test-stores.js';

const SHADOWS = { SHADOW_POLICIES: 'linucb-v1,egreedy-v2' };
// Decisions are made at NOW + a few minutes; the server clock is later but within their 24 h.
const CLOCK = () => new Date(Date.parse(NOW) + 12 * 3_600_000);

type Candidate = { id: string; task: TestTask };
interface LogEntry {
  decision_id: string;
  policy: string;
  ts: string;
  chosen_id: string;
  features: number[];
  propensity: number;
  reward: number | null;
  shadows?: { policy: string; chosen_id: string; features: number[]; propensity: number }[];
}

/** Round i's candidates: 2–5 tasks whose attributes vary with i, so the models have to learn. */
function roundCandidates(i: number): Candidate[] {
  return candidates(2 + (i % 4)).map((c, j) => ({
    id: `r${i}-c${j}`,
    task: { ...c.task, priority: (((i + j) % 4) + 1) as TestTask['priority'] },
  }));
}
const roundNow = (i: number) => new Date(Date.parse(NOW) + i * 7 * 60_000).toISOString();
/** A reward that depends on what was chosen, so the rewards are not all alike. */
const rewardOf = (c: Candidate) => (c.task.priority >= 3 ? 1 : c.task.due_at! < NOW ? 0.25 : -0.5);

/** POST with the answer kept as text, for byte-level comparisons. */
async function postText(base: string, path: string, body: unknown) {
  const response = await fetch(new URL(path, base), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, text: await response.text() };
}

const metricValue = (text: string, series: string) => {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
};

describe.each(STORE_KINDS)('shadow policies [%s store]', (kind) => {
  let fixture: StoreFixture;
  let app: TestApp;

  beforeAll(async () => {
    fixture = await createStoreFixture(kind);
    app = await startTestApp({
      store: (await fixture.create()).store,
      env: { ...SHADOWS, EGREEDY_EPSILON: '0.3', EGREEDY_V2_EPSILON: '0.3' },
      clock: CLOCK,
    });
  });
  afterAll(async () => {
    await app?.close();
    await fixture?.close();
  });

  const log = async (user: string) => (await get(app.url, `/features/${user}`)).body as LogEntry[];

  it('each shadow decides on the same candidates and is logged beside the active decision', async () => {
    const cands = roundCandidates(3);
    const now = roundNow(3);
    const reply = await post(app.url, '/score/egreedy', {
      user_id: 'beside',
      candidates: cands,
      now,
      profile_features: PROFILE,
    });
    expect(reply.status).toBe(200);
    const [entry] = await log('beside');
    expect(entry).toMatchObject({ decision_id: reply.body.decision_id, policy: 'egreedy-v1' });
    expect(entry!.shadows!.map((shadow) => shadow.policy)).toEqual(['linucb-v1', 'egreedy-v2']);
    const [linucb, v2] = entry!.shadows!;
    const byId = (id: string) => cands.find((c) => c.id === id)!;
    // Each logs its own vector (its own d) of the candidate it chose.
    expect(linucb!.features).toEqual(specFeatures('linucb-v1', byId(linucb!.chosen_id).task, now));
    expect(v2!.features).toEqual(specFeatures('egreedy-v2', byId(v2!.chosen_id).task, now, PROFILE));
    // LinUCB is deterministic; ε-greedy's propensity is (1 − ε)·[greedy] + ε/K.
    expect(linucb!.propensity).toBe(1);
    expect([0.3 / cands.length, 1 - (0.3 * (cands.length - 1)) / cands.length]).toContainEqual(
      v2!.propensity,
    );
  });

  it('leaves the response byte for byte as it is without shadows, and the active choices of a seed unchanged', async () => {
    // Same seed, separate stores: one app without shadows, one with a shadow that explores on every
    // request (ε = 1: two draws each). Shared randomness would shift every later active draw.
    const plain = await startTestApp({
      store: (await fixture.create()).store,
      env: { EGREEDY_EPSILON: '0.5' },
      clock: CLOCK,
      seed: 7,
    });
    const shadowed = await startTestApp({
      store: (await fixture.create()).store,
      env: { ...SHADOWS, EGREEDY_EPSILON: '0.5', EGREEDY_V2_EPSILON: '1' },
      clock: CLOCK,
      seed: 7,
    });
    try {
      const ROUNDS = 30;
      let explored = 0;
      for (let i = 0; i < ROUNDS; i++) {
        const body = {
          user_id: 'same-seed',
          candidates: roundCandidates(i),
          now: roundNow(i),
          profile_features: PROFILE,
        };
        const [a, b] = await Promise.all(
          [plain, shadowed].map((s) => postText(s.url, '/score/egreedy', body)),
        );
        expect(a!.status).toBe(200);
        const ids = [a, b].map((r) => JSON.parse(r!.text).decision_id as string);
        // Decision ids are random UUIDs; everything else, key order included, must be identical.
        expect(b!.text.replace(ids[1]!, '<id>')).toBe(a!.text.replace(ids[0]!, '<id>'));
        const answer = JSON.parse(a!.text);
        if (answer.explored) explored++;
        const reward = rewardOf(body.candidates.find((c) => c.id === answer.chosen_id)!);
        for (const [s, id] of [
          [plain, ids[0]],
          [shadowed, ids[1]],
        ] as const) {
          expect(
            (await post(s.url, '/reward/egreedy', { user_id: 'same-seed', decision_id: id, reward })).status,
          ).toBe(200);
        }
      }
      // The comparison covered both branches of ε-greedy.
      expect(explored).toBeGreaterThan(3);
      expect(explored).toBeLessThan(ROUNDS - 3);
      const [statsA, statsB] = await Promise.all(
        [plain, shadowed].map(async (s) => (await get(s.url, '/stats/egreedy/same-seed')).body),
      );
      const { shadows, ...active } = statsB;
      expect(active).toEqual(statsA);
      expect(shadows['egreedy-v2'].decisions).toBe(ROUNDS);
      // The shadow's own figures are recorded with the shadows, not in the active log entry.
      expect((await get(plain.url, '/features/same-seed')).body[0]).not.toHaveProperty('shadows');
    } finally {
      await Promise.all([plain.close(), shadowed.close()]);
    }
  });

  it('skips a shadow that needs profile_features when the request lacks them, and counts it', async () => {
    const before = (await get(app.url, '/metrics')).body as string;
    const series =
      'bandit_shadow_skipped_total{active="egreedy-v1",shadow="egreedy-v2",reason="missing_profile_features"}';
    const skippedBefore = metricValue(before, series) ?? 0;
    const reply = await post(app.url, '/score/egreedy', {
      user_id: 'no-profile',
      candidates: candidates(3),
      now: NOW,
    });
    expect(reply.status).toBe(200);
    const [entry] = await log('no-profile');
    expect(entry!.shadows!.map((shadow) => shadow.policy)).toEqual(['linucb-v1']);
    const after = (await get(app.url, '/metrics')).body as string;
    expect(metricValue(after, series)).toBe(skippedBefore + 1);

    // On /score/egreedy/v2 (active egreedy-v2) only linucb-v1 shadows: a policy never shadows itself.
    await post(app.url, '/score/egreedy/v2', {
      user_id: 'no-profile',
      candidates: candidates(3),
      now: NOW,
      profile_features: PROFILE,
    });
    expect((await log('no-profile'))[0]!.shadows!.map((shadow) => shadow.policy)).toEqual(['linucb-v1']);
    // On /score (active linucb-v1) without a profile no shadow can decide: nothing is logged.
    await post(app.url, '/score', { user_id: 'no-profile', candidates: candidates(3), now: NOW });
    const [linucbEntry] = await log('no-profile');
    expect(linucbEntry).toMatchObject({ policy: 'linucb-v1' });
    expect(linucbEntry).not.toHaveProperty('shadows');
    const last = (await get(app.url, '/metrics')).body as string;
    expect(metricValue(last, series.replace('egreedy-v1', 'linucb-v1'))).toBe(1);
  });

  it('a reward by decision_id trains the active model and each shadow’s with its own encoding of the shown candidate, once', async () => {
    const user = 'trained';
    const ROUNDS = 25;
    const shown: { cand: Candidate; now: string; reward: number }[] = [];
    const ids: string[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const cands = roundCandidates(i);
      const now = roundNow(i);
      const reply = await post(app.url, '/score/egreedy', {
        user_id: user,
        candidates: cands,
        now,
        profile_features: PROFILE,
      });
      const cand = cands.find((c) => c.id === reply.body.chosen_id)!;
      const reward = rewardOf(cand);
      const rewarded = await post(app.url, '/reward/egreedy', {
        user_id: user,
        decision_id: reply.body.decision_id,
        reward,
      });
      expect(rewarded.body).toEqual({
        user_id: user,
        policy: 'egreedy-v1',
        n_rewards: i + 1,
        duplicate: false,
      });
      shown.push({ cand, now, reward });
      ids.push(reply.body.decision_id);
    }
    // Some shadow choices differed from the active one: the shown candidate, not the shadow's own
    // choice, is what its model must have learned from.
    const entries = await log(user);
    expect(entries.some((e) => e.shadows!.some((s) => s.chosen_id !== e.chosen_id))).toBe(true);

    const expectations = [
      ['/stats/egreedy', 'egreedy-v1', 7],
      ['/stats', 'linucb-v1', 5],
      ['/stats/egreedy/v2', 'egreedy-v2', 12],
    ] as const;
    const snapshot: unknown[] = [];
    for (const [path, policy, d] of expectations) {
      const stats = (await get(app.url, `${path}/${user}`)).body;
      const observations = shown.map(({ cand, now, reward }) => ({
        x: specFeatures(policy, cand.task, now, PROFILE),
        r: reward,
      }));
      const expected = ridge(observations, d).theta;
      expect(stats).toMatchObject({ policy, d, n_rewards: ROUNDS });
      expect(stats.reward_sum).toBeCloseTo(
        shown.reduce((sum, s) => sum + s.reward, 0),
        12,
      );
      stats.theta.forEach((value: number, i: number) => {
        expect(value).toBeCloseTo(expected[i]!, 9);
      });
      // Shadow decisions are not the shadow's own scores: its n_scores counts its own route only.
      expect(stats.n_scores).toBe(policy === 'egreedy-v1' ? ROUNDS : 0);
      snapshot.push(stats);
    }

    // Every reward again: duplicates, and no model moves.
    for (const decision_id of ids) {
      const again = await post(app.url, '/reward/egreedy', { user_id: user, decision_id, reward: 1 });
      expect(again.body).toEqual({ user_id: user, policy: 'egreedy-v1', n_rewards: ROUNDS, duplicate: true });
    }
    for (const [i, [path]] of expectations.entries()) {
      expect((await get(app.url, `${path}/${user}`)).body).toEqual(snapshot[i]);
    }
  });

  it('a reward by features trains the route’s policy only', async () => {
    const user = 'by-features';
    await post(app.url, '/score/egreedy', {
      user_id: user,
      candidates: candidates(3),
      now: NOW,
      profile_features: PROFILE,
    });
    const reply = await post(app.url, '/reward/egreedy', {
      user_id: user,
      reward: 1,
      features: [1, 0, 0, 0, 0, 0, 0],
    });
    expect(reply.body.n_rewards).toBe(1);
    expect((await get(app.url, `/stats/${user}`)).body).toMatchObject({
      n_rewards: 0,
      theta: [0, 0, 0, 0, 0],
    });
    expect((await get(app.url, `/stats/egreedy/v2/${user}`)).body).toMatchObject({ n_rewards: 0 });
  });

  it('answers the match rate per user in /stats and overall in /metrics, exactly', async () => {
    // ε = 0 and no rewards, so every model stays at θ = 0 and each choice is known in advance:
    // ε-greedy (v1 and v2) takes the first candidate (all scores tie at 0), LinUCB the candidate
    // with the largest ‖x‖ (its bonus α·sqrt(xᵀA⁻¹x) = ‖x‖ with A = I).
    const exact = await startTestApp({
      store: (await fixture.create()).store,
      env: { ...SHADOWS, EGREEDY_EPSILON: '0', EGREEDY_V2_EPSILON: '0' },
      clock: CLOCK,
    });
    try {
      const quiet = task({ due_at: null, created_at: '2025-03-02T12:00:00Z', priority: 1 });
      const loud = task({ due_at: '2025-02-01T00:00:00Z', created_at: '2024-12-01T00:00:00Z', priority: 4 });
      const agree = [{ id: 'only', task: quiet }];
      const disagree = [
        { id: 'quiet', task: quiet },
        { id: 'loud', task: loud },
      ];
      const score = (user: string, cands: Candidate[], profile = true) =>
        post(exact.url, '/score/egreedy', {
          user_id: user,
          candidates: cands,
          now: NOW,
          ...(profile ? { profile_features: PROFILE } : {}),
        });
      // alice: 3 decisions all agree, 2 where LinUCB differs, 1 without a profile where it differs.
      for (const cands of [agree, agree, agree, disagree, disagree]) await score('alice', cands);
      await score('alice', disagree, false);
      // bob: 2 decisions where LinUCB differs.
      for (const cands of [disagree, disagree]) await score('bob', cands);

      expect((await get(exact.url, '/stats/egreedy/alice')).body.shadows).toEqual({
        'linucb-v1': { decisions: 6, agreements: 3, match_rate: 0.5 },
        'egreedy-v2': { decisions: 5, agreements: 5, match_rate: 1 },
      });
      expect((await get(exact.url, '/stats/egreedy/bob')).body.shadows).toEqual({
        'linucb-v1': { decisions: 2, agreements: 0, match_rate: 0 },
        'egreedy-v2': { decisions: 2, agreements: 2, match_rate: 1 },
      });
      // Only the active policy's stats carry match rates; a user never seen has none.
      expect((await get(exact.url, '/stats/alice')).body).not.toHaveProperty('shadows');
      expect((await get(exact.url, '/stats/egreedy/carol')).body).not.toHaveProperty('shadows');

      const metrics = (await get(exact.url, '/metrics')).body as string;
      const labels = (shadow: string) => `{active="egreedy-v1",shadow="${shadow}"}`;
      expect(metricValue(metrics, `bandit_shadow_decisions_total${labels('linucb-v1')}`)).toBe(8);
      expect(metricValue(metrics, `bandit_shadow_agreements_total${labels('linucb-v1')}`)).toBe(3);
      expect(metricValue(metrics, `bandit_shadow_decisions_total${labels('egreedy-v2')}`)).toBe(7);
      expect(metricValue(metrics, `bandit_shadow_agreements_total${labels('egreedy-v2')}`)).toBe(7);
      expect(
        metricValue(
          metrics,
          'bandit_shadow_skipped_total{active="egreedy-v1",shadow="egreedy-v2",reason="missing_profile_features"}',
        ),
      ).toBe(1);

      // Rewards of those decisions train both shadows of each.
      for (const entry of (await get(exact.url, '/features/bob')).body as LogEntry[]) {
        await post(exact.url, '/reward/egreedy', {
          user_id: 'bob',
          decision_id: entry.decision_id,
          reward: 1,
        });
      }
      const rewarded = (await get(exact.url, '/metrics')).body as string;
      expect(metricValue(rewarded, `bandit_shadow_rewards_total${labels('linucb-v1')}`)).toBe(2);
      expect(metricValue(rewarded, `bandit_shadow_rewards_total${labels('egreedy-v2')}`)).toBe(2);
    } finally {
      await exact.close();
    }
  });
});
