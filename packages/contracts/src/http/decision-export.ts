import { z } from 'zod';
import { claimId } from '../claim-id.js';
import { UserId } from '../ids.js';

export const DecisionExportQuery = z
  .object({
    user_id: UserId.optional().describe("Export this user's decisions only; absent: every user's."),
  })
  .meta(
    claimId({
      id: 'DecisionExportQuery',
      description:
        'GET /admin/decisions query: which decision log to export as NDJSON DecisionLogLine lines (docs/decision-log-format.md).',
    }),
  );
export type DecisionExportQuery = z.infer<typeof DecisionExportQuery>;
