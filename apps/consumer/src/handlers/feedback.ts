import type { FeedbackEvent } from '@oo/contracts';
import type { HandlerContext, HandlerOutcome } from './context.js';

/**
 * Explicit feedback is logged. The free-text comment is user content and stays out of the logs;
 * only whether there was one is recorded.
 */
export async function handleFeedback(
  subject: string,
  event: FeedbackEvent,
  ctx: HandlerContext,
): Promise<Extract<HandlerOutcome, 'logged' | 'duplicate'>> {
  if (ctx.seenFeedback.has(event.event_id)) return 'duplicate';
  ctx.logger.info(
    {
      subject,
      event_id: event.event_id,
      user_id: event.user_id,
      occurred_at: event.occurred_at,
      target: event.target,
      target_id: event.target_id,
      rating: event.rating,
      has_comment: event.comment !== undefined && event.comment.length > 0,
    },
    'feedback',
  );
  ctx.seenFeedback.add(event.event_id);
  return 'logged';
}
