import { BanditError, ModelFormatError } from '@oo/bandit';
import type { ErrorBody } from '@oo/contracts';
import type { ErrorReporter, Logger } from '@oo/observability';
import {
  CorruptRecordError,
  InvalidUserIdError,
  StateError,
  StoreUnavailableError,
  UnknownSchemaVersionError,
} from '@oo/state';
import type { Context, ErrorHandler, NotFoundHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ZodError } from 'zod';
import { type FieldIssue, HttpError, RouteNotFoundError, ValidationError } from '../errors.js';
import type { ServingMetrics } from '../observability/metrics.js';
import type { RouteTable } from './route-table.js';

const MAX_ISSUES = 50;

/** nginx's "client closed request": not an HTTP status any client sees, only logs and metrics do. */
export const CLIENT_CLOSED_REQUEST = 499;

const TARGET_NAMES: Record<string, string> = {
  json: 'body',
  param: 'path',
  query: 'query',
  header: 'headers',
};

/** zod issues as `{ path: 'candidates.1.id', message }`, the field a client has to fix. */
export function toFieldIssues(error: ZodError, target: string): FieldIssue[] {
  return error.issues.slice(0, MAX_ISSUES).map((issue) => ({
    path: issue.path.length > 0 ? issue.path.map(String).join('.') : (TARGET_NAMES[target] ?? target),
    message: issue.message,
  }));
}

/** The `defaultHook` of every OpenAPI route: a schema violation becomes one 422 shape. */
export function validationHook(result: { success: boolean; error?: ZodError; target: string }): void {
  if (!result.success && result.error) throw new ValidationError(toFieldIssues(result.error, result.target));
}

function stateErrorKind(error: StateError): string {
  if (error instanceof StoreUnavailableError) return 'unavailable';
  if (error instanceof CorruptRecordError) return 'corrupt';
  if (error instanceof UnknownSchemaVersionError) return 'unknown_schema_version';
  return 'other';
}

/**
 * Maps what a library raised onto the HTTP error model. Anything not listed is a bug: it becomes
 * a 500 with a fixed message (never the error's own text or stack).
 */
export function toHttpError(error: unknown): HttpError | null {
  if (error instanceof HttpError) return error;
  if (error instanceof StoreUnavailableError) {
    return new HttpError('state_unavailable', 'the state store is unavailable; retry later');
  }
  if (error instanceof CorruptRecordError || error instanceof ModelFormatError) {
    return new HttpError('state_corrupt', "this user's state could not be read; it has been set aside");
  }
  if (error instanceof UnknownSchemaVersionError) {
    return new HttpError('state_corrupt', "this user's state was written by a newer version of the service");
  }
  if (error instanceof InvalidUserIdError) {
    return new ValidationError([{ path: 'user_id', message: 'user_id is not a valid user id' }]);
  }
  if (error instanceof BanditError) {
    // Dimension and finiteness checks of the model; the schemas catch these first, this is the
    // last line that keeps a bad vector out of A and b.
    return new ValidationError([{ path: 'features', message: error.message }]);
  }
  if (error instanceof HTTPException && error.status < 500) {
    if (error.status === 413) return new HttpError('payload_too_large', 'request body is too large');
    if (error.status === 415)
      return new HttpError('unsupported_media_type', 'content-type must be application/json');
    if (error.status === 400) return new HttpError('invalid_json', 'request body is not valid JSON');
  }
  return null;
}

export function errorResponse(c: Context, error: HttpError): Response {
  const body: ErrorBody = {
    error: {
      code: error.code,
      message: error.message,
      ...(error.details === undefined ? {} : { details: error.details }),
    },
  };
  const response = c.json(body, error.status);
  for (const [name, value] of Object.entries(error.headers ?? {})) response.headers.set(name, value);
  return response;
}

export interface ErrorHandlerDeps {
  logger: Logger;
  reporter: ErrorReporter;
  metrics: ServingMetrics;
  backend: string;
  routes: RouteTable;
}

/** The one place where errors become responses (app.onError and app.notFound). */
export function createErrorHandlers(deps: ErrorHandlerDeps): {
  onError: ErrorHandler;
  notFound: NotFoundHandler;
} {
  const onError: ErrorHandler = (error, c) => {
    // The client disconnected and the request's signal aborted the work in flight (the LLM
    // gateway call of POST /generate): no one reads this response, and the abort is not a bug.
    if (c.req.raw.signal.aborted && !(error instanceof HttpError)) {
      deps.logger.info({ err: error }, 'client closed the request');
      return new Response(null, { status: CLIENT_CLOSED_REQUEST });
    }
    if (error instanceof StateError) {
      deps.metrics.stateStoreErrors.inc({ backend: deps.backend, kind: stateErrorKind(error) });
    }
    const mapped = toHttpError(error);
    if (mapped) {
      if (mapped.status >= 500) deps.logger.warn({ err: error, code: mapped.code }, 'dependency error');
      return errorResponse(c, mapped);
    }
    deps.logger.error(
      { err: error, method: c.req.method, path: c.req.path.slice(0, 256) },
      'unhandled error',
    );
    deps.reporter.capture(error, { method: c.req.method, route: c.req.routePath });
    return errorResponse(c, new HttpError('internal_error', 'internal error'));
  };
  const notFound: NotFoundHandler = (c) => {
    const allow = deps.routes.allowedMethods(c.req.path);
    return errorResponse(c, new RouteNotFoundError(c.req.method, c.req.path, allow));
  };
  return { onError, notFound };
}
