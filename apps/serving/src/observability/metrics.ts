import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';

export interface ServingMetrics {
  readonly registry: Registry;
  readonly httpRequests: Counter<'method' | 'route' | 'status'>;
  readonly httpDuration: Histogram<'method' | 'route' | 'status'>;
  readonly decisions: Counter<'policy' | 'explored'>;
  readonly rewards: Counter<'policy' | 'duplicate'>;
  readonly shadowDecisions: Counter<'active' | 'shadow'>;
  readonly shadowAgreements: Counter<'active' | 'shadow'>;
  readonly shadowSkips: Counter<'active' | 'shadow' | 'reason'>;
  readonly shadowRewards: Counter<'active' | 'shadow'>;
  readonly stateStoreErrors: Counter<'backend' | 'kind'>;
}

// Scoring targets single-digit milliseconds (SPEC §9: extract at p99 > 50 ms), so the buckets are
// dense below 50 ms and sparse above.
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10];

/**
 * A registry per app rather than prom-client's global one: several apps in one process (tests,
 * or a host embedding the service) must not share or double-register counters.
 */
export function createMetrics(options: { defaultMetrics?: boolean } = {}): ServingMetrics {
  const registry = new Registry();
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });
  const registers = [registry];
  return {
    registry,
    httpRequests: new Counter({
      name: 'http_requests_total',
      help: 'HTTP requests by method, matched route pattern and status.',
      labelNames: ['method', 'route', 'status'] as const,
      registers,
    }),
    httpDuration: new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request latency by method, matched route pattern and status.',
      labelNames: ['method', 'route', 'status'] as const,
      buckets: LATENCY_BUCKETS,
      registers,
    }),
    decisions: new Counter({
      name: 'bandit_decisions_total',
      help: 'Scoring decisions by policy and whether ε-greedy explored.',
      labelNames: ['policy', 'explored'] as const,
      registers,
    }),
    rewards: new Counter({
      name: 'bandit_rewards_total',
      help: 'Rewards received by policy; duplicate="true" ones changed nothing.',
      labelNames: ['policy', 'duplicate'] as const,
      registers,
    }),
    // Shadow policies (ADR-0022). The overall apprentice match rate of a shadow is
    // bandit_shadow_agreements_total / bandit_shadow_decisions_total for the same labels.
    shadowDecisions: new Counter({
      name: 'bandit_shadow_decisions_total',
      help: 'Decisions a shadow policy made beside the active policy of the request.',
      labelNames: ['active', 'shadow'] as const,
      registers,
    }),
    shadowAgreements: new Counter({
      name: 'bandit_shadow_agreements_total',
      help: 'Shadow decisions that chose the same candidate as the active policy.',
      labelNames: ['active', 'shadow'] as const,
      registers,
    }),
    shadowSkips: new Counter({
      name: 'bandit_shadow_skipped_total',
      help: 'Requests on which a shadow policy could not decide, by reason (missing_profile_features).',
      labelNames: ['active', 'shadow', 'reason'] as const,
      registers,
    }),
    shadowRewards: new Counter({
      name: 'bandit_shadow_rewards_total',
      help: "Rewards of the active policy's decisions that also trained a shadow policy's model.",
      labelNames: ['active', 'shadow'] as const,
      registers,
    }),
    stateStoreErrors: new Counter({
      name: 'state_store_errors_total',
      help: 'State-store failures by backend and kind (unavailable, corrupt, unknown_schema_version).',
      labelNames: ['backend', 'kind'] as const,
      registers,
    }),
  };
}
