import { ConfigError } from '@oo/observability';
import { describe, expect, it } from 'vitest';
import { loadEnv } from './env.js';

describe('loadEnv', () => {
  it('applies the SPEC §8 defaults; exploration parameters fall through to the policy table', () => {
    expect(loadEnv({})).toEqual({
      PORT: 8000,
      HOST: '0.0.0.0',
      STATE_BACKEND: 'file',
      STATE_DIR: '/tmp/oo-bandit-state',
      STATE_FSYNC: false,
      STATE_CACHE_MB: 128,
      REDIS_URL: 'redis://127.0.0.1:6379',
      LITELLM_URL: 'http://localhost:4000',
      LITELLM_MASTER_KEY: 'sk-oo-dev',
      LITELLM_TIMEOUT_MS: 10_000,
      NATS_DURABLE_PREFIX: 'feature-pipeline',
      NATS_MAX_DELIVER: 5,
      DEFAULT_PROMPT_VERSION: 'v1',
      ENV: 'development',
      DECISION_LOG_CANDIDATES: false,
      MAX_BODY_BYTES: 1_048_576,
      LOG_LEVEL: 'info',
      SHUTDOWN_GRACE_MS: 10_000,
      WEB_CONCURRENCY: 1,
    });
  });

  it('parses every variable of the table', () => {
    const env = loadEnv({
      PORT: '9000',
      STATE_BACKEND: 'redis',
      STATE_DIR: '/var/lib/oo',
      STATE_FSYNC: '1',
      STATE_LOCK_TIMEOUT_MS: '15000',
      REDIS_URL: 'rediss://cache.internal:6380/2',
      LITELLM_URL: 'https://llm.internal',
      LITELLM_MASTER_KEY: 'sk-live',
      LITELLM_TIMEOUT_MS: '2500',
      NATS_URL: 'nats://a:4222,nats://b:4222',
      NATS_DURABLE_PREFIX: 'pipeline_2',
      NATS_MAX_DELIVER: '9',
      DEFAULT_PROMPT_VERSION: 'v2',
      ENV: 'production',
      SENTRY_DSN: 'https://key@sentry.example/1',
      ADMIN_TOKEN: 'token',
      LINUCB_ALPHA: '0.25',
      EGREEDY_EPSILON: '0.05',
      EGREEDY_V2_EPSILON: '0',
      MAX_BODY_BYTES: '2048',
      DECISION_LOG_CANDIDATES: '1',
    });
    expect(env).toMatchObject({
      PORT: 9000,
      STATE_BACKEND: 'redis',
      STATE_FSYNC: true,
      STATE_LOCK_TIMEOUT_MS: 15_000,
      LITELLM_TIMEOUT_MS: 2500,
      NATS_MAX_DELIVER: 9,
      LINUCB_ALPHA: 0.25,
      EGREEDY_EPSILON: 0.05,
      EGREEDY_V2_EPSILON: 0,
      MAX_BODY_BYTES: 2048,
      DECISION_LOG_CANDIDATES: true,
      ADMIN_TOKEN: 'token',
    });
  });

  it('treats an empty value as unset', () => {
    expect(loadEnv({ ADMIN_TOKEN: '', NATS_URL: ' ', PORT: '' })).toMatchObject({ PORT: 8000 });
    expect(loadEnv({ ADMIN_TOKEN: '' }).ADMIN_TOKEN).toBeUndefined();
  });

  it.each([
    ['PORT', '65536'],
    ['STATE_BACKEND', 'sqlite'],
    ['STATE_DIR', 'relative/dir'],
    ['STATE_FSYNC', 'yes'],
    ['STATE_LOCK_TIMEOUT_MS', '0'],
    ['REDIS_URL', 'localhost:6379'],
    ['LITELLM_URL', 'ftp://x'],
    ['LITELLM_TIMEOUT_MS', '0'],
    ['NATS_URL', 'http://nats:4222'],
    ['NATS_DURABLE_PREFIX', 'has.dot'],
    ['NATS_MAX_DELIVER', '0'],
    ['DEFAULT_PROMPT_VERSION', '../v1'],
    ['LINUCB_ALPHA', 'NaN'],
    ['EGREEDY_EPSILON', '1.5'],
    ['EGREEDY_V2_EPSILON', '-0.1'],
    ['MAX_BODY_BYTES', '0'],
    ['DECISION_LOG_CANDIDATES', 'yes'],
    ['LOG_LEVEL', 'verbose'],
  ])('stops on %s=%s, naming it', (variable, value) => {
    let error: unknown;
    try {
      loadEnv({ [variable]: value });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variables).toEqual([variable]);
    expect((error as ConfigError).message).toContain(`${variable}: `);
  });

  it('names secrets without echoing them', () => {
    const secret = `x${'y'.repeat(1100)}`;
    expect(() => loadEnv({ ADMIN_TOKEN: secret })).toThrow(/ADMIN_TOKEN/);
    expect(() => loadEnv({ ADMIN_TOKEN: secret })).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining('yyy') }),
    );
    expect(() => loadEnv({ SENTRY_DSN: 'key-abc123' })).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining('abc123') }),
    );
  });
});
