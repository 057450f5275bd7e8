import { z } from 'zod';
import { claimId } from '../claim-id.js';
import { PolicyId, UserId } from '../ids.js';

/** The target policies `pnpm ope` and POST /admin/ope evaluate (tools/ope, docs/decision-log-format.md). */
export const OPE_TARGET_KINDS = ['uniform', 'egreedy', 'greedy', 'linucb'] as const;
/** How the learned targets' ridge models are fitted: one per user, or one pooled over users. */
export const OPE_MODEL_KINDS = ['per-user', 'pooled'] as const;

/** Decisions one POST /admin/ope may evaluate unless the request asks for another bound. */
export const OPE_DEFAULT_MAX_DECISIONS = 2_000;
/**
 * The most decisions one POST /admin/ope may evaluate. The evaluation runs on a serving process
 * and holds it: 10,000 decisions of 10 candidates took 6 s of CPU with every target (measured).
 */
export const OPE_MAX_DECISIONS = 10_000;

const unique = <T>(items: readonly T[]) => new Set(items).size === items.length;

export const OpeRequest = z
  .strictObject({
    user_id: UserId.optional().describe("Evaluate this user's decisions only; absent: every user's."),
    targets: z
      .array(z.enum(OPE_TARGET_KINDS))
      .min(1, { error: 'targets must name at least one target' })
      .refine(unique, { error: 'targets names a target twice' })
      .optional()
      .describe('Target policies to evaluate (default: all four), as `--targets` of pnpm ope.'),
    epsilons: z
      .array(
        z
          .number()
          .min(0, { error: 'each ε must be in [0, 1]' })
          .max(1, { error: 'each ε must be in [0, 1]' }),
      )
      .min(1, { error: 'epsilons must hold at least one value' })
      .max(20, { error: 'epsilons holds at most 20 values' })
      .refine(unique, { error: 'epsilons names a value twice' })
      .optional()
      .describe('ε of the egreedy targets (default 0.05, 0.1, 0.2), as `--epsilons`.'),
    alpha: z.number().min(0).optional().describe('α of the linucb target (default 1), as `--alpha`.'),
    model: z
      .enum(OPE_MODEL_KINDS)
      .optional()
      .describe(
        "The learned targets' ridge models: per-user (default, as the service) or pooled, as `--model`.",
      ),
    lambda: z
      .number()
      .gt(0)
      .optional()
      .describe("Ridge λ of the targets' models (default: the logging policy's), as `--lambda`."),
    fit_fraction: z
      .number()
      .gt(0, { error: 'fit_fraction must be in (0, 1)' })
      .lt(1, { error: 'fit_fraction must be in (0, 1)' })
      .optional()
      .describe('Per user, the share of decisions that fit the models (default 0.5), as `--fit-fraction`.'),
    clip: z
      .number()
      .gt(0)
      .optional()
      .describe('Clip importance weights at this value (default: no clipping), as `--clip`.'),
    folds: z
      .int()
      .min(2)
      .max(100)
      .optional()
      .describe("Cross-fitting folds of DR's direct model (default 5), as `--folds`."),
    policy: PolicyId.optional().describe("Evaluate this logging policy's decisions only, as `--policy`."),
    max_decisions: z
      .int()
      .min(1)
      .max(OPE_MAX_DECISIONS)
      .optional()
      .describe(
        `The most logged decisions (with candidates, rewarded or not) the request may read (default ${OPE_DEFAULT_MAX_DECISIONS}, at most ${OPE_MAX_DECISIONS}); a larger log is refused with 422 on this field.`,
      ),
  })
  .meta(
    claimId({
      id: 'OpeRequest',
      description:
        "POST /admin/ope: which decisions of the service's own log to evaluate, and the options of pnpm ope (tools/ope) in snake_case.",
    }),
  );
export type OpeRequest = z.infer<typeof OpeRequest>;

const Interval = z.tuple([z.number(), z.number()]);

