import { z } from 'zod';
import { claimId } from '../claim-id.js';
import { PolicyId, UserId } from '../ids.js';
import { IsoDateTime } from '../primitives.js';

const ShadowMatch = z
  .object({
    decisions: z
      .int()
      .min(1)
      .describe('Decisions of this user on which the shadow decided beside this (the active) policy.'),
    agreements: z.int().min(0).describe('Of those, how many times the shadow chose the same candidate.'),
    match_rate: z.number().min(0).max(1).describe('agreements / decisions: the apprentice match rate.'),
  })
  .superRefine((match, ctx) => {
    if (match.agreements > match.decisions) {
      ctx.addIssue({
        code: 'custom',
        path: ['agreements'],
        input: match.agreements,
        message: 'agreements cannot exceed decisions',
      });
    }
  });

export const StatsResponse = z
  .object({
    user_id: UserId,
    policy: PolicyId,
    d: z.int().min(1).describe('Feature dimension of the policy.'),
    n_scores: z.int().min(0),
    n_rewards: z.int().min(0),
    reward_sum: z.number(),
    mean_reward: z.number().min(-1).max(1).describe('reward_sum / n_rewards, 0 before the first reward.'),
    theta: z.array(z.number()).describe('θ = A⁻¹b, d long.'),
    updated_at: IsoDateTime.nullable().describe('Last score or reward; null for a user never seen.'),
    gamma: z
      .number()
      .gt(0)
      .lt(1)
      .optional()
      .describe(
        'Forgetting factor of this user’s model when it forgets (ADR-0021); absent for the stationary model (γ = 1).',
      ),
    shadows: z
      .partialRecord(PolicyId, ShadowMatch)
      .optional()
      .describe(
        'Per shadow policy (SHADOW_POLICIES, ADR-0022): how often it agreed with this policy’s choices for this user ' +
          'while this policy was the active one. Absent when no shadow ever decided beside it.',
      ),
  })
  .superRefine((stats, ctx) => {
    if (stats.theta.length !== stats.d) {
      ctx.addIssue({
        code: 'custom',
        path: ['theta'],
        input: stats.theta,
        message: 'theta must hold exactly d numbers',
      });
    }
  })
  .meta(
    claimId({
      id: 'StatsResponse',
      description: 'GET /stats*/{user_id}: a user never seen gets zero stats.',
    }),
  );
export type StatsResponse = z.infer<typeof StatsResponse>;
