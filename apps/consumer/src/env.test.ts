import { ConfigError } from '@oo/observability';
import { describe, expect, it } from 'vitest';
import { loadEnv } from './env.js';

describe('loadEnv', () => {
  it('needs only NATS_URL and applies the SPEC §8 defaults', () => {
    expect(loadEnv({ NATS_URL: 'nats://127.0.0.1:4222' })).toMatchObject({
      NATS_DURABLE_PREFIX: 'feature-pipeline',
      NATS_MAX_DELIVER: 5,
      NATS_NAK_BASE_MS: 1000,
      NATS_ACK_WAIT_MS: 30_000,
      STATE_BACKEND: 'file',
      STATE_DIR: '/tmp/oo-bandit-state',
      REDIS_URL: 'redis://127.0.0.1:6379',
      STATE_FSYNC: false,
      CONSUMER_PORT: 8001,
      ENV: 'development',
      LOG_LEVEL: 'info',
    });
  });

  it.each(['', '  '])('refuses a missing NATS_URL (%j) with a message that says what to set', (value) => {
    expect(() => loadEnv({ NATS_URL: value })).toThrow(
      expect.objectContaining({
        variables: ['NATS_URL'],
        message: expect.stringMatching(/NATS_URL: required/),
      }),
    );
  });

  it('accepts several servers and rejects a non-NATS URL without echoing it', () => {
    expect(loadEnv({ NATS_URL: 'nats://a:4222, tls://b:4222' }).NATS_URL).toBe('nats://a:4222, tls://b:4222');
    let error: unknown;
    try {
      loadEnv({ NATS_URL: 'http://user:secret@host' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).not.toContain('secret');
  });

  it.each([
    ['NATS_DURABLE_PREFIX', 'has.dot'],
    ['NATS_DURABLE_PREFIX', 'a>'],
    ['NATS_MAX_DELIVER', '0'],
    ['NATS_ACK_WAIT_MS', '999'],
    ['STATE_BACKEND', 'sqlite'],
    ['STATE_DIR', 'relative/dir'],
    ['CONSUMER_PORT', '70000'],
    ['LOG_LEVEL', 'loud'],
  ])('names %s when it is %j', (variable, value) => {
    expect(() => loadEnv({ NATS_URL: 'nats://127.0.0.1:4222', [variable]: value })).toThrow(
      expect.objectContaining({ variables: [variable] }),
    );
  });
});
