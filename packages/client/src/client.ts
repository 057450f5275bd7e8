import {
  AgentRegistryResponse,
  ErrorBody,
  FeaturesResponse,
  type GenerateRequest,
  GenerateResponse,
  HealthResponse,
  type PolicyId,
  ResetResponse,
  type RewardRequest,
  RewardResponse,
  type ScoreRequest,
  type ScoreRequestWithProfile,
  ScoreResponse,
  SilencedResponse,
  StatsResponse,
  UserId,
} from '@oo/contracts';
import {
  OoApiError,
  OoInvalidArgumentError,
  OoInvalidResponseError,
  OoNetworkError,
  OoTimeoutError,
} from './errors.js';

// What a caller may send: the schema's input type, so fields with defaults (`n`,
// `tz_offset_min`) stay optional. This is zod's own definition of `z.input`, written out so the
// client does not need zod itself (its schemas come from @oo/contracts).
type Input<S> = S extends { _zod: { input: infer I } } ? I : never;

export type ScoreBody = Input<typeof ScoreRequest>;
export type ScoreWithProfileBody = Input<typeof ScoreRequestWithProfile>;
export type RewardBody = Input<typeof RewardRequest>;
export type GenerateBody = Input<typeof GenerateRequest>;

/** `egreedy-v2` needs the caller's profile features (SPEC §2); the others accept them unused. */
export type ScoreBodyFor<P extends PolicyId> = P extends 'egreedy-v2' ? ScoreWithProfileBody : ScoreBody;

/** Endpoint suffix of each policy (SPEC §2): `/score`, `/score/egreedy`, `/score/egreedy/v2`. */
export const POLICY_PATHS: Readonly<Record<PolicyId, string>> = Object.freeze({
  'linucb-v1': '',
  'egreedy-v1': '/egreedy',
  'egreedy-v2': '/egreedy/v2',
});

export interface OoClientOptions {
  /** The service's base URL, e.g. `http://oo-bandit:8000`. */
  baseUrl: string;
  /** Per request, body included. @default 10000 */
  timeoutMs?: number;
  /** @default globalThis.fetch */
  fetch?: typeof fetch;
  /** Sent with every request, e.g. a `traceparent`. */
  headers?: Readonly<Record<string, string>>;
}

export interface RequestOptions {
  /** Aborts the request; the client then rethrows the signal's reason. */
  signal?: AbortSignal;
  /** Overrides the client's `timeoutMs` for this call. */
  timeoutMs?: number;
}

/**
 * Every method resolves to the response body, validated against its `@oo/contracts` schema, or
 * throws an `OoClientError`: `OoApiError` (the service's error shape), `OoTimeoutError`,
 * `OoNetworkError`, `OoInvalidResponseError` or `OoInvalidArgumentError`.
 */
export interface OoClient {
  score<P extends PolicyId>(
    policy: P,
    body: ScoreBodyFor<P>,
    options?: RequestOptions,
  ): Promise<ScoreResponse>;
  reward(policy: PolicyId, body: RewardBody, options?: RequestOptions): Promise<RewardResponse>;
  stats(policy: PolicyId, userId: string, options?: RequestOptions): Promise<StatsResponse>;
  features(userId: string, options?: RequestOptions): Promise<FeaturesResponse>;
  reset(userId: string, adminToken: string, options?: RequestOptions): Promise<ResetResponse>;
  /** Resolves for 200 and for 503 (`ok: false`): an unhealthy service is an answer, not an error. */
  health(options?: RequestOptions): Promise<HealthResponse>;
  agentsRegistry(options?: RequestOptions): Promise<AgentRegistryResponse>;
  generate(body: GenerateBody, options?: RequestOptions): Promise<GenerateResponse | SilencedResponse>;
}

interface Schema<T> {
  safeParse(
    value: unknown,
  ): { success: true; data: T } | { success: false; error: { issues: readonly Issue[] } };
}
interface Issue {
  path: readonly PropertyKey[];
  message: string;
}

interface Call<T> {
  method: 'GET' | 'POST';
  path: string;
  body?: unknown;
  headers?: Record<string, string>;
  schema: Schema<T>;
  /** Non-2xx statuses whose body is still a valid answer (health's 503). */
  acceptStatuses?: readonly number[];
}

const MAX_ISSUES = 10;

