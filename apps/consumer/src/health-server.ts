import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import type { Worker } from './worker.js';

/** `GET /health`: 200 while both durables are being pulled over a live connection, else 503. */
export function createHealthApp(worker: Pick<Worker, 'health'>): Hono {
  const app = new Hono();
  app.get('/health', (c) => {
    const health = worker.health();
    return c.json(health, health.ok ? 200 : 503);
  });
  app.notFound((c) => c.json({ error: { code: 'not_found', message: 'no such route' } }, 404));
  app.onError((_error, c) => c.json({ error: { code: 'internal', message: 'internal error' } }, 500));
  return app;
}

export interface HealthServer {
  readonly port: number;
  close(): Promise<void>;
}

export async function startHealthServer(app: Hono, port: number, hostname: string): Promise<HealthServer> {
  const server = serve({ fetch: app.fetch, port, hostname }) as Server;
  // Probes are tiny: nothing may hold a connection open for long.
  server.headersTimeout = 5_000;
  server.requestTimeout = 10_000;
  if (!server.listening) {
    await Promise.race([
      once(server, 'listening'),
      once(server, 'error').then(([error]) => {
        throw error;
      }),
    ]);
  }
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
