import { type ZodType, z } from 'zod';
import { StateError } from '../errors.js';
import { type Span, topLevelSpans } from './json-spans.js';
import { type Decoded, decodeRecord } from './record-codec.js';
import { SCHEMA_VERSION } from './schema-version.js';
import {
  DECISION_LOG_SIZE,
  DecisionRecord,
  POLICY_KEY_PATTERN,
  PolicyRecord,
  type UserState,
} from './user-state.js';

// The fast path of the `state` record (docs/adr/0018). Validating and serialising a whole user
// state (~35 kB: 100 decisions, the models) on every write cost more than the bandit math and the
// HTTP stack together, yet a write changes one decision and one policy record. So the parts are
// trusted by identity: a decision or policy record that passed its schema is deep-frozen (it can
// no longer stop passing it), remembered here, and its JSON text is kept. Writing a state then
// validates only the parts that are new objects, and serialises by joining known texts.
// One set per kind of part, so that a trusted object can never pass for a part of another kind.
const TRUSTED_DECISIONS = new WeakSet<object>();
const TRUSTED_POLICIES = new WeakSet<object>();
const TRUSTED_MODELS = new WeakSet<object>();
const TEXT = new WeakMap<object, string>();

// A policy record without its model: what a score changes (the counters), validated on its own
// when the model is a trusted one carried over, so the model's numbers are not printed again.
const PolicyCounters = PolicyRecord.omit({ model: true });

const STATE_KEYS = new Set(['v', 'user_id', 'policies', 'decisions']);

/** What `encodeState` produces: the bytes to store and the equal, frozen value to cache. */
export interface EncodedState {
  text: string;
  /** Deep-frozen; `JSON.parse(text)` deep-equals it. */
  value: UserState;
}

/**
 * Parses and fully validates a stored state (`decodeRecord`), then freezes and trusts its parts.
 * Their texts are the record's own slices (each part's source text parses to exactly that part),
 * so the next write joins them instead of printing a hundred decisions' numbers again: a record
 * written by another process costs one parse and one validation, not a re-serialisation too.
 */
export function decodeState(owner: string, raw: string): Decoded<UserState> {
  const decoded = decodeRecord('state', owner, raw);
  if (!decoded.ok) return decoded;
  const state = decoded.value;
  for (const policy of Object.values(state.policies)) if (policy !== undefined) trustPolicy(policy);
  for (const decision of state.decisions) trust(decision, TRUSTED_DECISIONS);
  rememberSourceTexts(state, raw);
  Object.freeze(state.policies);
  Object.freeze(state.decisions);
  return { ok: true, value: Object.freeze(state) };
}

/**
 * `decodeState` for a record that replaced one this process had decoded (`previous`): another
 * process wrote it, typically prepending a decision and changing a policy record's counters. Each
 * part whose text is byte for byte the text of one of `previous`'s parts is that part (equal text,
 * equal value, validated already); only the other parts are parsed and validated, and the top
 * level is checked by hand. Anything unusual (another version, a different key, text that does
 * not decode) goes through `decodeState`, which reports it as it always does.
 */
export function decodeStateAfter(owner: string, raw: string, previous: UserState | null): Decoded<UserState> {
  const quick = previous === null ? null : decodeByDifference(owner, raw, previous);
  return quick === null ? decodeState(owner, raw) : { ok: true, value: quick };
}

function decodeByDifference(owner: string, raw: string, previous: UserState): UserState | null {
  const spans = topLevelSpans(raw);
  if (spans === null || spans.members.size !== STATE_KEYS.size) return null;
  for (const key of spans.members.keys()) if (!STATE_KEYS.has(key)) return null;
  const text = ([start, end]: Span) => raw.slice(start, end);
  if (text(spans.members.get('v')!) !== String(SCHEMA_VERSION)) return null;
  if (text(spans.members.get('user_id')!) !== JSON.stringify(owner)) return null;
  const decisionSpans = spans.elements.get('decisions');
  const policySpans = spans.fields.get('policies');
  if (decisionSpans === undefined || policySpans === undefined) return null;

  const known = new Map<string, DecisionRecord>();
  for (const decision of previous.decisions) {
    const knownText = TEXT.get(decision);
    if (knownText !== undefined) known.set(knownText, decision);
  }
  const decisions: DecisionRecord[] = new Array(decisionSpans.length);
  for (let i = 0; i < decisionSpans.length; i++) {
    const part = text(decisionSpans[i]!);
    const decision = known.get(part) ?? fromText(DecisionRecord, TRUSTED_DECISIONS, detached(part));
    if (decision === null) return null;
    decisions[i] = decision;
  }
  const policies: Record<string, PolicyRecord> = {};
  for (const [key, span] of policySpans) {
    if (!POLICY_KEY_PATTERN.test(key)) return null;
    const part = text(span);
    const before = previous.policies[key];
    const policy =
      before !== undefined && TEXT.get(before) === part
        ? before
        : fromText(PolicyRecord, TRUSTED_POLICIES, detached(part));
    if (policy === null) return null;
    policies[key] = policy;
  }
  return Object.freeze({
    v: SCHEMA_VERSION,
    user_id: owner,
    policies: Object.freeze(policies),
    decisions: Object.freeze(decisions) as DecisionRecord[],
  });
}

