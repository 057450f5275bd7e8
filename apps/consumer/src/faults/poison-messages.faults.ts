import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type JetStreamManager, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listDeadLetters } from '../dead-letter.js';
import { type ConsumerProcess, startConsumer } from '../testing/consumer-process.js';
import { taskSynced } from '../testing/events.js';
import { type NatsServerHandle, startNatsServer } from '../testing/nats-server.js';
import { waitFor } from '../testing/wait-for.js';

const MAX_DELIVER = 5;
// Naks back off 400, 800, 1600, 3200 ms: a poison message stays in play for 6 s, twice the span of
// the valid traffic published alongside it.
const NAK_BASE_MS = 400;
const VALID_TRAFFIC_MS = 3_000;
const PUBLISH_EVERY_MS = 10;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const encode = (text: string) => new TextEncoder().encode(text);

/** Payloads no retry can fix, each on the subject whose schema it violates. */
function poisonMessages(): { name: string; subject: string; data: Uint8Array }[] {
  const valid = taskSynced();
  const synced = (name: string, body: unknown) => ({
    name,
    subject: 'signals.task.synced',
    data: encode(JSON.stringify(body)),
  });
  const depth = 20_000;
  return [
    { name: 'not JSON', subject: 'signals.task.synced', data: encode('{"event_id": "x",') },
    { name: 'empty', subject: 'signals.task.synced', data: new Uint8Array() },
    { name: 'not UTF-8', subject: 'signals.task.synced', data: new Uint8Array([0xff, 0xfe, 0x7b, 0x7d]) },
    synced('JSON null', null),
    synced('an array', [valid]),
    synced('negative task_count', { ...valid, task_count: -1 }),
    synced('task_count as a string', { ...valid, task_count: '7' }),
    synced('missing event_id', { ...valid, event_id: undefined }),
    synced('traversal user id', { ...valid, user_id: '../../etc/passwd' }),
    synced('over-long user id', { ...valid, user_id: 'u'.repeat(10_000) }),
    synced('impossible date', { ...valid, last_sync_ts: '2025-02-30T00:00:00Z' }),
    {
      name: 'deep nesting',
      subject: 'signals.task.synced',
      data: encode(`${'{"nested":'.repeat(depth)}${JSON.stringify(valid)}${'}'.repeat(depth)}`),
    },
    {
      name: 'invalid tip feedback',
      subject: 'signals.tip.feedback',
      data: encode(JSON.stringify({ event_id: 'tf-bad', user_id: 'u1' })),
    },
    {
      name: 'invalid app feedback',
      subject: 'feedback.app',
      data: encode(JSON.stringify({ event_id: 'fb-bad', rating: 'great' })),
    },
  ];
}

