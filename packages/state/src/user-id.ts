import { InvalidUserIdError } from './errors.js';

/**
 * The only user ids a store accepts, identical to `UserId` in `@oo/contracts`: 1–128 characters of
 * `[A-Za-z0-9._:@-]`, not starting with `.`. No `/`, `\`, NUL or braces, so an id can name neither a
 * path outside the store nor a foreign Redis hash tag. The length bound is in the pattern, so a
 * 10 kB id is rejected after 129 characters.
 */
export const USER_ID_PATTERN = /^[A-Za-z0-9_:@-][A-Za-z0-9._:@-]{0,127}$/;

export function isValidUserId(value: unknown): value is string {
  return typeof value === 'string' && USER_ID_PATTERN.test(value);
}

/** Throws `InvalidUserIdError` unless `value` is a valid user id; every store calls it before any I/O. */
export function assertUserId(value: unknown, what = 'user id'): asserts value is string {
  if (!isValidUserId(value)) throw new InvalidUserIdError(what, value);
}
