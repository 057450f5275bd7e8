import { POLICIES, POLICY_IDS } from '@oo/bandit';
import { z } from 'zod';
import { claimId } from '../claim-id.js';
import { DecisionId, PolicyId, UserId } from '../ids.js';
import { IsoDateTime, nameToken, opaqueId, refineUniqueIds } from '../primitives.js';

/** The format version every line carries in `v`; a reader rejects any other. */
export const DECISION_LOG_FORMAT_VERSION = 1;

const FEATURE_RULE = 'each feature must be a finite number in [-1, 1]';
const REWARD_RULE = 'reward must be null or a finite number in [-1, 1]';

// Every encoder output lies in [-1, 1] (sin/cos, 0/1 flags, values clamped to [0, 1]), as for
// RewardRequest.features: a number outside it cannot come from a real decision.
const Features = z
  .array(z.number().min(-1, FEATURE_RULE).max(1, FEATURE_RULE))
  .min(1, 'features must hold 1–12 numbers')
  .max(12, 'features must hold 1–12 numbers')
  .describe(
    "The candidate's feature vector in the logging policy's encoding (SPEC §2): exactly d numbers, d = 5, 7 or 12 for linucb-v1, egreedy-v1, egreedy-v2.",
  );

const LoggedCandidate = z.object({
  id: opaqueId('candidate id').describe('The candidate id the caller sent to POST /score*.'),
  features: Features,
});

const PolicyParams = z
  .object({
    alpha: z.number().min(0).optional().describe('LinUCB exploration weight α.'),
    epsilon: z.number().min(0).max(1).optional().describe('ε-greedy exploration probability ε.'),
    gamma: z.number().gt(0).max(1).optional().describe('Forgetting factor γ of the model (1: stationary).'),
    lambda: z.number().gt(0).optional().describe('Ridge regulariser λ of the model.'),
  })
  .describe(
    'The logging policy’s parameters when it decided. Decisions with other parameters come from another logging policy and are evaluated apart.',
  );

/**
 * The JSON Schema view of the cross-field rules JSON Schema can express: each policy's d, and
 * `reward` and `rewarded_at` null together. (Unique candidate ids and `chosen_id` being one of them
 * it cannot; zod checks those.)
 */
const JSON_SCHEMA_RULES = {
  allOf: [
    ...POLICY_IDS.map((policy) => ({
      if: { type: 'object', properties: { policy: { const: policy } }, required: ['policy'] },
      // biome-ignore lint/suspicious/noThenProperty: JSON Schema's if/then keyword; the object is never awaited
      then: {
        type: 'object',
        properties: {
          candidates: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                features: { type: 'array', minItems: POLICIES[policy].d, maxItems: POLICIES[policy].d },
              },
            },
          },
        },
      },
    })),
    {
      anyOf: [
        { type: 'object', properties: { reward: { type: 'null' }, rewarded_at: { type: 'null' } } },
        { type: 'object', properties: { reward: { type: 'number' }, rewarded_at: { type: 'string' } } },
      ],
    },
  ],
};

export const DecisionLogLine = z
  .object({
    v: z
      .literal(DECISION_LOG_FORMAT_VERSION, {
        error: `v must be ${DECISION_LOG_FORMAT_VERSION}: this reader knows decision log format version ${DECISION_LOG_FORMAT_VERSION} only`,
      })
      .describe('Format version of the line.'),
    user_id: UserId,
    decision_id: DecisionId,
    policy: PolicyId.describe('The logging policy: the one that chose, with these features and propensity.'),
    policy_version: nameToken('policy_version')
      .optional()
      .describe('The logging policy’s version (`policy_version` of POST /score*), e.g. 1.0.0.'),
    policy_params: PolicyParams.optional(),
    ts: IsoDateTime.describe('Decision time: the `now` of the score request.'),
    expires_at: IsoDateTime.optional().describe(
      'Until when the decision could be rewarded; a null reward after it will stay null.',
    ),
    candidates: z
      .array(LoggedCandidate)
      .min(1, { error: 'candidates must hold at least 1 candidate' })
      .max(100, { error: 'candidates must hold at most 100 candidates' })
      .superRefine((candidates, ctx) => refineUniqueIds(candidates, ctx, 'candidates'))
      .describe('Every candidate of the decision, in request order, each with its feature vector.'),
    chosen_id: opaqueId('chosen_id').describe('The id of the candidate the logging policy chose.'),
    propensity: z
      .number()
      .gt(0, 'propensity must be in (0, 1]')
      .max(1, 'propensity must be in (0, 1]')
      .describe('Probability with which the logging policy chose chosen_id (1 for LinUCB).'),
    reward: z
      .number()
      .min(-1, REWARD_RULE)
      .max(1, REWARD_RULE)
      .nullable()
      .describe('The reward of the chosen candidate, or null while it has none.'),
    rewarded_at: IsoDateTime.nullable().describe('When the reward arrived; null exactly when reward is.'),
  })
  .superRefine((line, ctx) => {
    // zod runs this after non-fatal issues too (say, an empty candidate list): check only what parsed.
    const d = POLICIES[line.policy]?.d;
    if (d === undefined || line.candidates.length === 0) return;
    line.candidates.forEach((candidate, i) => {
      if (candidate.features.length !== d) {
        ctx.addIssue({
          code: 'custom',
          path: ['candidates', i, 'features'],
          input: candidate.features,
          message: `features must hold d = ${d} numbers for ${line.policy}, got ${candidate.features.length}`,
        });
      }
    });
    if (!line.candidates.some((candidate) => candidate.id === line.chosen_id)) {
      ctx.addIssue({
        code: 'custom',
        path: ['chosen_id'],
        input: line.chosen_id,
        message: 'chosen_id must be the id of one of the candidates',
      });
    }
    if ((line.reward === null) !== (line.rewarded_at === null)) {
      ctx.addIssue({
        code: 'custom',
        path: ['rewarded_at'],
        input: line.rewarded_at,
        message: 'rewarded_at must be null exactly when reward is null',
      });
    }
  })
  .meta(
    claimId({
      id: 'DecisionLogLine',
      description:
        'One line of an exported decision log (NDJSON, docs/decision-log-format.md): a decision with every candidate’s features, the choice, its propensity and the reward, for off-policy evaluation.',
      ...JSON_SCHEMA_RULES,
    }),
  );
export type DecisionLogLine = z.infer<typeof DecisionLogLine>;
