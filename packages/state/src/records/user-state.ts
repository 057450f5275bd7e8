import { z } from 'zod';
import { Count, IsoDateTime, SCHEMA_VERSION } from './schema-version.js';

/** How many decisions a user's log keeps (newest first); the store drops older ones on write. */
export const DECISION_LOG_SIZE = 100;

/**
 * Policy ids are free strings (the store does not depend on `@oo/bandit`), narrow enough to be an
 * object key and a log field without escaping.
 */
export const POLICY_KEY_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const PolicyKey = z.string().regex(POLICY_KEY_PATTERN);

/** A bound on a decision's shadow entries that keeps a record small, not a policy choice. */
const MAX_SHADOWS_PER_DECISION = 16;

/**
 * How often one shadow policy chose what the active policy chose, over the decisions where both
 * decided (the apprentice "match rate" is agreements / decisions).
 */
export const ShadowMatchRecord = z
  .strictObject({ decisions: Count, agreements: Count })
  .refine((match) => match.agreements <= match.decisions, {
    error: 'agreements cannot exceed decisions',
    path: ['agreements'],
  });
export type ShadowMatchRecord = z.infer<typeof ShadowMatchRecord>;

/** Per user and policy: the bandit's serialized model (opaque to the store) and its counters. */
export const PolicyRecord = z.strictObject({
  model: z.record(z.string(), z.unknown()),
  n_scores: Count,
  n_rewards: Count,
  reward_sum: z.number(),
  updated_at: IsoDateTime.nullable(),
  /**
   * Added for shadow policies (docs/adr/0022); absent in records written before them and in
   * records of a policy that never ran with shadows. Keyed by shadow policy id, counted while
   * this policy was the active one.
   */
  shadows: z.partialRecord(PolicyKey, ShadowMatchRecord).optional(),
});
export type PolicyRecord = z.infer<typeof PolicyRecord>;

/**
 * What a shadow policy decided on the candidates of an active decision (docs/adr/0022). Its
 * vectors are its own encoding (its d, not the active policy's).
 */
export const ShadowDecisionRecord = z.strictObject({
  policy: PolicyKey,
  chosen_id: z.string().min(1).max(128),
  /** The shadow's vector of the candidate it chose. */
  features: z.array(z.number()),
  propensity: z.number().min(0).max(1),
  /**
   * The shadow's vector of the candidate the active policy chose (what was shown, and what the
   * reward is about): its model learns from this. Absent when the shadow chose that candidate
   * too, so it equals `features`.
   */
  shown_features: z.array(z.number()).optional(),
});
export type ShadowDecisionRecord = z.infer<typeof ShadowDecisionRecord>;

/** The bound of a score request's candidate list (SPEC §4), and so of a logged decision's. */
export const MAX_CANDIDATES_PER_DECISION = 100;

/**
 * One candidate of a decision in the deciding policy's encoding (docs/adr/0023). Nothing is kept
 * twice: the chosen candidate's entry has no `features` (its vector is the decision's own
 * `features`), and the other entries leave out the decision's `shared_columns`, the features
 * every candidate has the same value in (the time of day and week, the caller's profile), whose
 * values are those of `features`.
 */
export const DecisionCandidateRecord = z.strictObject({
  id: z.string().min(1).max(128),
  features: z.array(z.number()).optional(),
});
export type DecisionCandidateRecord = z.infer<typeof DecisionCandidateRecord>;

/** The deciding policy's parameters when it decided (docs/adr/0023); each optional. */
export const DecisionPolicyParams = z.strictObject({
  alpha: z.number().min(0).optional(),
  epsilon: z.number().min(0).max(1).optional(),
  gamma: z.number().gt(0).max(1).optional(),
  lambda: z.number().gt(0).optional(),
});
export type DecisionPolicyParams = z.infer<typeof DecisionPolicyParams>;

