import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { Logger } from '@oo/observability';

/** `NATS_URL` may list several servers, comma-separated. */
export function natsServers(url: string): string[] {
  return url
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part.length > 0);
}

/** host:port only: a URL may carry credentials, which never reach a log line. */
export function describeServers(url: string): string {
  return natsServers(url)
    .map((server) => {
      try {
        return new URL(server).host;
      } catch {
        return '(unparseable)';
      }
    })
    .join(',');
}

export interface ConnectNatsOptions {
  /** Shown by the server's monitoring. */
  name: string;
  /** Keep trying forever after a disconnect (the worker), or give up (the operator CLI). @default true */
  reconnectForever?: boolean;
}

/**
 * Connects with the worker's reconnect policy: retry forever, including the first connection, so a
 * worker started before its broker, or outliving a broker restart, picks up where it was.
 */
export function connectNats(url: string, options: ConnectNatsOptions): Promise<NatsConnection> {
  const forever = options.reconnectForever ?? true;
  return connect({
    servers: natsServers(url),
    name: options.name,
    maxReconnectAttempts: forever ? -1 : 3,
    waitOnFirstConnect: forever,
    reconnectTimeWait: 1000,
    timeout: 10_000,
  });
}

export interface ConnectionWatch {
  readonly connected: boolean;
}

/** Follows the connection's status, logging disconnects and reconnects. */
export function watchConnection(nc: NatsConnection, logger: Logger): ConnectionWatch {
  let connected = !nc.isClosed();
  void (async () => {
    for await (const status of nc.status()) {
      switch (status.type) {
        case 'disconnect':
          connected = false;
          logger.warn({ server: status.server }, 'disconnected from NATS; reconnecting');
          break;
        case 'reconnect':
          connected = true;
          logger.info({ server: status.server }, 'reconnected to NATS');
          break;
        case 'close':
          connected = false;
          break;
        case 'error':
          logger.error({ err: status.error }, 'NATS connection error');
          break;
        default:
      }
    }
  })();
  return {
    get connected() {
      return connected && !nc.isClosed();
    },
  };
}
