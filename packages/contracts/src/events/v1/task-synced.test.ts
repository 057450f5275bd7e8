import { describe, expect, it } from 'vitest';
import { TaskSyncedEvent } from './task-synced.js';

const event = {
  event_id: '01JHX3Q4T5V6W7X8Y9Z0ABCDEF',
  occurred_at: '2025-01-31T09:30:00.000Z',
  user_id: 'user-42',
  last_sync_ts: '2025-01-31T09:29:58+01:00',
  task_count: 17,
};

function paths(value: unknown) {
  return TaskSyncedEvent.safeParse(value).error?.issues.map((i) => i.path) ?? [];
}

describe('TaskSyncedEvent', () => {
  it('accepts an event, including one with no tasks', () => {
    expect(TaskSyncedEvent.parse(event)).toEqual(event);
    expect(paths({ ...event, task_count: 0 })).toEqual([]);
  });

  it('ignores fields a newer producer adds', () => {
    expect(TaskSyncedEvent.parse({ ...event, source: 'ios' })).toEqual(event);
  });

  it.each([
    ['a negative task count', { task_count: -1 }, ['task_count']],
    ['a fractional task count', { task_count: 1.5 }, ['task_count']],
    ['a NaN task count', { task_count: Number.NaN }, ['task_count']],
    ['an infinite task count', { task_count: Number.POSITIVE_INFINITY }, ['task_count']],
    ['a task count as a string', { task_count: '17' }, ['task_count']],
    ['a traversal user id', { user_id: '../x' }, ['user_id']],
    ['a hidden user id', { user_id: '.hidden' }, ['user_id']],
    ['an empty event id', { event_id: '' }, ['event_id']],
    ['a 129-character event id', { event_id: 'e'.repeat(129) }, ['event_id']],
    ['an event id with a slash', { event_id: 'a/b' }, ['event_id']],
    ['a last_sync_ts without offset', { last_sync_ts: '2025-01-31T09:29:58' }, ['last_sync_ts']],
    ['an epoch occurred_at', { occurred_at: 1738315800000 }, ['occurred_at']],
  ])('rejects %s', (_label, overrides, path) => {
    expect(paths({ ...event, ...overrides })).toEqual([path]);
  });

  it('rejects an event missing a field, and a non-object', () => {
    const { last_sync_ts: _omitted, ...rest } = event;
    expect(paths(rest)).toEqual([['last_sync_ts']]);
    expect(TaskSyncedEvent.safeParse('event').success).toBe(false);
  });
});
