import { describe, expect, it } from 'vitest';
import { FeedbackEvent } from './feedback.js';

const event = { event_id: 'evt-9', occurred_at: '2025-01-31T09:30:00Z', user_id: 'user-42', target: 'app' };

function paths(value: unknown) {
  return FeedbackEvent.safeParse(value).error?.issues.map((i) => i.path) ?? [];
}

describe('FeedbackEvent', () => {
  it('accepts a bare app feedback and a full tip rating', () => {
    expect(FeedbackEvent.parse(event)).toEqual(event);
    const full = { ...event, target: 'tip', target_id: 'tip-1', rating: 5, comment: 'Helpful.\nThanks!' };
    expect(FeedbackEvent.parse(full)).toEqual(full);
  });

  it.each([1, 2, 3, 4, 5])('accepts the rating %d', (rating) => {
    expect(paths({ ...event, rating })).toEqual([]);
  });

  it.each([0, 6, -1, 3.5, Number.NaN, '5'])('rejects the rating %j', (rating) => {
    expect(paths({ ...event, rating })).toEqual([['rating']]);
  });

  it('accepts a 2000-character comment and rejects a 2001-character one', () => {
    expect(paths({ ...event, comment: 'c'.repeat(2000) })).toEqual([]);
    expect(paths({ ...event, comment: 'c'.repeat(2001) })).toEqual([['comment']]);
  });

  it.each([
    ['an unknown target', { target: 'task' }, ['target']],
    ['a missing target', { target: undefined }, ['target']],
    ['an empty target id', { target_id: '' }, ['target_id']],
    ['an empty user id', { user_id: '' }, ['user_id']],
  ])('rejects %s', (_label, overrides, path) => {
    expect(paths({ ...event, ...overrides })).toEqual([path]);
  });
});
