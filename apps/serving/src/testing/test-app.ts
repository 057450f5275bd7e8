import type { ErrorReporter } from '@oo/observability';
import { createLogger } from '@oo/observability';
import type { StateStore } from '@oo/state';
import { createApp } from '../app.js';
import { loadEnv } from '../env.js';
import { type RunningServer, startServer } from '../server.js';
import { createLogCapture, type LogCapture } from './log-capture.js';

export interface TestAppOptions {
  store: StateStore;
  /** Environment variables, parsed by the real schema. */
  env?: Record<string, string>;
  clock?: () => Date;
  seed?: number;
  reporter?: ErrorReporter;
  /** Port to listen on. @default 0, any free port */
  port?: number;
}

export interface TestApp {
  readonly url: string;
  readonly logs: LogCapture;
  readonly server: RunningServer;
  close(): Promise<void>;
}

/** The real app on a real loopback socket (port 0), logging into memory. */
export async function startTestApp(options: TestAppOptions): Promise<TestApp> {
  const logs = createLogCapture();
  const logger = createLogger({ name: 'serving', level: 'debug', destination: logs });
  const app = createApp({
    store: options.store,
    env: loadEnv(options.env ?? {}),
    logger,
    ...(options.reporter ? { reporter: options.reporter } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
    seed: options.seed ?? 42,
  });
  const server = await startServer({ fetch: app.fetch, port: options.port ?? 0, hostname: '127.0.0.1' });
  return { url: server.url, logs, server, close: async () => void (await server.close(1_000)) };
}
