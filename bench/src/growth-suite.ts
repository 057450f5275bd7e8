// How cost grows (issue 7): latency and throughput at 1, 10 and 100 candidates on each backend and
// on the bare ceiling; scoring cost at d = 5, 7 and 12, in process (the math alone) and over HTTP
// (score requests only).
import { join } from 'node:path';
import { createRng, decide, LinearModel, POLICIES, type PolicyId } from '@oo/bandit';
import { createBackend } from './backends.js';
import type { BenchOptions } from './bench-options.js';
import { type ClosedLoopResult, runClosedLoop } from './closed-loop.js';
import { log } from './log.js';
import { DEFAULT_MIX, Mix, type MixOptions } from './mix.js';
import { describeClosed, describeOpen, warmUp } from './mix-suite.js';
import { type OpenLoopResult, runOpenLoop } from './open-loop.js';
import { type RunningProcess, settle, startBareServer, startService } from './processes.js';
import { seedUsers } from './seed.js';

export interface GrowthRow {
  server: string;
  workers: number;
  /** What varies: `candidates` or `d`. */
  axis: 'candidates' | 'd';
  value: number;
  closed: ClosedLoopResult;
  open: OpenLoopResult;
}

export interface ScoringCost {
  policy: PolicyId;
  d: number;
  candidates: number;
  /** Microseconds per decision: load the model (Cholesky), encode the candidates, decide. */
  microseconds: number;
}

/** What a measurement needs of a server under test: the service or the bare ceiling. */
type Server = Pick<RunningProcess, 'url' | 'cpuMs'>;

export interface GrowthSuiteResult {
  rows: GrowthRow[];
  scoringCost: ScoringCost[];
}

const CANDIDATES = [1, 10, 100];
const PATHS: { path: string; policy: PolicyId }[] = [
  { path: '/score', policy: 'linucb-v1' },
  { path: '/score/egreedy', policy: 'egreedy-v1' },
  { path: '/score/egreedy/v2', policy: 'egreedy-v2' },
];

/** Fills `into` as it goes and calls `progress` after each measurement. */
export async function runGrowthSuite(
  options: BenchOptions,
  into: GrowthSuiteResult = { rows: [], scoringCost: [] },
  progress: () => Promise<void> = async () => {},
): Promise<GrowthSuiteResult> {
  const workers = Math.max(...options.workers);
  into.scoringCost = measureScoringCost();
  const { rows } = into;
  const measure = async (
    server: Server,
    name: string,
    axis: GrowthRow['axis'],
    value: number,
    mixOptions: MixOptions,
  ) => {
    const mix = new Mix(mixOptions);
    await warmUp(server.url, mix, { ...options, warmupMs: Math.min(options.warmupMs, 2_000) });
    const closed = await runClosedLoop({
      url: server.url,
      mix,
      connections: options.connections,
      durationMs: options.growthDurationMs,
      serverCpuMs: server.cpuMs,
    });
    await settle(server.url);
    const open = await runOpenLoop({
      url: server.url,
      mix,
      rate: options.growthRate,
      durationMs: options.growthDurationMs,
      connections: options.openConnections,
      timeoutMs: 10_000,
    });
    log(`  ${name} ${axis} = ${value}: closed ${describeClosed(closed)}`);
    log(`  ${name} ${axis} = ${value}: open ${describeOpen(open)}`);
    rows.push({ server: name, workers, axis, value, closed, open });
    await progress();
    await settle(server.url);
  };

  // The ceiling at each candidate count: what the HTTP stack and the generator allow with bodies
  // of that size, so the 100-candidate target is read against it.
  log(`bare ceiling, ${workers} process(es), by candidates`);
  const bare = await startBareServer(workers);
  try {
    for (const candidates of CANDIDATES) {
      await measure(bare, 'bare', 'candidates', candidates, { ...DEFAULT_MIX, candidates });
    }
  } finally {
    await bare.stop();
  }

  for (const name of options.backends) {
    const backend = await createBackend(name, options.scratch);
    try {
      await backend.reset();
      const seeder = backend.openStore();
      await seedUsers(seeder, options.users, (i) => `${DEFAULT_MIX.userPrefix}${i}`).finally(() =>
        seeder.close(),
      );
      const service = await startService({
        env: { ...backend.env(), ...options.serviceEnv, WEB_CONCURRENCY: String(workers) },
        logFile: join(options.scratch, `growth-${name}.log`),
      });
      try {
        for (const candidates of CANDIDATES) {
          await measure(service, name, 'candidates', candidates, { ...DEFAULT_MIX, candidates });
        }
        for (const { path, policy } of PATHS) {
          // Score requests only: the cost of d is in the decision, not in the reward.
          await measure(service, name, 'd', POLICIES[policy].d, {
            ...DEFAULT_MIX,
            scorePath: path,
            scoresPerReward: 0,
          });
        }
      } finally {
        await service.stop();
      }
    } finally {
      await backend.close();
    }
  }
  return into;
}

/** The math of one /score request in process, per policy, at 10 and 100 candidates. */
function measureScoringCost(): ScoringCost[] {
  const rng = createRng(7);
  const costs: ScoringCost[] = [];
  for (const { policy } of PATHS) {
    const spec = POLICIES[policy];
    const trained = LinearModel.create(spec.d, spec.defaults.lambda);
    const x = new Float64Array(spec.d).fill(0.5);
    for (let i = 0; i < 30; i++) {
      x[i % spec.d] = (i % 5) / 5;
      trained.update(x, (i % 3) - 1);
    }
    const json = trained.toJSON();
    for (const candidates of [10, 100]) {
      const now = new Date('2025-03-03T06:00:00Z');
      const tasks = Array.from({ length: candidates }, (_, i) => ({
        due_at: i % 2 === 0 ? '2025-03-01T00:00:00Z' : null,
        created_at: '2025-02-20T09:00:00Z',
        priority: ((i % 4) + 1) as 1 | 2 | 3 | 4,
      }));
      const ctx = { now, tz_offset_min: 60, profile_features: [0.5, 0.25, 0.75, 0.1, 0.9] };
      const once = () => {
        const model = LinearModel.fromJSON(json);
        const vectors = tasks.map((task) => spec.encode(task, ctx));
        return decide(spec, model, vectors, spec.defaults, rng).chosenIndex;
      };
      for (let i = 0; i < 2_000; i++) once();
      const iterations = candidates === 10 ? 20_000 : 4_000;
      const started = performance.now();
      let sink = 0;
      for (let i = 0; i < iterations; i++) sink += once();
      const elapsed = performance.now() - started;
      if (sink < 0) log('unreachable');
      costs.push({ policy, d: spec.d, candidates, microseconds: (elapsed * 1000) / iterations });
    }
  }
  return costs;
}
