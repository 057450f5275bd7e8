import { z } from 'zod';
import { claimId } from '../../claim-id.js';
import { opaqueId } from '../../primitives.js';
import { eventEnvelope } from './envelope.js';

export const FeedbackEvent = z
  .object({
    ...eventEnvelope,
    target: z.enum(['tip', 'nudge', 'app']),
    target_id: opaqueId('target_id').optional().describe('The tip or nudge rated; absent for the app.'),
    // A 1–5 rating scale rather than thumbs (-1..1): accept/dismiss already arrive as
    // signals.tip.feedback, so this stream carries the graded opinion.
    rating: z
      .int()
      .min(1, 'rating must be an integer 1–5')
      .max(5, 'rating must be an integer 1–5')
      .optional(),
    comment: z.string().max(2000, 'comment must be at most 2000 characters').optional(),
  })
  .meta(
    claimId({
      id: 'FeedbackEvent',
      description: 'feedback.> v1: explicit user feedback on a tip, a nudge or the app.',
    }),
  );
export type FeedbackEvent = z.infer<typeof FeedbackEvent>;