/** A part parsed from its own text and validated, frozen and trusted; null if it is not valid. */
function fromText<T extends object>(schema: ZodType<T>, trusted: WeakSet<object>, part: string): T | null {
  let json: unknown;
  try {
    json = JSON.parse(part);
  } catch {
    return null;
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) return null;
  const value = parsed.data;
  if (trusted === TRUSTED_POLICIES) {
    trustPolicy(value as PolicyRecord);
    const model = topLevelSpans(part)?.members.get('model');
    const modelText = model === undefined ? undefined : sliceOf(part, model, 0x7b, 0x7d);
    if (modelText !== undefined) TEXT.set((value as PolicyRecord).model, modelText);
  } else {
    trust(value, trusted);
  }
  TEXT.set(value, part);
  return value;
}

function rememberSourceTexts(state: UserState, raw: string): void {
  const spans = topLevelSpans(raw);
  if (spans === null) return;
  const decisionSpans = spans.elements.get('decisions');
  if (decisionSpans?.length === state.decisions.length) {
    state.decisions.forEach((decision, i) => {
      const text = sliceOf(raw, decisionSpans[i]!, 0x7b, 0x7d);
      if (text !== undefined) TEXT.set(decision, text);
    });
  }
  const policySpans = spans.fields.get('policies');
  for (const [key, policy] of Object.entries(state.policies)) {
    const span = policySpans?.get(key);
    if (policy === undefined || span === undefined) continue;
    const text = sliceOf(raw, span, 0x7b, 0x7d);
    if (text === undefined) continue;
    TEXT.set(policy, text);
    const model = topLevelSpans(text)?.members.get('model');
    const modelText = model === undefined ? undefined : sliceOf(text, model, 0x7b, 0x7d);
    if (modelText !== undefined) TEXT.set(policy.model, modelText);
  }
}

// A span must hold the kind of value its part is (an object: `{…}`), or it is not used.
function sliceOf(raw: string, [start, end]: Span, open: number, close: number): string | undefined {
  return raw.charCodeAt(start) === open && raw.charCodeAt(end - 1) === close
    ? detached(raw.slice(start, end))
    : undefined;
}

/**
 * A copy of a slice that does not keep the string it was cut from alive. V8 represents a slice as
 * a view of its parent, so a 300-byte decision text would hold its whole 35 kB record in memory,
 * and a state whose decisions came from many records (written by other processes over time) one
 * record per decision (measured: 33.5 kB retained per slice, 0.5 kB per copy).
 */
function detached(slice: string): string {
  return ` ${slice}`.slice(1);
}

/**
 * Validates a state a caller wants written (new parts against their schemas, the rest by
 * identity), enforces the bounded decision log, and serialises it. Same contract as
 * `encodeRecord('state', …)`: an invalid record is a bug in the caller, a plain `StateError`.
 */
export function encodeState(owner: string, state: UserState): EncodedState {
  if (typeof state !== 'object' || state === null || Array.isArray(state)) {
    throw invalid(owner, '', 'expected an object');
  }
  for (const key of Object.keys(state)) {
    if (!STATE_KEYS.has(key)) throw invalid(owner, key, 'unrecognized key');
  }
  if (state.v !== SCHEMA_VERSION) throw invalid(owner, 'v', `expected ${SCHEMA_VERSION}`);
  if (typeof state.user_id !== 'string') throw invalid(owner, 'user_id', 'expected a string');
  if (state.user_id !== owner) {
    throw new StateError(
      `refusing to write the state of ${JSON.stringify(state.user_id)} as the state of ${JSON.stringify(owner)}`,
    );
  }
  const { policies, decisions } = state;
  if (typeof policies !== 'object' || policies === null || Array.isArray(policies)) {
    throw invalid(owner, 'policies', 'expected an object');
  }
  if (!Array.isArray(decisions)) throw invalid(owner, 'decisions', 'expected an array');

  const keptPolicies: Record<string, PolicyRecord> = {};
  const policyTexts: string[] = [];
  for (const [key, record] of Object.entries(policies)) {
    // A partial record: an undefined value is an absent key, as JSON.stringify writes it.
    if (record === undefined) continue;
    if (!POLICY_KEY_PATTERN.test(key)) throw invalid(owner, `policies.${key}`, 'invalid policy key');
    const kept = admitPolicy(record, owner, `policies.${key}`);
    keptPolicies[key] = kept;
    policyTexts.push(`${JSON.stringify(key)}:${textOf(kept)}`);
  }
  const count = Math.min(decisions.length, DECISION_LOG_SIZE);
  const keptDecisions: DecisionRecord[] = new Array(count);
  const decisionTexts: string[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const kept = admit(DecisionRecord, TRUSTED_DECISIONS, decisions[i], owner, `decisions.${i}`);
    keptDecisions[i] = kept;
    decisionTexts[i] = textOf(kept);
  }
  // Key order as JSON.stringify would write the value below, so text and value agree.
  const text =
    `{"v":${SCHEMA_VERSION},"user_id":${JSON.stringify(owner)},` +
    `"policies":{${policyTexts.join(',')}},"decisions":[${decisionTexts.join(',')}]}`;
  const value: UserState = Object.freeze({
    v: SCHEMA_VERSION,
    user_id: owner,
    policies: Object.freeze(keptPolicies),
    decisions: Object.freeze(keptDecisions) as DecisionRecord[],
  });
  return { text, value };
}