const Estimate = z.object({
  value: z.number(),
  standard_error: z.number(),
  degrees_of_freedom: z
    .number()
    .positive()
    .describe(
      "Effective degrees of freedom ν of the standard error, from the kurtosis of the estimator's per-decision terms (docs/adr/0020): heavy-tailed importance weights give a small ν and so a wider interval.",
    ),
  ci95: Interval.describe(
    '95% interval: value ± t₀.₉₇₅(ν)·standard_error (Student t with degrees_of_freedom).',
  ),
  n: z.int(),
  effective_sample_size: z.number().describe('(Σw)²/Σw² of the importance weights.'),
  max_weight: z.number(),
  mean_weight: z.number(),
  supported: z.int().describe('Evaluated decisions whose logged choice the target could make.'),
  clip: z.number().nullable(),
  clipped: z.int(),
  direct_model: z
    .object({ value: z.number(), folds: z.int(), lambda: z.number(), intercept: z.boolean() })
    .optional()
    .describe("DR only: the direct model's own estimate and settings."),
});

const EstimateFailure = z
  .object({ error: z.string() })
  .describe('The estimator could not answer for this target.');
const EstimateOrFailure = z.union([Estimate, EstimateFailure]);

const LoggingPolicyParams = z.object({
  alpha: z.number().optional(),
  epsilon: z.number().optional(),
  gamma: z.number().optional(),
  lambda: z.number().optional(),
});

const OpeGroup = z.object({
  label: z.string().describe('The logging policy, e.g. `egreedy-v1@1.0.0 ε=0.1 γ=1 λ=1`.'),
  policy: PolicyId,
  policy_version: z.string().nullable(),
  policy_params: LoggingPolicyParams.nullable(),
  d: z.int(),
  users: z.int(),
  decisions: z.int().describe('Rewarded decisions of this logging policy.'),
  fit: z.int().describe("Decisions that fitted the learned targets' models."),
  evaluated: z.int().describe('Decisions every target is evaluated on.'),
  lambda: z.number().nullable(),
  min_propensity: z.number(),
  warnings: z.array(z.string()),
  skipped: z.string().nullable().describe('Why the group was not evaluated, or null.'),
  logged: z
    .object({
      value: z.number(),
      standard_error: z.number(),
      ci95: Interval.describe('95% interval: value ± 1.96·standard_error (a mean of rewards in [-1, 1]).'),
      n: z.int(),
    })
    .nullable()
    .describe("The logging policy's own mean reward on the evaluated decisions."),
  targets: z.array(
    z.object({
      target: z.string(),
      kind: z.enum(OPE_TARGET_KINDS),
      epsilon: z.number().optional(),
      alpha: z.number().optional(),
      ips: EstimateOrFailure,
      snips: EstimateOrFailure,
      dr: EstimateOrFailure,
    }),
  ),
});

export const OpeReport = z
  .object({
    file: z
      .string()
      .describe(
        'What was evaluated: the log file for pnpm ope, the decision log selected for POST /admin/ope.',
      ),
    read: z.object({
      lines: z.int(),
      valid: z.int(),
      invalid: z.int(),
      invalid_lines: z.array(z.object({ line: z.int(), field: z.string(), message: z.string() })),
      filtered_out: z.int(),
      unrewarded: z.int(),
    }),
    settings: z.object({
      targets: z.array(z.string()),
      fit_fraction: z.number().nullable(),
      model: z.string().nullable(),
      lambda: z.number().nullable(),
      clip: z.number().nullable(),
      folds: z.int(),
      user: z.string().nullable(),
      policy: z.string().nullable(),
      split: z.string(),
    }),
    groups: z.array(OpeGroup),
  })
  .meta(
    claimId({
      id: 'OpeReport',
      description:
        'An off-policy evaluation: per logging policy, IPS, SNIPS and DR estimates of each target with 95% intervals; what `pnpm ope --json` prints.',
    }),
  );
export type OpeReport = z.infer<typeof OpeReport>;
