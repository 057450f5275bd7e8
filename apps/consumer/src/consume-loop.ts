import {
  type ConsumerMessages,
  JetStreamApiCodes,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
} from '@nats-io/jetstream';
import type { Logger } from '@oo/observability';
import type { Disposition } from './process-message.js';
import {
  type ConsumerSettings,
  type ConsumerSpec,
  ensureConsumer,
  ensureStream,
  isApiError,
} from './registration.js';

export interface ConsumeLoopOptions {
  js: JetStreamClient;
  jsm: JetStreamManager;
  spec: ConsumerSpec;
  settings: ConsumerSettings;
  logger: Logger;
  /** Settles the message (ack, nak or term); never throws. */
  handle(m: JsMsg): Promise<Disposition>;
  /** Messages pulled per request; also the most a drain has to finish. @default 32 */
  batch?: number;
  /**
   * Pull request lifetime. The client expects a server heartbeat every half of it, so it bounds how
   * long a silently lost consumer goes unnoticed. @default 10000
   */
  expiresMs?: number;
}

// Statuses after which the durable has to be registered again before pulling can resume.
const MISSING = new Set(['consumer_deleted', 'consumer_not_found', 'stream_not_found']);
const UNSETTLED_LIMIT = 10_000;

/**
 * Pulls one durable consumer and hands each message to `handle`, one at a time, in order. It outlives
 * what the client library does not recover from on its own: a durable deleted under it is
 * registered again (from where this process got to, not from the start of the stream), a
 * consume that fails is restarted with a growing delay. Reconnection after a server restart is the
 * connection's job; the client resumes pulling from the durable's position by itself.
 */
export class ConsumeLoop {
  readonly #o: ConsumeLoopOptions;
  #stopping = false;
  #consuming = false;
  #needsRegistration = false;
  #messages: ConsumerMessages | undefined;
  #running: Promise<void> | undefined;
  #wake: (() => void) | undefined;
  // Stream sequences this process received but has not acked or termed, and the highest it settled:
  // where a re-created durable must start so nothing this process was still owed is skipped.
  readonly #unsettled = new Set<number>();
  #highestSettled = 0;

  constructor(options: ConsumeLoopOptions) {
    this.#o = options;
  }

  /** True while a pull subscription is active. */
  get consuming(): boolean {
    return this.#consuming;
  }

  start(): void {
    this.#running ??= this.#run();
  }

  /**
   * Stops pulling. Messages already received are still handled (drained) before the returned promise
   * resolves; `true` when that finished within `timeoutMs`. Whatever was not settled by then is
   * redelivered by the server after ack_wait.
   */
  async stop(timeoutMs = 20_000): Promise<boolean> {
    this.#stopping = true;
    this.#wake?.();
    void this.#messages?.close();
    if (!this.#running) return true;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<false>((resolve) => {
      timer = setTimeout(resolve, timeoutMs, false);
    });
    const drained = await Promise.race([this.#running.then(() => true as const), timedOut]);
    clearTimeout(timer);
    return drained;
  }

  resumeSeq(): number | undefined {
    if (this.#unsettled.size > 0) return Math.min(...this.#unsettled);
    return this.#highestSettled > 0 ? this.#highestSettled + 1 : undefined;
  }

  async #run(): Promise<void> {
    const { spec, logger } = this.#o;
    let failures = 0;
    while (!this.#stopping) {
      try {
        await this.#consumeOnce();
        failures = 0;
      } catch (error) {
        this.#consuming = false;
        if (
          isApiError(error, JetStreamApiCodes.ConsumerNotFound) ||
          isApiError(error, JetStreamApiCodes.StreamNotFound)
        ) {
          this.#needsRegistration = true;
        }
        failures++;
        logger.warn({ err: error, consumer: spec.key, failures }, 'consumer loop failed; retrying');
      }
      if (!this.#stopping && failures > 0) await this.#sleep(Math.min(250 * 2 ** (failures - 1), 10_000));
    }
  }

  async #consumeOnce(): Promise<void> {
    const { js, jsm, spec, settings, logger } = this.#o;
    if (this.#needsRegistration) {
      await ensureStream(jsm, spec.stream);
      const startSeq = this.resumeSeq();
      const outcome = await ensureConsumer(jsm, spec, settings, startSeq === undefined ? {} : { startSeq });
      logger.warn(
        { consumer: spec.key, durable: spec.durable, outcome, start_seq: startSeq },
        'durable registered again',
      );
      this.#needsRegistration = false;
    }
    const consumer = await js.consumers.get(spec.stream.name, spec.durable);
    const messages = await consumer.consume({
      max_messages: this.#o.batch ?? 32,
      expires: this.#o.expiresMs ?? 10_000,
    });
    this.#messages = messages;
    if (this.#stopping) void messages.close();
    this.#consuming = true;
    void this.#watchStatus(messages);
    for await (const m of messages) {
      const seq = m.info.streamSequence;
      this.#unsettled.add(seq);
      const disposition = await this.#o.handle(m);
      if (disposition !== 'nak') {
        this.#unsettled.delete(seq);
        this.#highestSettled = Math.max(this.#highestSettled, seq);
      } else if (this.#unsettled.size > UNSETTLED_LIMIT) {
        this.#unsettled.delete(Math.min(...this.#unsettled));
      }
    }
    this.#consuming = false;
    const error = await messages.closed();
    if (error) throw error;
  }

  async #watchStatus(messages: ConsumerMessages): Promise<void> {
    const { spec, logger } = this.#o;
    for await (const status of messages.status()) {
      if (MISSING.has(status.type)) {
        logger.warn(
          { consumer: spec.key, durable: spec.durable, status },
          'durable consumer lost; registering it again',
        );
        this.#needsRegistration = true;
        void messages.close();
        return;
      }
      if (
        status.type === 'heartbeats_missed' ||
        status.type === 'no_responders' ||
        status.type === 'exceeded_limits'
      ) {
        logger.warn({ consumer: spec.key, status }, 'pull consumer status');
      }
    }
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.#wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}
