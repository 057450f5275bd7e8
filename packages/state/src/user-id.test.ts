import { describe, expect, it } from 'vitest';
import { InvalidUserIdError, StateError } from './errors.js';
import { assertUserId, isValidUserId } from './user-id.js';

describe('user ids', () => {
  it('accepts the contract’s ids', () => {
    for (const id of ['a', 'A', 'user-42', 'auth0:6512bd43', 'a.b@c', '_x', 'x'.repeat(128), 'a_sync']) {
      expect(isValidUserId(id), id).toBe(true);
    }
  });

  it('rejects path syntax, control characters, braces, non-strings and oversize ids', () => {
    for (const id of [
      '',
      '.',
      '..',
      '../x',
      '.a',
      'a/b',
      'a\\b',
      '/abs',
      'a\0',
      'a b',
      '{a}',
      'é',
      'x'.repeat(129),
    ]) {
      expect(isValidUserId(id), JSON.stringify(id)).toBe(false);
    }
    expect(isValidUserId(undefined)).toBe(false);
    expect(isValidUserId(7)).toBe(false);
  });

  it('throws InvalidUserIdError, a StateError, with a bounded message', () => {
    expect(() => assertUserId('x'.repeat(10_000))).toThrow(InvalidUserIdError);
    try {
      assertUserId('../etc', 'figures name');
    } catch (error) {
      expect(error).toBeInstanceOf(StateError);
      expect((error as Error).message).toContain('figures name');
      expect((error as Error).name).toBe('InvalidUserIdError');
    }
    expect(() => assertUserId(null)).toThrow(/a null/);
  });
});
