import type { TipFeedbackEvent } from '@oo/contracts';
import type { HandlerContext, HandlerOutcome } from './context.js';

/** Tip reactions are logged for analysis; the reward itself reaches the bandit through HTTP. */
export async function handleTipFeedback(
  event: TipFeedbackEvent,
  ctx: HandlerContext,
): Promise<Extract<HandlerOutcome, 'logged' | 'duplicate'>> {
  if (ctx.seenFeedback.has(event.event_id)) return 'duplicate';
  ctx.logger.info(
    {
      event_id: event.event_id,
      user_id: event.user_id,
      occurred_at: event.occurred_at,
      tip_id: event.tip_id,
      action: event.action,
      decision_id: event.decision_id,
      agent: event.agent,
    },
    'tip feedback',
  );
  ctx.seenFeedback.add(event.event_id);
  return 'logged';
}
