import { z } from 'zod';

/** A setting that failed validation; start-up stops with this message. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    readonly variables: readonly string[],
    message: string,
  ) {
    super(message);
  }
}

/**
 * Parses `env` with `schema` once at start-up. Every problem is reported with the variable it
 * belongs to, so an operator sees `PORT: expected an integer from 1 to 65535, got "80a"` and not a
 * zod issue dump.
 */
export function parseEnv<S extends z.ZodObject>(
  schema: S,
  env: Record<string, string | undefined> = process.env,
  options: { secrets?: readonly string[] } = {},
): z.infer<S> {
  // Empty strings mean "unset" for every variable: `FOO=` in a compose file must not defeat a default.
  const cleaned: Record<string, string> = {};
  for (const key of Object.keys(schema.shape)) {
    const value = env[key];
    if (value !== undefined && value.trim() !== '') cleaned[key] = value.trim();
  }
  const parsed = schema.safeParse(cleaned);
  if (parsed.success) return parsed.data;
  const lines = parsed.error.issues.map((issue) => {
    const variable = String(issue.path[0] ?? '(environment)');
    // Secrets are named, never echoed: a start-up failure must not print a token to the logs.
    const got = options.secrets?.includes(variable) ? undefined : cleaned[variable];
    return `${variable}: ${issue.message}${got === undefined ? '' : ` (got ${JSON.stringify(got)})`}`;
  });
  const variables = [...new Set(parsed.error.issues.map((i) => String(i.path[0] ?? '')))];
  throw new ConfigError(variables, `invalid configuration:\n  ${lines.join('\n  ')}`);
}

/** Integer variable within [min, max]. */
export const envInt = (min: number, max: number) =>
  z.coerce
    .number({ error: `expected an integer from ${min} to ${max}` })
    .int({ error: `expected an integer from ${min} to ${max}` })
    .min(min, { error: `expected an integer from ${min} to ${max}` })
    .max(max, { error: `expected an integer from ${min} to ${max}` });

/** Finite number within [min, max]. */
export const envNumber = (min: number, max: number) =>
  z.coerce
    .number({ error: `expected a number from ${min} to ${max}` })
    .min(min, { error: `expected a number from ${min} to ${max}` })
    .max(max, { error: `expected a number from ${min} to ${max}` });

/** `0`/`1` (also `false`/`true`) flag. */
export const envFlag = () =>
  z
    .enum(['0', '1', 'false', 'true'], { error: 'expected 0 or 1' })
    .transform((v) => v === '1' || v === 'true');

/** An absolute URL with one of the given protocols. */
export const envUrl = (...protocols: string[]) =>
  z.string().refine(
    (value) => {
      try {
        return protocols.includes(new URL(value).protocol.replace(/:$/, ''));
      } catch {
        return false;
      }
    },
    { error: `expected a ${protocols.join(' or ')} URL` },
  );
