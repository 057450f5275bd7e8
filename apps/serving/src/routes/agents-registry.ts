import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { AgentRegistryResponse } from '@oo/contracts';
import { errorResponses, jsonContent } from './openapi-responses.js';
import type { RouteDeps } from './route-deps.js';

export function registerAgentsRegistryRoute(app: OpenAPIHono, deps: RouteDeps): void {
  const route = createRoute({
    method: 'get',
    path: '/agents/registry',
    tags: ['agents'],
    operationId: 'agents_registry',
    summary: 'Every registered agent with its manifest',
    description:
      'The agents this instance runs, each with the MANIFEST its module exports (id, version, ' +
      'pref_schema, required_consents, ttl_sec, silenced_in_contexts). The registry was checked at ' +
      'start-up: an agent whose manifest drifted from it keeps the service from starting.',
    responses: {
      200: jsonContent(AgentRegistryResponse, 'The registry, in registration order.'),
      ...errorResponses(),
    },
  });
  app.openapi(route, (c) => c.json({ agents: deps.agents.list() }, 200));
}
