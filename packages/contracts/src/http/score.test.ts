import type { TaskInput } from '@oo/bandit';
import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  ScoreCandidate,
  ScoreRequest,
  ScoreRequestWithProfile,
  ScoreResponse,
  TaskFeatures,
} from './score.js';

const task = { due_at: '2025-02-01T17:00:00Z', created_at: '2025-01-20T08:00:00+01:00', priority: 3 };
const candidate = (id: string) => ({ id, task });
const request = (overrides: Record<string, unknown> = {}) => ({
  user_id: 'user-42',
  candidates: [candidate('t1'), candidate('t2')],
  ...overrides,
});
const PROFILE = [0.5, 0, 1, 0.25, 0.75];

function issuePaths(result: { error?: { issues: { path: PropertyKey[] }[] } }) {
  return result.error?.issues.map((i) => i.path) ?? [];
}

describe('TaskFeatures', () => {
  it('accepts a task without a due date', () => {
    expect(TaskFeatures.parse({ ...task, due_at: null })).toEqual({ ...task, due_at: null });
  });

  it.each([0, 5, 2.5, Number.NaN, '3'])('rejects priority %j', (priority) => {
    const result = TaskFeatures.safeParse({ ...task, priority });
    expect(issuePaths(result)).toEqual([['priority']]);
  });

  it('requires due_at to be present (null, not missing)', () => {
    const { due_at: _omitted, ...rest } = task;
    expect(issuePaths(TaskFeatures.safeParse(rest))).toEqual([['due_at']]);
  });

  it('rejects a created_at without an offset', () => {
    expect(issuePaths(TaskFeatures.safeParse({ ...task, created_at: '2025-01-20T08:00:00' }))).toEqual([
      ['created_at'],
    ]);
  });
});

describe('ScoreCandidate', () => {
  it('accepts any printable id up to 128 characters', () => {
    expect(ScoreCandidate.parse(candidate('tâche 7 / 🙂')).id).toBe('tâche 7 / 🙂');
  });

  it.each(['', 'x'.repeat(129), 'a\u0000b'])('rejects the id %j', (id) => {
    expect(issuePaths(ScoreCandidate.safeParse(candidate(id)))).toEqual([['id']]);
  });
});

describe('ScoreRequest', () => {
  it('accepts a minimal body and defaults tz_offset_min to 0', () => {
    expect(ScoreRequest.parse(request())).toEqual({ ...request(), tz_offset_min: 0 });
  });

  it('accepts every optional field', () => {
    const body = request({ now: '2025-01-31T09:30:00+05:30', tz_offset_min: 330, profile_features: PROFILE });
    expect(ScoreRequest.parse(body)).toEqual(body);
  });

  it('strips unknown keys', () => {
    expect(ScoreRequest.parse(request({ extra: 1 }))).not.toHaveProperty('extra');
  });

  it.each([
    ['0 candidates', 0, 'candidates must hold at least 1 candidate'],
    ['101 candidates', 101, 'candidates must hold at most 100 candidates'],
  ])('rejects %s', (_label, count, message) => {
    const candidates = Array.from({ length: count }, (_, i) => candidate(`t${i}`));
    const result = ScoreRequest.safeParse(request({ candidates }));
    expect(result.error?.issues.map((i) => [i.path, i.message])).toEqual([[['candidates'], message]]);
  });

  it('accepts exactly 100 candidates', () => {
    const candidates = Array.from({ length: 100 }, (_, i) => candidate(`t${i}`));
    expect(ScoreRequest.safeParse(request({ candidates })).success).toBe(true);
  });

  it('points the duplicate-id issue at the repeated candidate', () => {
    const result = ScoreRequest.safeParse(
      request({ candidates: [candidate('a'), candidate('b'), candidate('a')] }),
    );
    expect(issuePaths(result)).toEqual([['candidates', 2, 'id']]);
    expect(result.error?.issues[0]?.message).toBe(
      'candidates ids must be unique: this id repeats candidates[0].id',
    );
  });

  it.each([0, 5, 2.5])('names the field of a candidate with priority %j', (priority) => {
    const result = ScoreRequest.safeParse(
      request({ candidates: [candidate('a'), { id: 'b', task: { ...task, priority } }] }),
    );
    expect(issuePaths(result)).toEqual([['candidates', 1, 'task', 'priority']]);
  });

  it.each([
    [-840, true],
    [840, true],
    [841, false],
    [-841, false],
    [1.5, false],
    [Number.NaN, false],
    ['60', false],
  ])('tz_offset_min %j valid: %s', (tz, valid) => {
    const result = ScoreRequest.safeParse(request({ tz_offset_min: tz }));
    expect(result.success).toBe(valid);
    if (!valid) expect(issuePaths(result)).toEqual([['tz_offset_min']]);
  });

  it.each([
    ['1.01', [0.5, 0, 1.01, 0.25, 0.75], [['profile_features', 2]]],
    ['-0.01', [-0.01, 0, 1, 0.25, 0.75], [['profile_features', 0]]],
    ['NaN', [0.5, Number.NaN, 1, 0.25, 0.75], [['profile_features', 1]]],
    ['Infinity', [0.5, 0, 1, Number.POSITIVE_INFINITY, 0.75], [['profile_features', 3]]],
    ['a string', [0.5, 0, 1, 0.25, '0.75'], [['profile_features', 4]]],
    ['4 elements', [0.5, 0, 1, 0.25], [['profile_features']]],
    ['6 elements', [0.5, 0, 1, 0.25, 0.75, 0], [['profile_features']]],
  ])('rejects profile_features with %s', (_label, profile_features, paths) => {
    expect(issuePaths(ScoreRequest.safeParse(request({ profile_features })))).toEqual(paths);
  });

  it('names the profile features and their order when the length is wrong', () => {
    const result = ScoreRequest.safeParse(request({ profile_features: [1, 1, 1, 1] }));
    expect(result.error?.issues[0]?.message).toBe(
      'profile_features must hold exactly 5 numbers: completion_rate_7d, tip_accept_rate_30d, active_hour_overlap, backlog_pressure, engagement_streak',
    );
  });

  it.each(['2025-01-31T09:30', 'yesterday', 1738315800000])('rejects now = %j', (now) => {
    expect(issuePaths(ScoreRequest.safeParse(request({ now })))).toEqual([['now']]);
  });

  it.each([
    ['user_id', { user_id: '../x' }],
    ['candidates', { candidates: 't1' }],
  ])('names the offending field %s', (field, overrides) => {
    expect(issuePaths(ScoreRequest.safeParse(request(overrides)))).toEqual([[field]]);
  });

  it('rejects a body that is not an object', () => {
    expect(ScoreRequest.safeParse([request()]).success).toBe(false);
    expect(ScoreRequest.safeParse(null).success).toBe(false);
  });
});

