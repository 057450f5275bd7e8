import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { POLICY_IDS } from '@oo/bandit';
import { createOoClient, OoClientError } from '@oo/client';
import type { CurveChartOptions, Series } from './charts.js';
import { DecisionLogWriter, decisionLogLine } from './decision-log.js';
import { SimulationError } from './errors.js';
import { httpPolicy } from './http-players.js';
import {
  isPolicyPlayer,
  parseSimulateArgs,
  reproducingCommand,
  type SimulateOptions,
  seedList,
  USAGE,
  UsageError,
} from './options.js';
import { type InProcessDecision, inProcessPolicy, ORACLE, type PlayerKind, UNIFORM } from './players.js';
import { createProgress } from './progress.js';
import { formatJson, markdownTable, type PlayerSummary, summarise } from './report.js';
import { runSimulation, type SimulationResult } from './run.js';
import { DEFAULT_START } from './world.js';

export interface SimulateIo {
  stdout: (line: string) => void;
  stderr: (line: string) => void;
  /** Relative --out paths resolve here (pnpm runs scripts in the package; INIT_CWD is the caller's). */
  cwd: string;
  /** Where the progress bar goes, or null for none (e.g. stdout is not a terminal). */
  progress: NodeJS.WritableStream | null;
}

const MS_PER_WEEK = 7 * 86_400_000;

/** Runs `pnpm simulate`; resolves to the process exit status. */
export async function runSimulateCli(argv: readonly string[], io: SimulateIo): Promise<number> {
  let options: SimulateOptions;
  try {
    options = parseSimulateArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr(`simulate: ${error.message}\nRun with --help for the options.`);
    return 2;
  }
  if (options.help) {
    io.stdout(USAGE);
    return 0;
  }
  try {
    await simulate(options, io);
    return 0;
  } catch (error) {
    if (error instanceof DecisionLogOpenError) {
      io.stderr(`simulate: ${error.message}`);
      return 1;
    }
    if (error instanceof OoClientError || error instanceof SimulationError) {
      io.stderr(`simulate: the service at ${options.url} failed: ${error.name}: ${error.message}`);
      return 1;
    }
    throw error;
  }
}

/** The files a run writes, relative to its output directory. */
export const OUTPUT_FILES = {
  reward: 'cumulative-reward',
  regret: 'regret',
  drift: 'regret-rate',
  table: 'results.md',
  json: 'results.json',
} as const;

class DecisionLogOpenError extends Error {}

