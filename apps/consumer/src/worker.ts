import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { ErrorReporter, Logger } from '@oo/observability';
import type { StateStore } from '@oo/state';
import { ConsumeLoop } from './consume-loop.js';
import { WorkerStateError } from './errors.js';
import {
  type ConsumerCounters,
  type FiguresPublisher,
  FiguresTracker,
  figuresName,
  startFiguresPublisher,
} from './figures.js';
import { LastErrors } from './last-errors.js';
import { type MaxDeliveriesWatch, watchMaxDeliveries } from './max-deliveries-watch.js';
import { watchConnection } from './nats-connection.js';
import { processMessage } from './process-message.js';
import { RecentIds } from './recent-ids.js';
import {
  type ConsumerKey,
  type ConsumerSettings,
  consumerSpecs,
  DEADLETTER_STREAM,
  ensureConsumer,
  ensureStream,
} from './registration.js';
import type { RetryPolicy } from './retry-policy.js';

export interface WorkerDeps {
  /** A connection the caller owns (and drains after `stop`). */
  nc: NatsConnection;
  store: StateStore;
  logger: Logger;
  reporter?: ErrorReporter;
  /** `NATS_DURABLE_PREFIX`. */
  durablePrefix: string;
  retry: RetryPolicy;
  /** `NATS_ACK_WAIT_MS`. */
  ackWaitMs: number;
  /** @default 1000 */
  figuresIntervalMs?: number;
  /** Messages per pull. @default 32 */
  pullBatch?: number;
  /** Pull request lifetime (see ConsumeLoopOptions). @default 10000 */
  pullExpiresMs?: number;
  /** Feedback event ids remembered for in-process deduplication. @default 10000 */
  feedbackIdsRemembered?: number;
  now?: () => Date;
}

export interface WorkerHealth {
  ok: boolean;
  state: { backend: 'file' | 'redis' };
  nats: {
    connected: boolean;
    consumers: Record<ConsumerKey, ConsumerCounters & { durable: string; consuming: boolean }>;
  };
}

export interface Worker {
  /** The store name the figures are published under (serving's /health reads it). */
  readonly figuresName: string;
  /** Registers the streams and durables, then starts pulling. Throws when registration fails. */
  start(): Promise<void>;
  /**
   * Stops pulling, finishes the messages already received, stops the advisory watch and writes the
   * figures a last time. `drained` is false when in-flight work outlasted `timeoutMs` (it is then
   * redelivered after ack_wait). The connection and the store stay open: their owner closes them.
   */
  stop(options?: { timeoutMs?: number }): Promise<{ drained: boolean }>;
  health(): WorkerHealth;
}

const DISABLED_REPORTER: ErrorReporter = { enabled: false, capture() {}, async flush() {} };

export function createWorker(deps: WorkerDeps): Worker {
  const { nc, store, logger } = deps;
  const reporter = deps.reporter ?? DISABLED_REPORTER;
  const now = deps.now ?? (() => new Date());
  const specs = consumerSpecs(deps.durablePrefix);
  const settings: ConsumerSettings = { maxDeliver: deps.retry.maxDeliver, ackWaitMs: deps.ackWaitMs };
  const tracker = new FiguresTracker();
  const lastErrors = new LastErrors();
  const seenFeedback = new RecentIds(deps.feedbackIdsRemembered ?? 10_000);
  const name = figuresName(deps.durablePrefix);
  const js = jetstream(nc);
  const connection = watchConnection(nc, logger);
  let loops: Map<ConsumerKey, ConsumeLoop> | undefined;
  let publisher: FiguresPublisher | undefined;
  let watch: MaxDeliveriesWatch | undefined;
  let state: 'new' | 'starting' | 'running' | 'stopping' | 'stopped' = 'new';

  return {
    figuresName: name,

    async start() {
      if (state !== 'new') throw new WorkerStateError(`worker cannot start: it is ${state}`);
      state = 'starting';
      const jsm = await jetstreamManager(nc);
      for (const stream of [...specs.map((s) => s.stream), DEADLETTER_STREAM]) {
        const outcome = await ensureStream(jsm, stream);
        logger.info({ stream: stream.name, subjects: stream.subjects, outcome }, 'stream registered');
      }
      for (const spec of specs) {
        const outcome = await ensureConsumer(jsm, spec, settings);
        logger.info(
          { consumer: spec.key, durable: spec.durable, max_deliver: settings.maxDeliver, outcome },
          'durable consumer registered',
        );
      }
      publisher = startFiguresPublisher({
        store,
        name,
        tracker,
        logger,
        now,
        ...(deps.figuresIntervalMs === undefined ? {} : { intervalMs: deps.figuresIntervalMs }),
      });
      watch = watchMaxDeliveries({
        nc,
        js,
        jsm,
        specs,
        queue: `${deps.durablePrefix}-max-deliveries`,
        lastErrors,
        figures: tracker,
        logger,
        reporter,
      });
      loops = new Map(
        specs.map((spec) => {
          const context = { store, logger, now, seenFeedback };
          const loop = new ConsumeLoop({
            js,
            jsm,
            spec,
            settings,
            logger,
            ...(deps.pullBatch === undefined ? {} : { batch: deps.pullBatch }),
            ...(deps.pullExpiresMs === undefined ? {} : { expiresMs: deps.pullExpiresMs }),
            handle: (m) =>
              processMessage(m, {
                key: spec.key,
                js,
                context,
                policy: deps.retry,
                figures: tracker,
                lastErrors,
                reporter,
                logger,
              }),
          });
          return [spec.key, loop] as const;
        }),
      );
      for (const loop of loops.values()) loop.start();
      state = 'running';
      logger.info({ consumers: specs.map((s) => s.durable), figures: name }, 'consumer started');
    },

    async stop(options = {}) {
      if (state === 'stopped' || state === 'stopping') return { drained: true };
      state = 'stopping';
      const timeoutMs = options.timeoutMs ?? 20_000;
      const results = await Promise.all([...(loops?.values() ?? [])].map((loop) => loop.stop(timeoutMs)));
      await watch?.stop(Math.min(timeoutMs, 5000));
      // Acks are buffered publishes: flushing makes sure the server has them before we report drained.
      if (!nc.isClosed()) await nc.flush().catch(() => {});
      await publisher?.stop();
      state = 'stopped';
      const drained = results.every(Boolean);
      logger.info({ drained }, 'consumer stopped');
      return { drained };
    },

    health() {
      const connected = connection.connected;
      const figures = tracker.snapshot();
      const consumers = Object.fromEntries(
        specs.map((spec) => [
          spec.key,
          {
            ...figures[spec.key],
            durable: spec.durable,
            consuming: loops?.get(spec.key)?.consuming ?? false,
          },
        ]),
      ) as WorkerHealth['nats']['consumers'];
      const consuming = Object.values(consumers).every((c) => c.consuming);
      return {
        ok: state === 'running' && connected && consuming,
        state: { backend: store.backend },
        nats: { connected, consumers },
      };
    },
  };
}
