import { type EncodeContext, POLICIES } from '@oo/bandit';
import type { ScoreResponse } from '@oo/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { candidates, NOW, PROFILE, scoreBody } from '../testing/bodies.js';
import { parseExport, playEgreedy } from '../testing/decision-log.js';
import { get, post } from '../testing/http.js';
import { startTestApp, type TestApp } from '../testing/test-app.js';
import {
  createStoreFixture,
  STORE_KINDS,
  type StoreFixture,
  type TestStore,
} from '../testing/test-stores.js';

const TOKEN = 'export-admin-token-0123456789';
const AUTH = { authorization: `Bearer ${TOKEN}` };
const ENV = {
  ADMIN_TOKEN: TOKEN,
  DECISION_LOG_CANDIDATES: '1',
  EGREEDY_EPSILON: '0.5',
  LINUCB_ALPHA: '0.25',
  EGREEDY_GAMMA: '0.99',
};

describe.each(STORE_KINDS)('GET /admin/decisions [%s store]', (kind) => {
  let fixture: StoreFixture;
  let backing: TestStore;
  let app: TestApp;
  let disabled: TestApp;
  let withoutCandidates: TestApp;

  beforeAll(async () => {
    fixture = await createStoreFixture(kind);
    backing = await fixture.create();
    app = await startTestApp({ store: backing.store, env: ENV, clock: () => new Date(NOW) });
    disabled = await startTestApp({ store: backing.store });
    withoutCandidates = await startTestApp({
      store: backing.store,
      env: { ...ENV, DECISION_LOG_CANDIDATES: '0' },
      clock: () => new Date(NOW),
    });
  });
  afterAll(async () => {
    await Promise.all([app?.close(), disabled?.close(), withoutCandidates?.close()]);
    await fixture?.close();
  });

  const exportOf = (query = '') => fetch(new URL(`/admin/decisions${query}`, app.url), { headers: AUTH });

  it('exports every decision with every candidate as the encoder made it, and the choice, propensity and reward', async () => {
    const user = 'exported';
    const sent = [
      { path: '/score', policy: 'linucb-v1', body: scoreBody(user, 5) },
      { path: '/score/egreedy', policy: 'egreedy-v1', body: scoreBody(user, 10, { tz_offset_min: 330 }) },
      {
        path: '/score/egreedy/v2',
        policy: 'egreedy-v2',
        body: scoreBody(user, 3, { profile_features: PROFILE, now: '2025-03-04T21:17:43.123Z' }),
      },
    ] as const;
    const decisions: ScoreResponse[] = [];
    for (const { path, body } of sent) {
      const res = await post(app.url, path, body);
      expect(res.status).toBe(200);
      decisions.push(res.body);
    }
    const rewarded = await post(app.url, '/reward/egreedy', {
      user_id: user,
      decision_id: decisions[1]!.decision_id,
      reward: 0.5,
    });
    expect(rewarded.status).toBe(200);

    const res = await exportOf(`?user_id=${user}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/x-ndjson');
    const lines = parseExport(await res.text());
    // Oldest first, one line per decision.
    expect(lines.map((line) => line.decision_id)).toEqual(decisions.map((d) => d.decision_id));
    lines.forEach((line, i) => {
      const { policy, body } = sent[i]!;
      const spec = POLICIES[policy];
      const extra = body as { tz_offset_min?: number; profile_features?: number[] };
      const ctx: EncodeContext = {
        now: new Date(body.now as string),
        tz_offset_min: extra.tz_offset_min ?? 0,
        ...(extra.profile_features === undefined ? {} : { profile_features: extra.profile_features }),
      };
      expect(line).toMatchObject({
        v: 1,
        user_id: user,
        policy,
        policy_version: spec.version,
        ts: new Date(body.now as string).toISOString(),
        expires_at: decisions[i]!.expires_at,
        chosen_id: decisions[i]!.chosen_id,
        propensity: decisions[i]!.propensity,
      });
      // Every candidate in request order, bit for bit the encoder's vector.
      expect(line.candidates).toEqual(
        body.candidates.map((candidate) => ({
          id: candidate.id,
          features: Array.from(spec.encode(candidate.task, ctx)),
        })),
      );
    });
    expect(lines.map((line) => line.policy_params)).toEqual([
      { alpha: 0.25, gamma: 1, lambda: 1 },
      { epsilon: 0.5, gamma: 0.99, lambda: 1 },
      { epsilon: 0.1, gamma: 1, lambda: 1 },
    ]);
    expect(lines.map((line) => [line.reward, line.rewarded_at])).toEqual([
      [null, null],
      [0.5, new Date(NOW).toISOString()],
      [null, null],
    ]);
    // The response and /features are unchanged by the logged candidates.
    expect(Object.keys(decisions[0]!).sort()).toEqual(
      [
        'chosen_id',
        'decision_id',
        'expires_at',
        'explored',
        'policy',
        'policy_version',
        'propensity',
        'scores',
      ].sort(),
    );
    const features = await get(app.url, `/features/${user}`);
    expect(features.body[0]).not.toHaveProperty('candidates');
  });

  it('answers an empty log for a user with no decisions, and for decisions logged without candidates', async () => {
    const never = await exportOf('?user_id=never-seen');
    expect(never.status).toBe(200);
    expect(await never.text()).toBe('');

    const user = 'no-candidates';
    expect((await post(withoutCandidates.url, '/score/egreedy', scoreBody(user, 4))).status).toBe(200);
    const stored = await backing.store.readUser(user);
    expect(stored.decisions).toHaveLength(1);
    expect(stored.decisions[0]).not.toHaveProperty('candidates');
    expect(stored.decisions[0]).not.toHaveProperty('policy_params');
    const res = await exportOf(`?user_id=${user}`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('');
    // A later decision with candidates is exported; the older one still is not.
    await post(app.url, '/score/egreedy', scoreBody(user, 4));
    expect(parseExport(await (await exportOf(`?user_id=${user}`)).text())).toHaveLength(1);
  });

  it('streams every user’s decisions without user_id, each user whole', async () => {
    const users = ['all-a', 'all-b', 'all-c'];
    for (const user of users) await playEgreedy(app.url, user, 3, { rewardEvery: 2 });
    const res = await exportOf();
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/x-ndjson');
    const lines = parseExport(await res.text());
    for (const user of users) {
      const single = parseExport(await (await exportOf(`?user_id=${user}`)).text());
      expect(single).toHaveLength(3);
      expect(lines.filter((line) => line.user_id === user)).toEqual(single);
    }
    const ids = lines.map((line) => `${line.user_id}/${line.decision_id}`);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('stores each number once: the chosen vector once, the columns all candidates share once', async () => {
    const user = 'sized';
    await post(app.url, '/score/egreedy/v2', {
      user_id: user,
      candidates: candidates(10),
      now: NOW,
      profile_features: PROFILE,
    });
    const [decision] = (await backing.store.readUser(user)).decisions;
    const { candidates: logged, shared_columns, policy_version, policy_params } = decision!;
    expect(logged).toHaveLength(10);
    expect(logged!.filter((candidate) => candidate.features === undefined)).toEqual([
      { id: decision!.chosen_id },
    ]);
    // hour (2), weekday (2) and the profile (5) are the same for every candidate of a request.
    expect(shared_columns).toEqual([0, 1, 5, 6, 7, 8, 9, 10, 11]);
    for (const candidate of logged!) if (candidate.features) expect(candidate.features).toHaveLength(3);
    expect(policy_version).toBe('1.0.0');
    expect(policy_params).toEqual({ epsilon: 0.1, gamma: 1, lambda: 1 });
    // And the export puts every vector back whole.
    const [line] = parseExport(await (await exportOf(`?user_id=${user}`)).text());
    for (const candidate of line!.candidates) expect(candidate.features).toHaveLength(12);
  });

  it.each([
    ['no Authorization header', {}, 401, 'missing_token'],
    ['a wrong token', { authorization: 'Bearer not-the-token' }, 403, 'invalid_token'],
  ])('refuses %s', async (_name, headers, status, reason) => {
    const res = await get(app.url, '/admin/decisions?user_id=exported', headers);
    expect(res.status).toBe(status);
    expect(res.body.error).toMatchObject({ details: { reason } });
  });

  it('is disabled (403) when ADMIN_TOKEN is unset', async () => {
    const res = await get(disabled.url, '/admin/decisions', AUTH);
    expect(res.status).toBe(403);
    expect(res.body.error).toMatchObject({ code: 'forbidden', details: { reason: 'admin_disabled' } });
  });

  it('validates user_id (422 naming it) after authentication', async () => {
    const res = await get(app.url, '/admin/decisions?user_id=..%2Fx', AUTH);
    expect(res.status).toBe(422);
    expect(res.body.error.details[0].path).toBe('user_id');
    expect((await get(app.url, '/admin/decisions?user_id=..%2Fx')).status).toBe(401);
  });
});
