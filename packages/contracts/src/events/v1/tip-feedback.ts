import { z } from 'zod';
import { claimId } from '../../claim-id.js';
import { DecisionId } from '../../ids.js';
import { AgentId } from '../../manifest.js';
import { opaqueId } from '../../primitives.js';
import { eventEnvelope } from './envelope.js';

export const TipFeedbackEvent = z
  .object({
    ...eventEnvelope,
    tip_id: opaqueId('tip_id').describe('The tip or nudge acted on (a TipCandidate id or a candidate id).'),
    action: z.enum(['accepted', 'dismissed', 'snoozed', 'completed']),
    decision_id: DecisionId.optional().describe('The decision that showed the tip, for task nudges.'),
    agent: AgentId.optional().describe('The agent that produced the tip.'),
  })
  .meta(
    claimId({
      id: 'TipFeedbackEvent',
      description: 'signals.tip.feedback v1: how the user reacted to a tip.',
    }),
  );
export type TipFeedbackEvent = z.infer<typeof TipFeedbackEvent>;
