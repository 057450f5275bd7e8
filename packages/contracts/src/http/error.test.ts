import { describe, expect, it } from 'vitest';
import { ERROR_CODES, ErrorBody } from './error.js';

describe('ERROR_CODES', () => {
  it('maps every code to the status SPEC §4 gives it', () => {
    expect(ERROR_CODES).toMatchObject({
      invalid_json: 400,
      unauthorized: 401,
      forbidden: 403,
      not_found: 404,
      conflict: 409,
      payload_too_large: 413,
      unsupported_media_type: 415,
      validation_failed: 422,
      upstream_error: 502,
      state_unavailable: 503,
      service_busy: 503,
      state_corrupt: 503,
      upstream_timeout: 504,
    });
    for (const [code, status] of Object.entries(ERROR_CODES)) {
      expect(code).toMatch(/^[a-z]+(?:_[a-z]+)*$/);
      expect(status).toBeGreaterThanOrEqual(400);
      expect(status).toBeLessThan(600);
    }
  });
});

describe('ErrorBody', () => {
  it('accepts an error with and without details', () => {
    const plain = { error: { code: 'not_found', message: 'unknown decision' } };
    const detailed = {
      error: {
        code: 'validation_failed',
        message: 'invalid body',
        details: [{ path: ['reward'], message: 'x' }],
      },
    };
    expect(ErrorBody.parse(plain)).toEqual(plain);
    expect(ErrorBody.parse(detailed)).toEqual(detailed);
  });

  it('accepts a code this version does not know, for forward compatibility', () => {
    expect(ErrorBody.safeParse({ error: { code: 'rate_limited', message: 'slow down' } }).success).toBe(true);
  });

  it.each([
    ['a bare message', { message: 'x' }],
    ['an empty code', { error: { code: '', message: 'x' } }],
    ['no message', { error: { code: 'not_found' } }],
    ['a string error', { error: 'not_found' }],
  ])('rejects %s', (_label, body) => {
    expect(ErrorBody.safeParse(body).success).toBe(false);
  });
});
