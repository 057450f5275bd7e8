import { describe, expect, it } from 'vitest';
import { StateError, UnknownSchemaVersionError } from '../errors.js';
import { counterState } from '../testing/counter-state.js';
import { decodeState, decodeStateAfter, encodeState, mutableCopy } from './state-codec.js';
import { DECISION_LOG_SIZE, emptyUserState, type UserState } from './user-state.js';

const chain = (n: number, padding = 3): UserState => {
  let state = emptyUserState('u');
  for (let i = 1; i <= n; i++) state = counterState(state, i, padding);
  return state;
};

describe('state codec', () => {
  it('writes text that parses to exactly the value it caches, and to what zod accepts', () => {
    for (const state of [emptyUserState('u'), chain(1), chain(150)]) {
      const { text, value } = encodeState('u', state);
      expect(JSON.parse(text)).toEqual(value);
      expect(JSON.stringify(value)).toBe(text);
      expect(value.decisions.length).toBeLessThanOrEqual(DECISION_LOG_SIZE);
      const decoded = decodeState('u', text);
      expect(decoded).toEqual({ ok: true, value });
    }
  });

  it('produces the same bytes whether the parts are trusted or new', () => {
    const state = chain(20);
    const first = encodeState('u', state);
    const decoded = decodeState('u', first.text);
    if (!decoded.ok) throw new Error('did not decode');
    const next = counterState(mutableCopy(decoded.value), 21, 3);
    const viaTrusted = encodeState('u', next);
    const viaFresh = encodeState('u', JSON.parse(JSON.stringify(next)) as UserState);
    expect(viaTrusted.text).toBe(viaFresh.text);
    // Keeping the model of a trusted policy record while changing its counters.
    const policy = viaTrusted.value.policies.counter!;
    const bumped = encodeState('u', {
      ...mutableCopy(viaTrusted.value),
      policies: { counter: { ...policy, n_scores: policy.n_scores + 1 } },
    });
    expect(JSON.parse(bumped.text).policies.counter).toEqual({ ...policy, n_scores: policy.n_scores + 1 });
    expect(bumped.value.policies.counter?.model).toBe(policy.model);
  });

  it('freezes every part it hands out and leaves the caller’s objects alone', () => {
    const state = chain(3);
    const { value } = encodeState('u', state);
    expect(Object.isFrozen(value.decisions[0])).toBe(true);
    expect(Object.isFrozen(value.decisions[0]?.features)).toBe(true);
    expect(Object.isFrozen(value.policies.counter?.model)).toBe(true);
    expect(Object.isFrozen(state.decisions[0])).toBe(false);
    expect(value.decisions[0]).not.toBe(state.decisions[0]);
  });

  it('refuses what the full schema refuses, with a StateError naming the path', () => {
    const bad: [string, unknown][] = [
      ['decisions.0', { ...chain(1), decisions: [{ decision_id: 'd' }] }],
      ['v', { ...chain(1), v: 2 }],
      ['extra', { ...chain(1), extra: true }],
      ['policies', { ...chain(1), policies: [] }],
      ['policies.bad key', { ...chain(1), policies: { 'bad key': chain(1).policies.counter } }],
      [
        'policies.counter',
        { ...chain(1), policies: { counter: { ...chain(1).policies.counter, model: [1] } } },
      ],
    ];
    for (const [path, state] of bad) {
      expect(() => encodeState('u', state as UserState), path).toThrow(StateError);
      expect(() => encodeState('u', state as UserState), path).toThrow(path);
    }
    expect(() => encodeState('u', emptyUserState('v'))).toThrow(/as the state of "u"/);
  });

  it('decodes like decodeRecord: corrupt is not ok, another version throws', () => {
    expect(decodeState('u', '{').ok).toBe(false);
    expect(decodeState('u', JSON.stringify(emptyUserState('v'))).ok).toBe(false);
    expect(() => decodeState('u', '{"v":3}')).toThrow(UnknownSchemaVersionError);
  });

  it('reuses the texts of a record it decoded, however the record was laid out', () => {
    const state = chain(12);
    const tricky = {
      ...state,
      decisions: state.decisions.map((decision, i) => ({ ...decision, chosen_id: `t"\\${i}]}é` })),
    };
    for (const raw of [JSON.stringify(tricky), JSON.stringify(tricky, null, 2)]) {
      const decoded = decodeState('u', raw);
      if (!decoded.ok) throw new Error('did not decode');
      const next = counterState(mutableCopy(decoded.value), 13, 3);
      const { text, value } = encodeState('u', next);
      expect(JSON.parse(text)).toEqual(value);
      expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(next)));
    }
  });

  describe('decodeStateAfter (a record another process rewrote)', () => {
    const decode = (raw: string) => {
      const decoded = decodeState('u', raw);
      if (!decoded.ok) throw new Error('did not decode');
      return decoded.value;
    };

    it('reuses the parts it knows, validates the rest, and equals a full decode', () => {
      const mine = decode(encodeState('u', chain(30)).text);
      // The other process prepends a decision and bumps the counters, from the same record.
      const theirs = encodeState(
        'u',
        counterState(JSON.parse(JSON.stringify(mine)) as UserState, 31, 3),
      ).text;
      const after = decodeStateAfter('u', theirs, mine);
      expect(after).toEqual(decodeState('u', theirs));
      if (!after.ok) throw new Error('did not decode');
      expect(after.value).toEqual(JSON.parse(theirs));
      expect(after.value.decisions[1]).toBe(mine.decisions[0]);
      expect(after.value.decisions[0]).not.toBe(mine.decisions[0]);
      expect(Object.isFrozen(after.value.decisions[0])).toBe(true);
      // And its parts serialise back to exactly that text.
      expect(encodeState('u', mutableCopy(after.value)).text).toBe(theirs);
    });

    it('reports what a full decode reports for anything unusual', () => {
      const mine = decode(encodeState('u', chain(3)).text);
      const good = JSON.parse(encodeState('u', chain(4)).text) as Record<string, unknown>;
      const variants: [string, string][] = [
        ['invalid new decision', JSON.stringify({ ...good, decisions: [{ decision_id: 'x' }] })],
        ['another user', JSON.stringify({ ...good, user_id: 'v' })],
        ['an extra key', JSON.stringify({ ...good, extra: 1 })],
        ['policies as an array', JSON.stringify({ ...good, policies: [] })],
        ['indented', JSON.stringify(good, null, 2)],
        ['not an object', '[]'],
        ['torn', encodeState('u', chain(4)).text.slice(0, 500)],
      ];
      for (const [what, raw] of variants) {
        expect(decodeStateAfter('u', raw, mine), what).toEqual(decodeState('u', raw));
      }
      expect(() => decodeStateAfter('u', JSON.stringify({ ...good, v: 2 }), mine)).toThrow(
        UnknownSchemaVersionError,
      );
    });
  });
});
