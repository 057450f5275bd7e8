import type { Logger } from 'pino';

export interface SentryOptions {
  /** Empty or undefined: the SDK is never loaded nor initialised. */
  dsn: string | undefined;
  /** Reported as Sentry's `environment` (the `ENV` variable). */
  environment: string;
  release?: string;
  logger?: Logger;
}

/** What the apps call; a no-op reporter when Sentry is off. */
export interface ErrorReporter {
  readonly enabled: boolean;
  capture(error: unknown, context?: Record<string, unknown>): void;
  /** Sends what is queued; call before exiting. */
  flush(timeoutMs?: number): Promise<void>;
}

const DISABLED: ErrorReporter = {
  enabled: false,
  capture() {},
  async flush() {},
};

/**
 * Initialises @sentry/node only when a DSN is configured. The SDK is imported dynamically so a
 * deployment without Sentry does not pay for loading it (it pulls in OpenTelemetry).
 */
export async function initErrorReporter(options: SentryOptions): Promise<ErrorReporter> {
  if (!options.dsn) return DISABLED;
  const Sentry = await import('@sentry/node');
  Sentry.init({
    dsn: options.dsn,
    environment: options.environment,
    ...(options.release ? { release: options.release } : {}),
    // Errors only: tracing is left to the platform's collector.
    tracesSampleRate: 0,
  });
  options.logger?.info({ environment: options.environment }, 'sentry initialised');
  return {
    enabled: true,
    capture(error, context) {
      Sentry.withScope((scope) => {
        if (context) scope.setContext('request', context);
        Sentry.captureException(error);
      });
    },
    async flush(timeoutMs = 2000) {
      await Sentry.flush(timeoutMs);
    },
  };
}
