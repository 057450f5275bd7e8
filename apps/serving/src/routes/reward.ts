import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { RewardRequest, RewardResponse } from '@oo/contracts';
import { jsonBody } from '../middleware/json-body.js';
import { modelSettingsByPolicy, POLICY_ROUTES, policySpec } from '../scoring/policy-config.js';
import { applyReward } from '../scoring/reward.js';
import { errorResponses, JSON_BODY_ERRORS, jsonContent } from './openapi-responses.js';
import type { RouteDeps } from './route-deps.js';

export function registerRewardRoutes(app: OpenAPIHono, deps: RouteDeps): void {
  const settings = modelSettingsByPolicy(deps.env);
  for (const { policy, suffix } of POLICY_ROUTES) {
    const spec = policySpec(policy);
    const route = createRoute({
      method: 'post',
      path: `/reward${suffix}`,
      tags: ['scoring'],
      operationId: `reward_${policy.replace(/-/g, '_')}`,
      summary: `Reward a ${policy} decision or feature vector`,
      description:
        `By decision_id: looks the decision up in the user's decision log and updates the ${policy} model ` +
        'with its features; rewarding it again answers duplicate: true and changes nothing; a decision ' +
        `of another policy is 409; an unknown or expired one is 404. The shadow policies that decided on it ` +
        'learn from the same reward, each with its own encoding of the chosen candidate. By features: a ' +
        `vector of exactly ${spec.d} numbers, which trains ${policy} only.`,
      middleware: [jsonBody(deps.env.MAX_BODY_BYTES)],
      request: { body: { required: true, content: { 'application/json': { schema: RewardRequest } } } },
      responses: {
        200: jsonContent(RewardResponse, 'The reward was applied, or had already been (duplicate).'),
        ...errorResponses(...JSON_BODY_ERRORS, 404, 409, 503),
      },
    });
    app.openapi(route, async (c) => {
      const body = c.req.valid('json');
      const target =
        body.decision_id !== undefined ? { decisionId: body.decision_id } : { features: body.features ?? [] };
      const now = deps.clock();
      const outcome = await deps.store.updateUser(body.user_id, (state) =>
        applyReward(state, { spec, reward: body.reward, target, now, settings }),
      );
      deps.metrics.rewards.inc({ policy, duplicate: String(outcome.duplicate) });
      for (const shadow of outcome.shadows) deps.metrics.shadowRewards.inc({ active: policy, shadow });
      return c.json(
        { user_id: body.user_id, policy, n_rewards: outcome.n_rewards, duplicate: outcome.duplicate },
        200,
      );
    });
  }
}
