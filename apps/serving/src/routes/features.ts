import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { FeaturesResponse } from '@oo/contracts';
import { decisionLog } from '../scoring/stats.js';
import { errorResponses, jsonContent } from './openapi-responses.js';
import type { RouteDeps } from './route-deps.js';
import { UserParam } from './user-param.js';

export function registerFeaturesRoute(app: OpenAPIHono, deps: RouteDeps): void {
  const route = createRoute({
    method: 'get',
    path: '/features/{user_id}',
    tags: ['stats'],
    operationId: 'decision_log',
    summary: "A user's decision log",
    description:
      'The last 100 decisions of every policy, newest first; reward is null until rewarded. A decision ' +
      'on which shadow policies decided too lists their choices under shadows.',
    request: { params: UserParam },
    responses: {
      200: jsonContent(FeaturesResponse, 'The decision log, newest first.'),
      ...errorResponses(422, 503),
    },
  });
  app.openapi(route, async (c) => {
    const { user_id } = c.req.valid('param');
    const state = await deps.store.readUser(user_id);
    return c.json(decisionLog(state), 200);
  });
}
