import { randomInt, randomUUID } from 'node:crypto';
import { OpenAPIHono } from '@hono/zod-openapi';
import { createRng, type Rng } from '@oo/bandit';
import type { ErrorReporter, Logger } from '@oo/observability';
import type { StateStore } from '@oo/state';
import type { AgentModule } from './agents/agent.js';
import { AGENT_MODULES, createServingRegistry } from './agents/serving-registry.js';
import type { ServingEnv } from './env.js';
import { type ChatCompletionsClient, createChatCompletionsClient } from './llm/chat-completions.js';
import { accessLog } from './middleware/access-log.js';
import { createErrorHandlers, validationHook } from './middleware/error-handler.js';
import { createRouteTable } from './middleware/route-table.js';
import { traceContext } from './middleware/trace-context.js';
import { createMetrics, type ServingMetrics } from './observability/metrics.js';
import { registerAdminDecisionsRoute } from './routes/admin-decisions.js';
import { registerAdminOpeRoute } from './routes/admin-ope.js';
import { registerAgentsRegistryRoute } from './routes/agents-registry.js';
import { registerDocsRoutes } from './routes/docs.js';
import { registerFeaturesRoute } from './routes/features.js';
import { registerGenerateRoute } from './routes/generate.js';
import { registerHealthRoute } from './routes/health.js';
import { registerMetricsRoute } from './routes/metrics.js';
import { registerResetRoute } from './routes/reset.js';
import { registerRewardRoutes } from './routes/reward.js';
import type { RouteDeps } from './routes/route-deps.js';
import { registerScoreRoutes } from './routes/score.js';
import { registerStatsRoutes } from './routes/stats.js';
import { shadowSeed } from './scoring/shadows.js';

export interface AppDeps {
  store: StateStore;
  env: ServingEnv;
  logger: Logger;
  /** Where unhandled errors are reported; none: they are only logged. */
  reporter?: ErrorReporter;
  /** Server time; tests inject one to reach expiry. @default () => new Date() */
  clock?: () => Date;
  /** The ε-greedy randomness. @default createRng(seed) */
  rng?: Rng;
  /** The shadow policies' ε-greedy randomness. @default createRng(shadowSeed(seed)) */
  shadowRng?: Rng;
  /** Seed of the default rngs. @default a random 48-bit integer */
  seed?: number;
  /** Decision ids. @default crypto.randomUUID */
  newDecisionId?: () => string;
  /** A registry of its own is created when absent. */
  metrics?: ServingMetrics;
  /** The agent modules to register and serve. @default AGENT_MODULES (tip-generator, task-nudge) */
  agents?: readonly AgentModule[];
  /** The LiteLLM gateway. @default a client of LITELLM_URL with LITELLM_MASTER_KEY and LITELLM_TIMEOUT_MS */
  llm?: ChatCompletionsClient;
}

const NO_REPORTER: ErrorReporter = { enabled: false, capture() {}, async flush() {} };

/**
 * The whole HTTP service as a Hono app; `main.ts` listens, tests build it with their own deps.
 * Throws `AgentRegistryError` when the agents and their manifests disagree or cannot be enforced,
 * and `ConfigError` when `DEFAULT_PROMPT_VERSION` names no prompt: the service must not start.
 */
export function createApp(deps: AppDeps): OpenAPIHono {
  const agents = createServingRegistry(deps.agents ?? AGENT_MODULES);
  const metrics = deps.metrics ?? createMetrics();
  const seed = deps.seed ?? randomInt(2 ** 48 - 1);
  const routeDeps: RouteDeps = {
    store: deps.store,
    env: deps.env,
    logger: deps.logger,
    metrics,
    clock: deps.clock ?? (() => new Date()),
    rng: deps.rng ?? createRng(seed),
    shadowRng: deps.shadowRng ?? createRng(shadowSeed(seed)),
    newDecisionId: deps.newDecisionId ?? randomUUID,
    agents,
    llm:
      deps.llm ??
      createChatCompletionsClient({
        baseUrl: deps.env.LITELLM_URL,
        apiKey: deps.env.LITELLM_MASTER_KEY,
        timeoutMs: deps.env.LITELLM_TIMEOUT_MS,
      }),
  };
  const app = new OpenAPIHono({ defaultHook: validationHook });
  const handlers = createErrorHandlers({
    logger: deps.logger,
    reporter: deps.reporter ?? NO_REPORTER,
    metrics,
    backend: deps.store.backend,
    routes: createRouteTable(app),
  });
  app.onError(handlers.onError);
  app.notFound(handlers.notFound);

  // Trace first, so that the access line and the error handler log inside the request's trace.
  app.use('*', traceContext());
  app.use('*', accessLog({ logger: deps.logger, metrics }));

  registerScoreRoutes(app, routeDeps);
  registerRewardRoutes(app, routeDeps);
  registerStatsRoutes(app, routeDeps);
  registerFeaturesRoute(app, routeDeps);
  registerResetRoute(app, routeDeps);
  registerAdminDecisionsRoute(app, routeDeps);
  registerAdminOpeRoute(app, routeDeps);
  registerAgentsRegistryRoute(app, routeDeps);
  registerGenerateRoute(app, routeDeps);
  registerHealthRoute(app, routeDeps);
  registerMetricsRoute(app, routeDeps);
  registerDocsRoutes(app);
  return app;
}
