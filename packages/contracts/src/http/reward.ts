import { z } from 'zod';
import { claimId } from '../claim-id.js';
import { DecisionId, PolicyId, UserId } from '../ids.js';

const REWARD_RULE = 'reward must be a finite number in [-1, 1]';
const FEATURE_RULE = 'each feature must be a finite number in [-1, 1]';

// Every encoder output lies in [-1, 1] (sin/cos, 0/1 flags, values clamped to [0, 1]), so a
// feature outside that range cannot come from a real decision; bounding it also keeps xxᵀ far
// from overflowing into A (a finite 1e200 squares to Infinity).
const RewardFeatures = z
  .array(z.number().min(-1, FEATURE_RULE).max(1, FEATURE_RULE))
  .min(1, 'features must hold 1–12 numbers')
  .max(12, 'features must hold 1–12 numbers')
  .describe('The feature vector to reward, exactly d long for the policy of the route (5, 7 or 12).');

export const RewardRequest = z
  .object({
    user_id: UserId,
    reward: z.number().min(-1, REWARD_RULE).max(1, REWARD_RULE),
    decision_id: DecisionId.optional().describe(
      'Reward a logged decision (idempotent). Exclusive with features.',
    ),
    features: RewardFeatures.optional(),
  })
  .superRefine((body, ctx) => {
    const byDecision = body.decision_id !== undefined;
    const byFeatures = body.features !== undefined;
    if (byDecision === byFeatures) {
      ctx.addIssue({
        code: 'custom',
        path: [],
        input: body,
        message: byDecision
          ? 'send either decision_id or features, not both'
          : 'one of decision_id or features is required',
      });
    }
  })
  .meta(
    claimId({
      id: 'RewardRequest',
      description: 'Body of POST /reward*: reward a logged decision by decision_id, or a raw feature vector.',
      // The exactly-one rule is a refinement, which JSON Schema cannot see; state it explicitly so
      // the generated JSON Schema and OpenAPI document enforce it as well.
      oneOf: [{ required: ['decision_id'] }, { required: ['features'] }],
    }),
  );
export type RewardRequest = z.infer<typeof RewardRequest>;

export const RewardResponse = z
  .object({
    user_id: UserId,
    policy: PolicyId,
    n_rewards: z.int().min(0).describe('Rewards applied to this user and policy so far.'),
    duplicate: z.boolean().describe('True when the decision had already been rewarded: nothing changed.'),
  })
  .meta(claimId({ id: 'RewardResponse', description: 'Result of POST /reward*.' }));
export type RewardResponse = z.infer<typeof RewardResponse>;
