import { type DestinationStream, type Logger, pino } from 'pino';
import { currentTrace } from './trace-context.js';

export type { Logger } from 'pino';

export interface LoggerOptions {
  /** Value of the `logger` field on every line. */
  name: string;
  /** Minimum level. @default 'info' */
  level?: string;
  /** Where lines go. @default stdout */
  destination?: DestinationStream;
}

/**
 * Header and body fields that may carry credentials or user content. pino's redaction runs on
 * every line, so a careless `log.info({ req })` cannot leak a bearer token.
 */
export const REDACT_PATHS = [
  'authorization',
  'headers.authorization',
  'req.headers.authorization',
  'token',
  'admin_token',
  'apiKey',
  'api_key',
  'password',
  'secret',
];

/**
 * One JSON object per line: `level` as a word, `logger`, ISO `timestamp`, `msg`, and the
 * `trace_id`/`span_id` of the request being served when it carried a valid `traceparent`.
 */
export function createLogger(options: LoggerOptions): Logger {
  return pino(
    {
      level: options.level ?? 'info',
      base: { logger: options.name },
      messageKey: 'msg',
      timestamp: () => `,"timestamp":"${new Date().toISOString()}"`,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      mixin() {
        const trace = currentTrace();
        return trace ? { trace_id: trace.traceId, span_id: trace.spanId } : {};
      },
    },
    options.destination ?? pino.destination({ dest: 1, sync: false }),
  );
}
