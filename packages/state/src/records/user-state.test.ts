import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StateError } from '../errors.js';
import type { StateStore } from '../store.js';
import { type RedisServer, startRedisServer } from '../testing/redis-server.js';
import { openStore } from '../testing/store-spec.js';
import { decodeRecord, encodeRecord } from './record-codec.js';
import { emptyUserState, type UserState } from './user-state.js';

const TS = '2025-03-03T06:00:00.000Z';

const policy = { model: { v: 1 }, n_scores: 2, n_rewards: 1, reward_sum: 1, updated_at: TS };
const decision = {
  decision_id: 'd-1',
  policy: 'egreedy-v1',
  ts: TS,
  expires_at: TS,
  chosen_id: 'a',
  features: [0.5, 0.5, 0, 1, 0, 0, 1],
  propensity: 0.95,
  reward: null,
  rewarded_at: null,
};

/** A state as the service wrote it before shadow policies existed (no `shadows` anywhere). */
const before: UserState = {
  ...emptyUserState('u'),
  policies: { 'egreedy-v1': policy },
  decisions: [decision],
};

/** The same with what shadow policies add: match counts on the active record, entries on the decision. */
const withShadows: UserState = {
  ...emptyUserState('u'),
  policies: {
    'egreedy-v1': { ...policy, shadows: { 'linucb-v1': { decisions: 2, agreements: 1 } } },
  },
  decisions: [
    {
      ...decision,
      shadows: [
        {
          policy: 'linucb-v1',
          chosen_id: 'b',
          features: [0.5, 0.5, 1, 0, 1],
          propensity: 1,
          shown_features: [0.5, 0.5, 0, 1, 0],
        },
        { policy: 'egreedy-v2', chosen_id: 'a', features: new Array(12).fill(0.25), propensity: 0.9 },
      ],
    },
  ],
};

/** The same decision with what off-policy evaluation adds (ADR-0023): every candidate, the version and params. */
const withCandidates: UserState = {
  ...emptyUserState('u'),
  policies: { 'egreedy-v1': policy },
  decisions: [
    {
      ...decision,
      candidates: [
        { id: 'b', features: [1, 0.13333333333333333, 1] },
        { id: 'a' },
        { id: 'c', features: [0, 0, 0.3333333333333333] },
      ],
      shared_columns: [0, 1, 5, 6],
      policy_version: '1.0.0',
      policy_params: { epsilon: 0.1, gamma: 1, lambda: 1 },
    },
  ],
};
const [loggedDecision] = withCandidates.decisions as [UserState['decisions'][number]];
const candidatesOf = (...candidates: unknown[]) => ({ decisions: [{ ...loggedDecision, candidates }] });

const INVALID: [string, Partial<UserState>][] = [
  ['an empty candidate list', candidatesOf()],
  [
    '101 candidates',
    candidatesOf(
      { id: 'a' },
      ...Array.from({ length: 100 }, (_, i) => ({ id: `c${i}`, features: decision.features })),
    ),
  ],
  ['a chosen_id that is no candidate', candidatesOf({ id: 'b', features: decision.features })],
  ['the chosen candidate twice', candidatesOf({ id: 'a' }, { id: 'a' })],
  [
    'a repeated candidate id',
    candidatesOf(
      { id: 'a' },
      { id: 'b', features: decision.features },
      { id: 'b', features: decision.features },
    ),
  ],
  [
    'features on the chosen candidate (kept once, as features)',
    candidatesOf({ id: 'a', features: decision.features }),
  ],
  ['another candidate without features', candidatesOf({ id: 'a' }, { id: 'b' })],
  ['another candidate of another length', candidatesOf({ id: 'a' }, { id: 'b', features: [0.5] })],
  [
    'another candidate with the shared columns too',
    candidatesOf({ id: 'a' }, { id: 'b', features: decision.features }),
  ],
  ['shared columns out of order', { decisions: [{ ...loggedDecision, shared_columns: [1, 0, 5, 6] }] }],
  ['a shared column past d', { decisions: [{ ...loggedDecision, shared_columns: [0, 1, 5, 7] }] }],
  ['shared columns without candidates', { decisions: [{ ...decision, shared_columns: [0] }] }],
  ['an unknown field in a candidate', candidatesOf({ id: 'a', score: 1 })],
  ['an epsilon above 1', { decisions: [{ ...loggedDecision, policy_params: { epsilon: 2 } }] }],
  ['an unknown policy parameter', { decisions: [{ ...loggedDecision, policy_params: { beta: 1 } }] }],
  ['an empty policy_version', { decisions: [{ ...loggedDecision, policy_version: '' }] }],
  [
    'more agreements than decisions',
    { policies: { 'egreedy-v1': { ...policy, shadows: { x: { decisions: 1, agreements: 2 } } } } },
  ],
  [
    'a fractional count',
    { policies: { 'egreedy-v1': { ...policy, shadows: { x: { decisions: 1.5, agreements: 0 } } } } },
  ],
  [
    'an unknown field in a match',
    { policies: { 'egreedy-v1': { ...policy, shadows: { x: { decisions: 1, agreements: 0, rate: 0 } } } } },
  ],
  [
    'a shadow key that is no policy key',
    { policies: { 'egreedy-v1': { ...policy, shadows: { '../x': { decisions: 1, agreements: 0 } } } } },
  ],
  ['an empty shadow list', { decisions: [{ ...decision, shadows: [] }] }],
  [
    'a shadow without propensity',
    { decisions: [{ ...decision, shadows: [{ policy: 'linucb-v1', chosen_id: 'a', features: [1] }] }] },
  ],
  [
    'a propensity above 1',
    {
      decisions: [
        { ...decision, shadows: [{ policy: 'linucb-v1', chosen_id: 'a', features: [1], propensity: 2 }] },
      ],
    },
  ],
  [
    'an unknown field in a shadow',
    {
      decisions: [
        {
          ...decision,
          shadows: [{ policy: 'linucb-v1', chosen_id: 'a', features: [1], propensity: 1, reward: 1 }],
        },
      ],
    },
  ],
] as never;

