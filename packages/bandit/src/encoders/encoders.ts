import { DimensionError, InvalidInputError, NonFiniteError } from '../errors.js';
import { PROFILE_FEATURE_NAMES } from './feature-names.js';
import type { EncodeContext, TaskInput } from './inputs.js';
import { parseIsoInstant } from './iso-instant.js';

/** Writes one policy's d features for `task` into `out[offset … offset + d)`. */
export type EncodeInto = (task: TaskInput, ctx: EncodeContext, out: Float64Array, offset?: number) => void;

const MS_PER_MINUTE = 60_000;
const MS_PER_DAY = 86_400_000;
const AGE_HORIZON_DAYS = 30;
const MAX_TZ_OFFSET_MIN = 840;
const TWO_PI = 2 * Math.PI;
const PROFILE_LENGTH = PROFILE_FEATURE_NAMES.length;

/** linucb-v1, d = 5: hour_sin, hour_cos, is_overdue, task_age, priority. */
export const encodeLinucbV1Into: EncodeInto = (task, ctx, out, offset = 0) => {
  writeFeatures(task, ctx, out, offset, 5);
};

/** egreedy-v1, d = 7: the linucb-v1 vector, then dow_sin, dow_cos. */
export const encodeEgreedyV1Into: EncodeInto = (task, ctx, out, offset = 0) => {
  writeFeatures(task, ctx, out, offset, 7);
};

/** egreedy-v2, d = 12: the egreedy-v1 vector, then the 5 profile features. */
export const encodeEgreedyV2Into: EncodeInto = (task, ctx, out, offset = 0) => {
  writeFeatures(task, ctx, out, offset, 12);
};

/** The allocating form every PolicySpec exposes as `encode`. */
export function allocating(
  encodeInto: EncodeInto,
  d: number,
): (task: TaskInput, ctx: EncodeContext) => Float64Array {
  return (task, ctx) => {
    const out = new Float64Array(d);
    encodeInto(task, ctx, out, 0);
    return out;
  };
}

// Every input is validated before the first write, so a rejected call leaves `out` untouched.
function writeFeatures(
  task: TaskInput,
  ctx: EncodeContext,
  out: Float64Array,
  offset: number,
  d: 5 | 7 | 12,
): void {
  if (!(out instanceof Float64Array)) throw new InvalidInputError('out', 'expected a Float64Array');
  if (!Number.isSafeInteger(offset) || offset < 0) {
    throw new InvalidInputError('offset', 'expected a non-negative integer');
  }
  if (out.length < offset + d) throw new DimensionError('out', offset + d, out.length);
  if (typeof task !== 'object' || task === null) throw new InvalidInputError('task', 'expected an object');
  if (typeof ctx !== 'object' || ctx === null) throw new InvalidInputError('ctx', 'expected an object');

  const { now, tz_offset_min: tz } = ctx;
  if (!(now instanceof Date) || !Number.isFinite(now.getTime())) {
    throw new InvalidInputError('now', 'expected a valid Date');
  }
  if (!Number.isInteger(tz) || tz < -MAX_TZ_OFFSET_MIN || tz > MAX_TZ_OFFSET_MIN) {
    throw new InvalidInputError(
      'tz_offset_min',
      `expected an integer in [-${MAX_TZ_OFFSET_MIN}, ${MAX_TZ_OFFSET_MIN}]`,
    );
  }
  const { priority } = task;
  if (!Number.isInteger(priority) || priority < 1 || priority > 4) {
    throw new InvalidInputError('priority', 'expected an integer in [1, 4]');
  }
  const createdMs = parseIsoInstant(task.created_at, 'created_at');
  // undefined is read as null for untyped callers: both mean "no due date".
  const dueMs =
    task.due_at === null || task.due_at === undefined ? null : parseIsoInstant(task.due_at, 'due_at');
  const profile = d === 12 ? checkedProfile(ctx.profile_features) : undefined;

  const nowMs = now.getTime();
  // Shift the instant by the offset and read it with UTC getters: that is the local wall clock
  // whatever the time zone of the process.
  const local = new Date(nowMs + tz * MS_PER_MINUTE);
  const hour = local.getUTCHours() + local.getUTCMinutes() / 60 + local.getUTCSeconds() / 3600;
  const ageDays = (nowMs - createdMs) / MS_PER_DAY;

  out[offset] = Math.sin((TWO_PI * hour) / 24);
  out[offset + 1] = Math.cos((TWO_PI * hour) / 24);
  out[offset + 2] = dueMs !== null && dueMs < nowMs ? 1 : 0;
  out[offset + 3] = Math.min(1, Math.max(0, ageDays / AGE_HORIZON_DAYS));
  out[offset + 4] = (priority - 1) / 3;
  if (d === 5) return;
  // getUTCDay is Sunday = 0; ISO-8601 weekdays start on Monday.
  const weekday = (local.getUTCDay() + 6) % 7;
  out[offset + 5] = Math.sin((TWO_PI * weekday) / 7);
  out[offset + 6] = Math.cos((TWO_PI * weekday) / 7);
  if (profile === undefined) return;
  for (let i = 0; i < PROFILE_LENGTH; i++) out[offset + 7 + i] = profile[i]!;
}

function checkedProfile(profile: readonly number[] | undefined): readonly number[] {
  if (profile === undefined || profile === null) {
    throw new InvalidInputError('profile_features', 'required by egreedy-v2');
  }
  if (typeof profile !== 'object' || typeof profile.length !== 'number') {
    throw new DimensionError('profile_features', PROFILE_LENGTH, null);
  }
  if (profile.length !== PROFILE_LENGTH) {
    throw new DimensionError('profile_features', PROFILE_LENGTH, profile.length);
  }
  for (let i = 0; i < PROFILE_LENGTH; i++) {
    const v: unknown = profile[i];
    const field = `profile_features[${i}] (${PROFILE_FEATURE_NAMES[i]})`;
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new NonFiniteError(field);
    if (v < 0 || v > 1) throw new InvalidInputError(field, 'expected a value in [0, 1]');
  }
  return profile;
}
