import type { Logger } from '@oo/observability';
import type { FiguresRecord, StateStore } from '@oo/state';
import type { HandlerOutcome } from './handlers/index.js';
import type { ConsumerKey } from './registration.js';

/** SPEC §6 figures of one consumer, plus two the worker's own /health adds. */
export interface ConsumerCounters {
  /** When the last message (handled or failed) was seen; null before the first. */
  last_msg_ts: string | null;
  /** Messages acked after handling (duplicates and unknown subjects included). */
  processed: number;
  /** Deliveries that failed (invalid payload, store error), dead-lettered ones included. */
  errors: number;
  duplicates: number;
  dead_lettered: number;
}

const CONSUMER_KEYS: readonly ConsumerKey[] = ['signals', 'feedback'];

/** The store name serving's /health reads the figures of this deployment from. */
export function figuresName(durablePrefix: string): string {
  return `consumer:${durablePrefix}`;
}

/** Per-process counters. */
export class FiguresTracker {
  readonly #counters: Record<ConsumerKey, ConsumerCounters>;
  #version = 0;

  constructor() {
    const empty = (): ConsumerCounters => ({
      last_msg_ts: null,
      processed: 0,
      errors: 0,
      duplicates: 0,
      dead_lettered: 0,
    });
    this.#counters = { signals: empty(), feedback: empty() };
  }

  /** Increases with every change, so a publisher can skip unchanged figures. */
  get version(): number {
    return this.#version;
  }

  recordHandled(key: ConsumerKey, outcome: HandlerOutcome, at: Date): void {
    const c = this.#counters[key];
    c.processed++;
    if (outcome === 'duplicate') c.duplicates++;
    c.last_msg_ts = at.toISOString();
    this.#version++;
  }

  recordFailed(key: ConsumerKey, at: Date, deadLettered: boolean): void {
    const c = this.#counters[key];
    c.errors++;
    if (deadLettered) c.dead_lettered++;
    c.last_msg_ts = at.toISOString();
    this.#version++;
  }

  /** Counted apart from `recordFailed`: the advisory path learns of a dead letter after the fact. */
  recordDeadLettered(key: ConsumerKey): void {
    this.#counters[key].dead_lettered++;
    this.#version++;
  }

  snapshot(): Record<ConsumerKey, ConsumerCounters> {
    return { signals: { ...this.#counters.signals }, feedback: { ...this.#counters.feedback } };
  }

  /** The SPEC §6 subset, as the store keeps it for serving's /health. */
  toRecord(now: Date): FiguresRecord {
    const consumers: FiguresRecord['consumers'] = {};
    for (const key of CONSUMER_KEYS) {
      const { last_msg_ts, processed, errors } = this.#counters[key];
      consumers[key] = { last_msg_ts, processed, errors };
    }
    return { v: 1, consumers, updated_at: now.toISOString() };
  }
}

export interface FiguresPublisherOptions {
  store: StateStore;
  name: string;
  tracker: FiguresTracker;
  logger: Logger;
  /** @default 1000 */
  intervalMs?: number;
  now?: () => Date;
}

export interface FiguresPublisher {
  /** Writes the figures now if they changed since the last write. */
  flush(): Promise<void>;
  /** Stops the timer and writes a last time. */
  stop(): Promise<void>;
}

/**
 * Writes the tracker's figures to the store every `intervalMs` when they changed (and once at start,
 * so serving shows zeros rather than nothing). A store outage is logged once per streak; handling
 * goes on, and the next tick retries.
 */
export function startFiguresPublisher(options: FiguresPublisherOptions): FiguresPublisher {
  const { store, name, tracker, logger } = options;
  const now = options.now ?? (() => new Date());
  let published = -1;
  let failing = false;
  let inFlight: Promise<void> = Promise.resolve();

  const write = async (): Promise<void> => {
    const version = tracker.version;
    if (version === published) return;
    try {
      await store.writeFigures(name, tracker.toRecord(now()));
      published = version;
      if (failing) logger.info({ figures: name }, 'figures published again');
      failing = false;
    } catch (error) {
      if (!failing) logger.warn({ err: error, figures: name }, 'cannot publish figures to the state store');
      failing = true;
    }
  };
  // Serialised: two overlapping writes could land out of order and publish older figures last.
  const flush = (): Promise<void> => {
    inFlight = inFlight.then(write);
    return inFlight;
  };

  void flush();
  const timer = setInterval(() => void flush(), options.intervalMs ?? 1000);
  timer.unref();
  return {
    flush,
    async stop() {
      clearInterval(timer);
      await flush();
    },
  };
}