describe('UserState with shadow policies and logged candidates (additive fields)', () => {
  it('still reads a record written before shadow policies, and writes it back unchanged', () => {
    const raw = JSON.stringify(before);
    expect(decodeRecord('state', 'u', raw)).toEqual({ ok: true, value: before });
    expect(encodeRecord('state', 'u', structuredClone(before))).toBe(raw);
  });

  it('round-trips shadow decisions and match counts', () => {
    const text = encodeRecord('state', 'u', structuredClone(withShadows));
    expect(JSON.parse(text)).toEqual(withShadows);
    expect(decodeRecord('state', 'u', text)).toEqual({ ok: true, value: withShadows });
  });

  it('round-trips a decision with every candidate, its policy version and parameters', () => {
    const text = encodeRecord('state', 'u', structuredClone(withCandidates));
    expect(JSON.parse(text)).toEqual(withCandidates);
    expect(decodeRecord('state', 'u', text)).toEqual({ ok: true, value: withCandidates });
    // Full precision: the numbers are written as they were made.
    expect(text).toContain('0.13333333333333333');
  });

  it.each(INVALID)('refuses to write or read %s', (_label, overrides) => {
    const state = { ...before, ...overrides } as UserState;
    expect(() => encodeRecord('state', 'u', state)).toThrow(StateError);
    expect(decodeRecord('state', 'u', JSON.stringify(state)).ok).toBe(false);
  });
});

describe.each(['file', 'redis'] as const)('UserState with shadow policies through a %s store', (backend) => {
  let redis: RedisServer | undefined;
  let dir: string | undefined;
  let store: StateStore;

  beforeAll(async () => {
    if (backend === 'redis') {
      redis = await startRedisServer();
      store = await openStore({ backend, url: redis.url, keyPrefix: 'shadows:' });
    } else {
      dir = await mkdtemp(join(tmpdir(), 'oo-state-shadows-'));
      store = await openStore({ backend, dir });
    }
  });
  afterAll(async () => {
    await store?.close();
    await redis?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('stores and reads back a state with and without shadow fields', async () => {
    await store.updateUser('u', () => ({ result: null, state: structuredClone(before) }));
    expect(await store.readUser('u')).toEqual(before);
    await store.updateUser('u', () => ({ result: null, state: structuredClone(withShadows) }));
    expect(await store.readUser('u')).toEqual(withShadows);
    await store.updateUser('u', () => ({ result: null, state: structuredClone(withCandidates) }));
    expect(await store.readUser('u')).toEqual(withCandidates);
    await store.updateUser('u', () => ({ result: null, state: structuredClone(before) }));
    expect(await store.readUser('u')).toEqual(before);
  });

  it.each(INVALID)('refuses to write %s and keeps what was there', async (_label, overrides) => {
    await store.updateUser('v', () => ({
      result: null,
      state: { ...structuredClone(before), user_id: 'v' },
    }));
    const state = { ...before, user_id: 'v', ...overrides } as UserState;
    await expect(store.updateUser('v', () => ({ result: null, state }))).rejects.toThrow(StateError);
    expect(await store.readUser('v')).toEqual({ ...before, user_id: 'v' });
  });
});
