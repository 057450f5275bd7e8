import { AckPolicy, type JetStreamManager, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection, nanos } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  consumerSpecs,
  DEADLETTER_STREAM,
  ensureConsumer,
  ensureStream,
  RegistrationError,
  SIGNALS_STREAM,
  subjectCovers,
} from './registration.js';
import { type NatsServerHandle, startNatsServer } from './testing/nats-server.js';

describe('registration', () => {
  let server: NatsServerHandle;
  let nc: NatsConnection;
  let jsm: JetStreamManager;
  const [signals] = consumerSpecs('reg');

  beforeAll(async () => {
    server = await startNatsServer();
    nc = await connect({ servers: server.url });
    jsm = await jetstreamManager(nc);
  });
  afterAll(async () => {
    await nc?.close();
    await server?.dispose();
  });

  it('creates a missing stream once and leaves it alone afterwards', async () => {
    expect(await ensureStream(jsm, DEADLETTER_STREAM)).toBe('created');
    expect(await ensureStream(jsm, DEADLETTER_STREAM)).toBe('unchanged');
    expect((await jsm.streams.info('deadletter')).config.subjects).toEqual(['deadletter.>']);
  });

  it('adds its subject to an existing stream that lacks it, replacing the subjects it covers', async () => {
    await jsm.streams.add({
      name: 'signals',
      subjects: ['signals.legacy', 'legacy.signals'],
      max_msgs: 12345,
    });
    expect(await ensureStream(jsm, SIGNALS_STREAM)).toBe('updated');
    const { config } = await jsm.streams.info('signals');
    expect(config.subjects).toEqual(['legacy.signals', 'signals.>']);
    expect(config.max_msgs).toBe(12345);
  });

  it('adds the durable with explicit acks, then updates it in place when settings change', async () => {
    const spec = signals!;
    expect(await ensureConsumer(jsm, spec, { maxDeliver: 5, ackWaitMs: 30_000 })).toBe('created');
    let { config } = await jsm.consumers.info('signals', spec.durable);
    expect(config).toMatchObject({
      durable_name: 'reg-signals',
      ack_policy: AckPolicy.Explicit,
      max_deliver: 5,
      ack_wait: nanos(30_000),
      filter_subject: 'signals.>',
    });
    expect(await ensureConsumer(jsm, spec, { maxDeliver: 5, ackWaitMs: 30_000 })).toBe('unchanged');
    expect(await ensureConsumer(jsm, spec, { maxDeliver: 7, ackWaitMs: 10_000 })).toBe('updated');
    ({ config } = await jsm.consumers.info('signals', spec.durable));
    expect(config).toMatchObject({ max_deliver: 7, ack_wait: nanos(10_000), ack_policy: AckPolicy.Explicit });
  });

  it('re-creates a deleted durable from the sequence it is told to resume at', async () => {
    const spec = signals!;
    await jsm.consumers.delete('signals', spec.durable);
    expect(await ensureConsumer(jsm, spec, { maxDeliver: 5, ackWaitMs: 30_000 }, { startSeq: 42 })).toBe(
      'created',
    );
    const { config } = await jsm.consumers.info('signals', spec.durable);
    expect(config).toMatchObject({ deliver_policy: 'by_start_sequence', opt_start_seq: 42 });
  });

  it('refuses a durable of the same name that cannot be updated into ours', async () => {
    await jsm.consumers.add('signals', {
      durable_name: 'other-signals',
      ack_policy: AckPolicy.None,
      filter_subject: 'signals.>',
    });
    const spec = { ...signals!, durable: 'other-signals' };
    await expect(ensureConsumer(jsm, spec, { maxDeliver: 5, ackWaitMs: 30_000 })).rejects.toThrow(
      RegistrationError,
    );
  });
});

describe('subjectCovers', () => {
  it.each([
    ['signals.>', 'signals.legacy', true],
    ['signals.>', 'signals.task.synced', true],
    ['signals.>', 'signals.*', true],
    ['signals.>', 'signals.>', true],
    ['signals.>', 'signals', false],
    ['signals.>', 'feedback.x', false],
    ['signals.*', 'signals.x', true],
    ['signals.*', 'signals.x.y', false],
    ['signals.*', 'signals.>', false],
    ['signals.x', 'signals.*', false],
  ])('%s covers %s: %s', (pattern, subject, expected) => {
    expect(subjectCovers(pattern, subject)).toBe(expected);
  });
});
