import { z } from 'zod';
import { claimId } from './claim-id.js';
import { nameToken } from './primitives.js';

/** kebab-case, 1–64 characters: `tip-generator`, `task-nudge`. */
export const AgentId = z
  .string()
  .regex(/^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/, 'agent id must be kebab-case, e.g. tip-generator')
  .max(64, 'agent id must be at most 64 characters');

// Semantic Versioning 2.0.0, the regular expression suggested at https://semver.org (§ "Is there
// a suggested regular expression"), with numbered groups made non-capturing.
const SEMVER_PATTERN =
  /^(?:0|[1-9]\d*)\.(?:0|[1-9]\d*)\.(?:0|[1-9]\d*)(?:-(?:(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+(?:[0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;

export const SemVer = z
  .string()
  .max(256)
  .regex(SEMVER_PATTERN, 'version must be a semantic version, e.g. 1.2.0');

export const AgentManifest = z
  .object({
    id: AgentId,
    version: SemVer,
    // Only the top level is checked here; the registry compiles the whole document with ajv at
    // start-up, which is the one place that can judge a JSON Schema.
    pref_schema: z
      .looseObject({ type: z.literal('object', "pref_schema must be a JSON Schema with type: 'object'") })
      .describe('JSON Schema (draft 2020-12) of the prefs the agent accepts; its top-level type is object.'),
    required_consents: z
      .array(nameToken('consent'))
      .describe('Consents a request must carry in `consents`, else 403 naming the missing one.'),
    ttl_sec: z
      .int()
      .positive('ttl_sec must be a positive integer')
      .describe('Tips and decisions expire this long after they are made.'),
    silenced_in_contexts: z
      .array(nameToken('context'))
      .describe('Request contexts in which the agent returns no tips (200, silenced: true).'),
  })
  .meta(claimId({ id: 'AgentManifest', description: 'The MANIFEST every agent module exports (SPEC §5).' }));
export type AgentManifest = z.infer<typeof AgentManifest>;
