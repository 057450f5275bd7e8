// `pnpm bench` (through turbo) or `pnpm --filter @oo/bench bench -- [options]`. Runs the suites of
// issue 7 against apps/serving/dist/main.js and prints Markdown tables; the plot goes to docs/img.
// Servers listen on 127.0.0.1 only and every run is bounded in time. On a shared machine wrap it in
// `flock /tmp/bench.lock …` so two benchmark runs never overlap.
import { execFileSync } from 'node:child_process';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createScratchDir } from './backends.js';
import type { BenchOptions } from './bench-options.js';
import { runGrowthSuite } from './growth-suite.js';
import { log } from './log.js';
import { runMixSuite } from './mix-suite.js';
import { renderLatencyPlot } from './plot.js';
import { type BenchReport, describeMachine, renderReport } from './report.js';
import { runStateSuite } from './state-suite.js';

const HELP = `Usage: pnpm --filter @oo/bench bench -- [options]

  --quick             short runs (3 s measurements, 10,000 state users) to try the harness
  --duration <s>      duration of the open-loop run at the target rate (default 30)
  --rate <n>          target rate of that run, req/s (default 1000)
  --suites <list>     mix,growth,state (default: all)
  --backends <list>   file,redis (default: both)
  --workers <list>    serving processes per configuration (default: 1,<cores>)
  --state-users <n>   users of the state suite (default 100000)
  --serving <path>    the service's entry point, to measure another build
                      (default apps/serving/dist/main.js)
  --service-env <KEY=VALUE>
                      extra environment of every serving process; repeatable
                      (e.g. DECISION_LOG_CANDIDATES=false to compare a setting)
  --plot <path>       base path of the latency plot, without extension
                      (default docs/img/latency-vs-load; "none" to skip)
  --out <dir>         where the report (report.md) and raw results (results.json) are
                      written after each suite (default bench/results/tmp)
  --help`;

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');

function list(value: string | undefined, fallback: string[]): string[] {
  return value === undefined
    ? fallback
    : value
        .split(',')
        .map((item) => item.trim())
        .filter(Boolean);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    // `pnpm bench -- --quick` passes a literal `--` through turbo.
    args: process.argv.slice(2).filter((arg) => arg !== '--'),
    options: {
      quick: { type: 'boolean', default: false },
      duration: { type: 'string' },
      rate: { type: 'string' },
      suites: { type: 'string' },
      backends: { type: 'string' },
      workers: { type: 'string' },
      'state-users': { type: 'string' },
      plot: { type: 'string' },
      serving: { type: 'string' },
      'service-env': { type: 'string', multiple: true },
      out: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return;
  }
  const quick = values.quick ?? false;
  const cores = availableParallelism();
  const scratch = await createScratchDir();
  const options: BenchOptions = {
    suites: list(values.suites, ['mix', 'growth', 'state']) as BenchOptions['suites'],
    backends: list(values.backends, ['file', 'redis']) as BenchOptions['backends'],
    workers: list(values.workers, cores > 1 ? ['1', String(cores)] : ['1']).map(Number),
    rate: Number(values.rate ?? 1000),
    targetDurationMs: Number(values.duration ?? (quick ? 5 : 30)) * 1000,
    sweepRates: [250, 500, 1000, 1500, 2000, 3000, 4000],
    sweepDurationMs: quick ? 2_000 : 10_000,
    closedDurationMs: quick ? 3_000 : 15_000,
    warmupMs: quick ? 1_000 : 3_000,
    connections: 32,
    openConnections: 256,
    users: 1_000,
    stateUsers: Number(values['state-users'] ?? (quick ? 10_000 : 100_000)),
    growthDurationMs: quick ? 2_000 : 10_000,
    growthRate: 500,
    scratch,
    ...(values.serving === undefined ? {} : { servingMain: values.serving }),
    serviceEnv: parseServiceEnv(values['service-env'] ?? []),
  };
  for (const [name, value] of Object.entries({ rate: options.rate, duration: options.targetDurationMs })) {
    if (!(Number.isFinite(value) && value > 0)) throw new Error(`--${name} must be a positive number`);
  }

  const report: BenchReport = { machine: describeMachine(redisVersion()), options };
  const out = values.out ?? join(ROOT, 'bench/results/tmp');
  await mkdir(out, { recursive: true });
  // Written after every suite, so a run cut short keeps what it measured.
  const save = async () => {
    report.machine.loadAfter = loadavg().map((x) => Math.round(x * 100) / 100);
    await writeFile(join(out, 'results.json'), `${JSON.stringify(report, null, 2)}\n`);
    await writeFile(join(out, 'report.md'), renderReport(report));
  };
  log(`machine: ${JSON.stringify(report.machine)}`);
  try {
    if (options.suites.includes('mix')) {
      report.mix = { configs: [] };
      await runMixSuite(options, report.mix, save);
    }
    if (options.suites.includes('growth')) {
      report.growth = { rows: [], scoringCost: [] };
      await runGrowthSuite(options, report.growth, save);
    }
    if (options.suites.includes('state')) {
      report.state = [];
      await runStateSuite(options, report.state, save);
    }
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  await save();
  process.stdout.write(renderReport(report));
  log(`report: ${join(out, 'report.md')}, raw results: ${join(out, 'results.json')}`);
  const plot = values.plot ?? join(ROOT, 'docs/img/latency-vs-load');
  if (report.mix && plot !== 'none') {
    await renderLatencyPlot(
      report.mix,
      plot,
      `Latency of the issue 7 mix against offered load (${report.machine.cores} cores, ${report.machine.startedAt.slice(0, 10)})`,
    );
    log(`plot: ${plot}.svg, ${plot}.png`);
  }
}

function parseServiceEnv(pairs: readonly string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const pair of pairs) {
    const match = /^([A-Z_][A-Z0-9_]*)=(.*)$/s.exec(pair);
    if (match === null) throw new Error(`--service-env takes KEY=VALUE, got ${JSON.stringify(pair)}`);
    env[match[1]!] = match[2]!;
  }
  return env;
}

function redisVersion(): string {
  try {
    return execFileSync('redis-server', ['--version'], { encoding: 'utf8' }).split(' sha=')[0]!.trim();
  } catch {
    return 'redis-server not found';
  }
}

main().then(
  // autocannon and the http agents may hold timers a little longer; the run is over.
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