/**
 * A state a caller may change at the top level (fn may reassign `decisions`): a fresh object over
 * the same frozen, trusted parts.
 */
export function mutableCopy(state: UserState): UserState {
  return { v: state.v, user_id: state.user_id, policies: state.policies, decisions: state.decisions };
}

/**
 * A trusted part as is, or a new one validated against its schema and replaced by a frozen
 * JSON copy of itself: whatever the caller's object holds (a Date, NaN inside the opaque model,
 * an array it keeps mutating), the value cached is exactly what a reader of the text parses.
 */
function admit<T extends object>(
  schema: ZodType<T>,
  trusted: WeakSet<object>,
  part: unknown,
  owner: string,
  path: string,
): T {
  if (typeof part === 'object' && part !== null && trusted.has(part)) return part as T;
  const parsed = schema.safeParse(part);
  if (!parsed.success) throw invalid(owner, path, z.prettifyError(parsed.error), parsed.error);
  const text = JSON.stringify(parsed.data);
  const copy = JSON.parse(text) as T;
  if (trusted === TRUSTED_POLICIES) trustPolicy(copy as PolicyRecord);
  else trust(copy, trusted);
  TEXT.set(copy, text);
  return copy;
}

/** A policy record whose model is trusted, with new counters: only the counters are checked. */
function admitPolicy(part: unknown, owner: string, path: string): PolicyRecord {
  if (typeof part !== 'object' || part === null || TRUSTED_POLICIES.has(part)) {
    return admit(PolicyRecord, TRUSTED_POLICIES, part, owner, path);
  }
  const { model, ...counters } = part as { model?: unknown };
  if (typeof model !== 'object' || model === null || !TRUSTED_MODELS.has(model)) {
    return admit(PolicyRecord, TRUSTED_POLICIES, part, owner, path);
  }
  const parsed = PolicyCounters.safeParse(counters);
  if (!parsed.success) throw invalid(owner, path, z.prettifyError(parsed.error), parsed.error);
  const countersText = JSON.stringify(parsed.data);
  const copy = { model, ...(JSON.parse(countersText) as typeof parsed.data) } as PolicyRecord;
  // The counters always hold keys, so `countersText` is `{…}` with something inside.
  TEXT.set(copy, `{"model":${textOf(model)},${countersText.slice(1)}`);
  Object.freeze(copy);
  TRUSTED_POLICIES.add(copy);
  return copy;
}

function trust(part: object, trusted: WeakSet<object>): void {
  deepFreeze(part);
  trusted.add(part);
}

// A policy record's model is trusted with it, so a record that keeps it needs no new check.
function trustPolicy(policy: PolicyRecord): void {
  trust(policy, TRUSTED_POLICIES);
  TRUSTED_MODELS.add(policy.model);
}

function textOf(part: object): string {
  let text = TEXT.get(part);
  if (text === undefined) {
    text = JSON.stringify(part);
    TEXT.set(part, text);
  }
  return text;
}

function deepFreeze(value: unknown): void {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return;
  Object.freeze(value);
  if (Array.isArray(value)) {
    for (const item of value) deepFreeze(item);
  } else {
    for (const key in value) deepFreeze((value as Record<string, unknown>)[key]);
  }
}

function invalid(owner: string, path: string, message: string, cause?: unknown): StateError {
  return new StateError(
    `refusing to write an invalid state record for ${JSON.stringify(owner)}: ${path === '' ? '' : `${path}: `}${message}`,
    cause === undefined ? undefined : { cause },
  );
}
