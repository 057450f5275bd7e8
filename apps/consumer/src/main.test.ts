import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { StateStore } from '@oo/state';
import { createFileStore } from '@oo/state/file';
import { findFreePort } from '@oo/state/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { publishJson, taskSynced } from './testing/events.js';
import { type NatsServerHandle, startNatsServer } from './testing/nats-server.js';
import { type NodeProcess, spawnNode } from './testing/node-process.js';
import { waitFor } from './testing/wait-for.js';

const APP_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const MAIN = join(APP_DIR, 'dist/main.js');
const CLI = join(APP_DIR, 'dist/dead-letters.js');
const SERVING_DIR = resolve(APP_DIR, '../serving');

describe('the built worker (dist/main.js)', () => {
  let server: NatsServerHandle;
  let nc: NatsConnection;
  let dir: string;
  let store: StateStore;
  const processes: NodeProcess[] = [];

  beforeAll(async () => {
    if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: build the app first (pnpm turbo run build)`);
    server = await startNatsServer();
    nc = await connect({ servers: server.url });
    dir = await mkdtemp(join(tmpdir(), 'oo-consumer-main-'));
    store = createFileStore({ dir });
  });
  afterEach(async () => {
    await Promise.all(processes.splice(0).map((p) => p.kill()));
  });
  afterAll(async () => {
    await nc?.close();
    await store?.close();
    await server?.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  async function startWorker(prefix: string): Promise<{ worker: NodeProcess; port: number }> {
    const port = await findFreePort();
    const worker = spawnNode([MAIN], {
      env: {
        NATS_URL: server.url,
        NATS_DURABLE_PREFIX: prefix,
        NATS_ACK_WAIT_MS: '1000',
        NATS_NAK_BASE_MS: '20',
        STATE_DIR: dir,
        CONSUMER_PORT: String(port),
        HOST: '127.0.0.1',
        LOG_LEVEL: 'info',
      },
    });
    processes.push(worker);
    await worker.waitForLog('health endpoint listening');
    return { worker, port };
  }

  it('refuses to start without NATS_URL, saying so', async () => {
    const worker = spawnNode([MAIN], { env: { STATE_DIR: dir } });
    processes.push(worker);
    expect(await worker.exited).toBe(1);
    const line = worker.lines.find((l) => l.level === 'fatal');
    expect(line).toMatchObject({
      variables: ['NATS_URL'],
      msg: expect.stringContaining('NATS_URL: required'),
    });
  });

  it('publishes its figures where serving’s /health shows them', async () => {
    const { port } = await startWorker('health');
    const event = taskSynced();
    await publishJson(jetstream(nc), 'signals.task.synced', event);
    await waitFor('the sync record', () => store.readSync(event.user_id));

    const own = await fetch(`http://127.0.0.1:${port}/health`);
    expect(own.status).toBe(200);
    expect(await own.json()).toMatchObject({ ok: true, nats: { consumers: { signals: { processed: 1 } } } });

    // apps/serving, run from its source so this does not depend on the order turbo builds apps in.
    const servingPort = await findFreePort();
    const serving = spawnNode(['--import', 'tsx', 'src/main.ts'], {
      cwd: SERVING_DIR,
      env: {
        PORT: String(servingPort),
        HOST: '127.0.0.1',
        STATE_DIR: dir,
        NATS_URL: server.url,
        NATS_DURABLE_PREFIX: 'health',
        LOG_LEVEL: 'warn',
      },
    });
    processes.push(serving);
    const body = await waitFor(
      'serving’s /health with the consumer’s figures',
      async () => {
        const response = await fetch(`http://127.0.0.1:${servingPort}/health`);
        const json = (await response.json()) as { nats: { consumers: { signals: { processed: number } } } };
        return json.nats.consumers.signals.processed === 1 ? json : null;
      },
      { timeoutMs: 20_000, intervalMs: 100 },
    );
    expect(body).toEqual({
      ok: true,
      state: { backend: 'file', ok: true },
      nats: {
        enabled: true,
        consumers: {
          signals: { last_msg_ts: expect.any(String), processed: 1, errors: 0 },
          feedback: { last_msg_ts: null, processed: 0, errors: 0 },
        },
      },
    });
  });

  it('on SIGTERM finishes the messages in flight; a second worker handles the rest, each once', async () => {
    const jsm = await jetstreamManager(nc);
    const js = jetstream(nc);
    const first = await startWorker('sigterm');
    const events = Array.from({ length: 400 }, () => taskSynced());
    await Promise.all(events.map((event) => publishJson(js, 'signals.task.synced', event)));

    await first.worker.waitForLog('task sync recorded');
    first.worker.child.kill('SIGTERM');
    expect(await first.worker.exited).toBe(0);
    expect(first.worker.lines.find((l) => l.msg === 'consumer stopped')).toMatchObject({ drained: true });

    // Everything the first worker received was settled before it exited: none is left unacked.
    const applied = () =>
      processes.flatMap((p) => p.lines.filter((l) => l.msg === 'task sync recorded').map((l) => l.event_id));
    const handledByFirst = applied().length;
    expect(handledByFirst).toBeGreaterThan(0);
    expect(handledByFirst).toBeLessThan(events.length);
    // What it did not apply is still owed by the stream: not yet delivered, or delivered for the
    // pull that was open when it stopped and dropped unhandled by the client. Those come back after
    // ack_wait (1 s here): left for redelivery, never lost.
    const info = await jsm.consumers.info('signals', 'sigterm-signals');
    expect(info.num_pending + info.num_ack_pending).toBe(events.length - handledByFirst);

    await startWorker('sigterm');
    await waitFor('every event applied', () => applied().length >= events.length, { timeoutMs: 20_000 });
    await new Promise((r) => setTimeout(r, 200));
    expect(applied()).toHaveLength(events.length);
    expect(new Set(applied())).toEqual(new Set(events.map((e) => e.event_id)));
  });

  it('ships the dead-letter CLI as a second entry', async () => {
    const cli = spawnNode([CLI, 'list'], { env: { NATS_URL: server.url } });
    expect(await cli.exited).toBe(0);
    expect(cli.output.join('\n')).toMatch(/0 shown, 0 in the dead-letter stream/);
  });
});
