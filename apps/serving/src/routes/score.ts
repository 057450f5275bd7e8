import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { ScoreRequest, ScoreRequestWithProfile, ScoreResponse } from '@oo/contracts';
import { DECISION_LOG_SIZE } from '@oo/state';
import { agent as taskNudge } from '../agents/task-nudge.js';
import { ValidationError } from '../errors.js';
import { jsonBody } from '../middleware/json-body.js';
import { modelSettings, POLICY_ROUTES, policyParams, policySpec } from '../scoring/policy-config.js';
import { applyScore } from '../scoring/score.js';
import { planShadows } from '../scoring/shadow-plan.js';
import { errorResponses, JSON_BODY_ERRORS, jsonContent } from './openapi-responses.js';
import type { RouteDeps } from './route-deps.js';

// The last instant an RFC 3339 timestamp with a four-digit year can name.
const LAST_REPRESENTABLE_MS = Date.parse('9999-12-31T23:59:59.999Z');

export function registerScoreRoutes(app: OpenAPIHono, deps: RouteDeps): void {
  const { ttl_sec } = deps.agents.require(taskNudge.id).manifest;
  const ttlMs = ttl_sec * 1000;
  for (const { policy, suffix } of POLICY_ROUTES) {
    const spec = policySpec(policy);
    const params = policyParams(spec, deps.env);
    const settings = modelSettings(spec, deps.env);
    const shadowPlan = planShadows(spec, deps.env);
    const schema = policy === 'egreedy-v2' ? ScoreRequestWithProfile : ScoreRequest;
    const route = createRoute({
      method: 'post',
      path: `/score${suffix}`,
      tags: ['scoring'],
      operationId: `score_${policy.replace(/-/g, '_')}`,
      summary: `Rank candidates with ${policy} (d = ${spec.d})`,
      description:
        `Scores every candidate with the user's ${policy} model, chooses one and logs the decision. ` +
        `The decision can be rewarded by decision_id through POST /reward${suffix} until expires_at ` +
        `(decision time + ${ttl_sec} s, the task-nudge agent's ttl_sec). Shadow policies (SHADOW_POLICIES) ` +
        'decide beside it and are logged with the decision; the response is the same with or without them.',
      middleware: [jsonBody(deps.env.MAX_BODY_BYTES)],
      request: { body: { required: true, content: { 'application/json': { schema } } } },
      responses: {
        200: jsonContent(ScoreResponse, 'The decision; scores are in candidate order.'),
        ...errorResponses(...JSON_BODY_ERRORS, 503),
      },
    });
    app.openapi(route, async (c) => {
      const body = c.req.valid('json');
      const clock = deps.clock();
      const now = body.now === undefined ? clock : new Date(body.now);
      const expiresAt = new Date(now.getTime() + ttlMs);
      if (!(expiresAt.getTime() <= LAST_REPRESENTABLE_MS)) {
        throw new ValidationError([
          { path: 'now', message: 'now + ttl_sec must fall before the year 10000' },
        ]);
      }
      const ctx = { now, tz_offset_min: body.tz_offset_min, profile_features: body.profile_features };
      const vectors = body.candidates.map((candidate) => spec.encode(candidate.task, ctx));
      const candidateIds = body.candidates.map((candidate) => candidate.id);
      // Encoded before the transition, which must stay pure (a backend may retry it).
      const shadows = shadowPlan.encode(body.candidates, ctx);
      const decisionId = deps.newDecisionId();
      const outcome = await deps.store.updateUser(body.user_id, (state) =>
        applyScore(state, {
          spec,
          params,
          candidateIds,
          vectors,
          decisionId,
          now,
          expiresAt,
          clock,
          rng: deps.rng,
          logSize: DECISION_LOG_SIZE,
          settings,
          logCandidates: deps.env.DECISION_LOG_CANDIDATES,
          ...(shadows.policies.length > 0
            ? { shadows: { policies: shadows.policies, rng: deps.shadowRng } }
            : {}),
        }),
      );
      deps.metrics.decisions.inc({ policy, explored: String(outcome.explored) });
      for (const skipped of shadows.skipped) {
        deps.metrics.shadowSkips.inc({ active: policy, shadow: skipped.policy, reason: skipped.reason });
      }
      for (const shadow of outcome.shadows) {
        deps.metrics.shadowDecisions.inc({ active: policy, shadow: shadow.policy });
        if (shadow.chosen_id === outcome.decision.chosen_id) {
          deps.metrics.shadowAgreements.inc({ active: policy, shadow: shadow.policy });
        }
      }
      return c.json(
        {
          decision_id: outcome.decision.decision_id,
          policy,
          policy_version: spec.version,
          chosen_id: outcome.decision.chosen_id,
          propensity: outcome.decision.propensity,
          explored: outcome.explored,
          expires_at: outcome.decision.expires_at,
          scores: outcome.scores,
        },
        200,
      );
    });
  }
}
