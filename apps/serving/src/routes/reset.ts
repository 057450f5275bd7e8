import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { ResetResponse } from '@oo/contracts';
import { adminAuth } from '../middleware/admin-auth.js';
import { errorResponses, jsonContent } from './openapi-responses.js';
import type { RouteDeps } from './route-deps.js';
import { UserParam } from './user-param.js';

export function registerResetRoute(app: OpenAPIHono, deps: RouteDeps): void {
  app.openAPIRegistry.registerComponent('securitySchemes', 'adminToken', {
    type: 'http',
    scheme: 'bearer',
    description: 'The ADMIN_TOKEN of the deployment; admin endpoints are disabled (403) when it is unset.',
  });
  const route = createRoute({
    method: 'post',
    path: '/reset/{user_id}',
    tags: ['admin'],
    operationId: 'reset_user',
    summary: "Erase a user's state",
    description: 'Deletes every policy record, the decision log and the sync record of the user.',
    security: [{ adminToken: [] }],
    // Authentication runs before the path is validated: an anonymous caller learns nothing.
    middleware: [adminAuth(deps.env.ADMIN_TOKEN)],
    request: { params: UserParam },
    responses: {
      200: jsonContent(ResetResponse, 'Every record of the user is gone.'),
      ...errorResponses(401, 403, 422, 503),
    },
  });
  app.openapi(route, async (c) => {
    const { user_id } = c.req.valid('param');
    await deps.store.deleteUser(user_id);
    deps.logger.info({ user_id }, 'user state reset');
    return c.json({ user_id, reset: true as const }, 200);
  });
}
