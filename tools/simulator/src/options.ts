import { parseArgs } from 'node:util';
import { isPolicyId, POLICY_IDS } from '@oo/bandit';
import { BASELINE_IDS } from './players.js';
import type { DriftKind } from './population.js';
import type { RewardKind } from './world.js';

export const PLAYER_IDS = [...POLICY_IDS, ...BASELINE_IDS] as const;
export type PlayerId = (typeof PLAYER_IDS)[number];

export const USAGE = `Usage: pnpm simulate [options]

Plays a seeded synthetic population against the bandit policies (linucb-v1, egreedy-v1,
egreedy-v2 with their default parameters), uniform random and the oracle; writes cumulative-reward
and regret charts (SVG and PNG) and a Markdown table of final figures with 95% CIs over seeds.

Options:
  --seed N          first seed (default 1); seeds N, N+1, …, N+S−1 are played
  --seeds S         number of seeds, one population each (default 5; ≥ 2 for intervals)
  --users U         users per seed (default 20)
  --rounds T        decisions per user (default 500)
  --policies LIST   comma-separated players (default: ${PLAYER_IDS.join(',')})
  --reward KIND     bernoulli (default) or bounded (uniform around the hidden mean, in [0, 1])
  --drift KIND      none (default), abrupt or gradual: task preferences change during the run
  --drift-at F      where the drift happens, as a fraction of the rounds (default 0.5)
  --gamma G         also play each policy with forgetting factor G in (0, 1) (discounted ridge,
                    ADR-0021), as "<policy> γ=G", beside the stationary one; in-process only
  --url URL         play the policies over HTTP against a running service instead of in-process
  --concurrency N   users played at once over HTTP (default 4)
  --out DIR         where to write the charts and tables (default ./simulation)
  --log FILE        also write every decision of the in-process policies to FILE as a decision
                    log (NDJSON, docs/decision-log-format.md), for pnpm ope; not with --url
  --quiet           no progress bar (it is also off when stdout is not a terminal)
  -h, --help        this text

Exit status: 0 done, 1 the run failed (e.g. the service refused a request), 2 usage error.`;

export interface SimulateOptions {
  seed: number;
  seeds: number;
  users: number;
  rounds: number;
  players: PlayerId[];
  reward: RewardKind;
  drift: DriftKind;
  driftAt: number;
  /** Forgetting factor of the discounted variants; none are played when absent. */
  gamma?: number;
  url?: string;
  concurrency: number;
  out: string;
  /** Where to write the decision log of the in-process policies; none when absent. */
  log?: string;
  quiet: boolean;
  help: boolean;
}

export class UsageError extends Error {}

function integer(
  value: string | undefined,
  fallback: number,
  name: string,
  min: number,
  max: number,
): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!/^-?\d+$/.test(value) || !Number.isSafeInteger(n) || n < min || n > max) {
    throw new UsageError(`--${name} must be an integer in [${min}, ${max}], got ${JSON.stringify(value)}`);
  }
  return n;
}

function oneOf<T extends string>(
  value: string | undefined,
  allowed: readonly T[],
  name: string,
): T | undefined {
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) {
    throw new UsageError(`--${name} must be one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`);
  }
  return value as T;
}

