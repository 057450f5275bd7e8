import { describe, expect, it } from 'vitest';
import { DimensionError, InvalidInputError, NonFiniteError } from '../errors.js';
import { POLICIES } from '../policies.js';
import type { EncodeContext, TaskInput } from './inputs.js';

// Golden vectors. Each case states the local wall clock and ISO weekday worked out by hand from
// `now` and the offset; the expected features are SPEC §2's formulas applied to those numbers.
const PROFILE = [0.1, 0.25, 0.5, 0.75, 1] as const;
const TASK: TaskInput = { due_at: null, created_at: '2024-03-01T00:00:00Z', priority: 1 };

function expected(hour: number, overdue: 0 | 1, age: number, priority: number, weekday: number): number[] {
  return [
    Math.sin((2 * Math.PI * hour) / 24),
    Math.cos((2 * Math.PI * hour) / 24),
    overdue,
    age,
    (priority - 1) / 3,
    Math.sin((2 * Math.PI * weekday) / 7),
    Math.cos((2 * Math.PI * weekday) / 7),
    ...PROFILE,
  ];
}

function encodeAll(task: TaskInput, now: string, tz: number) {
  const ctx: EncodeContext = { now: new Date(now), tz_offset_min: tz, profile_features: PROFILE };
  return {
    linucb: Array.from(POLICIES['linucb-v1'].encode(task, ctx)),
    v1: Array.from(POLICIES['egreedy-v1'].encode(task, ctx)),
    v2: Array.from(POLICIES['egreedy-v2'].encode(task, ctx)),
  };
}

function expectClose(actual: number[], wanted: number[]): void {
  expect(actual).toHaveLength(wanted.length);
  for (let i = 0; i < wanted.length; i++) expect(actual[i], `feature ${i}`).toBeCloseTo(wanted[i]!, 12);
}

function expectGolden(task: TaskInput, now: string, tz: number, wanted: number[]): void {
  const { linucb, v1, v2 } = encodeAll(task, now, tz);
  expectClose(linucb, wanted.slice(0, 5));
  expectClose(v1, wanted.slice(0, 7));
  expectClose(v2, wanted);
}

describe('clock features', () => {
  // created_at 2024-03-01T00:00Z; every `now` below is ~10 days later, age = days / 30.
  it.each([
    // name, now (UTC), tz, local hour, ISO weekday, age in days
    ['noon UTC on a Monday', '2024-03-11T12:00:00Z', 0, 12, 0, 10.5],
    ['positive offset wraps past midnight into Monday', '2024-03-10T23:30:00Z', 60, 0.5, 0, 9 + 23.5 / 24],
    ['negative offset wraps back to Sunday evening', '2024-03-11T00:15:00Z', -60, 23.25, 6, 10 + 0.25 / 24],
    ['UTC−14 (−840) reaches the previous day', '2024-03-11T10:00:00Z', -840, 20, 6, 10 + 10 / 24],
    ['UTC+14 (+840) reaches the next day', '2024-03-10T12:00:00Z', 840, 2, 0, 9.5],
    [
      'last second of Sunday, local',
      '2024-03-10T22:59:59Z',
      60,
      23 + 59 / 60 + 59 / 3600,
      6,
      9 + 82799 / 86400,
    ],
    ['first second of Monday, local', '2024-03-10T23:00:00Z', 60, 0, 0, 9 + 23 / 24],
    ['Saturday to Sunday boundary', '2024-03-09T23:59:00Z', 1, 0, 6, 8 + (23 * 60 + 59) / 1440],
    [
      'minutes and seconds enter the hour fraction',
      '2024-03-06T13:45:30Z',
      0,
      13 + 45 / 60 + 30 / 3600,
      2,
      5 + 49530 / 86400,
    ],
    [
      'milliseconds are not part of the hour fraction',
      '2024-03-06T13:45:30.999Z',
      0,
      13 + 45 / 60 + 30 / 3600,
      2,
      5 + 49530.999 / 86400,
    ],
    ['half-hour offset (+330)', '2024-03-07T20:00:00Z', 330, 1.5, 4, 6 + 20 / 24],
  ])('%s', (_name, now, tz, hour, weekday, ageDays) => {
    expectGolden(TASK, now, tz, expected(hour, 0, ageDays / 30, 1, weekday));
  });

  it('matches fully literal vectors at midnight and noon', () => {
    const { v1 } = encodeAll({ ...TASK, created_at: '2024-03-11T00:00:00Z' }, '2024-03-11T00:00:00Z', 0);
    expectClose(v1, [0, 1, 0, 0, 0, 0, 1]);
    const thursdayNoon = encodeAll(
      { due_at: null, created_at: '2024-02-10T06:00:00Z', priority: 4 },
      '2024-03-14T06:00:00Z',
      360,
    ).v1;
    expectClose(thursdayNoon, [0, -1, 0, 1, 1, 0.433883739117558, -0.900968867902419]);
  });
});

