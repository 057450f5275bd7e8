import { z } from 'zod';
import { claimId } from '../claim-id.js';
import { PolicyId, UserId } from '../ids.js';
import { IsoDateTime } from '../primitives.js';

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
