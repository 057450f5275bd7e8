import { z } from 'zod';
import { claimId } from '../claim-id.js';
import { UserId } from '../ids.js';

export const ResetResponse = z
  .object({ user_id: UserId, reset: z.literal(true) })
  .meta(
    claimId({ id: 'ResetResponse', description: 'POST /reset/{user_id}: every record of the user is gone.' }),
  );
export type ResetResponse = z.infer<typeof ResetResponse>;
