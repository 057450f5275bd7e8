import { POLICY_IDS } from '@oo/bandit';
import { envFlag, envInt, envNumber, envUrl, parseEnv } from '@oo/observability';
import { z } from 'zod';

// Durable-consumer names end up in NATS subjects ($JS.API.CONSUMER.*.<name>), which forbid
// whitespace, `.`, `*` and `>`.
const DURABLE_NAME = /^[A-Za-z0-9_-]{1,64}$/;
const PROMPT_VERSION = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;

const GAMMA_RULE = 'expected a number in (0, 1]';
/** A forgetting factor γ ∈ (0, 1] (ADR-0021): 0 would forget everything, so it is excluded. */
const envGamma = () =>
  z.coerce.number({ error: GAMMA_RULE }).gt(0, { error: GAMMA_RULE }).max(1, { error: GAMMA_RULE });

const POLICY_LIST_RULE = `expected policy ids separated by commas, each one of ${POLICY_IDS.join(', ')}`;
/** Comma-separated policy ids, each known and named once. */
const envPolicyList = () =>
  z
    .string()
    .transform((value) => value.split(',').map((id) => id.trim()))
    .pipe(
      z
        .array(
          z.enum(POLICY_IDS, {
            error: (issue) => `unknown policy ${JSON.stringify(issue.input)}; ${POLICY_LIST_RULE}`,
          }),
        )
        .superRefine((ids, ctx) => {
          const twice = ids.filter((id, i) => ids.indexOf(id) !== i);
          if (twice.length > 0) {
            ctx.addIssue({ code: 'custom', input: ids, message: `${twice[0]} is listed twice` });
          }
        }),
    );

/**
 * Every setting of SPEC §8, parsed once at start-up. Variables that later issues use (LiteLLM,
 * NATS, prompt version) are validated here too, so one bad value anywhere stops the service
 * before it listens. HOST, LOG_LEVEL, SHUTDOWN_GRACE_MS, STATE_LOCK_TIMEOUT_MS, STATE_CACHE_MB and
 * WEB_CONCURRENCY are operational additions (docs/operations.md).
 */
export const ServingEnv = z.object({
  PORT: envInt(0, 65535).default(8000),
  HOST: z
    .string()
    .regex(/^[A-Za-z0-9.:-]{1,253}$/, { error: 'expected a host name or IP address' })
    .default('0.0.0.0'),
  STATE_BACKEND: z.enum(['file', 'redis'], { error: 'expected file or redis' }).default('file'),
  STATE_DIR: z
    .string()
    .refine((dir) => dir.startsWith('/'), { error: 'expected an absolute path' })
    .default('/tmp/oo-bandit-state'),
  STATE_FSYNC: envFlag().default(false),
  // How long a request waits for the other writers of the same user (both backends); unset: the
  // store's own default (5 s). Past it the request is 503 and changes nothing.
  STATE_LOCK_TIMEOUT_MS: envInt(1, 600_000).optional(),
  // Memory for each process's cache of decoded user states (ADR-0018): it saves decoding and
  // validating, never a read, so it cannot serve stale state. 0 disables it.
  STATE_CACHE_MB: envInt(0, 65_536).default(128),
  REDIS_URL: envUrl('redis', 'rediss').default('redis://127.0.0.1:6379'),
  LITELLM_URL: envUrl('http', 'https').default('http://localhost:4000'),
  LITELLM_MASTER_KEY: z.string().default('sk-oo-dev'),
  LITELLM_TIMEOUT_MS: envInt(1, 600_000).default(10_000),
  NATS_URL: z
    .string()
    .refine(
      (value) =>
        value.split(',').every((server) => {
          try {
            return ['nats:', 'tls:', 'ws:', 'wss:'].includes(new URL(server.trim()).protocol);
          } catch {
            return false;
          }
        }),
      { error: 'expected nats:// URLs separated by commas' },
    )
    .optional(),
  NATS_DURABLE_PREFIX: z
    .string()
    .regex(DURABLE_NAME, { error: 'expected 1–64 characters of [A-Za-z0-9_-]' })
    .default('feature-pipeline'),
  NATS_MAX_DELIVER: envInt(1, 1000).default(5),
  DEFAULT_PROMPT_VERSION: z
    .string()
    .regex(PROMPT_VERSION, { error: 'expected 1–64 characters of [A-Za-z0-9._:-]' })
    .default('v1'),
  ENV: z.string().max(64, { error: 'expected at most 64 characters' }).default('development'),
  SENTRY_DSN: envUrl('http', 'https').optional(),
  ADMIN_TOKEN: z.string().max(1024, { error: 'expected at most 1024 characters' }).optional(),
  // Unset exploration parameters fall back to the policy table of @oo/bandit (1.0, 0.1, 0.1), so
  // the defaults are written down once.
  LINUCB_ALPHA: envNumber(0, 100).optional(),
  EGREEDY_EPSILON: envNumber(0, 1).optional(),
  EGREEDY_V2_EPSILON: envNumber(0, 1).optional(),
  // Forgetting factors of new per-user models, per policy (ADR-0021, ADR-0022); unset: the policy
  // table's default, 1 (off). A stored model keeps its own γ unless APPLY_GAMMA_TO_STORED_MODELS.
  LINUCB_GAMMA: envGamma().optional(),
  EGREEDY_GAMMA: envGamma().optional(),
  EGREEDY_V2_GAMMA: envGamma().optional(),
  APPLY_GAMMA_TO_STORED_MODELS: envFlag().optional(),
  // Policies that decide beside the active one on every /score* and learn from its rewards
  // (ADR-0022); unset: none.
  SHADOW_POLICIES: envPolicyList().optional(),
  // Whether each decision logs every candidate's vector (with the policy's version and
  // parameters), which GET /admin/decisions and POST /admin/ope need (ADR-0023). Off by default:
  // a release older than these fields sets aside records that carry them, so turning it on must
  // wait until every process sharing the store runs this version; it also triples a record.
  DECISION_LOG_CANDIDATES: envFlag().default(false),
  MAX_BODY_BYTES: envInt(1, 64 * 1024 * 1024).default(1024 * 1024),
  LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
      error: 'expected fatal, error, warn, info, debug, trace or silent',
    })
    .default('info'),
  SHUTDOWN_GRACE_MS: envInt(0, 300_000).default(10_000),
  // Serving processes sharing PORT (node:cluster, ADR-0018); one per core uses the machine.
  WEB_CONCURRENCY: envInt(1, 256).default(1),
});
export type ServingEnv = z.infer<typeof ServingEnv>;

/** Variables that are named in a start-up error but never echoed. */
export const SECRET_VARIABLES = ['ADMIN_TOKEN', 'LITELLM_MASTER_KEY', 'SENTRY_DSN'] as const;

/** Throws `ConfigError` naming every bad variable. */
export function loadEnv(env: Record<string, string | undefined> = process.env): ServingEnv {
  return parseEnv(ServingEnv, env, { secrets: SECRET_VARIABLES });
}
