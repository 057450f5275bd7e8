import type { AgentManifest } from '@oo/contracts';
import { HttpError, ValidationError } from '../errors.js';
import type { AgentEntry } from './registry.js';

/** The parts of a request a manifest rules on. */
export interface ManifestSubject {
  context?: string | undefined;
  consents?: readonly string[] | undefined;
  prefs?: Readonly<Record<string, unknown>> | undefined;
}

export type EnforcementResult =
  | { silenced: true; reason: string }
  | { silenced: false; prefs: Readonly<Record<string, unknown>> };

/** 403: the agent needs a consent the request does not carry. */
export class ConsentRequiredError extends HttpError {
  override readonly name = 'ConsentRequiredError';

  constructor(
    readonly agentId: string,
    readonly consent: string,
    readonly missing: readonly string[],
  ) {
    super('consent_required', `agent ${agentId} requires the consent ${JSON.stringify(consent)}`, {
      agent: agentId,
      consent,
      missing,
    });
  }
}

/** 422: `prefs` does not match the agent's `pref_schema`; details name each field (`prefs.tone`). */
export class InvalidPrefsError extends ValidationError {}

/**
 * Applies an agent's manifest to a request, in this order: a silencing context wins (nothing is
 * processed, so nothing else matters), then consents (no processing of user data without them,
 * prefs included), then prefs against `pref_schema`. ADR-0015.
 */
export function enforceManifest(entry: AgentEntry, subject: ManifestSubject): EnforcementResult {
  const { manifest } = entry;
  if (subject.context !== undefined && manifest.silenced_in_contexts.includes(subject.context)) {
    return {
      silenced: true,
      reason: `agent ${manifest.id} is silenced in context ${JSON.stringify(subject.context)}`,
    };
  }
  const given = new Set(subject.consents ?? []);
  const missing = manifest.required_consents.filter((consent) => !given.has(consent));
  if (missing.length > 0) throw new ConsentRequiredError(manifest.id, missing[0]!, missing);

  const prefs = subject.prefs ?? {};
  const issues = entry.validatePrefs(prefs);
  if (issues.length > 0) throw new InvalidPrefsError(issues);
  return { silenced: false, prefs };
}

/** `now + ttl_sec` as an ISO-8601 instant: the end of life of every tip and decision (SPEC §5). */
export function expiresAt(now: Date, manifest: Pick<AgentManifest, 'ttl_sec'>): string {
  return new Date(now.getTime() + manifest.ttl_sec * 1000).toISOString();
}
