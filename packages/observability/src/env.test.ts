import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError, envFlag, envInt, envNumber, envUrl, parseEnv } from './env.js';

const Schema = z.object({
  PORT: envInt(1, 65535).default(8000),
  ALPHA: envNumber(0, 100).default(1),
  FSYNC: envFlag().default(false),
  URL: envUrl('http', 'https').default('http://localhost:4000'),
  TOKEN: z.string().min(8, { error: 'must be at least 8 characters' }).optional(),
});

describe('parseEnv', () => {
  it('applies defaults and treats empty strings as unset', () => {
    expect(parseEnv(Schema, { PORT: '', FSYNC: ' ' })).toEqual({
      PORT: 8000,
      ALPHA: 1,
      FSYNC: false,
      URL: 'http://localhost:4000',
    });
  });

  it('coerces values', () => {
    expect(
      parseEnv(Schema, { PORT: '9000', ALPHA: '0.5', FSYNC: '1', URL: 'https://x.test/y' }),
    ).toMatchObject({
      PORT: 9000,
      ALPHA: 0.5,
      FSYNC: true,
      URL: 'https://x.test/y',
    });
  });

  it('names every bad variable and what it got', () => {
    const error = (() => {
      try {
        parseEnv(Schema, { PORT: '80a', ALPHA: 'NaN', FSYNC: 'yes', URL: 'ftp://x' });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    const { message, variables } = error as ConfigError;
    expect(variables).toEqual(['PORT', 'ALPHA', 'FSYNC', 'URL']);
    expect(message).toContain('PORT: expected an integer from 1 to 65535 (got "80a")');
    expect(message).toContain('FSYNC: expected 0 or 1');
    expect(message).toContain('URL: expected a http or https URL');
  });

  it.each(['0', '65536', '1.5', '-1'])('rejects PORT=%s', (port) => {
    expect(() => parseEnv(Schema, { PORT: port })).toThrow(/PORT/);
  });

  it('never echoes a secret in the message', () => {
    expect(() => parseEnv(Schema, { TOKEN: 'short' }, { secrets: ['TOKEN'] })).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining('short') }),
    );
  });
});
