import type { AgentManifest } from '@oo/contracts';
import type { Agent } from './agent.js';

/**
 * The agent behind POST /score*: bandit-ranked task nudges. Its `ttl_sec` sets every decision's
 * `expires_at`, after which the decision can no longer be rewarded (ADR-0008).
 */
export const MANIFEST = {
  id: 'task-nudge',
  version: '1.0.0',
  // Score requests carry no prefs, consents or context (ScoreRequest in @oo/contracts), so this
  // manifest must accept an empty request; the serving registry refuses one that does not
  // (agents/serving-agents.ts, ADR-0015).
  pref_schema: { type: 'object', properties: {}, additionalProperties: false },
  required_consents: [],
  ttl_sec: 86_400,
  silenced_in_contexts: [],
} as const satisfies AgentManifest;

export const agent: Agent = {
  id: 'task-nudge',
  version: '1.0.0',
  description: 'Ranks the user’s tasks with a contextual bandit and picks one to nudge (POST /score*).',
};
