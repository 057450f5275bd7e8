import type { z } from 'zod';
import { type RecordKind, StateError, UnknownSchemaVersionError } from '../errors.js';
import { FiguresRecord } from './figures-record.js';
import { SCHEMA_VERSION } from './schema-version.js';
import { SYNC_EVENT_IDS_SIZE, SyncRecord } from './sync-record.js';
import { DECISION_LOG_SIZE, UserState } from './user-state.js';

/** What a backend learns from the bytes of one record. */
export type Decoded<T> = { ok: true; value: T } | { ok: false; cause: unknown };

const SCHEMAS = { state: UserState, sync: SyncRecord, figures: FiguresRecord } as const;
/** The record type stored under each kind. */
export type RecordOf<K extends RecordKind> = z.infer<(typeof SCHEMAS)[K]>;

/**
 * Parses a stored record. A record whose `v` is a number other than ours throws
 * `UnknownSchemaVersionError` (it may come from a newer deployment, so it must not be treated as
 * corrupt and moved aside); anything else that is not a valid record comes back as `ok: false`.
 */
export function decodeRecord<K extends RecordKind>(
  kind: K,
  owner: string,
  raw: string,
): Decoded<RecordOf<K>> {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (cause) {
    return { ok: false, cause };
  }
  if (typeof json === 'object' && json !== null && !Array.isArray(json)) {
    const version = (json as { v?: unknown }).v;
    if (typeof version === 'number' && version !== SCHEMA_VERSION) {
      throw new UnknownSchemaVersionError(owner, kind, version);
    }
  }
  const parsed = SCHEMAS[kind].safeParse(json);
  if (!parsed.success) return { ok: false, cause: parsed.error };
  if (kind === 'state' && (parsed.data as UserState).user_id !== owner) {
    return {
      ok: false,
      cause: new Error(`record belongs to ${JSON.stringify((parsed.data as UserState).user_id)}`),
    };
  }
  return { ok: true, value: parsed.data as RecordOf<K> };
}

/**
 * Validates a record a caller wants written and serialises it. The store enforces the bounded
 * logs here (decisions and sync event ids are newest first, so the oldest entries are dropped).
 * An invalid record is a bug in the caller, reported as a plain `StateError` and never written.
 */
export function encodeRecord<K extends RecordKind>(kind: K, owner: string, record: RecordOf<K>): string {
  const parsed = SCHEMAS[kind].safeParse(record);
  if (!parsed.success) {
    throw new StateError(
      `refusing to write an invalid ${kind} record for ${JSON.stringify(owner)}: ${parsed.error.message}`,
      { cause: parsed.error },
    );
  }
  const value = parsed.data;
  if (kind === 'state') {
    const state = value as UserState;
    if (state.user_id !== owner) {
      throw new StateError(
        `refusing to write the state of ${JSON.stringify(state.user_id)} as the state of ${JSON.stringify(owner)}`,
      );
    }
    if (state.decisions.length > DECISION_LOG_SIZE)
      state.decisions = state.decisions.slice(0, DECISION_LOG_SIZE);
  } else if (kind === 'sync') {
    const sync = value as SyncRecord;
    if (sync.event_ids.length > SYNC_EVENT_IDS_SIZE)
      sync.event_ids = sync.event_ids.slice(0, SYNC_EVENT_IDS_SIZE);
  }
  return JSON.stringify(value);
}
