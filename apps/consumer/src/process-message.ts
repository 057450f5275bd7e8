import type { JetStreamClient, JsMsg } from '@nats-io/jetstream';
import { type ErrorReporter, type Logger, parseTraceparent, runWithTrace } from '@oo/observability';
import { StoreUnavailableError } from '@oo/state';
import { publishDeadLetter } from './dead-letter.js';
import { InvalidPayloadError } from './errors.js';
import type { FiguresTracker } from './figures.js';
import { dispatchEvent, type HandlerContext } from './handlers/index.js';
import type { LastErrors } from './last-errors.js';
import type { ConsumerKey } from './registration.js';
import { isFinalDelivery, nakDelayMs, type RetryPolicy } from './retry-policy.js';

/** What became of one delivery. `nak` leaves the message with the server for a later delivery. */
export type Disposition = 'ack' | 'nak' | 'dead-lettered';

export interface MessageProcessorDeps {
  key: ConsumerKey;
  js: JetStreamClient;
  context: HandlerContext;
  policy: RetryPolicy;
  figures: FiguresTracker;
  lastErrors: LastErrors;
  reporter: ErrorReporter;
  logger: Logger;
  /** @default 5000 */
  deadLetterTimeoutMs?: number;
}

function errorText(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}

// Failures the worker expects in normal operation: logged, not reported to Sentry on each delivery.
function isExpected(error: unknown): boolean {
  return error instanceof InvalidPayloadError || error instanceof StoreUnavailableError;
}

/**
 * Handles one delivery: validate and handle → ack; failure → nak with a delay that grows with the
 * delivery count; failure on the last allowed delivery → dead-letter (publish acked) then term. When
 * the dead-letter publish fails the message is nak'd, never termed: it stays in its stream, and the
 * server's max-deliveries advisory hands it to `watchMaxDeliveries`.
 */
export function processMessage(m: JsMsg, deps: MessageProcessorDeps): Promise<Disposition> {
  const trace = parseTraceparent(m.headers?.get('traceparent'));
  return runWithTrace(trace, () => handle(m, deps));
}

async function handle(m: JsMsg, deps: MessageProcessorDeps): Promise<Disposition> {
  const { key, policy, figures, lastErrors } = deps;
  const { stream, streamSequence: seq, deliveryCount } = m.info;
  const logger = deps.logger.child({
    consumer: key,
    subject: m.subject,
    stream,
    seq,
    delivery: deliveryCount,
  });
  const now = () => deps.context.now();
  // Acks are fire-and-forget publishes; one that cannot be sent (connection closed under us) only
  // means the server redelivers, which the idempotent handlers absorb.
  const settle = (what: string, fn: () => void): void => {
    try {
      fn();
    } catch (error) {
      logger.warn({ err: error }, `cannot ${what} the message; the server will redeliver it`);
    }
  };
  let failure: unknown;
  try {
    const outcome = await dispatchEvent(m.subject, m.data, { ...deps.context, logger });
    settle('ack', () => m.ack());
    lastErrors.delete(stream, seq);
    figures.recordHandled(key, outcome, now());
    return 'ack';
  } catch (error) {
    failure = error;
  }

  const reason = errorText(failure);
  const delay = nakDelayMs(policy, deliveryCount);
  if (!isExpected(failure))
    deps.reporter.capture(failure, { consumer: key, subject: m.subject, stream, seq });
  if (!isFinalDelivery(policy, deliveryCount)) {
    lastErrors.set(stream, seq, reason);
    figures.recordFailed(key, now(), false);
    logger.warn({ error: reason, retry_in_ms: delay }, 'delivery failed; nak for a later redelivery');
    settle('nak', () => m.nak(delay));
    return 'nak';
  }

  try {
    const ack = await publishDeadLetter(
      deps.js,
      {
        subject: m.subject,
        stream,
        streamSeq: seq,
        deliveryCount,
        error: reason,
        data: m.data,
        headers: m.headers,
      },
      { timeoutMs: deps.deadLetterTimeoutMs ?? 5000, now: now() },
    );
    settle('term', () => m.term());
    lastErrors.delete(stream, seq);
    figures.recordFailed(key, now(), true);
    logger.error(
      { error: reason, deadletter_seq: ack.seq, deadletter_duplicate: ack.duplicate },
      'message dead-lettered after its last allowed delivery',
    );
    return 'dead-lettered';
  } catch (deadLetterError) {
    lastErrors.set(stream, seq, reason);
    figures.recordFailed(key, now(), false);
    deps.reporter.capture(deadLetterError, {
      consumer: key,
      subject: m.subject,
      stream,
      seq,
      stage: 'dead-letter',
    });
    logger.error(
      { error: reason, err: deadLetterError },
      'cannot dead-letter the message; nak so it is kept (the max-deliveries advisory retries)',
    );
    settle('nak', () => m.nak(delay));
    return 'nak';
  }
}
