import { PROFILE_FEATURE_NAMES } from '@oo/bandit';
import { z } from 'zod';
import { claimId } from '../claim-id.js';
import { DecisionId, PolicyId, UserId } from '../ids.js';
import { IsoDateTime, opaqueId, Priority, refineUniqueIds } from '../primitives.js';

export const TaskFeatures = z
  .object({
    due_at: IsoDateTime.nullable().describe('When the task is due, or null when it has no due date.'),
    created_at: IsoDateTime.describe('When the task was created.'),
    priority: Priority,
  })
  .meta(
    claimId({ id: 'TaskFeatures', description: 'The task attributes the feature encoders read (SPEC §2).' }),
  );
export type TaskFeatures = z.infer<typeof TaskFeatures>;

export const ScoreCandidate = z
  .object({
    id: opaqueId('candidate id').describe(
      'Caller-chosen candidate id: 1–128 characters, any printable character, no control characters.',
    ),
    task: TaskFeatures,
  })
  .meta(claimId({ id: 'ScoreCandidate', description: 'One candidate nudge to rank.' }));
export type ScoreCandidate = z.infer<typeof ScoreCandidate>;

const PROFILE_VALUE_RULE = 'each profile feature must be a finite number in [0, 1]';

const ProfileFeatures = z
  .array(z.number().min(0, PROFILE_VALUE_RULE).max(1, PROFILE_VALUE_RULE))
  .length(PROFILE_FEATURE_NAMES.length, {
    error: `profile_features must hold exactly ${PROFILE_FEATURE_NAMES.length} numbers: ${PROFILE_FEATURE_NAMES.join(', ')}`,
  })
  .describe(
    `Caller-computed profile features (ADR-0011), each in [0, 1], in this order: ${PROFILE_FEATURE_NAMES.join(', ')}.`,
  );

const scoreRequestShape = {
  user_id: UserId,
  candidates: z
    .array(ScoreCandidate)
    .min(1, { error: 'candidates must hold at least 1 candidate' })
    .max(100, { error: 'candidates must hold at most 100 candidates' })
    .superRefine((candidates, ctx) => refineUniqueIds(candidates, ctx, 'candidates'))
    .describe('1–100 candidates with unique ids; scores come back in this order.'),
  now: IsoDateTime.optional().describe('Decision time; defaults to the server clock.'),
  tz_offset_min: z
    .int()
    .min(-840, { error: 'tz_offset_min must be an integer in [-840, 840]' })
    .max(840, { error: 'tz_offset_min must be an integer in [-840, 840]' })
    .default(0)
    .describe('Minutes east of UTC of the user; local time = now + tz_offset_min.'),
  profile_features: ProfileFeatures.optional(),
};

export const ScoreRequest = z.object(scoreRequestShape).meta(
  claimId({
    id: 'ScoreRequest',
    description:
      'Body of POST /score and /score/egreedy. profile_features, when present, is validated but not used.',
  }),
);
export type ScoreRequest = z.infer<typeof ScoreRequest>;

export const ScoreRequestWithProfile = z
  .object({ ...scoreRequestShape, profile_features: ProfileFeatures })
  .meta(
    claimId({
      id: 'ScoreRequestWithProfile',
      description: 'Body of POST /score/egreedy/v2: a ScoreRequest whose profile_features are required.',
    }),
  );
export type ScoreRequestWithProfile = z.infer<typeof ScoreRequestWithProfile>;

export const CandidateScore = z
  .object({
    id: z.string().describe('The candidate id, as sent.'),
    score: z.number().describe('The value the policy ranked by.'),
    expected_reward: z.number().describe('θᵀx, the model’s reward estimate.'),
    exploration_bonus: z.number().min(0).describe('α·sqrt(xᵀA⁻¹x) for LinUCB; 0 for ε-greedy.'),
  })
  .meta(claimId({ id: 'CandidateScore', description: 'How one candidate scored.' }));
export type CandidateScore = z.infer<typeof CandidateScore>;

export const ScoreResponse = z
  .object({
    decision_id: DecisionId,
    policy: PolicyId,
    policy_version: z.string().min(1),
    chosen_id: z.string().describe('The id of the chosen candidate.'),
    propensity: z
      .number()
      .gt(0)
      .max(1)
      .describe('Probability that the policy chose this candidate (for off-policy evaluation).'),
    explored: z.boolean().describe('True when ε-greedy explored instead of taking the argmax.'),
    expires_at: IsoDateTime.describe('Decision time + the task-nudge agent’s ttl_sec.'),
    scores: z.array(CandidateScore).min(1).max(100).describe('One entry per candidate, in request order.'),
  })
  .meta(claimId({ id: 'ScoreResponse', description: 'The decision of POST /score*.' }));
export type ScoreResponse = z.infer<typeof ScoreResponse>;
