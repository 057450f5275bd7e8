import { AckPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listDeadLetters } from './dead-letter.js';
import { FiguresTracker } from './figures.js';
import { LastErrors } from './last-errors.js';
import { UNRECORDED_FAILURE, watchMaxDeliveries } from './max-deliveries-watch.js';
import { consumerSpecs, DEADLETTER_STREAM, ensureStream, SIGNALS_STREAM } from './registration.js';
import { captureLogs } from './testing/log-capture.js';
import { type NatsServerHandle, startNatsServer } from './testing/nats-server.js';
import { waitFor } from './testing/wait-for.js';

describe('watchMaxDeliveries', () => {
  let server: NatsServerHandle;
  let nc: NatsConnection;

  beforeAll(async () => {
    server = await startNatsServer();
    nc = await connect({ servers: server.url });
  });
  afterAll(async () => {
    await nc?.close();
    await server?.dispose();
  });

  it('dead-letters a message that ran out of deliveries without any worker dead-lettering it', async () => {
    const js = jetstream(nc);
    const jsm = await jetstreamManager(nc);
    await ensureStream(jsm, SIGNALS_STREAM);
    await ensureStream(jsm, DEADLETTER_STREAM);
    const specs = consumerSpecs('watch');
    await jsm.consumers.add('signals', {
      durable_name: 'watch-signals',
      ack_policy: AckPolicy.Explicit,
      max_deliver: 2,
      filter_subject: 'signals.>',
    });
    const figures = new FiguresTracker();
    const logs = captureLogs();
    const watch = watchMaxDeliveries({
      nc,
      js,
      jsm,
      specs,
      queue: 'watch-max-deliveries',
      lastErrors: new LastErrors(),
      figures,
      logger: logs.logger,
      reporter: { enabled: false, capture() {}, async flush() {} },
    });
    try {
      const published = await js.publish('signals.task.synced', '{"stuck":true}');
      // A worker that received the message twice and died each time before settling it.
      const consumer = await js.consumers.get('signals', 'watch-signals');
      for (let i = 0; i < 2; i++) {
        const m = await consumer.next({ expires: 2000 });
        expect(m?.seq).toBe(published.seq);
        m?.nak();
      }
      // The next pull (a restarted worker's) finds the message out of deliveries: the server then
      // skips it and publishes the advisory.
      expect(await consumer.next({ expires: 1000 })).toBeNull();
      const [letter] = await waitFor('the dead letter', async () => {
        const { letters } = await listDeadLetters(jsm);
        return letters.length > 0 ? letters : null;
      });
      expect(letter).toMatchObject({
        originalSubject: 'signals.task.synced',
        originalStream: 'signals',
        originalSeq: published.seq,
        deliveryCount: 2,
        lastError: UNRECORDED_FAILURE,
      });
      expect(new TextDecoder().decode(letter!.data)).toBe('{"stuck":true}');
      expect(figures.snapshot().signals.dead_lettered).toBe(1);
    } finally {
      await watch.stop();
    }
  });
});
