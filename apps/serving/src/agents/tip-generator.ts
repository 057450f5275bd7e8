import type { AgentManifest } from '@oo/contracts';
import type { Agent } from './agent.js';

export const MANIFEST: AgentManifest = {
  id: 'tip-generator',
  version: '1.0.0',
  // Preferences the tip prompt understands (prompts/v1.ts explains them to the model).
  pref_schema: {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    type: 'object',
    properties: {
      tone: {
        type: 'string',
        enum: ['encouraging', 'direct', 'playful'],
        description: 'How the tips sound.',
      },
      language: {
        type: 'string',
        // A BCP 47 language tag, loosely: primary language subtag, then optional subtags.
        pattern: '^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8}){0,3}$',
        description: 'Language of the tips, as a BCP 47 tag (en, de-CH). Default English.',
      },
    },
    additionalProperties: false,
  },
  // The user's task titles leave the service for the LLM gateway: that needs the user's consent.
  required_consents: ['llm_processing'],
  // A tip about a task goes stale within a working day; four hours keeps it relevant.
  ttl_sec: 14_400,
  // Contexts in which an unsolicited tip would interrupt: the user asked not to be disturbed.
  silenced_in_contexts: ['focus_mode', 'do_not_disturb', 'meeting'],
};

export interface TipGeneratorAgent extends Agent {
  /** The LiteLLM model alias; the gateway maps it to a deployment, so models change without a release. */
  readonly model: string;
}

export const agent: TipGeneratorAgent = {
  id: 'tip-generator',
  version: '1.0.0',
  description: 'Writes short LLM tips about the user’s tasks (POST /generate).',
  model: 'tip-generator',
};
