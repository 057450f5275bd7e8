import type { Logger } from '@oo/observability';
import type { Context, MiddlewareHandler } from 'hono';
import { matchedRoutes } from 'hono/route';
import type { ServingMetrics } from '../observability/metrics.js';

const MAX_LOGGED_PATH = 256;

/**
 * The route pattern that answered (`/stats/:user_id`), never the raw path: metric labels stay
 * bounded whatever ids clients send. Middleware registrations are method `ALL`.
 */
export function routeLabel(c: Context): string {
  const routes = matchedRoutes(c);
  for (let i = routes.length - 1; i >= 0; i--) {
    const route = routes[i]!;
    if (route.method !== 'ALL') return route.path;
  }
  return 'unmatched';
}

/** One access line and one metrics observation per request, after the response is settled. */
export function accessLog(deps: { logger: Logger; metrics: ServingMetrics }): MiddlewareHandler {
  return async (c, next) => {
    const started = process.hrtime.bigint();
    try {
      await next();
    } finally {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const route = routeLabel(c);
      const status = c.res.status;
      const labels = { method: c.req.method, route, status: String(status) };
      deps.metrics.httpRequests.inc(labels);
      deps.metrics.httpDuration.observe(labels, seconds);
      deps.logger.info(
        {
          method: c.req.method,
          route,
          path: c.req.path.slice(0, MAX_LOGGED_PATH),
          status,
          duration_ms: Math.round(seconds * 1e6) / 1e3,
        },
        'request',
      );
    }
  };
}
