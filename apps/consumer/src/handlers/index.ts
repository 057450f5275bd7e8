export type { HandlerContext, HandlerOutcome } from './context.js';
export { dispatchEvent } from './dispatch.js';
export { handleFeedback } from './feedback.js';
export { applyTaskSynced, handleTaskSynced } from './task-synced.js';
export { handleTipFeedback } from './tip-feedback.js';
