import { describe, expect, it } from 'vitest';
import { ConsumerFigures, HealthResponse } from './health.js';

const idle = { last_msg_ts: null, processed: 0, errors: 0 };
const busy = { last_msg_ts: '2025-01-31T09:30:00.000Z', processed: 1200, errors: 3 };
const health = {
  ok: true,
  state: { backend: 'redis', ok: true },
  nats: { enabled: true, consumers: { signals: busy, feedback: idle } },
};

describe('ConsumerFigures', () => {
  it('accepts figures before and after the first message', () => {
    expect(ConsumerFigures.parse(idle)).toEqual(idle);
    expect(ConsumerFigures.parse(busy)).toEqual(busy);
  });

  it.each([
    ['negative processed', { processed: -1 }, ['processed']],
    ['fractional errors', { errors: 0.5 }, ['errors']],
    ['a missing last_msg_ts', { last_msg_ts: undefined }, ['last_msg_ts']],
    ['a non-ISO last_msg_ts', { last_msg_ts: 'now' }, ['last_msg_ts']],
  ])('rejects %s', (_label, overrides, path) => {
    expect(ConsumerFigures.safeParse({ ...busy, ...overrides }).error?.issues.map((i) => i.path)).toEqual([
      path,
    ]);
  });
});

describe('HealthResponse', () => {
  it('accepts a healthy service and a degraded one without NATS', () => {
    expect(HealthResponse.parse(health)).toEqual(health);
    const degraded = {
      ok: false,
      state: { backend: 'file', ok: false },
      nats: { enabled: false, consumers: { signals: idle, feedback: idle } },
    };
    expect(HealthResponse.parse(degraded)).toEqual(degraded);
  });

  it('rejects an unknown backend and a missing consumer', () => {
    expect(
      HealthResponse.safeParse({ ...health, state: { backend: 'memory', ok: true } }).error?.issues.map(
        (i) => i.path,
      ),
    ).toEqual([['state', 'backend']]);
    expect(
      HealthResponse.safeParse({
        ...health,
        nats: { enabled: true, consumers: { signals: idle } },
      }).error?.issues.map((i) => i.path),
    ).toEqual([['nats', 'consumers', 'feedback']]);
  });
});
