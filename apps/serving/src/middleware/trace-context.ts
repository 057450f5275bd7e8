import { parseTraceparent, runWithTrace } from '@oo/observability';
import type { MiddlewareHandler } from 'hono';

/**
 * Runs the rest of the request inside the trace of its W3C `traceparent`, so every line logged
 * while serving it (handlers, error handler, access line) carries `trace_id` and `span_id`. An
 * absent or invalid header runs it outside any trace, never inside a stale one.
 */
export function traceContext(): MiddlewareHandler {
  return (c, next) => runWithTrace(parseTraceparent(c.req.header('traceparent')), () => next());
}
