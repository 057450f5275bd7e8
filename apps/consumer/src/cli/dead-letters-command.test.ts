import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, headers, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publishDeadLetter } from '../dead-letter.js';
import { DEADLETTER_STREAM, ensureStream, FEEDBACK_STREAM } from '../registration.js';
import { type NatsServerHandle, startNatsServer } from '../testing/nats-server.js';
import { runDeadLettersCli } from './dead-letters-command.js';

function io(extra: Partial<Parameters<typeof runDeadLettersCli>[1]> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    io: { env: {}, stdout: (l: string) => out.push(l), stderr: (l: string) => err.push(l), ...extra },
  };
}

describe('dead-letters CLI', () => {
  it.each([
    [['list', '--limit', '0'], /--limit must be a positive integer/],
    [['list', 'extra'], /list takes no arguments/],
    [['replay'], /at least one sequence/],
    [['replay', '1', '2', '--data', 'x.json'], /exactly one letter/],
    [['replay', 'abc'], /sequence must be a positive integer/],
    [['purge'], /unknown command "purge"/],
    [['list', '--bogus'], /Unknown option '--bogus'/],
  ])('rejects %j with usage and status 2, before connecting', async (argv, message) => {
    const t = io();
    expect(await runDeadLettersCli(argv, t.io)).toBe(2);
    expect(t.err.join('\n')).toMatch(message);
    expect(t.err.join('\n')).toContain('Usage: dead-letters');
  });

  it('needs NATS_URL', async () => {
    const t = io();
    expect(await runDeadLettersCli(['list'], t.io)).toBe(2);
    expect(t.err.join('\n')).toMatch(/NATS_URL: required/);
  });

  describe('against a server', () => {
    let server: NatsServerHandle;
    let nc: NatsConnection;

    beforeAll(async () => {
      server = await startNatsServer();
      nc = await connect({ servers: server.url });
      const jsm = await jetstreamManager(nc);
      await ensureStream(jsm, DEADLETTER_STREAM);
      await ensureStream(jsm, FEEDBACK_STREAM);
      const js = jetstream(nc);
      const original = headers();
      original.set('traceparent', '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01');
      original.set('Nats-Msg-Id', 'publisher-id');
      for (let seq = 1; seq <= 3; seq++) {
        await publishDeadLetter(js, {
          subject: 'feedback.app',
          stream: 'feedback',
          streamSeq: seq,
          deliveryCount: 5,
          error: `InvalidPayloadError: line one\nline two of ${seq}`,
          data: new TextEncoder().encode(`{"n":${seq}}`),
          headers: original,
        });
      }
    });
    afterAll(async () => {
      await nc?.close();
      await server?.dispose();
    });

    it('lists page by page, errors on one line', async () => {
      const t = io({ connection: nc });
      expect(await runDeadLettersCli(['list', '--limit', '2'], t.io)).toBe(0);
      expect(t.out).toHaveLength(2);
      expect(t.out[0]).toMatch(
        /^\s+1 {2}\S+Z {2}feedback\.app {2}feedback:1 {2}deliveries=5 {2}InvalidPayloadError: line one line two of 1$/,
      );
      expect(t.err).toEqual(['2 shown, 3 in the dead-letter stream; more with --from 3']);
      const next = io({ connection: nc });
      expect(await runDeadLettersCli(['list', '--from', '3', '--json'], next.io)).toBe(0);
      expect(next.out.map((l) => JSON.parse(l))).toEqual([
        expect.objectContaining({ seq: 3, original_seq: 3, payload: '{"n":3}' }),
      ]);
    });

    it('replays with the publisher’s headers but not its dedupe id, and reports letters it cannot find', async () => {
      const sub = nc.subscribe('feedback.app', { max: 1 });
      const t = io({ connection: nc });
      expect(await runDeadLettersCli(['replay', '2', '99'], t.io)).toBe(1);
      expect(t.out).toEqual([
        expect.stringMatching(/^replayed 2 to feedback\.app \(feedback:\d+\); removed/),
      ]);
      expect(t.err).toEqual(['cannot replay 99: no dead letter with sequence 99']);
      for await (const m of sub) {
        expect(m.string()).toBe('{"n":2}');
        expect(m.headers?.get('traceparent')).toBe('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01');
        expect(m.headers?.get('Oo-Replayed-From')).toBe('deadletter:2');
        expect(m.headers?.get('Nats-Msg-Id')).toBe('');
      }
      const list = io({ connection: nc });
      await runDeadLettersCli(['list', '--json'], list.io);
      expect(list.out.map((l) => JSON.parse(l).seq)).toEqual([1, 3]);
    });
  });
});
