import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { TaskSyncedEvent } from '@oo/contracts';
import { createFileStore } from '@oo/state/file';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectNats } from '../nats-connection.js';
import { type ConsumerProcess, startConsumer } from '../testing/consumer-process.js';
import { taskSynced } from '../testing/events.js';
import { type NatsServerHandle, startNatsServer } from '../testing/nats-server.js';
import { waitFor } from '../testing/wait-for.js';

const EVENTS = 600;
const PUBLISH_EVERY_MS = 10;
// Two restarts while the publisher is at it: one early, one late in its run.
const RESTART_AT_MS = [1_500, 4_000];
const PUBLISH_TIMEOUT_MS = 2_000;
const RETRY_PAUSE_MS = 100;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('nats-server restarted while events are published at a steady rate (dist/main.js)', () => {
  let server: NatsServerHandle;
  let dir: string;
  let consumer: ConsumerProcess;
  let publisher: NatsConnection;

  beforeAll(async () => {
    server = await startNatsServer();
    dir = await mkdtemp(join(tmpdir(), 'oo-faults-broker-'));
    consumer = await startConsumer({
      NATS_URL: server.url,
      NATS_DURABLE_PREFIX: 'faults',
      NATS_ACK_WAIT_MS: '2000',
      NATS_NAK_BASE_MS: '50',
      STATE_DIR: dir,
    });
    // A publisher as a real one is: it reconnects forever and retries a publish until it is acked.
    publisher = await connectNats(server.url, { name: 'faults-publisher' });
  });
  afterAll(async () => {
    await consumer?.process.kill();
    await publisher?.close();
    await server?.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  it('the worker reconnects and applies every published event exactly once', async () => {
    const js = jetstream(publisher, { timeout: PUBLISH_TIMEOUT_MS });
    const events = Array.from({ length: EVENTS }, () => taskSynced());
    let attempts = 0;
    let retried = 0;
    const ackedAt = new Map<string, number>();
    const publishUntilAcked = async (event: TaskSyncedEvent): Promise<void> => {
      for (;;) {
        attempts++;
        try {
          await js.publish('signals.task.synced', JSON.stringify(event));
          ackedAt.set(event.event_id, Date.now());
          return;
        } catch {
          // Not acked: it may or may not be stored. Publishing again may store it twice, which
          // the worker must absorb.
          retried++;
          await sleep(RETRY_PAUSE_MS);
        }
      }
    };

    const started = performance.now();
    const publishing: Promise<void>[] = [];
    const restarts = RESTART_AT_MS.map(async (at) => {
      await sleep(at);
      const stopAt = performance.now();
      await server.restart();
      return { at, restartedAt: Date.now(), down_ms: Math.round(performance.now() - stopAt) };
    });
    for (let i = 0; i < EVENTS; i++) {
      const due = started + i * PUBLISH_EVERY_MS;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
      publishing.push(publishUntilAcked(events[i]!));
    }
    await Promise.all(publishing);
    const restartFigures = await Promise.all(restarts);
    const publishedAt = Date.now();

    const ids = new Set(events.map((event) => event.event_id));
    await waitFor(
      'every event applied',
      () => {
        const applied = new Set(consumer.applied());
        for (const id of ids) if (!applied.has(id)) return false;
        return true;
      },
      { timeoutMs: 60_000, intervalMs: 50 },
    );
    const caughtUpAt = Date.now();
    // Let redeliveries still on their way arrive, so a double application would be seen.
    await sleep(2_500);

    const applied = consumer.applied();
    expect(applied).toHaveLength(EVENTS);
    expect(new Set(applied)).toEqual(ids);
    expect(consumer.process.child.exitCode).toBeNull();
    const reconnects = consumer.process.lines.filter((line) => line.msg === 'reconnected to NATS');
    expect(reconnects.length).toBeGreaterThanOrEqual(RESTART_AT_MS.length);

    // What the worker wrote is what was published.
    const store = createFileStore({ dir });
    try {
      for (const event of events) {
        expect(await store.readSync(event.user_id)).toMatchObject({
          last_sync_ts: event.last_sync_ts,
          task_count: event.task_count,
          event_ids: [event.event_id],
        });
      }
    } finally {
      await store.close();
    }

    const jsm = await jetstreamManager(publisher);
    const stream = await jsm.streams.info('signals');
    const durable = await jsm.consumers.info('signals', 'faults-signals');
    expect(durable.num_pending + durable.num_ack_pending).toBe(0);
    expect(stream.state.messages).toBeGreaterThanOrEqual(EVENTS);
    const health = await (await fetch(consumer.healthUrl)).json();
    expect(health).toMatchObject({ ok: true, nats: { connected: true } });

    console.info(
      JSON.stringify({
        fault: 'broker-outage',
        restarts: restartFigures.map(({ at, down_ms }) => ({ at_ms: at, down_ms })),
        reconnect_after_restart_ms: restartFigures.map((r) => {
          const line = reconnects.find((l) => Date.parse(String(l.timestamp)) >= r.restartedAt - 1_000);
          return line ? Date.parse(String(line.timestamp)) - r.restartedAt : null;
        }),
        events_published: EVENTS,
        publish_attempts: attempts,
        publish_retries: retried,
        stream_messages: stream.state.messages,
        duplicates_in_stream: stream.state.messages - EVENTS,
        applied_once: new Set(applied).size,
        applied_twice: applied.length - new Set(applied).size,
        duplicate_deliveries_skipped: consumer.duplicates().length,
        lost: EVENTS - new Set(applied).size,
        caught_up_after_last_publish_ms: caughtUpAt - publishedAt,
        publish_ack_spread_ms: Math.max(...ackedAt.values()) - Math.min(...ackedAt.values()),
      }),
    );
  });
});
