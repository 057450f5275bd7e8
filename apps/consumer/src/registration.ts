import {
  AckPolicy,
  type ConsumerConfig,
  type ConsumerInfo,
  DeliverPolicy,
  JetStreamApiCodes,
  JetStreamApiError,
  type JetStreamManager,
  ReplayPolicy,
  RetentionPolicy,
  StorageType,
  type StreamConfig,
} from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';

export type ConsumerKey = 'signals' | 'feedback';

export interface StreamSpec {
  name: string;
  subjects: string[];
}

export const SIGNALS_STREAM: StreamSpec = { name: 'signals', subjects: ['signals.>'] };
export const FEEDBACK_STREAM: StreamSpec = { name: 'feedback', subjects: ['feedback.>'] };
export const DEADLETTER_STREAM: StreamSpec = { name: 'deadletter', subjects: ['deadletter.>'] };

export interface ConsumerSpec {
  key: ConsumerKey;
  stream: StreamSpec;
  durable: string;
}

export function consumerSpecs(durablePrefix: string): ConsumerSpec[] {
  return [
    { key: 'signals', stream: SIGNALS_STREAM, durable: `${durablePrefix}-signals` },
    { key: 'feedback', stream: FEEDBACK_STREAM, durable: `${durablePrefix}-feedback` },
  ];
}

export interface ConsumerSettings {
  /** Deliveries before the worker dead-letters a message; also the server-side cap. */
  maxDeliver: number;
  ackWaitMs: number;
  /** Unacked messages the server lets this durable have outstanding. @default 1000 */
  maxAckPending?: number;
}

/** The consumer exists with a setting that cannot be changed in place (it would need a new durable). */
export class RegistrationError extends Error {
  override readonly name = 'RegistrationError';
}

export type RegistrationOutcome = 'created' | 'updated' | 'unchanged';

export function isApiError(error: unknown, code: number): boolean {
  return error instanceof JetStreamApiError && error.code === code;
}

/**
 * Creates the stream when absent. An existing stream is left as its operator configured it (limits,
 * replicas, storage) except that our subject is added when missing.
 */
export async function ensureStream(jsm: JetStreamManager, spec: StreamSpec): Promise<RegistrationOutcome> {
  let existing: StreamConfig;
  try {
    existing = (await jsm.streams.info(spec.name)).config;
  } catch (error) {
    if (!isApiError(error, JetStreamApiCodes.StreamNotFound)) throw error;
    try {
      await jsm.streams.add({
        name: spec.name,
        subjects: spec.subjects,
        retention: RetentionPolicy.Limits,
        storage: StorageType.File,
        num_replicas: 1,
      });
      return 'created';
    } catch (addError) {
      // Another replica created it between our lookup and our add.
      if (await streamExists(jsm, spec.name)) return 'unchanged';
      throw addError;
    }
  }
  const current = existing.subjects ?? [];
  const missing = spec.subjects.filter((subject) => !current.includes(subject));
  if (missing.length === 0) return 'unchanged';
  // The server rejects overlapping subjects, so ones our wildcard already covers make way for it.
  const kept = current.filter((subject) => !spec.subjects.some((ours) => subjectCovers(ours, subject)));
  await jsm.streams.update(spec.name, { ...existing, subjects: [...kept, ...spec.subjects] });
  return 'updated';
}

/** Whether every subject matching `subject` also matches `pattern` (NATS `*` and trailing `>`). */
export function subjectCovers(pattern: string, subject: string): boolean {
  const p = pattern.split('.');
  const s = subject.split('.');
  for (let i = 0; i < p.length; i++) {
    const token = p[i];
    if (token === '>') return s.length > i;
    const other = s[i];
    if (other === undefined || other === '>') return false;
    if (token !== '*' && (token !== other || other === '*')) return false;
  }
  return p.length === s.length;
}

async function streamExists(jsm: JetStreamManager, name: string): Promise<boolean> {
  try {
    await jsm.streams.info(name);
    return true;
  } catch {
    return false;
  }
}

export function desiredConsumerConfig(
  spec: ConsumerSpec,
  settings: ConsumerSettings,
): Partial<ConsumerConfig> & { durable_name: string } {
  return {
    durable_name: spec.durable,
    description: `oo consumer: ${spec.key}`,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    replay_policy: ReplayPolicy.Instant,
    filter_subject: spec.stream.subjects[0],
    ack_wait: nanos(settings.ackWaitMs),
    max_deliver: settings.maxDeliver,
    max_ack_pending: settings.maxAckPending ?? 1000,
  };
}

// Settings a durable pull consumer can change in place on every server from 2.9 on.
const UPDATABLE = ['ack_wait', 'max_deliver', 'max_ack_pending'] as const;

export interface EnsureConsumerOptions {
  /**
   * Where a consumer created now starts. Set when re-creating a durable that was deleted under a
   * running worker, so the stream is not replayed from its first message. @default whole stream
   */
  startSeq?: number;
}

/**
 * Looks the durable up, then adds or updates it. We never rely on `add` to update an existing durable:
 * servers before 2.10 treat `add` on an existing durable as an update, later ones reject a changed
 * config unless the request says it is an update.
 */
export async function ensureConsumer(
  jsm: JetStreamManager,
  spec: ConsumerSpec,
  settings: ConsumerSettings,
  options: EnsureConsumerOptions = {},
): Promise<RegistrationOutcome> {
  const desired = desiredConsumerConfig(spec, settings);
  let info: ConsumerInfo;
  try {
    info = await jsm.consumers.info(spec.stream.name, spec.durable);
  } catch (error) {
    if (!isApiError(error, JetStreamApiCodes.ConsumerNotFound)) throw error;
    const start =
      options.startSeq !== undefined && options.startSeq > 1
        ? { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: options.startSeq }
        : {};
    try {
      await jsm.consumers.add(spec.stream.name, { ...desired, ...start });
      return 'created';
    } catch (addError) {
      // Another replica created it between our lookup and our add: fall through to the update check.
      try {
        info = await jsm.consumers.info(spec.stream.name, spec.durable);
      } catch {
        throw addError;
      }
    }
  }
  const actual = info.config;
  if (actual.ack_policy !== AckPolicy.Explicit || actual.deliver_subject) {
    throw new RegistrationError(
      `consumer ${spec.durable} on stream ${spec.stream.name} exists as a ` +
        `${actual.deliver_subject ? 'push' : 'pull'} consumer with ack_policy ${actual.ack_policy}; ` +
        'this worker needs a pull consumer with explicit acks (delete it or change NATS_DURABLE_PREFIX)',
    );
  }
  if (actual.filter_subject && actual.filter_subject !== desired.filter_subject) {
    throw new RegistrationError(
      `consumer ${spec.durable} filters ${actual.filter_subject}, expected ${desired.filter_subject} ` +
        '(delete it or change NATS_DURABLE_PREFIX)',
    );
  }
  const changed = UPDATABLE.filter((key) => actual[key] !== desired[key]);
  if (changed.length === 0) return 'unchanged';
  await jsm.consumers.update(
    spec.stream.name,
    spec.durable,
    Object.fromEntries(changed.map((key) => [key, desired[key]])),
  );
  return 'updated';
}
