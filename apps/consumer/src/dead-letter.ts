import type { JetStreamClient, JetStreamManager, PubAck } from '@nats-io/jetstream';
import { headers as createHeaders, type MsgHdrs } from '@nats-io/transport-node';
import { DEADLETTER_STREAM } from './registration.js';

/** Headers a dead letter carries besides the original message's own. */
export const DEAD_LETTER_HEADERS = {
  originalSubject: 'Oo-Original-Subject',
  originalStream: 'Oo-Original-Stream',
  originalSeq: 'Oo-Original-Seq',
  deliveryCount: 'Oo-Delivery-Count',
  lastError: 'Oo-Last-Error',
  deadLetteredAt: 'Oo-Dead-Lettered-At',
} as const;

/** Set on a replayed message: `deadletter:<seq>` of the letter it came from. */
export const REPLAYED_FROM_HEADER = 'Oo-Replayed-From';

const DEAD_LETTER_SUBJECT_PREFIX = 'deadletter.';
const MAX_ERROR_HEADER_CHARS = 1024;

export interface DeadLetterInput {
  subject: string;
  stream: string;
  streamSeq: number;
  deliveryCount: number;
  error: string;
  data: Uint8Array;
  headers?: MsgHdrs | undefined;
}

/** A dead letter as stored in the `deadletter` stream. */
export interface DeadLetter {
  seq: number;
  originalSubject: string;
  originalStream: string;
  originalSeq: number;
  deliveryCount: number;
  lastError: string;
  deadLetteredAt: string;
  data: Uint8Array;
  /** The original message's headers (publisher-set ones, `Nats-*` excluded). */
  headers: [string, string[]][];
}

export class DeadLetterNotFoundError extends Error {
  override readonly name = 'DeadLetterNotFoundError';
  constructor(readonly seq: number) {
    super(`no dead letter with sequence ${seq}`);
  }
}

// Header values are one line: a multi-line error (a zod issue list) must not break the frame.
function headerValue(text: string, max: number): string {
  const oneLine = text.replace(/[\r\n]+/g, ' ').trim();
  return oneLine.length > max ? `${oneLine.slice(0, max - 1)}…` : oneLine;
}

// `Nats-*` headers drive the server (dedupe ids, expectations): carried over they would make the
// dead-letter or replay publish be dropped as a duplicate or rejected.
function copyPublisherHeaders(from: MsgHdrs | undefined, to: MsgHdrs): void {
  if (!from) return;
  for (const key of from.keys()) {
    if (
      /^nats-/i.test(key) ||
      Object.values(DEAD_LETTER_HEADERS).some((h) => h.toLowerCase() === key.toLowerCase())
    ) {
      continue;
    }
    for (const value of from.values(key)) to.append(key, value);
  }
}

/**
 * Publishes a message that failed its last allowed delivery to `deadletter.<subject>` and waits for
 * the stream's ack. The dedupe id `<stream>:<seq>` makes a second attempt for the same message (a
 * retry, or the max-deliveries advisory racing the worker) a no-op.
 */
export async function publishDeadLetter(
  js: JetStreamClient,
  input: DeadLetterInput,
  options: { timeoutMs?: number; now?: Date } = {},
): Promise<PubAck> {
  const h = createHeaders();
  copyPublisherHeaders(input.headers, h);
  h.set(DEAD_LETTER_HEADERS.originalSubject, input.subject);
  h.set(DEAD_LETTER_HEADERS.originalStream, input.stream);
  h.set(DEAD_LETTER_HEADERS.originalSeq, String(input.streamSeq));
  h.set(DEAD_LETTER_HEADERS.deliveryCount, String(input.deliveryCount));
  h.set(DEAD_LETTER_HEADERS.lastError, headerValue(input.error, MAX_ERROR_HEADER_CHARS) || 'unknown error');
  h.set(DEAD_LETTER_HEADERS.deadLetteredAt, (options.now ?? new Date()).toISOString());
  return js.publish(`${DEAD_LETTER_SUBJECT_PREFIX}${input.subject}`, input.data, {
    msgID: `${input.stream}:${input.streamSeq}`,
    headers: h,
    timeout: options.timeoutMs ?? 5000,
  });
}