const DecisionFields = z.strictObject({
  decision_id: z.string().min(1).max(128),
  policy: PolicyKey,
  ts: IsoDateTime,
  expires_at: IsoDateTime,
  chosen_id: z.string().min(1).max(128),
  features: z.array(z.number()),
  propensity: z.number().min(0).max(1),
  reward: z.number().nullable(),
  rewarded_at: IsoDateTime.nullable(),
  /**
   * Added for shadow policies (docs/adr/0022): one entry per shadow that decided, in
   * configuration order. Absent in records written before them and when no shadow decided.
   */
  shadows: z.array(ShadowDecisionRecord).min(1).max(MAX_SHADOWS_PER_DECISION).optional(),
  /**
   * Added for off-policy evaluation (docs/adr/0023): every candidate in request order, so that
   * the decision can be exported as a decision log line. Absent in records written before it and
   * when the service runs with DECISION_LOG_CANDIDATES=false.
   */
  candidates: z.array(DecisionCandidateRecord).min(1).max(MAX_CANDIDATES_PER_DECISION).optional(),
  /**
   * With `candidates`: the indices, ascending, of the features every candidate has the same value
   * in, left out of every other candidate's `features`. Absent: none is shared.
   */
  shared_columns: z.array(z.int().min(0)).min(1).optional(),
  /** The deciding policy's version (`policy_version` of POST /score*); written with `candidates`. */
  policy_version: z.string().min(1).max(64).optional(),
  /** The deciding policy's parameters when it decided; written with `candidates`. */
  policy_params: DecisionPolicyParams.optional(),
});

/** One scoring decision, kept so a later reward can find it by `decision_id`. */
export const DecisionRecord = DecisionFields.superRefine((decision, ctx) => {
  const { candidates, features, shared_columns: shared } = decision;
  // zod runs this after non-fatal issues too: check only what parsed.
  if (!Array.isArray(features)) return;
  if (shared !== undefined) {
    if (candidates === undefined) {
      ctx.addIssue({ code: 'custom', path: ['shared_columns'], message: 'shared_columns needs candidates' });
    } else if (
      !Array.isArray(shared) ||
      shared.some((column, i) => column >= features.length || (i > 0 && column <= shared[i - 1]!))
    ) {
      ctx.addIssue({
        code: 'custom',
        path: ['shared_columns'],
        message: `shared_columns must be ascending indices below ${features.length}`,
      });
    }
  }
  if (!Array.isArray(candidates)) return;
  const own = features.length - (Array.isArray(shared) ? shared.length : 0);
  // What an export line needs to hold (every candidate's vector of one length, the choice among
  // them) is checked when the decision is written, so a stored decision always exports.
  const ids = new Set<string>();
  let chosen = 0;
  for (let i = 0; i < candidates.length; i++) {
    const candidate = candidates[i];
    if (typeof candidate?.id !== 'string') continue;
    const problem = ids.has(candidate.id)
      ? 'candidate ids must be unique'
      : candidate.id === decision.chosen_id
        ? candidate.features === undefined
          ? undefined
          : "the chosen candidate's vector is the decision's features: it has none here"
        : candidate.features?.length !== own
          ? `every other candidate needs ${own} features (d less the shared columns)`
          : undefined;
    if (candidate.id === decision.chosen_id) chosen++;
    ids.add(candidate.id);
    if (problem !== undefined) ctx.addIssue({ code: 'custom', path: ['candidates', i], message: problem });
  }
  if (chosen !== 1) {
    ctx.addIssue({
      code: 'custom',
      path: ['candidates'],
      message: 'chosen_id must be one of the candidates',
    });
  }
});
export type DecisionRecord = z.infer<typeof DecisionRecord>;

/** Everything the service keeps per user apart from the sync record. */
export const UserState = z.strictObject({
  v: z.literal(SCHEMA_VERSION),
  user_id: z.string(),
  policies: z.partialRecord(PolicyKey, PolicyRecord),
  decisions: z.array(DecisionRecord),
});
export type UserState = z.infer<typeof UserState>;

/** The state of a user never seen before (or just deleted). */
export function emptyUserState(userId: string): UserState {
  return { v: SCHEMA_VERSION, user_id: userId, policies: {}, decisions: [] };
}