describe('ScoreRequestWithProfile', () => {
  it('requires profile_features', () => {
    expect(issuePaths(ScoreRequestWithProfile.safeParse(request()))).toEqual([['profile_features']]);
  });

  it('accepts a body with 5 profile features', () => {
    expect(ScoreRequestWithProfile.parse(request({ profile_features: PROFILE })).profile_features).toEqual(
      PROFILE,
    );
  });

  it('keeps the candidate rules of ScoreRequest', () => {
    const result = ScoreRequestWithProfile.safeParse(
      request({ profile_features: PROFILE, candidates: [candidate('a'), candidate('a')] }),
    );
    expect(issuePaths(result)).toEqual([['candidates', 1, 'id']]);
  });
});

describe('ScoreResponse', () => {
  const response = {
    decision_id: '0b8f7d52-6f1e-4c3a-9d2e-5a7c1f0e9b41',
    policy: 'egreedy-v1',
    policy_version: '1.0.0',
    chosen_id: 't2',
    propensity: 0.95,
    explored: false,
    expires_at: '2025-01-31T10:30:00.000Z',
    scores: [
      { id: 't1', score: 0.1, expected_reward: 0.1, exploration_bonus: 0 },
      { id: 't2', score: 0.4, expected_reward: 0.4, exploration_bonus: 0 },
    ],
  };

  it('accepts a decision', () => {
    expect(ScoreResponse.parse(response)).toEqual(response);
  });

  it.each([
    ['propensity 0', { propensity: 0 }, ['propensity']],
    ['propensity above 1', { propensity: 1.0001 }, ['propensity']],
    ['an unknown policy', { policy: 'greedy' }, ['policy']],
    ['no scores', { scores: [] }, ['scores']],
    [
      'a NaN score',
      { scores: [{ id: 't1', score: Number.NaN, expected_reward: 0, exploration_bonus: 0 }] },
      ['scores', 0, 'score'],
    ],
    [
      'a negative exploration bonus',
      { scores: [{ id: 't1', score: 0, expected_reward: 0, exploration_bonus: -0.1 }] },
      ['scores', 0, 'exploration_bonus'],
    ],
    ['an expires_at without offset', { expires_at: '2025-01-31T10:30:00' }, ['expires_at']],
  ])('rejects %s', (_label, overrides, path) => {
    expect(issuePaths(ScoreResponse.safeParse({ ...response, ...overrides }))).toEqual([path]);
  });
});

describe('inferred types', () => {
  it('hand the encoders what they take, with defaults applied', () => {
    expectTypeOf<TaskFeatures>().toExtend<TaskInput>();
    expectTypeOf<ScoreRequest['tz_offset_min']>().toEqualTypeOf<number>();
    expectTypeOf<ScoreRequest['profile_features']>().toEqualTypeOf<number[] | undefined>();
    expectTypeOf<ScoreRequestWithProfile['profile_features']>().toEqualTypeOf<number[]>();
    expectTypeOf(ScoreRequest.parse(request()).candidates[0]!.task).toExtend<TaskInput>();
  });
});
