import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { answerClientError } from './client-error.js';
import { closeAfterGetWithBody } from './unread-body.js';

export interface ServerOptions {
  fetch: (request: Request) => Response | Promise<Response>;
  port: number;
  hostname: string;
}

export interface RunningServer {
  readonly server: Server;
  readonly port: number;
  readonly url: string;
  /**
   * Stops accepting connections, lets in-flight requests finish and closes keep-alive connections
   * as they go idle; after `graceMs` the remaining connections are cut. Resolves when the server
   * is closed; `true` when everything finished within the grace period.
   */
  close(graceMs: number): Promise<boolean>;
}

// Slow or stalled clients must not hold a connection (and its memory) forever: a request has 10 s
// to send its headers and 30 s in all; an idle keep-alive connection lives 5 s (the Node default,
// under the usual 60 s of load balancers so they never reuse a connection we are closing).
const HEADERS_TIMEOUT_MS = 10_000;
const REQUEST_TIMEOUT_MS = 30_000;
const KEEP_ALIVE_TIMEOUT_MS = 5_000;
// Node enforces the two request time-outs on a periodic sweep of the open connections, every 30 s
// by default, which let a stalled request live up to 30 s past its deadline (a slow header held a
// connection for 40 s instead of 10). A sweep a second keeps each time-out within 1 s of its value.
const TIMEOUT_SWEEP_MS = 1_000;
const IDLE_SWEEP_MS = 50;

export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const server = serve({
    fetch: options.fetch,
    port: options.port,
    hostname: options.hostname,
    serverOptions: { connectionsCheckingInterval: TIMEOUT_SWEEP_MS },
  }) as Server;
  server.on('clientError', answerClientError);
  server.prependListener('request', closeAfterGetWithBody);
  server.headersTimeout = HEADERS_TIMEOUT_MS;
  server.requestTimeout = REQUEST_TIMEOUT_MS;
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  if (!server.listening) {
    await Promise.race([
      once(server, 'listening'),
      once(server, 'error').then(([error]) => {
        throw error;
      }),
    ]);
  }
  const { port } = server.address() as AddressInfo;
  const host = options.hostname.includes(':') ? `[${options.hostname}]` : options.hostname;
  let closing: Promise<boolean> | undefined;
  return {
    server,
    port,
    url: `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`,
    close(graceMs) {
      closing ??= new Promise<boolean>((resolve) => {
        let graceful = true;
        // Connections that finish their request during the grace period become idle; closing
        // them as they do lets server.close() complete as soon as the last response is sent.
        const sweep = setInterval(() => server.closeIdleConnections(), IDLE_SWEEP_MS);
        const deadline = setTimeout(() => {
          graceful = false;
          server.closeAllConnections();
        }, graceMs);
        server.close(() => {
          clearInterval(sweep);
          clearTimeout(deadline);
          resolve(graceful);
        });
        server.closeIdleConnections();
      });
      return closing;
    },
  };
}
