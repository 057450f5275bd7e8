import {
  ConfigError,
  createLogger,
  exitAfterFlush,
  exitOnFatalErrors,
  initErrorReporter,
} from '@oo/observability';
import { pino } from 'pino';
import { loadEnv } from './env.js';
import { createHealthApp, startHealthServer } from './health-server.js';
import { connectNats, describeServers } from './nats-connection.js';
import { openStore } from './open-store.js';
import { createWorker } from './worker.js';

async function main(): Promise<void> {
  const env = loadEnv();
  const logger = createLogger({ name: 'consumer', level: env.LOG_LEVEL });
  const reporter = await initErrorReporter({ dsn: env.SENTRY_DSN, environment: env.ENV, logger });

  const fatal = exitOnFatalErrors(logger, reporter);

  // Unlike serving, the worker does not start without its store: every message would fail and,
  // after NATS_MAX_DELIVER attempts, be dead-lettered. An outage later is retried with backoff.
  const store = await openStore(env);
  await store.ping();

  logger.info({ servers: describeServers(env.NATS_URL) }, 'connecting to NATS');
  const nc = await connectNats(env.NATS_URL, { name: `oo-consumer:${env.NATS_DURABLE_PREFIX}` });
  const worker = createWorker({
    nc,
    store,
    logger,
    reporter,
    durablePrefix: env.NATS_DURABLE_PREFIX,
    retry: {
      maxDeliver: env.NATS_MAX_DELIVER,
      nakBaseMs: env.NATS_NAK_BASE_MS,
      nakMaxMs: env.NATS_NAK_MAX_MS,
    },
    ackWaitMs: env.NATS_ACK_WAIT_MS,
  });
  await worker.start();
  const health = await startHealthServer(createHealthApp(worker), env.CONSUMER_PORT, env.HOST);
  logger.info({ port: health.port, host: env.HOST, backend: store.backend }, 'health endpoint listening');

  let stopping = false;
  const shutdown = async (signal: NodeJS.Signals): Promise<void> => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal, grace_ms: env.SHUTDOWN_GRACE_MS }, 'shutting down: draining in-flight messages');
    const { drained } = await worker.stop({ timeoutMs: env.SHUTDOWN_GRACE_MS });
    if (!drained) logger.warn('grace period over: unsettled messages will be redelivered after ack_wait');
    await nc
      .drain()
      .catch((error: unknown) => logger.error({ err: error }, 'draining the NATS connection failed'));
    await health.close();
    await store
      .close()
      .catch((error: unknown) => logger.error({ err: error }, 'closing the state store failed'));
    await reporter.flush();
    logger.info('stopped');
    exitAfterFlush(logger, 0);
  };
  process.on('SIGTERM', (signal) => void shutdown(signal));
  process.on('SIGINT', (signal) => void shutdown(signal));

  // Reconnection is unbounded, so the connection only closes for good on a fatal error (bad
  // credentials, for instance) or our own drain.
  void nc.closed().then((error) => {
    if (stopping) return;
    fatal(error ?? new Error('NATS connection closed'), 'NATS connection closed for good');
  });
}

// Start-up failures go to stderr synchronously, so the line is out before the process exits.
const boot = createLogger({ name: 'consumer', destination: pino.destination({ dest: 2, sync: true }) });
main().catch((error: unknown) => {
  if (error instanceof ConfigError) boot.fatal({ variables: error.variables }, error.message);
  else boot.fatal({ err: error }, 'start-up failed');
  process.exit(1);
});
