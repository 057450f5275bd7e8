import cluster from 'node:cluster';
import {
  ConfigError,
  createLogger,
  exitAfterFlush,
  exitOnFatalErrors,
  initErrorReporter,
} from '@oo/observability';
import { pino } from 'pino';
import { AgentRegistryError } from './agents/registry.js';
import { createApp } from './app.js';
import { runPrimary } from './cluster-primary.js';
import { loadEnv } from './env.js';
import { aggregateAcrossWorkers } from './observability/cluster-metrics.js';
import { createMetrics } from './observability/metrics.js';
import { processOpeEvaluator } from './ope/ope-evaluator.js';
import { openStore } from './open-store.js';
import { startServer } from './server.js';

async function main(): Promise<void> {
  const env = loadEnv();
  const root = createLogger({ name: 'serving', level: env.LOG_LEVEL });
  if (env.WEB_CONCURRENCY > 1 && cluster.isPrimary) {
    exitOnFatalErrors(root, { enabled: false, capture() {}, async flush() {} });
    runPrimary({ workers: env.WEB_CONCURRENCY, graceMs: env.SHUTDOWN_GRACE_MS, logger: root });
    return;
  }
  const worker = cluster.worker;
  const logger = worker === undefined ? root : root.child({ worker: worker.id });
  const reporter = await initErrorReporter({ dsn: env.SENTRY_DSN, environment: env.ENV, logger });

  exitOnFatalErrors(logger, reporter);

  const store = await openStore(env, logger);
  try {
    await store.ping();
  } catch (error) {
    // Not fatal: the store may come up after us; /health answers 503 until it does.
    logger.warn({ err: error, backend: store.backend }, 'state store not reachable at start-up');
  }

  const metrics = createMetrics();
  if (worker !== undefined) aggregateAcrossWorkers(metrics.registry);
  const app = createApp({ store, env, logger, reporter, metrics });
  const running = await startServer({ fetch: app.fetch, port: env.PORT, hostname: env.HOST });
  // In a cluster the primary says `listening` once every worker does.
  logger.info(
    { port: running.port, host: env.HOST, backend: store.backend, nats: Boolean(env.NATS_URL) },
    worker === undefined ? 'listening' : 'worker ready',
  );

  let stopping = false;
  const shutdown = async (signal: NodeJS.Signals): Promise<void> => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal, grace_ms: env.SHUTDOWN_GRACE_MS }, 'shutting down');
    const graceful = await running.close(env.SHUTDOWN_GRACE_MS);
    if (!graceful) logger.warn('grace period over: the remaining connections were closed');
    // An evaluation outliving the grace period has no client left to answer: stop its thread.
    await processOpeEvaluator.close();
    await store
      .close()
      .catch((error: unknown) => logger.error({ err: error }, 'closing the state store failed'));
    await reporter.flush();
    logger.info('stopped');
    exitAfterFlush(logger, 0);
  };
  process.on('SIGTERM', (signal) => void shutdown(signal));
  process.on('SIGINT', (signal) => void shutdown(signal));
  // A worker whose primary is gone can accept no new connection: drain and stop.
  if (worker !== undefined) process.on('disconnect', () => void shutdown('SIGTERM'));
}

// Start-up failures go to stderr synchronously, so the line is out before the process exits.
const boot = createLogger({ name: 'serving', destination: pino.destination({ dest: 2, sync: true }) });
main().catch((error: unknown) => {
  if (error instanceof ConfigError) boot.fatal({ variables: error.variables }, error.message);
  else if (error instanceof AgentRegistryError) boot.fatal({ problems: error.problems }, error.message);
  else boot.fatal({ err: error }, 'start-up failed');
  process.exit(1);
});
