import { describe, expect, it } from 'vitest';
import { TipFeedbackEvent } from './tip-feedback.js';

const event = {
  event_id: 'evt-1',
  occurred_at: '2025-01-31T09:30:00Z',
  user_id: 'user-42',
  tip_id: 'tip-1',
  action: 'accepted',
};

function paths(value: unknown) {
  return TipFeedbackEvent.safeParse(value).error?.issues.map((i) => i.path) ?? [];
}

describe('TipFeedbackEvent', () => {
  it.each(['accepted', 'dismissed', 'snoozed', 'completed'])('accepts the action %s', (action) => {
    expect(TipFeedbackEvent.parse({ ...event, action }).action).toBe(action);
  });

  it('accepts the optional decision id and agent', () => {
    const full = { ...event, decision_id: '0b8f7d52-6f1e-4c3a-9d2e-5a7c1f0e9b41', agent: 'task-nudge' };
    expect(TipFeedbackEvent.parse(full)).toEqual(full);
  });

  it.each([
    ['an unknown action', { action: 'liked' }, ['action']],
    ['an upper-case action', { action: 'ACCEPTED' }, ['action']],
    ['an empty tip id', { tip_id: '' }, ['tip_id']],
    ['a tip id with a NUL', { tip_id: 'a\u0000' }, ['tip_id']],
    ['a bad decision id', { decision_id: '../d' }, ['decision_id']],
    ['a non-kebab agent', { agent: 'Task Nudge' }, ['agent']],
    ['a user id with unicode', { user_id: 'zoë' }, ['user_id']],
  ])('rejects %s', (_label, overrides, path) => {
    expect(paths({ ...event, ...overrides })).toEqual([path]);
  });
});
