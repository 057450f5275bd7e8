import { UserId } from '@oo/contracts';
import { z } from 'zod';

/** The `{user_id}` path parameter, validated by the same schema as bodies before any store call. */
export const UserParam = z.object({ user_id: UserId });