/** Parses and checks the command line; throws UsageError with a message that names the option. */
export function parseSimulateArgs(argv: readonly string[]): SimulateOptions {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (positionals.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}`);
  const players = (values.policies ?? PLAYER_IDS.join(','))
    .split(',')
    .map((id) => id.trim())
    .filter((id) => id.length > 0);
  if (players.length === 0) throw new UsageError('--policies names no player');
  for (const id of players) {
    if (!(PLAYER_IDS as readonly string[]).includes(id)) {
      throw new UsageError(
        `--policies: unknown player ${JSON.stringify(id)} (known: ${PLAYER_IDS.join(', ')})`,
      );
    }
  }
  if (new Set(players).size !== players.length) throw new UsageError('--policies names a player twice');
  const driftAt = values['drift-at'] === undefined ? 0.5 : Number(values['drift-at']);
  if (!(driftAt > 0 && driftAt < 1)) {
    throw new UsageError(`--drift-at must be a number in (0, 1), got ${JSON.stringify(values['drift-at'])}`);
  }
  let gamma: number | undefined;
  if (values.gamma !== undefined) {
    gamma = Number(values.gamma);
    if (!/^0?\.\d+$/.test(values.gamma) || !(gamma > 0 && gamma < 1)) {
      throw new UsageError(
        `--gamma must be a decimal in (0, 1), e.g. 0.99, got ${JSON.stringify(values.gamma)}`,
      );
    }
    if (!players.some((id) => isPolicyId(id))) throw new UsageError('--gamma needs a policy in --policies');
  }
  let url: string | undefined;
  if (values.url !== undefined) {
    try {
      const parsedUrl = new URL(values.url);
      if (parsedUrl.protocol !== 'http:' && parsedUrl.protocol !== 'https:') throw new Error('protocol');
      url = values.url;
    } catch {
      throw new UsageError(`--url must be an http(s) URL, got ${JSON.stringify(values.url)}`);
    }
    // Over HTTP the service's own configuration decides whether its models forget.
    if (gamma !== undefined)
      throw new UsageError('--gamma plays in-process only; it cannot be used with --url');
    // Over HTTP the decisions are the service's: its own decision log holds them.
    if (values.log !== undefined)
      throw new UsageError('--log records in-process decisions only; it cannot be used with --url');
  }
  if (values.log !== undefined && !players.some((id) => isPolicyId(id))) {
    throw new UsageError('--log needs a policy in --policies (uniform and the oracle are not logged)');
  }
  if (values.log === '') throw new UsageError('--log needs a file name');
  return {
    seed: integer(values.seed, 1, 'seed', 0, 2 ** 32 - 1),
    seeds: integer(values.seeds, 5, 'seeds', 1, 1000),
    users: integer(values.users, 20, 'users', 1, 100_000),
    rounds: integer(values.rounds, 500, 'rounds', 2, 1_000_000),
    players: players as PlayerId[],
    reward: oneOf(values.reward, ['bernoulli', 'bounded'] as const, 'reward') ?? 'bernoulli',
    drift: oneOf(values.drift, ['none', 'abrupt', 'gradual'] as const, 'drift') ?? 'none',
    driftAt,
    ...(gamma === undefined ? {} : { gamma }),
    ...(url === undefined ? {} : { url }),
    concurrency: integer(values.concurrency, 4, 'concurrency', 1, 256),
    out: values.out ?? 'simulation',
    ...(values.log === undefined ? {} : { log: values.log }),
    quiet: values.quiet ?? false,
    help: values.help ?? false,
  };
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      seed: { type: 'string' },
      seeds: { type: 'string' },
      users: { type: 'string' },
      rounds: { type: 'string' },
      policies: { type: 'string' },
      reward: { type: 'string' },
      drift: { type: 'string' },
      'drift-at': { type: 'string' },
      gamma: { type: 'string' },
      url: { type: 'string' },
      concurrency: { type: 'string' },
      out: { type: 'string' },
      log: { type: 'string' },
      quiet: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

/**
 * The command that reproduces a run's figures: every option that changes them, spelled out even
 * when it is the default, so a figure's caption stays right if a default changes.
 */
export function reproducingCommand(options: SimulateOptions): string {
  const parts = [
    'pnpm simulate',
    `--seed ${options.seed}`,
    `--seeds ${options.seeds}`,
    `--users ${options.users}`,
    `--rounds ${options.rounds}`,
    `--reward ${options.reward}`,
  ];
  if (options.drift !== 'none') parts.push(`--drift ${options.drift}`, `--drift-at ${options.driftAt}`);
  if (options.gamma !== undefined) parts.push(`--gamma ${options.gamma}`);
  if (options.players.join(',') !== PLAYER_IDS.join(','))
    parts.push(`--policies ${options.players.join(',')}`);
  if (options.url !== undefined) parts.push(`--url ${options.url}`);
  return parts.join(' ');
}

export function seedList(options: Pick<SimulateOptions, 'seed' | 'seeds'>): number[] {
  return Array.from({ length: options.seeds }, (_, i) => options.seed + i);
}

export function isPolicyPlayer(id: PlayerId): id is Extract<PlayerId, (typeof POLICY_IDS)[number]> {
  return isPolicyId(id);
}
