import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { ErrorBody, GenerateRequest, GenerateResponse, SilencedResponse } from '@oo/contracts';
import { z } from 'zod';
import { createGenerateTips } from '../generate/generate-tips.js';
import { jsonBody } from '../middleware/json-body.js';
import { errorResponses, JSON_BODY_ERRORS, jsonContent } from './openapi-responses.js';
import type { RouteDeps } from './route-deps.js';

/**
 * POST /generate. The use case is built here, at start-up, so an unknown
 * `DEFAULT_PROMPT_VERSION` or a registry without tip-generator stops the service from starting.
 */
export function registerGenerateRoute(app: OpenAPIHono, deps: RouteDeps): void {
  const generateTips = createGenerateTips({
    registry: deps.agents,
    llm: deps.llm,
    defaultPromptVersion: deps.env.DEFAULT_PROMPT_VERSION,
    logger: deps.logger,
    now: deps.clock,
  });
  const route = createRoute({
    method: 'post',
    path: '/generate',
    tags: ['agents'],
    operationId: 'generate_tips',
    summary: 'LLM tip candidates for the user’s tasks (tip-generator agent)',
    description:
      'Enforces the tip-generator manifest (a silencing context answers 200 with silenced: true and ' +
      'no tips; the llm_processing consent is required; prefs must match pref_schema), renders the ' +
      'versioned prompt and asks the LiteLLM gateway (model alias tip-generator) for JSON. Each ' +
      'candidate expires ttl_sec after the request. Task titles are sent to the gateway only, never logged.',
    middleware: [jsonBody(deps.env.MAX_BODY_BYTES)],
    request: { body: { required: true, content: { 'application/json': { schema: GenerateRequest } } } },
    responses: {
      200: jsonContent(
        z.union([GenerateResponse, SilencedResponse]),
        'The candidates, or silenced: true with the reason and no candidates.',
      ),
      ...errorResponses(...JSON_BODY_ERRORS, 502, 504),
      403: jsonContent(
        ErrorBody,
        'A consent the agent requires is missing (`consent_required`; `details.consent` names it).',
      ),
    },
  });
  app.openapi(route, async (c) => {
    // The client's disconnect aborts the gateway call too: nobody would read the tips.
    const result = await generateTips(c.req.valid('json'), { signal: c.req.raw.signal });
    return c.json(result, 200);
  });
}