export function createOoClient(options: OoClientOptions): OoClient {
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const defaultTimeoutMs = options.timeoutMs ?? 10_000;
  const fetchImpl = options.fetch ?? globalThis.fetch;

  async function call<T>(spec: Call<T>, requestOptions: RequestOptions = {}): Promise<T> {
    const timeoutMs = requestOptions.timeoutMs ?? defaultTimeoutMs;
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = requestOptions.signal ? AbortSignal.any([timeout, requestOptions.signal]) : timeout;
    const headers: Record<string, string> = {
      accept: 'application/json',
      ...options.headers,
      ...spec.headers,
    };
    if (spec.body !== undefined) headers['content-type'] = 'application/json';

    let status = 0;
    let text: string;
    try {
      const response = await fetchImpl(`${baseUrl}${spec.path}`, {
        method: spec.method,
        headers,
        ...(spec.body === undefined ? {} : { body: JSON.stringify(spec.body) }),
        signal,
      });
      status = response.status;
      text = await response.text();
    } catch (error) {
      if (timeout.aborted) throw new OoTimeoutError(timeoutMs);
      if (signal.aborted) throw signal.reason;
      throw new OoNetworkError(`${spec.method} ${spec.path}: ${(error as Error).message}`, { cause: error });
    }

    let json: unknown;
    try {
      json = text.length === 0 ? undefined : JSON.parse(text);
    } catch {
      throw new OoInvalidResponseError(
        status,
        `${spec.method} ${spec.path}: HTTP ${status} with a body that is not JSON`,
      );
    }

    if ((status >= 200 && status < 300) || spec.acceptStatuses?.includes(status)) {
      const parsed = spec.schema.safeParse(json);
      if (parsed.success) return parsed.data;
      throw invalidBody(spec, status, parsed.error.issues);
    }
    const error = ErrorBody.safeParse(json);
    if (error.success) {
      throw new OoApiError(status, error.data.error.code, error.data.error.message, error.data.error.details);
    }
    throw new OoInvalidResponseError(
      status,
      `${spec.method} ${spec.path}: HTTP ${status} without the error shape`,
    );
  }

  // async methods: an argument the client refuses rejects the promise like every other failure.
  return {
    score: async (policy, body, requestOptions) =>
      call(
        { method: 'POST', path: `/score${policyPath(policy)}`, body, schema: ScoreResponse },
        requestOptions,
      ),
    reward: async (policy, body, requestOptions) =>
      call(
        { method: 'POST', path: `/reward${policyPath(policy)}`, body, schema: RewardResponse },
        requestOptions,
      ),
    stats: async (policy, userId, requestOptions) =>
      call(
        { method: 'GET', path: `/stats${policyPath(policy)}/${userSegment(userId)}`, schema: StatsResponse },
        requestOptions,
      ),
    features: async (userId, requestOptions) =>
      call(
        { method: 'GET', path: `/features/${userSegment(userId)}`, schema: FeaturesResponse },
        requestOptions,
      ),
    reset: async (userId, adminToken, requestOptions) =>
      call(
        {
          method: 'POST',
          path: `/reset/${userSegment(userId)}`,
          headers: { authorization: `Bearer ${adminToken}` },
          schema: ResetResponse,
        },
        requestOptions,
      ),
    health: (requestOptions) =>
      call({ method: 'GET', path: '/health', schema: HealthResponse, acceptStatuses: [503] }, requestOptions),
    agentsRegistry: (requestOptions) =>
      call({ method: 'GET', path: '/agents/registry', schema: AgentRegistryResponse }, requestOptions),
    generate: (body, requestOptions) =>
      call({ method: 'POST', path: '/generate', body, schema: GenerateAnswer }, requestOptions),
  };
}

// POST /generate answers one of two shapes; `silenced` tells them apart.
const GenerateAnswer: Schema<GenerateResponse | SilencedResponse> = {
  safeParse: (value) =>
    typeof value === 'object' && value !== null && 'silenced' in value
      ? SilencedResponse.safeParse(value)
      : GenerateResponse.safeParse(value),
};

function policyPath(policy: PolicyId): string {
  if (!Object.hasOwn(POLICY_PATHS, policy)) {
    throw new OoInvalidArgumentError(`unknown policy ${JSON.stringify(String(policy).slice(0, 64))}`);
  }
  return POLICY_PATHS[policy];
}

// A user id becomes a path segment: `..` or `a/b` would address another endpoint. The service's
// own rule (no leading `.`, no `/`) makes every valid id a safe segment.
function userSegment(userId: string): string {
  if (!UserId.safeParse(userId).success) {
    throw new OoInvalidArgumentError(
      "user id must be 1–128 characters of [A-Za-z0-9._:@-], not starting with '.'",
    );
  }
  return encodeURIComponent(userId);
}

function invalidBody(spec: Call<unknown>, status: number, issues: readonly Issue[]): OoInvalidResponseError {
  const described = issues
    .slice(0, MAX_ISSUES)
    .map(
      (issue) => `${issue.path.length > 0 ? issue.path.map(String).join('.') : '(root)'}: ${issue.message}`,
    );
  return new OoInvalidResponseError(
    status,
    `${spec.method} ${spec.path}: the response does not match the contract (${described.join('; ')})`,
    described,
  );
}
