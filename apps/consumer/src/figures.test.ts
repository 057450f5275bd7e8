import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFileStore } from '@oo/state/file';
import { createRedisStore } from '@oo/state/redis';
import { startRedisServer } from '@oo/state/testing';
import { describe, expect, it } from 'vitest';
import { FiguresTracker, figuresName, startFiguresPublisher } from './figures.js';
import { captureLogs } from './testing/log-capture.js';
import { waitFor } from './testing/wait-for.js';

describe('FiguresTracker', () => {
  it('counts handled and failed deliveries per consumer, publishing only the SPEC §6 fields', () => {
    const tracker = new FiguresTracker();
    const at = new Date('2025-03-01T10:00:00Z');
    tracker.recordHandled('signals', 'applied', at);
    tracker.recordHandled('signals', 'duplicate', at);
    tracker.recordFailed('feedback', at, false);
    tracker.recordFailed('feedback', new Date('2025-03-01T10:00:01Z'), true);
    expect(tracker.snapshot()).toEqual({
      signals: {
        last_msg_ts: '2025-03-01T10:00:00.000Z',
        processed: 2,
        errors: 0,
        duplicates: 1,
        dead_lettered: 0,
      },
      feedback: {
        last_msg_ts: '2025-03-01T10:00:01.000Z',
        processed: 0,
        errors: 2,
        duplicates: 0,
        dead_lettered: 1,
      },
    });
    expect(tracker.toRecord(at)).toEqual({
      v: 1,
      consumers: {
        signals: { last_msg_ts: '2025-03-01T10:00:00.000Z', processed: 2, errors: 0 },
        feedback: { last_msg_ts: '2025-03-01T10:00:01.000Z', processed: 0, errors: 2 },
      },
      updated_at: '2025-03-01T10:00:00.000Z',
    });
  });
});

describe('startFiguresPublisher', () => {
  it('writes at start, again only when the figures change, and a last time on stop', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'oo-figures-'));
    const store = createFileStore({ dir });
    const tracker = new FiguresTracker();
    let writes = 0;
    const counting = {
      ...store,
      backend: store.backend,
      writeFigures: (n: string, f: Parameters<typeof store.writeFigures>[1]) => {
        writes++;
        return store.writeFigures(n, f);
      },
    };
    const name = figuresName('pub');
    const publisher = startFiguresPublisher({
      store: counting,
      name,
      tracker,
      logger: captureLogs().logger,
      intervalMs: 20,
    });
    try {
      await waitFor('the first write', () => store.readFigures(name));
      await new Promise((r) => setTimeout(r, 100));
      expect(writes).toBe(1);
      tracker.recordHandled('signals', 'applied', new Date());
      await waitFor(
        'the change published',
        async () => (await store.readFigures(name))?.consumers.signals?.processed === 1,
      );
      tracker.recordFailed('feedback', new Date(), false);
      await publisher.stop();
      expect((await store.readFigures(name))?.consumers.feedback?.errors).toBe(1);
      expect(writes).toBe(3);
    } finally {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('survives a store outage, logging it once, and publishes again when the store is back', async () => {
    const redis = await startRedisServer();
    const store = createRedisStore({ url: redis.url, commandTimeoutMs: 200, connectTimeoutMs: 200 });
    const tracker = new FiguresTracker();
    const logs = captureLogs();
    const publisher = startFiguresPublisher({
      store,
      name: 'consumer:outage',
      tracker,
      logger: logs.logger,
      intervalMs: 20,
    });
    try {
      await waitFor('the first write', () => store.readFigures('consumer:outage'));
      await redis.stop();
      for (let i = 0; i < 5; i++) {
        tracker.recordHandled('signals', 'applied', new Date());
        await new Promise((r) => setTimeout(r, 60));
      }
      expect(logs.find('cannot publish figures')).toHaveLength(1);
      await redis.restart();
      await waitFor(
        'figures published again',
        async () => logs.find('figures published again').length === 1,
        {
          timeoutMs: 10_000,
        },
      );
      expect((await store.readFigures('consumer:outage'))?.consumers.signals?.processed).toBe(5);
    } finally {
      await publisher.stop();
      await store.close();
      await redis.close();
    }
  });
});
