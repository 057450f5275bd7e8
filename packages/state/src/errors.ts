/** Which persisted record an error is about. */
export type RecordKind = 'state' | 'sync' | 'figures';

/** Base class of every error raised by a state store; the service maps the subclasses to HTTP statuses. */
export class StateError extends Error {
  override name = 'StateError';
}

/**
 * The backend cannot serve the request right now: Redis unreachable or too slow, a user's lock not
 * obtained in time, the state directory not writable. Transient by nature, so HTTP 503.
 */
export class StoreUnavailableError extends StateError {
  override name = 'StoreUnavailableError';
  readonly backend: 'file' | 'redis';

  constructor(backend: 'file' | 'redis', message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.backend = backend;
  }
}

/**
 * A record did not parse or did not match its schema. It has been moved aside (`movedTo`), so only
 * this request fails and the next one starts from an empty record.
 */
export class CorruptRecordError extends StateError {
  override name = 'CorruptRecordError';
  /** The user id for `state`/`sync` records, the figures name for `figures`. */
  readonly owner: string;
  readonly record: RecordKind;
  /** Where the bad record now lives (a file path or a Redis key); null if it vanished meanwhile. */
  readonly movedTo: string | null;

  constructor(owner: string, record: RecordKind, movedTo: string | null, options?: { cause?: unknown }) {
    super(
      `the ${record} record of ${JSON.stringify(owner)} is corrupt` +
        (movedTo === null ? '' : `; it was moved aside to ${movedTo}`),
      options,
    );
    this.owner = owner;
    this.record = record;
    this.movedTo = movedTo;
  }
}

/**
 * A record carries a schema version this code does not know, most likely written by a newer
 * deployment. It is left in place: moving it aside would destroy data a newer reader understands.
 */
export class UnknownSchemaVersionError extends StateError {
  override name = 'UnknownSchemaVersionError';
  readonly owner: string;
  readonly record: RecordKind;
  readonly version: unknown;

  constructor(owner: string, record: RecordKind, version: unknown) {
    super(
      `the ${record} record of ${JSON.stringify(owner)} has schema version ${JSON.stringify(version)}, ` +
        'which this version of @oo/state cannot read',
    );
    this.owner = owner;
    this.record = record;
    this.version = version;
  }
}

/** A user id (or figures name) that could escape the store's namespace; raised before any I/O. */
export class InvalidUserIdError extends StateError {
  override name = 'InvalidUserIdError';

  constructor(what: string, value: unknown) {
    super(
      `invalid ${what} ${describe(value)}: expected 1–128 characters of [A-Za-z0-9._:@-], not starting with '.'`,
    );
  }
}

// The offending value is echoed for diagnosis, but a 10 kB id must not flood a log line.
function describe(value: unknown): string {
  if (typeof value !== 'string') return `(a ${value === null ? 'null' : typeof value})`;
  const shown = value.length > 64 ? `${value.slice(0, 64)}…` : value;
  return `${JSON.stringify(shown)} (${value.length} characters)`;
}
