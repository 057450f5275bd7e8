import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { StatsResponse } from '@oo/contracts';
import { POLICY_ROUTES, policySpec } from '../scoring/policy-config.js';
import { userStats } from '../scoring/stats.js';
import { errorResponses, jsonContent } from './openapi-responses.js';
import type { RouteDeps } from './route-deps.js';
import { UserParam } from './user-param.js';

export function registerStatsRoutes(app: OpenAPIHono, deps: RouteDeps): void {
  for (const { policy, suffix } of POLICY_ROUTES) {
    const spec = policySpec(policy);
    const route = createRoute({
      method: 'get',
      path: `/stats${suffix}/{user_id}`,
      tags: ['stats'],
      operationId: `stats_${policy.replace(/-/g, '_')}`,
      summary: `A user's ${policy} model and counters`,
      description:
        'A user never seen gets zero stats (θ = 0, updated_at null), not 404. gamma appears when the ' +
        "user's model forgets (γ < 1); shadows, once shadow policies have decided beside this one for " +
        'the user: per shadow, decisions, agreements and the match rate.',
      request: { params: UserParam },
      responses: {
        200: jsonContent(StatsResponse, `The ${policy} figures of the user.`),
        ...errorResponses(422, 503),
      },
    });
    app.openapi(route, async (c) => {
      const { user_id } = c.req.valid('param');
      const state = await deps.store.readUser(user_id);
      return c.json(userStats(state, spec), 200);
    });
  }
}
