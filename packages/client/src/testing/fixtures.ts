import type { AgentRegistryResponse } from '@oo/contracts';

/** A registry payload that satisfies the contract: the two agents of SPEC §5. */
export const REGISTRY: AgentRegistryResponse = {
  agents: [
    {
      id: 'tip-generator',
      version: '1.0.0',
      manifest: {
        id: 'tip-generator',
        version: '1.0.0',
        pref_schema: {
          type: 'object',
          properties: { tone: { type: 'string' } },
          additionalProperties: false,
        },
        required_consents: ['llm_processing'],
        ttl_sec: 14_400,
        silenced_in_contexts: ['focus_mode'],
      },
    },
    {
      id: 'task-nudge',
      version: '1.0.0',
      manifest: {
        id: 'task-nudge',
        version: '1.0.0',
        pref_schema: { type: 'object', properties: {}, additionalProperties: false },
        required_consents: [],
        ttl_sec: 86_400,
        silenced_in_contexts: [],
      },
    },
  ],
};
