import { describe, expect, it } from 'vitest';
import { StateError, UnknownSchemaVersionError } from '../errors.js';
import { decodeRecord, encodeRecord } from './record-codec.js';
import { emptyUserState } from './user-state.js';

describe('record codec', () => {
  it('decodes a valid record', () => {
    expect(decodeRecord('state', 'u', JSON.stringify(emptyUserState('u')))).toEqual({
      ok: true,
      value: emptyUserState('u'),
    });
  });

  it('reports unparseable, misshapen and foreign records as not ok', () => {
    for (const raw of [
      '',
      '{',
      'null',
      '[]',
      '{"v":1}',
      '{"v":"1"}',
      JSON.stringify(emptyUserState('other')),
    ]) {
      expect(decodeRecord('state', 'u', raw).ok, raw).toBe(false);
    }
  });

  it('throws UnknownSchemaVersionError for any other numeric version', () => {
    for (const v of [0, 2, 1.5, -1]) {
      expect(() => decodeRecord('sync', 'u', JSON.stringify({ v })), String(v)).toThrow(
        UnknownSchemaVersionError,
      );
    }
  });

  it('rejects extra fields: records are strict and versioned', () => {
    const raw = JSON.stringify({ ...emptyUserState('u'), extra: true });
    expect(decodeRecord('state', 'u', raw).ok).toBe(false);
  });

  it('refuses to encode invalid records with a StateError', () => {
    expect(() => encodeRecord('state', 'u', { ...emptyUserState('u'), v: 2 } as never)).toThrow(StateError);
    expect(() =>
      encodeRecord('figures', 'consumer', { v: 1, consumers: {}, updated_at: 'yesterday' }),
    ).toThrow(StateError);
    expect(() =>
      encodeRecord('state', 'u', {
        ...emptyUserState('u'),
        policies: {
          'linucb-v1': { model: {}, n_scores: 1.5, n_rewards: 0, reward_sum: 0, updated_at: null },
        },
      }),
    ).toThrow(StateError);
  });

  it('accepts models as opaque JSON objects and rejects non-objects', () => {
    const policy = { n_scores: 1, n_rewards: 0, reward_sum: 0, updated_at: null };
    const ok = {
      ...emptyUserState('u'),
      policies: { 'linucb-v1': { ...policy, model: { v: 1, A: [1, 0, 0, 1] } } },
    };
    expect(JSON.parse(encodeRecord('state', 'u', ok))).toEqual(ok);
    const bad = { ...emptyUserState('u'), policies: { 'linucb-v1': { ...policy, model: [1, 2] } } };
    expect(() => encodeRecord('state', 'u', bad as never)).toThrow(StateError);
  });
});
