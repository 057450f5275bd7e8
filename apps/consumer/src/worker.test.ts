import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type JetStreamClient, type JetStreamManager, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { ErrorReporter } from '@oo/observability';
import type { StateStore } from '@oo/state';
import { createFileStore, recordDirName } from '@oo/state/file';
import { createRedisStore } from '@oo/state/redis';
import { type RedisServer, startRedisServer } from '@oo/state/testing';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runDeadLettersCli } from './cli/dead-letters-command.js';
import { DEAD_LETTER_HEADERS, listDeadLetters } from './dead-letter.js';
import { createHealthApp } from './health-server.js';
import { publishJson, taskSynced } from './testing/events.js';
import { captureLogs, type LogCapture } from './testing/log-capture.js';
import { type NatsServerHandle, startNatsServer } from './testing/nats-server.js';
import { waitFor } from './testing/wait-for.js';
import { createWorker, type Worker } from './worker.js';

const MAX_DELIVER = 4;

describe('worker', () => {
  let server: NatsServerHandle;
  let redis: RedisServer;
  let nc: NatsConnection;
  let js: JetStreamClient;
  let jsm: JetStreamManager;
  let prefixes = 0;

  // Per test: a fresh store, empty streams and new durables, so no test sees another's messages.
  let dir: string;
  let store: StateStore;
  let logs: LogCapture;
  let worker: Worker;
  let prefix: string;

  beforeAll(async () => {
    [server, redis] = await Promise.all([startNatsServer(), startRedisServer()]);
    nc = await connect({ servers: server.url });
    js = jetstream(nc);
    jsm = await jetstreamManager(nc);
  });
  afterAll(async () => {
    await nc?.close();
    await Promise.all([server?.dispose(), redis?.close()]);
  });

  async function startWorker(backend: 'file' | 'redis' = 'file', reporter?: ErrorReporter): Promise<void> {
    dir = await mkdtemp(join(tmpdir(), 'oo-consumer-'));
    store =
      backend === 'file'
        ? createFileStore({ dir })
        : createRedisStore({ url: redis.url, keyPrefix: `t${++prefixes}:` });
    logs = captureLogs();
    prefix = `test${++prefixes}`;
    for (const stream of ['signals', 'feedback', 'deadletter']) {
      await jsm.streams.purge(stream).catch(() => {});
    }
    worker = createWorker({
      nc,
      store,
      logger: logs.logger,
      durablePrefix: prefix,
      ...(reporter ? { reporter } : {}),
      retry: { maxDeliver: MAX_DELIVER, nakBaseMs: 20, nakMaxMs: 200 },
      ackWaitMs: 5000,
      figuresIntervalMs: 50,
      pullExpiresMs: 2000,
    });
    await worker.start();
  }

  beforeEach(() => {
    worker = undefined as unknown as Worker;
  });
  afterEach(async () => {
    await worker?.stop({ timeoutMs: 5000 });
    await store?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it.each(['file', 'redis'] as const)(
    'writes a published signals.task.synced event as the user’s sync record (%s store)',
    async (backend) => {
      await startWorker(backend);
      const event = taskSynced({ last_sync_ts: '2025-03-01T09:59:00Z', task_count: 12 });
      await publishJson(js, 'signals.task.synced', event);

      const record = await waitFor('the sync record', () => store.readSync(event.user_id));
      expect(record).toMatchObject({
        v: 1,
        last_sync_ts: event.last_sync_ts,
        task_count: 12,
        event_ids: [event.event_id],
      });

      const figures = await waitFor('published figures', async () => {
        const f = await store.readFigures(`consumer:${prefix}`);
        return f?.consumers.signals?.processed === 1 ? f : null;
      });
      expect(figures.consumers).toEqual({
        signals: { last_msg_ts: expect.any(String), processed: 1, errors: 0 },
        feedback: { last_msg_ts: null, processed: 0, errors: 0 },
      });

      const response = await createHealthApp(worker).request('/health');
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({
        ok: true,
        state: { backend },
        nats: {
          connected: true,
          consumers: {
            signals: { durable: `${prefix}-signals`, consuming: true, processed: 1, errors: 0 },
            feedback: { durable: `${prefix}-feedback`, consuming: true, processed: 0 },
          },
        },
      });
    },
  );

  it('delivers an invalid event exactly NATS_MAX_DELIVER times, dead-letters it, and a fixed replay is processed', async () => {
    await startWorker();
    const event = taskSynced({ task_count: -1 });
    const published = await publishJson(js, 'signals.task.synced', event);

    const page = await waitFor('a dead letter', async () => {
      const p = await listDeadLetters(jsm);
      return p.letters.length > 0 ? p : null;
    });
    expect(page.letters).toHaveLength(1);
    const [letter] = page.letters;
    expect(letter).toMatchObject({
      originalSubject: 'signals.task.synced',
      originalStream: 'signals',
      originalSeq: published.seq,
      deliveryCount: MAX_DELIVER,
      lastError: expect.stringContaining('task_count'),
    });
    expect(JSON.parse(new TextDecoder().decode(letter!.data))).toEqual(event);

    // One failed delivery logged per attempt, the last one being the dead-lettering.
    const deliveries = () =>
      logs.lines.filter((l) => l.seq === published.seq && l.stream === 'signals').map((l) => l.delivery);
    expect(deliveries()).toEqual([1, 2, 3, 4]);
    expect(logs.find('dead-lettered', { seq: published.seq })).toHaveLength(1);
    // Termed, not merely given up on: nothing is pending or redelivered afterwards.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(deliveries()).toHaveLength(MAX_DELIVER);
    const info = await jsm.consumers.info('signals', `${prefix}-signals`);
    expect(info.num_ack_pending + info.num_pending).toBe(0);
    expect(await store.readSync(event.user_id)).toBeNull();
    expect(worker.health().nats.consumers.signals).toMatchObject({ errors: MAX_DELIVER, dead_lettered: 1 });

    // The operator lists it, then replays a corrected payload to the original subject.
    const out: string[] = [];
    const err: string[] = [];
    const io = {
      env: {},
      stdout: (l: string) => out.push(l),
      stderr: (l: string) => err.push(l),
      connection: nc,
    };
    expect(await runDeadLettersCli(['list', '--json'], io)).toBe(0);
    expect(out.map((l) => JSON.parse(l))).toEqual([
      expect.objectContaining({
        seq: letter!.seq,
        original_subject: 'signals.task.synced',
        delivery_count: MAX_DELIVER,
        payload: JSON.stringify(event),
      }),
    ]);

    const fixed = { ...event, task_count: 3 };
    const data = new TextEncoder().encode(JSON.stringify(fixed));
    const dataFile = join(dir, 'fixed.json');
    await import('node:fs/promises').then((fs) => fs.writeFile(dataFile, data));
    expect(
      await runDeadLettersCli(['replay', String(letter!.seq), '--data', dataFile], io),
      err.join('\n'),
    ).toBe(0);

    const record = await waitFor('the replayed sync record', () => store.readSync(event.user_id));
    expect(record).toMatchObject({ task_count: 3, event_ids: [event.event_id] });
    expect((await listDeadLetters(jsm)).letters).toEqual([]);
  });

  it('keeps the dead letter’s metadata in headers and replays it unchanged on request', async () => {
    await startWorker();
    await publishJson(js, 'feedback.app', { event_id: 'fb-bad', user_id: 'u1' });
    const [letter] = await waitFor('a dead letter', async () => {
      const { letters } = await listDeadLetters(jsm);
      return letters.length > 0 ? letters : null;
    });
    const stored = await jsm.streams.getMessage('deadletter', { seq: letter!.seq });
    expect(stored?.subject).toBe('deadletter.feedback.app');
    expect(stored?.header.get(DEAD_LETTER_HEADERS.originalSubject)).toBe('feedback.app');
    expect(stored?.header.get(DEAD_LETTER_HEADERS.originalStream)).toBe('feedback');
    expect(stored?.header.get(DEAD_LETTER_HEADERS.deliveryCount)).toBe(String(MAX_DELIVER));
    expect(stored?.header.get(DEAD_LETTER_HEADERS.lastError)).toMatch(/occurred_at/);
    expect(stored?.header.get('Nats-Msg-Id')).toBe(`feedback:${letter!.originalSeq}`);

    const out: string[] = [];
    const io = { env: {}, stdout: (l: string) => out.push(l), stderr: () => {}, connection: nc };
    expect(await runDeadLettersCli(['replay', String(letter!.seq), '--keep'], io)).toBe(0);
    expect(out[0]).toMatch(/^replayed \d+ to feedback\.app \(feedback:\d+\)$/);
    // Still invalid, so it comes back as a second letter; the kept first one is still there.
    const letters = await waitFor('the replay dead-lettered again', async () => {
      const l = (await listDeadLetters(jsm)).letters;
      return l.length === 2 ? l : null;
    });
    expect(letters.map((l) => l.originalSubject)).toEqual(['feedback.app', 'feedback.app']);
    expect(letters[1]!.originalSeq).toBeGreaterThan(letters[0]!.originalSeq);
  });

  it('keeps a message whose dead-lettering failed and dead-letters it from the max-deliveries advisory', async () => {
    await startWorker();
    // An operator deleted the dead-letter stream: the last delivery's publish gets no ack.
    await jsm.streams.delete('deadletter');
    const event = taskSynced({ user_id: '.bad' });
    const published = await publishJson(js, 'signals.task.synced', event);

    const letters = await waitFor(
      'the rescued dead letter',
      async () => {
        const { letters } = await listDeadLetters(jsm);
        return letters.length > 0 ? letters : null;
      },
      { timeoutMs: 15_000 },
    );
    expect(letters).toEqual([
      expect.objectContaining({
        originalSubject: 'signals.task.synced',
        originalSeq: published.seq,
        deliveryCount: MAX_DELIVER,
        // The error of the last failed delivery, remembered by the worker that nak'd it.
        lastError: expect.stringContaining('user_id'),
      }),
    ]);
    expect(logs.find('cannot dead-letter the message', { seq: published.seq })).toHaveLength(1);
    expect(logs.find('dead-lettered from the max-deliveries advisory', { seq: published.seq })).toHaveLength(
      1,
    );
    expect(worker.health().nats.consumers.signals).toMatchObject({ errors: MAX_DELIVER, dead_lettered: 1 });
  });

  it('reports an unexpected store error to Sentry and applies the event on redelivery', async () => {
    const captured: { error: unknown; context?: Record<string, unknown> }[] = [];
    const reporter: ErrorReporter = {
      enabled: true,
      capture: (error, context) => void captured.push({ error, ...(context ? { context } : {}) }),
      flush: async () => {},
    };
    await startWorker('file', reporter);
    const event = taskSynced();
    const userDir = join(dir, 'users', recordDirName(event.user_id));
    await mkdir(userDir, { recursive: true });
    await writeFile(join(userDir, 'sync.json'), '{"v":1,"last_sync_ts":');
    await publishJson(js, 'signals.task.synced', event);

    // The store moves the corrupt record aside and fails that delivery; the next one starts afresh.
    // Reading the record here before the worker has met it would move it aside in the worker's
    // stead, so wait for the worker's failure first.
    await waitFor('the store error', () => captured.length > 0);
    const record = await waitFor('the sync record', () => store.readSync(event.user_id));
    expect(record).toMatchObject({ event_ids: [event.event_id] });
    expect(captured).toEqual([
      {
        error: expect.objectContaining({ name: 'CorruptRecordError' }),
        context: expect.objectContaining({ consumer: 'signals', subject: 'signals.task.synced' }),
      },
    ]);
    // The record is written before the delivery is acked and counted.
    await waitFor('the redelivery counted', () => worker.health().nats.consumers.signals.processed > 0);
    expect(worker.health().nats.consumers.signals).toMatchObject({ errors: 1, processed: 1 });
  });

  it('handles the same event once, however often it is published', async () => {
    await startWorker();
    const event = taskSynced({ task_count: 5 });
    await publishJson(js, 'signals.task.synced', event);
    await publishJson(js, 'signals.task.synced', event);
    // Same event_id, different content: still the same event, so still not applied again.
    await publishJson(js, 'signals.task.synced', {
      ...event,
      task_count: 99,
      last_sync_ts: '2030-01-01T00:00:00Z',
    });

    await waitFor('three messages handled', () => worker.health().nats.consumers.signals.processed === 3);
    expect(await store.readSync(event.user_id)).toMatchObject({ task_count: 5, event_ids: [event.event_id] });
    expect(worker.health().nats.consumers.signals).toMatchObject({ processed: 3, duplicates: 2, errors: 0 });
    expect(logs.find('task sync recorded', { event_id: event.event_id })).toHaveLength(1);
  });

  it('keeps the newer sync when an older one arrives late, and remembers the late one’s id', async () => {
    await startWorker();
    const newer = taskSynced({ last_sync_ts: '2025-03-02T00:00:00Z', task_count: 2 });
    const older = taskSynced({ user_id: newer.user_id, last_sync_ts: '2025-03-01T00:00:00Z', task_count: 1 });
    await publishJson(js, 'signals.task.synced', newer);
    await publishJson(js, 'signals.task.synced', older);
    await waitFor('both handled', () => worker.health().nats.consumers.signals.processed === 2);
    expect(await store.readSync(newer.user_id)).toMatchObject({
      last_sync_ts: newer.last_sync_ts,
      task_count: 2,
      event_ids: [older.event_id, newer.event_id],
    });
  });

  it('logs feedback once per event_id and acks subjects without a schema instead of retrying them', async () => {
    await startWorker();
    const tip = {
      event_id: 'tip-1',
      occurred_at: '2025-03-01T10:00:00Z',
      user_id: 'u1',
      tip_id: 't1',
      action: 'accepted',
    };
    const rating = {
      event_id: 'fb-1',
      occurred_at: '2025-03-01T10:00:00Z',
      user_id: 'u1',
      target: 'tip',
      rating: 4,
      comment: 'private words',
    };
    await publishJson(js, 'signals.tip.feedback', tip);
    await publishJson(js, 'signals.tip.feedback', tip);
    await publishJson(js, 'feedback.tip', rating);
    await publishJson(js, 'signals.task.renamed', { anything: true });

    await waitFor('all handled', () => {
      const { signals, feedback } = worker.health().nats.consumers;
      return signals.processed === 3 && feedback.processed === 1;
    });
    expect(logs.find('tip feedback', { event_id: 'tip-1' })).toHaveLength(1);
    expect(logs.find('feedback', { event_id: 'fb-1' })).toEqual([
      expect.objectContaining({ target: 'tip', rating: 4, has_comment: true, subject: 'feedback.tip' }),
    ]);
    expect(JSON.stringify(logs.lines)).not.toContain('private words');
    expect(logs.find('no v1 event schema', { subject: 'signals.task.renamed' })).toHaveLength(1);
    expect(worker.health().nats.consumers.signals).toMatchObject({ errors: 0, duplicates: 1 });
  });

  it('registers its durable again when it is deleted, and carries on from where it was', async () => {
    await startWorker();
    const first = taskSynced();
    await publishJson(js, 'signals.task.synced', first);
    await waitFor('the first event', () => store.readSync(first.user_id));

    await jsm.consumers.delete('signals', `${prefix}-signals`);
    const second = taskSynced();
    await publishJson(js, 'signals.task.synced', second);
    await waitFor('the event published after the deletion', () => store.readSync(second.user_id));

    const { config } = await jsm.consumers.info('signals', `${prefix}-signals`);
    expect(config).toMatchObject({ max_deliver: MAX_DELIVER, opt_start_seq: expect.any(Number) });
    // Resumed after the first event rather than replaying the stream from its start.
    expect(logs.find('task sync recorded', { event_id: first.event_id })).toHaveLength(1);
    expect(worker.health().nats.consumers.signals).toMatchObject({ processed: 2, duplicates: 0 });
  });

  it('naks while the store is down and applies the event once it is back', async () => {
    const own = await startRedisServer();
    try {
      dir = await mkdtemp(join(tmpdir(), 'oo-consumer-'));
      store = createRedisStore({ url: own.url, commandTimeoutMs: 200, connectTimeoutMs: 200 });
      logs = captureLogs();
      prefix = `test${++prefixes}`;
      await jsm.streams.purge('signals');
      worker = createWorker({
        nc,
        store,
        logger: logs.logger,
        durablePrefix: prefix,
        retry: { maxDeliver: 20, nakBaseMs: 50, nakMaxMs: 200 },
        ackWaitMs: 5000,
        pullExpiresMs: 2000,
      });
      await worker.start();
      await own.stop();
      const event = taskSynced();
      await publishJson(js, 'signals.task.synced', event);
      await waitFor('two failed deliveries', () => worker.health().nats.consumers.signals.errors >= 2);
      await own.restart();
      await waitFor('the event applied', () => worker.health().nats.consumers.signals.processed === 1, {
        timeoutMs: 15_000,
      });
      expect(await store.readSync(event.user_id)).toMatchObject({ event_ids: [event.event_id] });
      expect(logs.find('delivery failed')[0]).toMatchObject({
        error: expect.stringContaining('StoreUnavailableError'),
      });
      expect((await listDeadLetters(jsm)).letters).toEqual([]);
    } finally {
      await worker.stop({ timeoutMs: 5000 });
      await own.close();
    }
  });
});
