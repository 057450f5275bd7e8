import { z } from 'zod';
import { claimId } from '../claim-id.js';

/**
 * Every error code the service emits, with the HTTP status it is sent with (SPEC §4). Clients
 * must treat an unknown code like the generic code of its status: new codes may be added.
 */
export const ERROR_CODES = {
  invalid_json: 400,
  // Transport-level refusals, answered before a request reaches any route: malformed HTTP, a
  // request not received in time, header fields over the server's limit.
  bad_request: 400,
  request_timeout: 408,
  headers_too_large: 431,
  unauthorized: 401,
  forbidden: 403,
  consent_required: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  validation_failed: 422,
  internal_error: 500,
  upstream_error: 502,
  state_unavailable: 503,
  // The process cannot take this work now (e.g. it already runs an off-policy evaluation);
  // `details.reason` says why and `Retry-After` when to retry. Not the store being down.
  service_busy: 503,
  state_corrupt: 503,
  upstream_timeout: 504,
} as const satisfies Record<string, number>;
export type ErrorCode = keyof typeof ERROR_CODES;

export const ErrorBody = z
  .object({
    error: z.object({
      // A string rather than an enum of ERROR_CODES: an older client must still be able to read
      // an error carrying a code added later.
      code: z
        .string()
        .min(1)
        .describe(`Machine-readable code, one of: ${Object.keys(ERROR_CODES).join(', ')}.`),
      message: z.string().describe('Human-readable explanation; never a stack trace.'),
      details: z
        .unknown()
        .optional()
        .describe('Structured context, e.g. the failing fields of a 422 or the missing consent of a 403.'),
    }),
  })
  .meta(claimId({ id: 'ErrorBody', description: 'The body of every non-2xx response.' }));
export type ErrorBody = z.infer<typeof ErrorBody>;
