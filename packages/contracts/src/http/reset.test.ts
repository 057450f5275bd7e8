import { describe, expect, it } from 'vitest';
import { ResetResponse } from './reset.js';

describe('ResetResponse', () => {
  it('accepts { user_id, reset: true }', () => {
    expect(ResetResponse.parse({ user_id: 'user-42', reset: true })).toEqual({
      user_id: 'user-42',
      reset: true,
    });
  });

  it.each([
    ['reset: false', { user_id: 'user-42', reset: false }],
    ['no reset', { user_id: 'user-42' }],
    ['a bad user id', { user_id: 'a/b', reset: true }],
  ])('rejects %s', (_label, body) => {
    expect(ResetResponse.safeParse(body).success).toBe(false);
  });
});
