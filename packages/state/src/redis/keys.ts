import type { RecordKind } from '../errors.js';
import { isValidUserId } from '../user-id.js';

// `{…}` is a Redis Cluster hash tag: only the part inside the braces is hashed, so every key of a
// user lands in one slot and a script may touch them together. User ids cannot contain braces
// (USER_ID_PATTERN), and the prefix is checked not to, so the first `{…}` is always the user id.

/** Key of a user's `state` or `sync` record. */
export function userRecordKey(prefix: string, userId: string, kind: Exclude<RecordKind, 'figures'>): string {
  return `${prefix}{${userId}}:${kind}`;
}

/** A SCAN MATCH pattern of every user's `state` key (the prefix's glob characters escaped). */
export function stateKeyPattern(prefix: string): string {
  return `${prefix.replace(/[*?[\]\\]/g, '\\$&')}{*}:state`;
}

/** The user whose `state` key `key` is, or null for any other key (another kind, a foreign key). */
export function userIdOfStateKey(prefix: string, key: string): string | null {
  const suffix = '}:state';
  if (!key.startsWith(`${prefix}{`) || !key.endsWith(suffix)) return null;
  const userId = key.slice(prefix.length + 1, key.length - suffix.length);
  return isValidUserId(userId) ? userId : null;
}

/** Key of a deployment-level figures record. */
export function figuresKey(prefix: string, name: string): string {
  return `${prefix}figures:{${name}}`;
}

/** Where a corrupt record is moved (same slot as the record; only the latest copy is kept). */
export function asideKey(recordKey: string): string {
  return `${recordKey}:corrupt`;
}

/** Every key `deleteUser` removes. */
export function allUserKeys(prefix: string, userId: string): string[] {
  const state = userRecordKey(prefix, userId, 'state');
  const sync = userRecordKey(prefix, userId, 'sync');
  return [state, sync, asideKey(state), asideKey(sync)];
}

export function assertKeyPrefix(prefix: string): void {
  if (/[{}]/.test(prefix)) throw new TypeError(`keyPrefix ${JSON.stringify(prefix)} must not contain braces`);
}