describe('poison messages amid valid traffic (dist/main.js)', () => {
  let server: NatsServerHandle;
  let dir: string;
  let consumer: ConsumerProcess;
  let nc: NatsConnection;
  let jsm: JetStreamManager;

  beforeAll(async () => {
    server = await startNatsServer();
    dir = await mkdtemp(join(tmpdir(), 'oo-faults-poison-'));
    consumer = await startConsumer({
      NATS_URL: server.url,
      NATS_DURABLE_PREFIX: 'poison',
      NATS_MAX_DELIVER: String(MAX_DELIVER),
      NATS_NAK_BASE_MS: String(NAK_BASE_MS),
      NATS_NAK_MAX_MS: '5000',
      STATE_DIR: dir,
    });
    nc = await connect({ servers: server.url });
    jsm = await jetstreamManager(nc);
  });
  afterAll(async () => {
    await consumer?.process.kill();
    await nc?.close();
    await server?.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  it(`delivers each at most ${MAX_DELIVER} times, dead-letters it with its metadata, and valid events flow meanwhile`, async () => {
    const js = jetstream(nc);
    const poison = poisonMessages();
    for (const message of poison) await js.publish(message.subject, message.data);
    const poisonPublishedAt = Date.now();

    // Valid traffic at a steady rate while the poison is being redelivered.
    const valid: ReturnType<typeof taskSynced>[] = [];
    const publishedAt = new Map<string, number>();
    while (Date.now() - poisonPublishedAt < VALID_TRAFFIC_MS) {
      const event = taskSynced();
      await js.publish('signals.task.synced', JSON.stringify(event));
      valid.push(event);
      publishedAt.set(event.event_id, Date.now());
      await sleep(PUBLISH_EVERY_MS);
    }
    await waitFor('every valid event applied', () => consumer.applied().length >= valid.length, {
      timeoutMs: 30_000,
    });
    const validDoneAt = Date.now();

    const letters = await waitFor(
      'every poison message dead-lettered',
      async () => {
        const page = await listDeadLetters(jsm, { limit: 100 });
        return page.letters.length >= poison.length ? page.letters : null;
      },
      { timeoutMs: 30_000, intervalMs: 100 },
    );
    const lastDeadLetteredAt = Math.max(...letters.map((letter) => Date.parse(letter.deadLetteredAt)));
    // Redeliveries that would come after the dead-lettering have had their chance to show.
    await sleep(1_000);

    // Valid traffic: every event applied once, none waiting on the poison ahead of it.
    const applied = consumer.applied();
    expect(applied).toHaveLength(valid.length);
    expect(new Set(applied)).toEqual(new Set(valid.map((event) => event.event_id)));
    const appliedAt = new Map(
      consumer.process.lines
        .filter((line) => line.msg === 'task sync recorded')
        .map((line) => [String(line.event_id), Date.parse(String(line.timestamp))]),
    );
    const lags = valid.map((event) => appliedAt.get(event.event_id)! - publishedAt.get(event.event_id)!);
    // All of it went through while the poison was still being redelivered.
    expect(validDoneAt).toBeLessThan(lastDeadLetteredAt);

    // Poison: exactly one dead letter each, with its metadata, after at most MAX_DELIVER deliveries.
    expect(letters).toHaveLength(poison.length);
    const deliveries = new Map<string, number[]>();
    for (const line of consumer.process.lines) {
      if (
        line.msg !== 'delivery failed; nak for a later redelivery' &&
        !String(line.msg).includes('dead-lettered')
      )
        continue;
      const key = `${line.stream}:${line.seq}`;
      deliveries.set(key, [...(deliveries.get(key) ?? []), Number(line.delivery)]);
    }
    for (const letter of letters) {
      const original = poison.find(
        (message) =>
          message.subject === letter.originalSubject &&
          Buffer.from(message.data).equals(Buffer.from(letter.data)),
      );
      expect(original, `a dead letter of ${letter.originalSubject}`).toBeDefined();
      expect(letter).toMatchObject({
        originalStream: letter.originalSubject.startsWith('feedback.') ? 'feedback' : 'signals',
        deliveryCount: MAX_DELIVER,
        lastError: expect.stringMatching(/invalid event|not UTF-8 JSON/),
        deadLetteredAt: expect.any(String),
      });
      expect(deliveries.get(`${letter.originalStream}:${letter.originalSeq}`)).toEqual(
        Array.from({ length: MAX_DELIVER }, (_, i) => i + 1),
      );
    }
    for (const stream of ['signals', 'feedback']) {
      const info = await jsm.consumers.info(stream, `poison-${stream}`);
      expect(info.num_pending + info.num_ack_pending, stream).toBe(0);
    }
    expect(consumer.process.child.exitCode).toBeNull();

    lags.sort((a, b) => a - b);
    console.info(
      JSON.stringify({
        fault: 'poison-messages',
        poison_messages: poison.length,
        max_deliver: MAX_DELIVER,
        deliveries_per_poison_message: [
          ...new Set(letters.map((l) => deliveries.get(`${l.originalStream}:${l.originalSeq}`)?.length)),
        ],
        dead_lettered: letters.length,
        poison_in_play_ms: lastDeadLetteredAt - poisonPublishedAt,
        valid_events: valid.length,
        valid_applied_once: new Set(applied).size,
        valid_lag_ms_p50: lags[Math.floor(lags.length / 2)],
        valid_lag_ms_max: lags.at(-1),
        valid_all_applied_before_last_dead_letter_ms: lastDeadLetteredAt - validDoneAt,
      }),
    );
  });
});
