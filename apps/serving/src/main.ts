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
import { loadEnv } from './env.js';
import { openStore } from './open-store.js';
import { startServer } from './server.js';

async function main(): Promise<void> {
  const env = loadEnv();
  const logger = createLogger({ name: 'serving', level: env.LOG_LEVEL });
  const reporter = await initErrorReporter({ dsn: env.SENTRY_DSN, environment: env.ENV, logger });

  exitOnFatalErrors(logger, reporter);

  const store = await openStore(env, logger);
  try {
    await store.ping();
  } catch (error) {
    // Not fatal: the store may come up after us; /health answers 503 until it does.
    logger.warn({ err: error, backend: store.backend }, 'state store not reachable at start-up');
  }

  const app = createApp({ store, env, logger, reporter });
  const running = await startServer({ fetch: app.fetch, port: env.PORT, hostname: env.HOST });
  logger.info(
    { port: running.port, host: env.HOST, backend: store.backend, nats: Boolean(env.NATS_URL) },
    'listening',
  );

  let stopping = false;
  const shutdown = async (signal: NodeJS.Signals): Promise<void> => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal, grace_ms: env.SHUTDOWN_GRACE_MS }, 'shutting down');
    const graceful = await running.close(env.SHUTDOWN_GRACE_MS);
    if (!graceful) logger.warn('grace period over: the remaining connections were closed');
    await store
      .close()
      .catch((error: unknown) => logger.error({ err: error }, 'closing the state store failed'));
    await reporter.flush();
    logger.info('stopped');
    exitAfterFlush(logger, 0);
  };
  process.on('SIGTERM', (signal) => void shutdown(signal));
  process.on('SIGINT', (signal) => void shutdown(signal));
}

// Start-up failures go to stderr synchronously, so the line is out before the process exits.
const boot = createLogger({ name: 'serving', destination: pino.destination({ dest: 2, sync: true }) });
main().catch((error: unknown) => {
  if (error instanceof ConfigError) boot.fatal({ variables: error.variables }, error.message);
  else if (error instanceof AgentRegistryError) boot.fatal({ problems: error.problems }, error.message);
  else boot.fatal({ err: error }, 'start-up failed');
  process.exit(1);
});
