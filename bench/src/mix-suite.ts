// Issue 7's main measurements: for each backend and process count, the service under the mix in
// closed loop (its throughput as a fraction of the bare ceiling's, measured in the same run) and in
// open loop (the 1,000 req/s target, and a sweep of offered loads for the plot).
import { join } from 'node:path';
import { type Backend, createBackend } from './backends.js';
import type { BenchOptions } from './bench-options.js';
import { type ClosedLoopResult, runClosedLoop } from './closed-loop.js';
import { log } from './log.js';
import { DEFAULT_MIX, Mix } from './mix.js';
import { type OpenLoopResult, runOpenLoop } from './open-loop.js';
import { type RunningProcess, settle, startBareServer, startService } from './processes.js';
import { seedUsers } from './seed.js';

export interface ConfigResult {
  /** `bare`, `file` or `redis`. */
  server: string;
  workers: number;
  startupMs: number;
  closed: ClosedLoopResult;
  /**
   * The open-loop run at the target rate; the bare server has one too, so that what the machine
   * and the generator allow at that rate is measured in the same run as the service.
   */
  target?: OpenLoopResult;
  sweep: OpenLoopResult[];
  rssAfterBytes: number;
}

export interface MixSuiteResult {
  configs: ConfigResult[];
}

/** Load that the harness throws away before measuring. */
export async function warmUp(url: string, mix: Mix, options: BenchOptions): Promise<void> {
  await runClosedLoop({ url, mix, connections: options.connections, durationMs: options.warmupMs });
  await settle(url);
}

/** Offered loads in increasing order, stopping once the server is clearly past saturation. */
export async function sweep(url: string, mix: Mix, options: BenchOptions, label: string) {
  const results: OpenLoopResult[] = [];
  for (const rate of options.sweepRates) {
    await settle(url);
    const result = await runOpenLoop({
      url,
      mix,
      rate,
      durationMs: options.sweepDurationMs,
      connections: options.openConnections,
      timeoutMs: 10_000,
    });
    log(`  ${label} open loop ${rate}/s: ${describeOpen(result)}`);
    results.push(result);
    if (result.latency.p99 > 1_000 || result.errors + result.non2xx > result.sent / 100) break;
  }
  return results;
}

export function describeOpen(r: OpenLoopResult): string {
  const f = (ms: number) => ms.toFixed(2);
  return (
    `${r.achieved.toFixed(0)}/s p50 ${f(r.latency.p50)} p90 ${f(r.latency.p90)} p99 ${f(r.latency.p99)} ` +
    `p99.9 ${f(r.latency.p999)} max ${f(r.latency.max)} ms, errors ${r.errors}, non-2xx ${r.non2xx}, ` +
    `generator lag p99 ${f(r.sendLag.p99)} ms`
  );
}

export function describeClosed(r: ClosedLoopResult): string {
  return (
    `${r.throughput.toFixed(0)}/s p50 ${r.latency.p50.toFixed(2)} p99 ${r.latency.p99.toFixed(2)} ms, ` +
    `server CPU ${r.serverCpuMicros.toFixed(0)} µs/response, ` +
    `errors ${r.errors + r.timeouts}, non-2xx ${r.non2xx}, ${r.meanResponseBytes.toFixed(0)} B/response`
  );
}

/** Fills `into` as it goes and calls `progress` after each configuration. */
export async function runMixSuite(
  options: BenchOptions,
  into: MixSuiteResult = { configs: [] },
  progress: () => Promise<void> = async () => {},
): Promise<MixSuiteResult> {
  const { configs } = into;
  const mix = new Mix(DEFAULT_MIX);
  for (const workers of options.workers) {
    log(`bare ceiling, ${workers} process(es)`);
    const bare = await startBareServer(workers);
    try {
      await warmUp(bare.url, mix, options);
      const closed = await runClosedLoop({
        url: bare.url,
        mix,
        connections: options.connections,
        durationMs: options.closedDurationMs,
        serverCpuMs: bare.cpuMs,
      });
      log(`  bare closed loop: ${describeClosed(closed)}`);
      await settle(bare.url);
      const target = await runTarget(bare.url, mix, options);
      log(
        `  bare target ${options.rate}/s for ${options.targetDurationMs / 1000} s: ${describeOpen(target)}`,
      );
      const curve = await sweep(bare.url, mix, options, 'bare');
      configs.push({
        server: 'bare',
        workers,
        startupMs: bare.startupMs,
        closed,
        target,
        sweep: curve,
        rssAfterBytes: bare.rss(),
      });
      await progress();
    } finally {
      await bare.stop();
    }

    for (const name of options.backends) {
      const backend = await createBackend(name, options.scratch);
      try {
        configs.push(await measureService(backend, workers, mix, options));
        await progress();
      } finally {
        await backend.close();
      }
    }
  }
  return into;
}

/** The open-loop run at the target rate and duration. */
function runTarget(url: string, mix: Mix, options: BenchOptions): Promise<OpenLoopResult> {
  return runOpenLoop({
    url,
    mix,
    rate: options.rate,
    durationMs: options.targetDurationMs,
    connections: options.openConnections,
    timeoutMs: 10_000,
  });
}

async function measureService(
  backend: Backend,
  workers: number,
  mix: Mix,
  options: BenchOptions,
): Promise<ConfigResult> {
  log(`${backend.name} store, ${workers} process(es): seeding ${options.users} users`);
  await backend.reset();
  const seeder = backend.openStore();
  try {
    await seedUsers(seeder, options.users, (i) => mix.userId(i));
  } finally {
    await seeder.close();
  }
  const service: RunningProcess = await startService({
    env: { ...backend.env(), ...options.serviceEnv, WEB_CONCURRENCY: String(workers) },
    logFile: join(options.scratch, `serving-${backend.name}-${workers}.log`),
    ...(options.servingMain === undefined ? {} : { main: options.servingMain }),
  });
  try {
    await warmUp(service.url, mix, options);
    const closed = await runClosedLoop({
      url: service.url,
      mix,
      connections: options.connections,
      durationMs: options.closedDurationMs,
      serverCpuMs: service.cpuMs,
    });
    log(`  ${backend.name} closed loop: ${describeClosed(closed)}`);
    await settle(service.url);
    const target = await runTarget(service.url, mix, options);
    log(
      `  ${backend.name} target ${options.rate}/s for ${options.targetDurationMs / 1000} s: ${describeOpen(target)}`,
    );
    const curve = await sweep(service.url, mix, options, backend.name);
    return {
      server: backend.name,
      workers,
      startupMs: service.startupMs,
      closed,
      target,
      sweep: curve,
      rssAfterBytes: service.rss(),
    };
  } finally {
    await service.stop();
  }
}
