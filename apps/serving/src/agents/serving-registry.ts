import type { AgentModule } from './agent.js';
import {
  type AgentRegistry,
  AgentRegistryError,
  type AgentRegistryProblem,
  createAgentRegistry,
} from './registry.js';
import * as taskNudge from './task-nudge.js';
import * as tipGenerator from './tip-generator.js';

/** Every agent the service runs, in the order `GET /agents/registry` lists them. */
export const AGENT_MODULES: readonly AgentModule[] = Object.freeze([tipGenerator, taskNudge]);

/**
 * The registry the service starts with: `createAgentRegistry` plus what this service needs of it.
 * Both agents must be present (their routes cannot run without them), and task-nudge's manifest
 * must be one POST /score* can enforce: score requests carry no consents, context or prefs, so a
 * required consent would refuse every request, a silencing context could never apply and a
 * pref_schema rejecting `{}` would fail every request. Rather than list rules it cannot apply,
 * the service refuses to start (ADR-0015). Throws `AgentRegistryError`.
 */
export function createServingRegistry(modules: readonly AgentModule[] = AGENT_MODULES): AgentRegistry {
  const registry = createAgentRegistry(modules);
  const problems: AgentRegistryProblem[] = [];
  const needed = [
    [tipGenerator.agent.id, 'POST /generate'],
    [taskNudge.agent.id, 'POST /score*'],
  ] as const;
  for (const [id, route] of needed) {
    if (!registry.get(id)) {
      problems.push({
        agent: JSON.stringify(id),
        field: 'agent',
        message: `is not registered; ${route} cannot run without it`,
      });
    }
  }

  const nudge = registry.get(taskNudge.agent.id);
  if (nudge) {
    const agent = JSON.stringify(nudge.manifest.id);
    if (nudge.manifest.required_consents.length > 0) {
      problems.push({
        agent,
        field: 'manifest.required_consents',
        message: 'must be empty: POST /score* requests carry no consents, so every one would be refused',
      });
    }
    if (nudge.manifest.silenced_in_contexts.length > 0) {
      problems.push({
        agent,
        field: 'manifest.silenced_in_contexts',
        message: 'must be empty: POST /score* requests carry no context, so it could never apply',
      });
    }
    if (nudge.validatePrefs({}).length > 0) {
      problems.push({
        agent,
        field: 'manifest.pref_schema',
        message: 'must accept empty prefs: POST /score* requests carry none',
      });
    }
  }

  if (problems.length > 0) throw new AgentRegistryError(problems);
  return registry;
}
