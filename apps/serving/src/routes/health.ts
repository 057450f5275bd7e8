import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { type ConsumerFigures, HealthResponse } from '@oo/contracts';
import { StateError } from '@oo/state';
import { jsonContent } from './openapi-responses.js';
import type { RouteDeps } from './route-deps.js';

const CONSUMERS = ['signals', 'feedback'] as const;
const NO_FIGURES: ConsumerFigures = { last_msg_ts: null, processed: 0, errors: 0 };

/** Where apps/consumer publishes its counters (one record per durable prefix). */
export function consumerFiguresName(durablePrefix: string): string {
  return `consumer:${durablePrefix}`;
}

export function registerHealthRoute(app: OpenAPIHono, deps: RouteDeps): void {
  const figuresName = consumerFiguresName(deps.env.NATS_DURABLE_PREFIX);
  const route = createRoute({
    method: 'get',
    path: '/health',
    tags: ['operations'],
    operationId: 'health',
    summary: 'Liveness of the service and its state store',
    description:
      "200 when the state store answers, 503 with ok: false when it does not. The JetStream consumer's " +
      'counters are the ones apps/consumer publishes to the state store; zeros before it first does.',
    responses: {
      200: jsonContent(HealthResponse, 'The service and its state store are up.'),
      503: jsonContent(HealthResponse, 'The state store is unreachable.'),
    },
  });

  const readConsumers = async (): Promise<Record<(typeof CONSUMERS)[number], ConsumerFigures>> => {
    const consumers = { signals: NO_FIGURES, feedback: NO_FIGURES };
    try {
      const figures = await deps.store.readFigures(figuresName);
      for (const name of CONSUMERS) {
        const published = figures?.consumers[name];
        if (published) consumers[name] = { ...published };
      }
    } catch (error) {
      // The consumer's figures are informative; unreadable ones must not fail the health check.
      deps.logger.warn({ err: error }, 'consumer figures unreadable');
    }
    return consumers;
  };

  app.openapi(route, async (c) => {
    let stateOk = true;
    try {
      await deps.store.ping();
    } catch (error) {
      if (!(error instanceof StateError)) throw error;
      stateOk = false;
      deps.metrics.stateStoreErrors.inc({ backend: deps.store.backend, kind: 'unavailable' });
      deps.logger.warn({ err: error }, 'state store ping failed');
    }
    const body = {
      ok: stateOk,
      state: { backend: deps.store.backend, ok: stateOk },
      nats: {
        enabled: Boolean(deps.env.NATS_URL),
        consumers: stateOk ? await readConsumers() : { signals: NO_FIGURES, feedback: NO_FIGURES },
      },
    };
    return stateOk ? c.json(body, 200) : c.json(body, 503);
  });
}
