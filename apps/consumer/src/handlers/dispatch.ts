import { eventSchemaForSubject, FeedbackEvent, TaskSyncedEvent, TipFeedbackEvent } from '@oo/contracts';
import type { z } from 'zod';
import { InvalidPayloadError } from '../errors.js';
import type { HandlerContext, HandlerOutcome } from './context.js';
import { handleFeedback } from './feedback.js';
import { handleTaskSynced } from './task-synced.js';
import { handleTipFeedback } from './tip-feedback.js';

const MAX_ISSUES_REPORTED = 5;

function describeIssues(error: z.ZodError): string {
  const issues = error.issues.slice(0, MAX_ISSUES_REPORTED).map((issue) => {
    const path = issue.path.length > 0 ? issue.path.join('.') : '(event)';
    return `${path}: ${issue.message}`;
  });
  const more = error.issues.length - issues.length;
  return `invalid event: ${issues.join('; ')}${more > 0 ? `; and ${more} more` : ''}`;
}

function parsePayload<S extends z.ZodType>(schema: S, data: Uint8Array): z.infer<S> {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(data));
  } catch {
    throw new InvalidPayloadError('payload is not UTF-8 JSON');
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new InvalidPayloadError(describeIssues(parsed.error));
  return parsed.data;
}

/**
 * Validates a message against the v1 schema of its subject and runs its handler. Throws
 * `InvalidPayloadError` for a payload that does not validate, and lets store errors through: both
 * are retried, then dead-lettered, by the caller.
 */
export async function dispatchEvent(
  subject: string,
  data: Uint8Array,
  ctx: HandlerContext,
): Promise<HandlerOutcome> {
  const schema = eventSchemaForSubject(subject);
  if (schema === null) {
    ctx.logger.warn({ subject }, 'no v1 event schema for this subject; acked without handling');
    return 'ignored';
  }
  if (schema === TaskSyncedEvent) return handleTaskSynced(parsePayload(TaskSyncedEvent, data), ctx);
  if (schema === TipFeedbackEvent) return handleTipFeedback(parsePayload(TipFeedbackEvent, data), ctx);
  if (schema === FeedbackEvent) return handleFeedback(subject, parsePayload(FeedbackEvent, data), ctx);
  ctx.logger.warn({ subject }, 'no handler for this subject’s schema; acked without handling');
  return 'ignored';
}
