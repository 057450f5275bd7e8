import { AggregatorRegistry, type Registry } from 'prom-client';
import { HttpError } from '../errors.js';

/** The message a worker sends the primary for the metrics of every worker, and its reply. */
export const METRICS_REQUEST = 'oo:cluster-metrics-request';
export const METRICS_REPLY = 'oo:cluster-metrics-reply';
export interface MetricsRequest {
  type: typeof METRICS_REQUEST;
  id: number;
}
export interface MetricsReply {
  type: typeof METRICS_REPLY;
  id: number;
  text?: string;
  error?: string;
}

// The primary collects from every worker within prom-client's 5 s; this bounds the wait for it.
const REPLY_TIMEOUT_MS = 7_000;

/**
 * In a cluster worker (WEB_CONCURRENCY > 1), makes `registry.metrics()` — what GET /metrics
 * answers — return the sum over all workers: a scrape reaches one worker, and one worker's counters
 * alone would read as resets whenever scrapes alternate between workers. The worker still answers
 * the primary with its own figures (AggregatorRegistry's worker side, on this registry).
 */
export function aggregateAcrossWorkers(registry: Registry): void {
  AggregatorRegistry.setRegistries([registry]);
  // Constructing one installs the worker's listener for the primary's collection requests.
  new AggregatorRegistry();
  const pending = new Map<number, { resolve: (text: string) => void; reject: (error: Error) => void }>();
  let next = 0;
  process.on('message', (message: unknown) => {
    const reply = message as Partial<MetricsReply> | null;
    if (reply?.type !== METRICS_REPLY || typeof reply.id !== 'number') return;
    const waiter = pending.get(reply.id);
    if (waiter === undefined) return;
    pending.delete(reply.id);
    if (typeof reply.text === 'string') waiter.resolve(reply.text);
    else waiter.reject(unavailable(reply.error ?? 'no metrics in the reply'));
  });
  registry.metrics = () =>
    new Promise<string>((resolve, reject) => {
      const id = next++;
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(unavailable('no reply in time'));
      }, REPLY_TIMEOUT_MS);
      pending.set(id, {
        resolve: (text) => {
          clearTimeout(timer);
          resolve(text);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      if (process.send === undefined || !process.connected) {
        pending.delete(id);
        clearTimeout(timer);
        return reject(unavailable('not connected to the primary'));
      }
      process.send({ type: METRICS_REQUEST, id } satisfies MetricsRequest);
    });
}

// The figures come from the primary, this worker's upstream for them: 502 when it cannot answer
// (it is shutting down, say), rather than one worker's counters passed off as the service's.
function unavailable(reason: string): HttpError {
  return new HttpError('upstream_error', `the metrics of the other workers are unavailable: ${reason}`);
}
