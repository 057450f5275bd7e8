import type { Logger } from './logger.js';
import type { ErrorReporter } from './sentry.js';

/** Exits once the logger has written its buffered lines, so the last words are never lost. */
export function exitAfterFlush(logger: Logger, code: number): void {
  logger.flush(() => process.exit(code));
}

/**
 * Makes an uncaught exception or unhandled rejection fatal: logged at `fatal`, reported, then
 * exit 1 once both are flushed. A process in an unknown state must not keep serving. Returns the
 * same path for other fatal conditions the caller detects (a connection closed for good, say).
 */
export function exitOnFatalErrors(
  logger: Logger,
  reporter: ErrorReporter,
): (error: unknown, origin: string) => void {
  const fatal = (error: unknown, origin: string): void => {
    // @sentry/node's own handlers capture the error when it is enabled; this one logs and exits.
    logger.fatal({ err: error, origin }, 'fatal error');
    void reporter.flush().finally(() => exitAfterFlush(logger, 1));
  };
  process.on('uncaughtException', (error) => fatal(error, 'uncaughtException'));
  process.on('unhandledRejection', (reason) => fatal(reason, 'unhandledRejection'));
  return fatal;
}