describe('task features', () => {
  const now = '2024-03-11T12:00:00Z';
  const clock = (overdue: 0 | 1, age: number, priority: number) => expected(12, overdue, age, priority, 0);

  it('reads a missing due_at as not overdue, whether null or absent', () => {
    expectGolden(TASK, now, 0, clock(0, 10.5 / 30, 1));
    const { due_at: _omitted, ...withoutDue } = TASK;
    expectGolden(withoutDue as TaskInput, now, 0, clock(0, 10.5 / 30, 1));
  });

  it.each([
    ['one millisecond before now', '2024-03-11T11:59:59.999Z', 1],
    ['exactly now (not strictly before)', '2024-03-11T12:00:00Z', 0],
    ['after now', '2024-03-11T12:00:01Z', 0],
    ['before now, written with a +02:00 offset', '2024-03-11T13:59:00+02:00', 1],
    ['after now, written with a -05:00 offset', '2024-03-11T07:30:00-05:00', 0],
    ['a date-only value is midnight UTC', '2024-03-11', 1],
  ] as const)('is_overdue when due %s', (_name, dueAt, overdue) => {
    expectGolden({ ...TASK, due_at: dueAt }, now, 0, clock(overdue, 10.5 / 30, 1));
  });

  it('does not take the offset into account for is_overdue (instants, not wall clocks)', () => {
    expectGolden({ ...TASK, due_at: '2024-03-11T11:00:00Z' }, now, 840, expected(2, 1, 10.5 / 30, 1, 1));
  });

  it.each([
    ['created now', '2024-03-11T12:00:00Z', 0],
    ['created 15 days ago', '2024-02-25T12:00:00Z', 0.5],
    ['created exactly 30 days ago', '2024-02-10T12:00:00Z', 1],
    ['created 45 days ago (clamped)', '2024-01-26T12:00:00Z', 1],
    ['created 400 days ago (clamped)', '2023-02-05T12:00:00Z', 1],
    ['created in the future (clamped)', '2024-03-12T12:00:00Z', 0],
    ['created 6 hours ago', '2024-03-11T06:00:00Z', 0.25 / 30],
  ])('task_age when %s', (_name, createdAt, age) => {
    expectGolden({ ...TASK, created_at: createdAt }, now, 0, clock(0, age, 1));
  });

  it.each([
    [1, 0],
    [2, 1 / 3],
    [3, 2 / 3],
    [4, 1],
  ] as const)('priority %i encodes as %d', (priority, value) => {
    const { linucb } = encodeAll({ ...TASK, priority }, now, 0);
    expect(linucb[4]).toBe(value);
  });
});

describe('vectors and the policy table', () => {
  const ctx: EncodeContext = {
    now: new Date('2024-03-11T12:00:00Z'),
    tz_offset_min: 0,
    profile_features: PROFILE,
  };

  it('gives each policy exactly d features, each vector a prefix of the next', () => {
    const v2 = POLICIES['egreedy-v2'].encode(TASK, ctx);
    expect(POLICIES['linucb-v1'].encode(TASK, ctx)).toEqual(v2.slice(0, 5));
    expect(POLICIES['egreedy-v1'].encode(TASK, ctx)).toEqual(v2.slice(0, 7));
    expect(Array.from(v2.slice(7))).toEqual([...PROFILE]);
  });

  it('encodeInto writes at an offset and nowhere else', () => {
    const spec = POLICIES['egreedy-v1'];
    const out = new Float64Array(20).fill(-9);
    spec.encodeInto(TASK, ctx, out, 3);
    expect(Array.from(out.subarray(3, 10))).toEqual(Array.from(spec.encode(TASK, ctx)));
    expect([...out.subarray(0, 3), ...out.subarray(10)].every((v) => v === -9)).toBe(true);
  });

  it('rejects an output buffer too short for d at the offset, writing nothing', () => {
    const out = new Float64Array(12).fill(-9);
    expect(() => POLICIES['egreedy-v2'].encodeInto(TASK, ctx, out, 1)).toThrow(DimensionError);
    expect(() => POLICIES['egreedy-v1'].encodeInto(TASK, ctx, out, -1)).toThrow(InvalidInputError);
    expect(out.every((v) => v === -9)).toBe(true);
  });

  it('ignores profile features for the policies that do not use them', () => {
    const bare = { now: ctx.now, tz_offset_min: 0 };
    expect(POLICIES['egreedy-v1'].encode(TASK, bare)).toEqual(POLICIES['egreedy-v1'].encode(TASK, ctx));
  });
});

