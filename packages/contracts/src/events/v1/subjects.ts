import { FeedbackEvent } from './feedback.js';
import { TaskSyncedEvent } from './task-synced.js';
import { TipFeedbackEvent } from './tip-feedback.js';

/** The JetStream subjects of v1 events (SPEC §6). `feedback` is a filter: any `feedback.…` subject. */
export const EVENT_SUBJECTS = {
  taskSynced: 'signals.task.synced',
  tipFeedback: 'signals.tip.feedback',
  feedback: 'feedback.>',
} as const;

type EventSchema = typeof TaskSyncedEvent | typeof TipFeedbackEvent | typeof FeedbackEvent;

/**
 * The schema of the events published on `subject`, or null when v1 defines none. Every subject
 * below `feedback.` (one or more non-empty tokens) carries a FeedbackEvent.
 */
export function eventSchemaForSubject(subject: string): EventSchema | null {
  if (subject === EVENT_SUBJECTS.taskSynced) return TaskSyncedEvent;
  if (subject === EVENT_SUBJECTS.tipFeedback) return TipFeedbackEvent;
  const tokens = subject.split('.');
  if (tokens.length >= 2 && tokens[0] === 'feedback' && tokens.every(isSubjectToken)) return FeedbackEvent;
  return null;
}

// NATS subject tokens are non-empty and contain no whitespace.
function isSubjectToken(token: string): boolean {
  return token.length > 0 && !/\s/.test(token);
}
