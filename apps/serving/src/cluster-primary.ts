import cluster, { type Worker } from 'node:cluster';
import { exitAfterFlush, type Logger } from '@oo/observability';
import { AggregatorRegistry } from 'prom-client';
import {
  METRICS_REPLY,
  METRICS_REQUEST,
  type MetricsReply,
  type MetricsRequest,
} from './observability/cluster-metrics.js';

export interface PrimaryOptions {
  workers: number;
  /** Each worker's own grace period (SHUTDOWN_GRACE_MS); the primary waits a little longer. */
  graceMs: number;
  logger: Logger;
}

// A worker that keeps dying is a broken deployment, not bad luck: past this many unexpected exits
// within the window the whole service stops (exit 1) so the supervisor sees it.
const RESTART_BUDGET = 5;
const RESTART_WINDOW_MS = 60_000;
// What the primary adds to a worker's grace period before it SIGKILLs the worker.
const KILL_MARGIN_MS = 5_000;

/**
 * WEB_CONCURRENCY > 1 (ADR-0018): this process forks that many workers, each a whole service
 * (`main.ts`) listening on the same port through node:cluster, which hands each new connection to
 * the next worker in turn. All of them share the state store, which already serialises writers
 * across processes. The primary serves no request; it logs `listening` once every worker listens,
 * replaces a worker that dies (within a budget), answers the workers' requests for the metrics of
 * all of them (prom-client's AggregatorRegistry), and on SIGTERM/SIGINT lets each worker drain.
 */
export function runPrimary(options: PrimaryOptions): void {
  const { logger } = options;
  const aggregator = new AggregatorRegistry();
  const listened = new Set<number>();
  const restarts: number[] = [];
  let announced = false;
  let stopping = false;
  let exitCode = 0;

  const fork = (): Worker => cluster.fork();

  const stop = (code: number, reason: string): void => {
    exitCode = Math.max(exitCode, code);
    if (stopping) return;
    stopping = true;
    logger.info({ reason, grace_ms: options.graceMs }, 'shutting down');
    const alive = Object.values(cluster.workers ?? {}).filter((worker) => worker !== undefined);
    if (alive.length === 0) {
      finish();
      return;
    }
    for (const worker of alive) worker.process.kill('SIGTERM');
    setTimeout(() => {
      for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGKILL');
    }, options.graceMs + KILL_MARGIN_MS).unref();
  };

  const finish = (): void => {
    logger.info({ code: exitCode }, 'stopped');
    exitAfterFlush(logger, exitCode);
  };

  cluster.on('listening', (worker, address) => {
    listened.add(worker.id);
    if (!announced && listened.size >= options.workers) {
      announced = true;
      logger.info({ port: address.port, host: address.address, workers: options.workers }, 'listening');
    }
  });

  cluster.on('exit', (worker, code, signal) => {
    const everListened = listened.delete(worker.id);
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) finish();
      return;
    }
    if (!everListened) {
      // It never served: a start-up failure (its reason is on stderr), which a new fork repeats.
      logger.fatal({ worker: worker.id, code, signal }, 'worker failed to start');
      return stop(1, 'worker failed to start');
    }
    const now = Date.now();
    restarts.push(now);
    while (restarts.length > 0 && restarts[0]! < now - RESTART_WINDOW_MS) restarts.shift();
    if (restarts.length > RESTART_BUDGET) {
      logger.fatal({ worker: worker.id, code, signal, restarts: restarts.length }, 'workers keep dying');
      return stop(1, 'workers keep dying');
    }
    logger.error({ worker: worker.id, code, signal }, 'worker exited; starting another');
    fork();
  });

  cluster.on('message', (worker, message: unknown) => {
    if (!isMetricsRequest(message)) return;
    const reply = (body: Omit<MetricsReply, 'type' | 'id'>) => {
      if (worker.isConnected()) worker.send({ type: METRICS_REPLY, id: message.id, ...body });
    };
    aggregator.clusterMetrics().then(
      (text) => reply({ text }),
      (error: unknown) => reply({ error: error instanceof Error ? error.message : String(error) }),
    );
  });

  process.on('SIGTERM', () => stop(0, 'SIGTERM'));
  process.on('SIGINT', () => stop(0, 'SIGINT'));
  for (let i = 0; i < options.workers; i++) fork();
}

function isMetricsRequest(message: unknown): message is MetricsRequest {
  return (
    typeof message === 'object' &&
    message !== null &&
    (message as MetricsRequest).type === METRICS_REQUEST &&
    typeof (message as MetricsRequest).id === 'number'
  );
}
