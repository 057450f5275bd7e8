import { createLogger, type Logger } from '@oo/observability';

export interface LogCapture {
  logger: Logger;
  readonly lines: Record<string, unknown>[];
  /** Lines whose `msg` contains `text` and whose fields match `fields`. */
  find(text: string, fields?: Record<string, unknown>): Record<string, unknown>[];
}

/** A real pino logger (the service's own) writing parsed lines to an array. */
export function captureLogs(level = 'debug'): LogCapture {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger({
    name: 'consumer',
    level,
    destination: { write: (line: string) => void lines.push(JSON.parse(line)) },
  });
  return {
    logger,
    lines,
    find(text, fields = {}) {
      return lines.filter(
        (line) =>
          String(line.msg).includes(text) &&
          Object.entries(fields).every(([key, value]) => line[key] === value),
      );
    },
  };
}
