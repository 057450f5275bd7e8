import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstream } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { StateStore } from '@oo/state';
import { createFileStore } from '@oo/state/file';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectNats } from './nats-connection.js';
import { publishJson, taskSynced } from './testing/events.js';
import { captureLogs } from './testing/log-capture.js';
import { type NatsServerHandle, startNatsServer } from './testing/nats-server.js';
import { waitFor } from './testing/wait-for.js';
import { createWorker, type Worker } from './worker.js';

describe('a NATS server restart mid-stream', () => {
  let server: NatsServerHandle;
  let dir: string;
  let store: StateStore;
  let workerConnection: NatsConnection;
  let publisherConnection: NatsConnection;
  let worker: Worker;

  beforeAll(async () => {
    server = await startNatsServer();
    dir = await mkdtemp(join(tmpdir(), 'oo-consumer-restart-'));
    store = createFileStore({ dir });
  });
  afterAll(async () => {
    await worker?.stop({ timeoutMs: 5000 });
    await workerConnection?.close();
    await publisherConnection?.close();
    await store?.close();
    await server?.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  it('processes every event published before and after it, none twice', async () => {
    const logs = captureLogs('info');
    // The worker's own connection settings: reconnect forever.
    workerConnection = await connectNats(server.url, { name: 'worker' });
    publisherConnection = await connectNats(server.url, { name: 'publisher' });
    const js = jetstream(publisherConnection);
    worker = createWorker({
      nc: workerConnection,
      store,
      logger: logs.logger,
      durablePrefix: 'restart',
      retry: { maxDeliver: 5, nakBaseMs: 20, nakMaxMs: 200 },
      ackWaitMs: 2000,
      pullExpiresMs: 2000,
    });
    await worker.start();

    // Enough events that the worker is still busy with them when the server goes away.
    const before = Array.from({ length: 2_000 }, () => taskSynced());
    for (let i = 0; i < before.length; i += 100) {
      await Promise.all(
        before.slice(i, i + 100).map((event) => publishJson(js, 'signals.task.synced', event)),
      );
    }
    const processed = () => worker.health().nats.consumers.signals.processed;
    await waitFor('the first events handled', () => processed() >= 20, { intervalMs: 2 });

    await server.stop();
    const handledBeforeRestart = processed();
    await waitFor('the worker to notice', () => !worker.health().nats.connected);
    await server.restart();

    // A publisher that keeps trying, as a real one would while the broker comes back. A retried
    // publish may have landed the first time too: the stream then holds the event twice.
    const after = Array.from({ length: 100 }, () => taskSynced());
    for (const event of after) {
      await waitFor('the publish ack', () => publishJson(js, 'signals.task.synced', event), {
        timeoutMs: 20_000,
        intervalMs: 100,
      });
    }

    const all = [...before, ...after];
    await waitFor(
      'every event in the store',
      async () => {
        for (const event of all) if ((await store.readSync(event.user_id)) === null) return false;
        return true;
      },
      { timeoutMs: 30_000, intervalMs: 200 },
    );
    expect(handledBeforeRestart).toBeLessThan(before.length);
    const applied = logs.find('task sync recorded').map((line) => line.event_id);
    expect(applied).toHaveLength(all.length);
    expect(new Set(applied)).toEqual(new Set(all.map((event) => event.event_id)));
    expect(logs.find('reconnected to NATS').length).toBeGreaterThan(0);
    await waitFor('the worker healthy again', () => worker.health().ok);
  });
});
