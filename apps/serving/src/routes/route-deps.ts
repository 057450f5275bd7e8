import type { Rng } from '@oo/bandit';
import type { Logger } from '@oo/observability';
import type { StateStore } from '@oo/state';
import type { AgentRegistry } from '../agents/registry.js';
import type { ServingEnv } from '../env.js';
import type { ChatCompletionsClient } from '../llm/chat-completions.js';
import type { ServingMetrics } from '../observability/metrics.js';

/** What every route module receives from `createApp`. */
export interface RouteDeps {
  store: StateStore;
  env: ServingEnv;
  logger: Logger;
  metrics: ServingMetrics;
  clock: () => Date;
  rng: Rng;
  /** The shadow policies' randomness, a stream apart from `rng` (ADR-0022). */
  shadowRng: Rng;
  newDecisionId: () => string;
  /** Built and checked once at start-up; the single source of the manifests at run time. */
  agents: AgentRegistry;
  /** The LiteLLM gateway. */
  llm: ChatCompletionsClient;
}
