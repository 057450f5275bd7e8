export { FeedbackEvent } from './feedback.js';
export { EVENT_SUBJECTS, eventSchemaForSubject } from './subjects.js';
export { TaskSyncedEvent } from './task-synced.js';
export { TipFeedbackEvent } from './tip-feedback.js';
