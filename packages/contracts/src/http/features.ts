import { POLICY_IDS } from '@oo/bandit';
import { z } from 'zod';
import { claimId } from '../claim-id.js';
import { DecisionId, PolicyId } from '../ids.js';
import { IsoDateTime } from '../primitives.js';

const ShadowDecision = z.object({
  policy: PolicyId,
  chosen_id: z.string().describe('The candidate the shadow policy would have chosen.'),
  features: z
    .array(z.number())
    .min(1)
    .max(12)
    .describe('The shadow’s own feature vector of the candidate it chose, its d long.'),
  propensity: z.number().gt(0).max(1).describe('Probability that the shadow chose that candidate.'),
});

export const DecisionLogEntry = z
  .object({
    decision_id: DecisionId,
    policy: PolicyId,
    ts: IsoDateTime.describe('Decision time.'),
    chosen_id: z.string().describe('The id of the chosen candidate.'),
    features: z.array(z.number()).min(1).max(12).describe('The chosen candidate’s feature vector, d long.'),
    propensity: z.number().gt(0).max(1),
    reward: z.number().min(-1).max(1).nullable().describe('null until the decision is rewarded.'),
    shadows: z
      .array(ShadowDecision)
      .min(1)
      .max(POLICY_IDS.length - 1)
      .optional()
      .describe(
        'What each shadow policy (SHADOW_POLICIES, ADR-0022) decided on the same candidates; absent when none did.',
      ),
  })
  .meta(claimId({ id: 'DecisionLogEntry', description: 'One decision of a user’s decision log.' }));
export type DecisionLogEntry = z.infer<typeof DecisionLogEntry>;

export const FeaturesResponse = z
  .array(DecisionLogEntry)
  .max(100)
  .meta(
    claimId({
      id: 'FeaturesResponse',
      description: 'GET /features/{user_id}: the last 100 decisions, newest first.',
    }),
  );
export type FeaturesResponse = z.infer<typeof FeaturesResponse>;
