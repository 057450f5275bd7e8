import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { DecisionExportQuery, DecisionLogLine } from '@oo/contracts';
import { adminAuth } from '../middleware/admin-auth.js';
import { EXPORT_PAGE_SIZE, exportDecisionLog } from '../ope/decision-export.js';
import { errorResponses } from './openapi-responses.js';
import type { RouteDeps } from './route-deps.js';

export const NDJSON = 'application/x-ndjson';

export function registerAdminDecisionsRoute(app: OpenAPIHono, deps: RouteDeps): void {
  const route = createRoute({
    method: 'get',
    path: '/admin/decisions',
    tags: ['admin'],
    operationId: 'export_decisions',
    summary: 'Export the decision log (NDJSON)',
    description:
      'Streams the decision log as NDJSON (docs/decision-log-format.md): one DecisionLogLine per decision ' +
      'that logged every candidate (DECISION_LOG_CANDIDATES=1, off by default; other decisions cannot be ' +
      "evaluated and are left out), each user's oldest first, with the policy version and parameters " +
      'the decision was made with. With user_id, that user only (an empty body when they have no such ' +
      `decision); without, every user, read ${EXPORT_PAGE_SIZE} users at a time as the response is ` +
      'consumed, so memory stays bounded whatever the number of users. A user whose record is corrupt is ' +
      'left out of an all-users export (and logged). Evaluate the result with `pnpm ope`.',
    security: [{ adminToken: [] }],
    middleware: [adminAuth(deps.env.ADMIN_TOKEN)],
    request: { query: DecisionExportQuery },
    responses: {
      200: {
        description: 'One DecisionLogLine per line (the schema below is that of one line).',
        content: { [NDJSON]: { schema: DecisionLogLine } },
      },
      ...errorResponses(401, 403, 422, 503),
    },
  });
  app.openapi(route, async (c) => {
    const { user_id } = c.req.valid('query');
    const chunks = exportDecisionLog(deps.store, {
      ...(user_id === undefined ? {} : { userId: user_id }),
      onSkippedDecision: (skipped) =>
        deps.logger.warn(skipped, 'decision left out of the export: invalid line'),
      onCorruptUser: (userId, err) =>
        deps.logger.warn({ user_id: userId, err }, 'user left out of the export: corrupt record'),
    });
    // The first chunk is read before the status is sent, so a store that is down (or one user's
    // unreadable record) is an error response, not a 200 cut short.
    const first = await chunks.next();
    const encoder = new TextEncoder();
    let pending: IteratorResult<string> | null = first;
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        try {
          const next = pending ?? (await chunks.next());
          pending = null;
          if (next.done) controller.close();
          else controller.enqueue(encoder.encode(next.value));
        } catch (error) {
          // Past the status line there is no error response left: the stream is cut off, so the
          // client sees a truncated transfer rather than a complete-looking log.
          deps.logger.warn({ err: error }, 'decision export failed mid-stream');
          controller.error(error);
        }
      },
      async cancel() {
        await chunks.return(undefined);
      },
    });
    // The route's typing knows one schema per body; this body is a stream of such lines, which
    // no TypedResponse describes.
    return c.body(body, 200, { 'content-type': NDJSON, 'cache-control': 'no-store' }) as never;
  });
}