function openDecisionLog(path: string): DecisionLogWriter {
  try {
    return new DecisionLogWriter(path);
  } catch (error) {
    throw new DecisionLogOpenError(
      `cannot write the decision log ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
}

async function simulate(options: SimulateOptions, io: SimulateIo): Promise<void> {
  const seeds = seedList(options);
  const command = reproducingCommand(options);
  const log = options.log === undefined ? undefined : openDecisionLog(resolve(io.cwd, options.log));
  try {
    await play(options, io, seeds, command, log);
  } finally {
    log?.close();
  }
}

async function play(
  options: SimulateOptions,
  io: SimulateIo,
  seeds: number[],
  command: string,
  log: DecisionLogWriter | undefined,
): Promise<void> {
  const onDecision =
    log === undefined ? undefined : (decision: InProcessDecision) => log.write(decisionLogLine(decision));
  const { players, startMs, mode, userIds } = await preparePlayers(options, onDecision);
  if (userIds !== undefined) io.stdout(`User ids on the service: ${userIds}`);
  const progress = createProgress(seeds.length * options.users * options.rounds, {
    enabled: !options.quiet && io.progress !== null,
    stream: io.progress ?? process.stderr,
    label: 'simulate',
  });
  let result: SimulationResult;
  try {
    result = await runSimulation({
      seeds,
      users: options.users,
      rounds: options.rounds,
      reward: options.reward,
      drift: options.drift,
      driftAt: options.driftAt,
      players,
      concurrency: options.url === undefined ? 1 : options.concurrency,
      ...(startMs === undefined ? {} : { startMs }),
      onRound: progress.tick,
    });
  } finally {
    progress.stop();
  }

  const out = resolve(io.cwd, options.out);
  await mkdir(out, { recursive: true });
  const summaries = summarise(result);
  const table = markdownTable(summaries, options.rounds);
  const caption = captionLines(options, seeds, mode, command);
  const charts = await writeCharts(result, options, caption, out);
  await writeFile(join(out, OUTPUT_FILES.table), resultsMarkdown(table, caption, charts), 'utf8');
  await writeFile(
    join(out, OUTPUT_FILES.json),
    formatJson(resultsJson(options, seeds, mode, command, summaries)),
    'utf8',
  );
  io.stdout(`${caption.join('\n')}\n\n${table}\n`);
  io.stdout(
    `Wrote ${[
      ...charts.flatMap((name) => [`${name}.svg`, `${name}.png`]),
      OUTPUT_FILES.table,
      OUTPUT_FILES.json,
    ]
      .map((name) => join(out, name))
      .join(', ')}`,
  );
  if (log !== undefined) {
    io.stdout(
      `Wrote the decision log ${log.path} (${log.lines} decisions); evaluate it with pnpm ope ${log.path}`,
    );
  }
}

async function preparePlayers(
  options: SimulateOptions,
  onDecision: ((decision: InProcessDecision) => void) | undefined,
): Promise<{ players: PlayerKind[]; startMs: number | undefined; mode: string; userIds?: string }> {
  const baselines = (id: string): PlayerKind => (id === 'uniform' ? UNIFORM : ORACLE);
  if (options.url === undefined) {
    const { gamma } = options;
    const logged = onDecision === undefined ? {} : { onDecision };
    // Each discounted variant plays right after its stationary policy, so the two sit together
    // in the table and the legend.
    const players = options.players.flatMap((id) =>
      !isPolicyPlayer(id)
        ? [baselines(id)]
        : gamma === undefined
          ? [inProcessPolicy(id, logged)]
          : [inProcessPolicy(id, logged), inProcessPolicy(id, { gamma, ...logged })],
    );
    return { players, startMs: undefined, mode: 'in-process (@oo/bandit)' };
  }
  const url = options.url;
  const client = createOoClient({ baseUrl: url, timeoutMs: 10_000 });
  const health = await client.health();
  if (!health.ok) throw new SimulationError('GET /health answered ok: false');
  // The service keeps one model per user id: fresh ids per run, so no run learns from another.
  const run = randomUUID().slice(0, 8);
  const userId = (seed: number, index: number) => `sim-${run}-s${seed}-u${index}`;
  const players = options.players.map((id) =>
    isPolicyPlayer(id) ? httpPolicy(client, id, userId) : baselines(id),
  );
  // Decisions can be rewarded until decision time + ttl_sec (SPEC §5), judged by the service's
  // clock: the world's clock moves forward by whole weeks to start after now, which keeps every
  // local hour and weekday, hence every feature, the same as in-process.
  const weeks = Math.max(0, Math.ceil((Date.now() - DEFAULT_START) / MS_PER_WEEK));
  return {
    players,
    startMs: DEFAULT_START + weeks * MS_PER_WEEK,
    mode: `HTTP (${url})`,
    userIds: `sim-${run}-s<seed>-u<index>`,
  };
}

function captionLines(options: SimulateOptions, seeds: number[], mode: string, command: string): string[] {
  const seedText = seeds.length === 1 ? `seed ${seeds[0]}` : `seeds ${seeds[0]}–${seeds.at(-1)}`;
  const drift =
    options.drift === 'none' ? 'no drift' : `${options.drift} drift at ${options.driftAt * 100} % of the run`;
  const band = seeds.length > 1 ? '; band: 95% CI over seeds' : '';
  return [
    `${options.users} users × ${options.rounds} decisions per seed, ${options.reward} rewards, ${drift}; ${mode}; ${seedText}${band}`,
    `$ ${command}`,
  ];
}

async function writeCharts(
  result: SimulationResult,
  options: SimulateOptions,
  caption: string[],
  out: string,
): Promise<string[]> {
  // Vega and resvg load only when there is something to draw, so --help and usage errors stay fast.
  const { curveChartSpec, renderChart, trailingRate } = await import('./charts.js');
  const marker =
    options.drift === 'none'
      ? undefined
      : { at: Math.round(options.driftAt * options.rounds), label: `${options.drift} drift` };
  const common = (title: string, yTitle: string): CurveChartOptions => ({
    title,
    yTitle,
    subtitle: caption,
    ...(marker === undefined ? {} : { marker }),
  });
  const rewardSeries: Series[] = result.players.map((p) => ({ id: p.id, perSeed: p.cumulativeReward }));
  const regretSeries: Series[] = result.players.map((p) => ({ id: p.id, perSeed: p.cumulativeRegret }));
  const charts: [string, ReturnType<typeof curveChartSpec>][] = [
    [
      OUTPUT_FILES.reward,
      curveChartSpec(rewardSeries, common('Cumulative reward per user', 'cumulative reward')),
    ],
    [
      OUTPUT_FILES.regret,
      curveChartSpec(regretSeries, common('Cumulative regret per user', 'cumulative regret')),
    ],
  ];
  if (options.drift !== 'none') {
    const window = Math.max(5, Math.round(options.rounds / 20));
    const rate: Series[] = regretSeries
      .filter((series) => series.id !== 'oracle')
      .map((series) => ({
        id: series.id,
        perSeed: series.perSeed.map((curve) => trailingRate(curve, window)),
      }));
    charts.push([
      OUTPUT_FILES.drift,
      curveChartSpec(
        rate,
        common(`Regret per decision (trailing mean over ${window} decisions)`, 'regret per decision'),
      ),
    ]);
  }
  for (const [name, spec] of charts) {
    const chart = await renderChart(spec);
    await writeFile(join(out, `${name}.svg`), chart.svg, 'utf8');
    await writeFile(join(out, `${name}.png`), chart.png);
  }
  return charts.map(([name]) => name);
}

function resultsMarkdown(table: string, caption: string[], charts: string[]): string {
  return [
    '# Simulation results',
    '',
    `${caption[0]}.`,
    '',
    '```sh',
    caption[1]!.slice(2),
    '```',
    '',
    'Means over seeds ± the half-width of the two-sided 95% Student-t interval. Regret is expected',
    'regret against the oracle, which knows the hidden model; "gap closed" is 1 − regret / regret of',
    'uniform random, computed per seed.',
    '',
    table,
    '',
    ...charts.map((name) => `![${name}](${name}.svg)`),
    '',
  ].join('\n');
}

function resultsJson(
  options: SimulateOptions,
  seeds: number[],
  mode: string,
  command: string,
  summaries: PlayerSummary[],
) {
  return {
    command,
    mode,
    seeds,
    users: options.users,
    rounds: options.rounds,
    reward: options.reward,
    drift: options.drift,
    drift_at: options.drift === 'none' ? null : options.driftAt,
    gamma: options.gamma ?? null,
    policies: POLICY_IDS.filter((id) => (options.players as string[]).includes(id)),
    players: summaries,
  };
}
