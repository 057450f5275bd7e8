import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { OPE_DEFAULT_MAX_DECISIONS, OPE_MAX_DECISIONS, OpeReport, OpeRequest } from '@oo/contracts';
import { adminAuth } from '../middleware/admin-auth.js';
import { jsonBody } from '../middleware/json-body.js';
import { evaluateServiceLog } from '../ope/service-ope.js';
import { errorResponses, JSON_BODY_ERRORS, jsonContent } from './openapi-responses.js';
import type { RouteDeps } from './route-deps.js';

export function registerAdminOpeRoute(app: OpenAPIHono, deps: RouteDeps): void {
  const route = createRoute({
    method: 'post',
    path: '/admin/ope',
    tags: ['admin'],
    operationId: 'evaluate_policies',
    summary: "Off-policy evaluation of the service's own decision log",
    description:
      'Estimates what other policies would have earned on the logged decisions of one user (user_id) or ' +
      'every user: IPS, SNIPS and doubly robust, each with a 95% interval, per logging policy. The ' +
      'decisions are those GET /admin/decisions exports, evaluated by the same code as `pnpm ope --json` ' +
      'with the same options (snake_case; every one optional, with the CLI defaults), so the answer is ' +
      'what the CLI prints for the exported log. ' +
      `Bounded work: at most max_decisions logged decisions are read (default ${OPE_DEFAULT_MAX_DECISIONS}, ` +
      `at most ${OPE_MAX_DECISIONS}); a larger selection is refused with 422 on max_decisions before ` +
      'anything is evaluated past the bound. A selection with nothing to evaluate (no rewarded decision ' +
      'with candidates) is 422 on the field that selected it.',
    security: [{ adminToken: [] }],
    // Authentication first: an anonymous caller learns nothing, not even about the body.
    middleware: [adminAuth(deps.env.ADMIN_TOKEN), jsonBody(deps.env.MAX_BODY_BYTES)],
    request: { body: { required: true, content: { 'application/json': { schema: OpeRequest } } } },
    responses: {
      200: jsonContent(OpeReport, 'The estimates, as `pnpm ope --json` prints them.'),
      ...errorResponses(401, 403, ...JSON_BODY_ERRORS, 503),
    },
  });
  app.openapi(route, async (c) => {
    const request = c.req.valid('json');
    const report = await evaluateServiceLog(deps.store, request, {
      onSkippedDecision: (skipped) =>
        deps.logger.warn(skipped, 'decision left out of the evaluation: invalid line'),
      onCorruptUser: (userId, err) =>
        deps.logger.warn({ user_id: userId, err }, 'user left out of the evaluation: corrupt record'),
    });
    return c.json(report, 200);
  });
}
