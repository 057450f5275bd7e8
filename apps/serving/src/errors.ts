import { ERROR_CODES, type ErrorCode } from '@oo/contracts';

export interface FieldIssue {
  /** Dotted path of the offending field, e.g. `candidates.1.id`; the target name for the whole body. */
  path: string;
  message: string;
}

/**
 * An error with an HTTP meaning. The status always comes from `ERROR_CODES` (@oo/contracts), so a
 * code and its status cannot disagree between the service, its clients and the OpenAPI document.
 */
export class HttpError extends Error {
  override readonly name: string = 'HttpError';
  readonly status: (typeof ERROR_CODES)[ErrorCode];
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
    readonly headers?: Readonly<Record<string, string>>,
  ) {
    super(message);
    this.status = ERROR_CODES[code];
  }
}

export class MalformedJsonError extends HttpError {
  override readonly name = 'MalformedJsonError';
  constructor() {
    super('invalid_json', 'request body is not valid JSON');
  }
}

export class UnsupportedMediaTypeError extends HttpError {
  override readonly name = 'UnsupportedMediaTypeError';
  constructor(contentType: string | undefined) {
    super(
      'unsupported_media_type',
      contentType
        ? `content-type must be application/json, got ${JSON.stringify(contentType.slice(0, 100))}`
        : 'content-type must be application/json',
    );
  }
}

export class PayloadTooLargeError extends HttpError {
  override readonly name = 'PayloadTooLargeError';
  constructor(limit: number) {
    super('payload_too_large', `request body exceeds ${limit} bytes`, { max_bytes: limit });
  }
}

export class ValidationError extends HttpError {
  override readonly name = 'ValidationError';
  constructor(readonly issues: readonly FieldIssue[]) {
    const first = issues[0];
    super(
      'validation_failed',
      first ? `${first.path}: ${first.message}` : 'request failed validation',
      issues.map((issue) => ({ path: issue.path, message: issue.message })),
    );
  }
}

export class RouteNotFoundError extends HttpError {
  override readonly name = 'RouteNotFoundError';
  constructor(method: string, path: string, allow: readonly string[] = []) {
    super(
      'not_found',
      allow.length > 0
        ? `${method} is not supported here; use ${allow.join(' or ')}`
        : `no route for ${method} ${path.slice(0, 200)}`,
      allow.length > 0 ? { allow } : undefined,
      allow.length > 0 ? { allow: allow.join(', ') } : undefined,
    );
  }
}

/** Why a reward's `decision_id` cannot be applied; carried in `details.reason`. */
export type DecisionProblem = 'decision_not_found' | 'decision_expired';

export class DecisionNotFoundError extends HttpError {
  override readonly name = 'DecisionNotFoundError';
  constructor(
    readonly reason: DecisionProblem,
    decisionId: string,
    expiresAt?: string,
  ) {
    super(
      'not_found',
      reason === 'decision_expired'
        ? `decision ${decisionId} expired at ${expiresAt}`
        : `decision ${decisionId} is not in this user's decision log`,
      { reason, decision_id: decisionId, ...(expiresAt ? { expires_at: expiresAt } : {}) },
    );
  }
}

export class PolicyMismatchError extends HttpError {
  override readonly name = 'PolicyMismatchError';
  constructor(decisionId: string, decisionPolicy: string, routePolicy: string) {
    super('conflict', `decision ${decisionId} was made by ${decisionPolicy}, not ${routePolicy}`, {
      reason: 'policy_mismatch',
      decision_policy: decisionPolicy,
      route_policy: routePolicy,
    });
  }
}

export type AuthProblem = 'admin_disabled' | 'missing_token' | 'invalid_token';

export class AdminAuthError extends HttpError {
  override readonly name = 'AdminAuthError';
  constructor(readonly reason: AuthProblem) {
    super(
      reason === 'missing_token' ? 'unauthorized' : 'forbidden',
      reason === 'admin_disabled'
        ? 'admin endpoints are disabled (ADMIN_TOKEN is not set)'
        : reason === 'missing_token'
          ? 'an admin bearer token is required'
          : 'the admin token is not valid',
      { reason },
      // RFC 6750 §3: a 401 for a bearer-protected resource names the scheme.
      reason === 'missing_token' ? { 'www-authenticate': 'Bearer realm="oo-bandit-admin"' } : undefined,
    );
  }
}
