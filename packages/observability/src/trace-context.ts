import { AsyncLocalStorage } from 'node:async_hooks';

/** The parts of a W3C `traceparent` header that logs carry. */
export interface TraceContext {
  traceId: string;
  spanId: string;
  sampled: boolean;
}

// W3C Trace Context §3.2: version "00"–"fe" (ff is invalid), 32-hex trace-id, 16-hex parent-id,
// 2-hex flags; all-zero ids are invalid. Future versions may append fields after a dash.
const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;
const ZERO_TRACE = '0'.repeat(32);
const ZERO_SPAN = '0'.repeat(16);

export function parseTraceparent(header: string | null | undefined): TraceContext | null {
  if (!header || header.length > 512) return null;
  const match = TRACEPARENT.exec(header.trim());
  if (!match) return null;
  const [, version, traceId, spanId, flags, rest] = match as unknown as [
    string,
    string,
    string,
    string,
    string,
    string?,
  ];
  if (version === 'ff') return null;
  if (version === '00' && rest !== undefined) return null;
  if (traceId === ZERO_TRACE || spanId === ZERO_SPAN) return null;
  return { traceId, spanId, sampled: (Number.parseInt(flags, 16) & 1) === 1 };
}

const storage = new AsyncLocalStorage<TraceContext>();

/** Runs `fn` with `ctx` as the trace context of everything it logs, across awaits. */
export function runWithTrace<T>(ctx: TraceContext | null, fn: () => T): T {
  return ctx ? storage.run(ctx, fn) : storage.exit(fn);
}

export function currentTrace(): TraceContext | undefined {
  return storage.getStore();
}
