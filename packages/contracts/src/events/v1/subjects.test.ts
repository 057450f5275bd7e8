import { describe, expect, it } from 'vitest';
import { FeedbackEvent } from './feedback.js';
import { EVENT_SUBJECTS, eventSchemaForSubject } from './subjects.js';
import { TaskSyncedEvent } from './task-synced.js';
import { TipFeedbackEvent } from './tip-feedback.js';

describe('EVENT_SUBJECTS', () => {
  it('lists the v1 subjects of SPEC §6', () => {
    expect(EVENT_SUBJECTS).toEqual({
      taskSynced: 'signals.task.synced',
      tipFeedback: 'signals.tip.feedback',
      feedback: 'feedback.>',
    });
  });
});

describe('eventSchemaForSubject', () => {
  it.each([
    ['signals.task.synced', TaskSyncedEvent],
    ['signals.tip.feedback', TipFeedbackEvent],
    ['feedback.tip', FeedbackEvent],
    ['feedback.app.settings', FeedbackEvent],
    ['feedback.>', FeedbackEvent],
  ])('maps %s to its schema', (subject, schema) => {
    expect(eventSchemaForSubject(subject)).toBe(schema);
  });

  it.each([
    'feedback',
    'feedback.',
    'feedback..tip',
    'feedback.tip.',
    'feedback. tip',
    'signals.task',
    'signals.task.synced.extra',
    'signals.task.deleted',
    'signals.>',
    'Feedback.tip',
    'xfeedback.tip',
    '',
  ])('has no schema for %j', (subject) => {
    expect(eventSchemaForSubject(subject)).toBeNull();
  });

  it('returns a schema that validates the event of its subject', () => {
    const event = {
      event_id: 'e1',
      occurred_at: '2025-01-31T09:30:00Z',
      user_id: 'u1',
      target: 'nudge',
      rating: 4,
    };
    expect(eventSchemaForSubject('feedback.nudge')?.safeParse(event).success).toBe(true);
    expect(eventSchemaForSubject('signals.task.synced')?.safeParse(event).success).toBe(false);
  });
});
