import { type ERROR_CODES, ErrorBody, type ErrorCode } from '@oo/contracts';
import type { ZodType } from 'zod';

export function jsonContent<S extends ZodType>(schema: S, description: string) {
  return { description, content: { 'application/json': { schema } } };
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Malformed JSON (`invalid_json`).',
  401: 'Missing bearer token (`unauthorized`).',
  403: 'Wrong token, or admin endpoints disabled (`forbidden`).',
  404: 'Unknown or expired decision, or unknown route (`not_found`; `details.reason` tells which).',
  409: 'The decision belongs to another policy (`conflict`, `details.reason: policy_mismatch`).',
  413: 'Body over MAX_BODY_BYTES (`payload_too_large`).',
  415: 'Content-Type is not application/json (`unsupported_media_type`).',
  422: 'Schema violation; `details` lists each failing field (`validation_failed`).',
  500: 'A bug; the body never carries a stack trace (`internal_error`).',
  502: 'The LLM gateway failed, could not be reached or sent an unusable answer (`upstream_error`; `details.reason` tells which).',
  503: 'The state store is unavailable or a record is unreadable (`state_unavailable`, `state_corrupt`).',
  504: 'The LLM gateway did not answer within LITELLM_TIMEOUT_MS (`upstream_timeout`).',
};

type ErrorStatus = (typeof ERROR_CODES)[ErrorCode];

/** Documented error responses of a route, all with the one `ErrorBody` shape. */
export function errorResponses<const S extends readonly ErrorStatus[]>(...statuses: S) {
  const responses = {} as Record<S[number], ReturnType<typeof jsonContent<typeof ErrorBody>>>;
  for (const status of [...statuses, 500 as const]) {
    (responses as Record<number, unknown>)[status] = jsonContent(ErrorBody, STATUS_TEXT[status] ?? 'Error.');
  }
  return responses;
}

/** The errors every route that reads a JSON body can answer. */
export const JSON_BODY_ERRORS = [400, 413, 415, 422] as const;
