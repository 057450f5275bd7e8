import type { BackendName } from './backends.js';

/** Everything a run is parameterised by; `cli.ts` fills it from the command line. */
export interface BenchOptions {
  /** Suites to run. */
  suites: readonly ('mix' | 'growth' | 'state')[];
  backends: readonly BackendName[];
  /** Serving processes per configuration: 1 and one per core. */
  workers: readonly number[];
  /** The target rate of the open-loop run (issue 7: 1,000 req/s for 30 s). */
  rate: number;
  targetDurationMs: number;
  /** Offered loads of the latency-vs-load sweep (the plot). */
  sweepRates: readonly number[];
  sweepDurationMs: number;
  closedDurationMs: number;
  /** Load before every measurement, discarded: JIT, connection set-up, caches. */
  warmupMs: number;
  /** Closed-loop clients. */
  connections: number;
  /** Most sockets the open-loop generator keeps open. */
  openConnections: number;
  /** Users seeded and driven by the mix. */
  users: number;
  /** Users of the state-size suite (issue 7: 100,000). */
  stateUsers: number;
  /** Duration of each cost-growth measurement. */
  growthDurationMs: number;
  /** Rate of the cost-growth open-loop runs (issue 7: 100 candidates at 500 req/s). */
  growthRate: number;
  scratch: string;
  /** The service's entry point, when measuring another build. @default apps/serving/dist/main.js */
  servingMain?: string;
  /** Extra environment of every serving process (`--service-env KEY=VALUE`), e.g. a setting to compare. */
  serviceEnv: Readonly<Record<string, string>>;
}
