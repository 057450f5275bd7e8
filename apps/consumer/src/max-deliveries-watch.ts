import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import type { ErrorReporter, Logger } from '@oo/observability';
import { z } from 'zod';
import { publishDeadLetter } from './dead-letter.js';
import type { FiguresTracker } from './figures.js';
import type { LastErrors } from './last-errors.js';
import { type ConsumerSpec, DEADLETTER_STREAM, ensureStream } from './registration.js';

/** io.nats.jetstream.advisory.v1.max_deliver, the fields we use. */
const MaxDeliverAdvisory = z.object({
  stream: z.string().min(1),
  consumer: z.string().min(1),
  stream_seq: z.number().int().positive(),
  deliveries: z.number().int().nonnegative(),
});
type MaxDeliverAdvisory = z.infer<typeof MaxDeliverAdvisory>;

export const UNRECORDED_FAILURE =
  'delivery limit reached without a recorded outcome (a worker stopped or lost the message mid-delivery)';

export interface MaxDeliveriesWatchOptions {
  nc: NatsConnection;
  js: JetStreamClient;
  jsm: JetStreamManager;
  specs: readonly ConsumerSpec[];
  /** Queue group: with several replicas, one of them handles each advisory. */
  queue: string;
  lastErrors: LastErrors;
  figures: FiguresTracker;
  logger: Logger;
  reporter: ErrorReporter;
  /** Attempts per advisory before giving up (and reporting). @default 8 */
  attempts?: number;
  /** First retry delay, doubled each time up to 30 s. @default 500 */
  retryBaseMs?: number;
}

export interface MaxDeliveriesWatch {
  /** Unsubscribes and waits (at most `timeoutMs`) for rescues under way. */
  stop(timeoutMs?: number): Promise<void>;
}

/**
 * The safety net of dead-lettering. The worker dead-letters a message on its last allowed delivery,
 * but that can fail (dead-letter publish not acked, worker killed mid-delivery). The server then
 * stops delivering the message (max_deliver reached) and publishes a max-deliveries advisory; this
 * watch fetches the message from its stream by sequence and dead-letters it, so nothing is left
 * silently undelivered. Its dedupe id matches the worker's, so a message both paths handle is
 * stored once.
 */
export function watchMaxDeliveries(options: MaxDeliveriesWatchOptions): MaxDeliveriesWatch {
  const { nc, js, jsm, lastErrors, figures, logger, reporter } = options;
  const attempts = options.attempts ?? 8;
  const retryBaseMs = options.retryBaseMs ?? 500;
  const inFlight = new Set<Promise<void>>();
  const abort = new AbortController();

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      abort.signal.addEventListener(
        'abort',
        () => {
          clearTimeout(timer);
          resolve();
        },
        { once: true },
      );
    });

  const rescue = async (spec: ConsumerSpec, advisory: MaxDeliverAdvisory): Promise<void> => {
    const log = logger.child({ consumer: spec.key, stream: advisory.stream, seq: advisory.stream_seq });
    let lastError: unknown;
    for (let attempt = 0; attempt < attempts && !abort.signal.aborted; attempt++) {
      if (attempt > 0) await sleep(Math.min(retryBaseMs * 2 ** (attempt - 1), 30_000));
      try {
        const stored = await jsm.streams.getMessage(advisory.stream, { seq: advisory.stream_seq });
        if (!stored) {
          log.warn('max deliveries reached for a message its stream no longer holds');
          return;
        }
        const ack = await publishDeadLetter(js, {
          subject: stored.subject,
          stream: advisory.stream,
          streamSeq: advisory.stream_seq,
          deliveryCount: advisory.deliveries,
          error: lastErrors.get(advisory.stream, advisory.stream_seq) ?? UNRECORDED_FAILURE,
          data: stored.data,
          headers: stored.header,
        });
        lastErrors.delete(advisory.stream, advisory.stream_seq);
        if (!ack.duplicate) figures.recordDeadLettered(spec.key);
        log.error(
          { deadletter_seq: ack.seq, deadletter_duplicate: ack.duplicate, deliveries: advisory.deliveries },
          'message dead-lettered from the max-deliveries advisory',
        );
        return;
      } catch (error) {
        lastError = error;
        log.warn(
          { err: error, attempt: attempt + 1 },
          'cannot dead-letter from the max-deliveries advisory yet',
        );
        // A dead-letter stream deleted by hand is the one cause we can repair ourselves.
        await ensureStream(jsm, DEADLETTER_STREAM).catch(() => {});
      }
    }
    reporter.capture(lastError ?? new Error('max-deliveries rescue stopped'), {
      stream: advisory.stream,
      seq: advisory.stream_seq,
      stage: 'max-deliveries-advisory',
    });
    log.error(
      { err: lastError },
      'gave up dead-lettering a message past its delivery limit; it is still in its stream at this sequence',
    );
  };

  const subscriptions: Subscription[] = options.specs.map((spec) =>
    nc.subscribe(`$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.${spec.stream.name}.${spec.durable}`, {
      queue: options.queue,
      callback: (error, msg) => {
        if (error) {
          logger.error({ err: error, consumer: spec.key }, 'max-deliveries advisory subscription failed');
          return;
        }
        let advisory: MaxDeliverAdvisory;
        try {
          advisory = MaxDeliverAdvisory.parse(msg.json());
        } catch (parseError) {
          logger.warn(
            { err: parseError, consumer: spec.key },
            'ignoring an unreadable max-deliveries advisory',
          );
          return;
        }
        const task = rescue(spec, advisory).finally(() => inFlight.delete(task));
        inFlight.add(task);
      },
    }),
  );

  return {
    async stop(timeoutMs = 5000) {
      for (const sub of subscriptions) sub.unsubscribe();
      const settled = Promise.allSettled([...inFlight]);
      const timer = new Promise((resolve) => setTimeout(resolve, timeoutMs).unref());
      await Promise.race([settled, timer]);
      abort.abort();
      await Promise.race([settled, new Promise((resolve) => setTimeout(resolve, 1000).unref())]);
    },
  };
}
