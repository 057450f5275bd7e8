import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { z } from 'zod';
import type { RouteDeps } from './route-deps.js';

export function registerMetricsRoute(app: OpenAPIHono, deps: RouteDeps): void {
  const route = createRoute({
    method: 'get',
    path: '/metrics',
    tags: ['operations'],
    operationId: 'metrics',
    summary: 'Prometheus metrics',
    description:
      'Text exposition format 0.0.4: http_requests_total and http_request_duration_seconds per route ' +
      "pattern and status, bandit_decisions_total, bandit_rewards_total, the shadow policies' " +
      'bandit_shadow_decisions_total, bandit_shadow_agreements_total, bandit_shadow_skipped_total and ' +
      'bandit_shadow_rewards_total, state_store_errors_total, and the Node.js process metrics.',
    responses: {
      200: { description: 'Prometheus text.', content: { 'text/plain': { schema: z.string() } } },
    },
  });
  app.openapi(route, async (c) => {
    const text = await deps.metrics.registry.metrics();
    return c.text(text, 200, { 'content-type': deps.metrics.registry.contentType });
  });
}