describe('invalid inputs are typed errors', () => {
  const ctx: EncodeContext = {
    now: new Date('2024-03-11T12:00:00Z'),
    tz_offset_min: 0,
    profile_features: PROFILE,
  };
  const v1 = POLICIES['egreedy-v1'];
  const v2 = POLICIES['egreedy-v2'];

  it.each([0, 5, 2.5, Number.NaN, '2', null])('priority %s', (priority) => {
    expect(() => v1.encode({ ...TASK, priority } as unknown as TaskInput, ctx)).toThrow(InvalidInputError);
  });

  it.each([
    'tomorrow',
    '2024-03-11T12:00:00', // no offset: would depend on the server's zone
    '2023-02-29T00:00:00Z',
    '2024-13-01T00:00:00Z',
    '2024-04-31',
    '2024-03-11T24:00:00Z',
    '2024-03-11T12:60:00Z',
    '2024-03-11T12:00:60Z',
    '2024-03-11T12:00:00+24:00',
    'March 11, 2024',
    '',
  ])('created_at %j', (createdAt) => {
    expect(() => v1.encode({ ...TASK, created_at: createdAt }, ctx)).toThrow(InvalidInputError);
  });

  it('due_at that is not a date', () => {
    expect(() => v1.encode({ ...TASK, due_at: 'soon' }, ctx)).toThrow(/due_at/);
  });

  it.each([Number.NaN, 841, -841, 1.5])('tz_offset_min %s', (tz) => {
    expect(() => v1.encode(TASK, { ...ctx, tz_offset_min: tz })).toThrow(InvalidInputError);
  });

  it('an invalid Date or a non-Date now', () => {
    expect(() => v1.encode(TASK, { ...ctx, now: new Date('nope') })).toThrow(InvalidInputError);
    expect(() => v1.encode(TASK, { ...ctx, now: '2024-03-11T12:00:00Z' as unknown as Date })).toThrow(
      InvalidInputError,
    );
  });

  it('egreedy-v2 requires exactly 5 finite profile features in [0, 1]', () => {
    expect(() => v2.encode(TASK, { now: ctx.now, tz_offset_min: 0 })).toThrow(InvalidInputError);
    expect(() => v2.encode(TASK, { ...ctx, profile_features: [0.1, 0.2, 0.3, 0.4] })).toThrow(DimensionError);
    expect(() => v2.encode(TASK, { ...ctx, profile_features: [...PROFILE, 0] })).toThrow(DimensionError);
    expect(() => v2.encode(TASK, { ...ctx, profile_features: [0, 0, Number.NaN, 0, 0] })).toThrow(
      NonFiniteError,
    );
    expect(() =>
      v2.encode(TASK, { ...ctx, profile_features: [0, 0, 0, Number.POSITIVE_INFINITY, 0] }),
    ).toThrow(NonFiniteError);
    expect(() => v2.encode(TASK, { ...ctx, profile_features: [0, 1.01, 0, 0, 0] })).toThrow(
      /tip_accept_rate_30d/,
    );
    expect(() => v2.encode(TASK, { ...ctx, profile_features: [-0.01, 0, 0, 0, 0] })).toThrow(
      InvalidInputError,
    );
    expect(() =>
      v2.encode(TASK, { ...ctx, profile_features: [0, 0, '0.5', 0, 0] as unknown as number[] }),
    ).toThrow(NonFiniteError);
  });
});
