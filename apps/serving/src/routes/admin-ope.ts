import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import {
  ErrorBody,
  OPE_DEFAULT_MAX_DECISIONS,
  OPE_MAX_DECISIONS,
  OpeReport,
  OpeRequest,
} from '@oo/contracts';
import { adminAuth } from '../middleware/admin-auth.js';
import { jsonBody } from '../middleware/json-body.js';
import { OPE_MAX_HEAP_MB, OPE_TIMEOUT_MS } from '../ope/ope-evaluator.js';
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
      'with candidates) is 422 on the field that selected it. ' +
      'The estimation runs in a worker thread, so the process keeps serving scores meanwhile; one ' +
      'evaluation at a time per process: another one while it runs is refused with 503 ' +
      "(`details.reason: 'ope_busy'`, with Retry-After), as is one stopped past its time limit " +
      `(${OPE_TIMEOUT_MS / 1000} s, \`ope_timeout\`) or its memory limit (${OPE_MAX_HEAP_MB} MiB of heap, \`ope_memory\`).`,
    security: [{ adminToken: [] }],
    // Authentication first: an anonymous caller learns nothing, not even about the body.
    middleware: [adminAuth(deps.env.ADMIN_TOKEN), jsonBody(deps.env.MAX_BODY_BYTES)],
    request: { body: { required: true, content: { 'application/json': { schema: OpeRequest } } } },
    responses: {
      200: jsonContent(OpeReport, 'The estimates, as `pnpm ope --json` prints them.'),
      ...errorResponses(401, 403, ...JSON_BODY_ERRORS, 503),
      503: jsonContent(
        ErrorBody,
        'The state store is unavailable or a record is unreadable (`state_unavailable`, `state_corrupt`), ' +
          'or the evaluation cannot run now (`service_busy` with `details.reason`: `ope_busy` while ' +
          'another runs on this process, `ope_timeout` past the time limit, `ope_memory` past the memory limit, ' +
          '`shutting_down`; Retry-After says ' +
          'when to try again).',
      ),
    },
  });
  app.openapi(route, async (c) => {
    const request = c.req.valid('json');
    const report = await evaluateServiceLog(deps.store, request, {
      // The estimation that follows is the long part (seconds at 10,000 decisions), in its thread.
      onLogRead: (decisions) =>
        deps.logger.info(
          { user_id: request.user_id ?? null, decisions },
          'decision log read; estimating off-policy',
        ),
      onSkippedDecision: (skipped) =>
        deps.logger.warn(skipped, 'decision left out of the evaluation: invalid line'),
      onCorruptUser: (userId, err) =>
        deps.logger.warn({ user_id: userId, err }, 'user left out of the evaluation: corrupt record'),
    });
    return c.json(report, 200);
  });
}