function toDeadLetter(
  seq: number,
  subject: string,
  header: MsgHdrs | undefined,
  data: Uint8Array,
): DeadLetter {
  const get = (key: string) => header?.get(key) ?? '';
  const original: [string, string[]][] = [];
  if (header) {
    for (const key of header.keys()) {
      if (/^(nats|oo)-/i.test(key) && key.toLowerCase() !== REPLAYED_FROM_HEADER.toLowerCase()) continue;
      original.push([key, header.values(key)]);
    }
  }
  return {
    seq,
    originalSubject:
      get(DEAD_LETTER_HEADERS.originalSubject) ||
      (subject.startsWith(DEAD_LETTER_SUBJECT_PREFIX)
        ? subject.slice(DEAD_LETTER_SUBJECT_PREFIX.length)
        : subject),
    originalStream: get(DEAD_LETTER_HEADERS.originalStream),
    originalSeq: Number(get(DEAD_LETTER_HEADERS.originalSeq)) || 0,
    deliveryCount: Number(get(DEAD_LETTER_HEADERS.deliveryCount)) || 0,
    lastError: get(DEAD_LETTER_HEADERS.lastError),
    deadLetteredAt: get(DEAD_LETTER_HEADERS.deadLetteredAt),
    data,
    headers: original,
  };
}

/** One dead letter by its sequence in the `deadletter` stream. */
export async function getDeadLetter(jsm: JetStreamManager, seq: number): Promise<DeadLetter> {
  const stored = await jsm.streams.getMessage(DEADLETTER_STREAM.name, { seq });
  if (!stored) throw new DeadLetterNotFoundError(seq);
  return toDeadLetter(stored.seq, stored.subject, stored.header, stored.data);
}

export interface ListDeadLettersOptions {
  /** @default 100 */
  limit?: number;
  /** First sequence to look at. @default the stream's first */
  fromSeq?: number;
}

export interface DeadLetterPage {
  letters: DeadLetter[];
  /** Letters in the stream in total. */
  total: number;
  /** Where to continue (`fromSeq`) when the page was cut by `limit`; null at the end. */
  nextSeq: number | null;
}

/** Lists dead letters oldest first. Replayed letters are deleted, so what is listed is what is left. */
export async function listDeadLetters(
  jsm: JetStreamManager,
  options: ListDeadLettersOptions = {},
): Promise<DeadLetterPage> {
  const limit = options.limit ?? 100;
  const { state } = await jsm.streams.info(DEADLETTER_STREAM.name);
  const letters: DeadLetter[] = [];
  if (state.messages === 0) return { letters, total: 0, nextSeq: null };
  let seq = Math.max(options.fromSeq ?? state.first_seq, state.first_seq, 1);
  for (; seq <= state.last_seq && letters.length < limit; seq++) {
    const stored = await jsm.streams.getMessage(DEADLETTER_STREAM.name, { seq });
    if (stored) letters.push(toDeadLetter(stored.seq, stored.subject, stored.header, stored.data));
  }
  return { letters, total: state.messages, nextSeq: seq <= state.last_seq ? seq : null };
}

export interface ReplayOptions {
  /** Publish this payload instead of the stored one (an operator's corrected event). */
  data?: Uint8Array;
  /** @default true: a letter whose replay the original stream acknowledged is removed. */
  deleteAfter?: boolean;
}

export interface ReplayResult {
  seq: number;
  subject: string;
  /** Where the replay landed in the original stream. */
  ack: PubAck;
}

/**
 * Republishes a dead letter to its original subject. It is removed from the dead-letter stream only
 * after the original stream acknowledged the replay, so a failure leaves it listed. The replay gets
 * a new stream sequence, hence a fresh delivery count; handling it twice is harmless because the
 * handlers are idempotent by `event_id`.
 */
export async function replayDeadLetter(
  js: JetStreamClient,
  jsm: JetStreamManager,
  seq: number,
  options: ReplayOptions = {},
): Promise<ReplayResult> {
  const letter = await getDeadLetter(jsm, seq);
  const h = createHeaders();
  for (const [key, values] of letter.headers) {
    if (key.toLowerCase() === REPLAYED_FROM_HEADER.toLowerCase()) continue;
    for (const value of values) h.append(key, value);
  }
  h.set(REPLAYED_FROM_HEADER, `${DEADLETTER_STREAM.name}:${seq}`);
  const ack = await js.publish(letter.originalSubject, options.data ?? letter.data, { headers: h });
  if (options.deleteAfter ?? true) await jsm.streams.deleteMessage(DEADLETTER_STREAM.name, seq, false);
  return { seq, subject: letter.originalSubject, ack };
}
