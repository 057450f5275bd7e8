import { envFlag, envInt, envUrl, parseEnv } from '@oo/observability';
import { z } from 'zod';

const NATS_URL_ERROR =
  'required: the consumer only runs against a NATS broker; set NATS_URL (e.g. nats://127.0.0.1:4222, ' +
  'several servers comma-separated)';

// Durable names become part of JetStream API subjects, so they may not contain `.`, `*`, `>` or
// whitespace; the server also caps their length.
const DURABLE_PREFIX = /^[A-Za-z0-9_-]{1,64}$/;

/** `nats://a:4222,nats://b:4222` — every entry must be a nats:// or tls:// URL. */
const natsUrls = z.string({ error: NATS_URL_ERROR }).refine(
  (value) =>
    value
      .split(',')
      .map((part) => part.trim())
      .every((part) => envUrl('nats', 'tls').safeParse(part).success),
  { error: 'expected one or more comma-separated nats:// or tls:// URLs' },
);

export const ConsumerEnv = z.object({
  NATS_URL: natsUrls,
  NATS_DURABLE_PREFIX: z
    .string()
    .regex(DURABLE_PREFIX, { error: 'expected 1-64 of [A-Za-z0-9_-]' })
    .default('feature-pipeline'),
  NATS_MAX_DELIVER: envInt(1, 1000).default(5),
  /** First nak delay; each further delivery doubles it, up to NATS_NAK_MAX_MS. */
  NATS_NAK_BASE_MS: envInt(0, 3_600_000).default(1000),
  NATS_NAK_MAX_MS: envInt(0, 3_600_000).default(60_000),
  /** How long the server waits for an ack before redelivering (a crashed worker's messages). */
  NATS_ACK_WAIT_MS: envInt(1000, 3_600_000).default(30_000),
  STATE_BACKEND: z.enum(['file', 'redis'], { error: 'expected file or redis' }).default('file'),
  STATE_DIR: z
    .string()
    .refine((dir) => dir.startsWith('/'), { error: 'expected an absolute path' })
    .default('/tmp/oo-bandit-state'),
  REDIS_URL: envUrl('redis', 'rediss').default('redis://127.0.0.1:6379'),
  STATE_FSYNC: envFlag().default(false),
  /** The worker's own /health port; 0 picks a free one (logged at start-up). */
  CONSUMER_PORT: envInt(0, 65535).default(8001),
  HOST: z
    .string()
    .regex(/^[A-Za-z0-9.:-]{1,253}$/, { error: 'expected a host name or IP address' })
    .default('0.0.0.0'),
  /** How long SIGTERM waits for in-flight messages before closing anyway (they are then redelivered). */
  SHUTDOWN_GRACE_MS: envInt(0, 300_000).default(10_000),
  ENV: z.string().max(64, { error: 'expected at most 64 characters' }).default('development'),
  SENTRY_DSN: envUrl('http', 'https').optional(),
  LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
      error: 'expected one of fatal, error, warn, info, debug, trace, silent',
    })
    .default('info'),
});
export type ConsumerEnv = z.infer<typeof ConsumerEnv>;

/** Reads the environment once at start-up; throws `ConfigError` naming every bad variable. */
export function loadEnv(env: Record<string, string | undefined> = process.env): ConsumerEnv {
  return parseEnv(ConsumerEnv, env, { secrets: ['SENTRY_DSN', 'REDIS_URL', 'NATS_URL'] });
}
