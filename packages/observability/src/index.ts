export { ConfigError, envFlag, envInt, envNumber, envUrl, parseEnv } from './env.js';
export { createLogger, type Logger, type LoggerOptions, REDACT_PATHS } from './logger.js';
export { exitAfterFlush, exitOnFatalErrors } from './process-exit.js';
export { type ErrorReporter, initErrorReporter, type SentryOptions } from './sentry.js';
export { currentTrace, parseTraceparent, runWithTrace, type TraceContext } from './trace-context.js';
