import type { PlayerKind } from './players.js';
import { createPopulation, type DriftKind, type SimUser } from './population.js';
import { driftSchedule, type RewardKind, type Round, rewardOf, UserWorld } from './world.js';

export interface SimulationOptions {
  /** One population per seed; figures are reported as mean and 95% CI over seeds. */
  seeds: readonly number[];
  /** Users per seed. */
  users: number;
  /** Decisions per user. */
  rounds: number;
  reward: RewardKind;
  drift: DriftKind;
  /** Where drift happens, as a fraction of the rounds (the centre of the ramp for `gradual`). */
  driftAt: number;
  players: readonly PlayerKind[];
  /** Users played at once; useful over HTTP, pointless in-process. @default 1 */
  concurrency?: number;
  /** Epoch of every user's world clock (ms); see `WorldOptions.startMs`. */
  startMs?: number;
  /** Called after each decision round of one user (every player has chosen and learnt). */
  onRound?: () => void;
}

/** One player's learning curves: per seed, the per-user average after each decision. */
export interface PlayerCurves {
  id: string;
  learns: boolean;
  /** cumulativeReward[s][t]: reward summed over decisions 0…t, averaged over the users of seed s. */
  cumulativeReward: Float64Array[];
  /** The same for regret: Σ (mean of the best candidate − mean of the chosen one). */
  cumulativeRegret: Float64Array[];
}

export interface SimulationResult {
  seeds: readonly number[];
  users: number;
  rounds: number;
  players: PlayerCurves[];
}

/**
 * Plays every player against the same users, sessions and candidates (one world per user,
 * stepped once per round and shown to all players), so the comparison is paired. Regret is the
 * expected (pseudo-)regret from the hidden means; reward is what the player actually earned.
 */
export async function runSimulation(options: SimulationOptions): Promise<SimulationResult> {
  const { seeds, users, rounds, players } = options;
  const curves: PlayerCurves[] = players.map((kind) => ({
    id: kind.id,
    learns: kind.learns,
    cumulativeReward: [],
    cumulativeRegret: [],
  }));
  const driftWeight = driftSchedule(options.drift, rounds, options.driftAt);
  for (const seed of seeds) {
    const population = createPopulation(seed, { users, drift: options.drift });
    const perUser = new Array<{ reward: Float64Array[]; regret: Float64Array[] }>(users);
    await forEachLimited(population, options.concurrency ?? 1, async (user) => {
      perUser[user.index] = await playUser(user, seed, options, driftWeight);
    });
    // Summed in user order, whatever order the users finished in: the same figures at any concurrency.
    players.forEach((_, p) => {
      const reward = new Float64Array(rounds);
      const regret = new Float64Array(rounds);
      for (const played of perUser) {
        for (let t = 0; t < rounds; t++) {
          reward[t]! += played.reward[p]![t]!;
          regret[t]! += played.regret[p]![t]!;
        }
      }
      curves[p]!.cumulativeReward.push(cumulativePerUser(reward, users));
      curves[p]!.cumulativeRegret.push(cumulativePerUser(regret, users));
    });
  }
  return { seeds, users, rounds, players: curves };
}

async function playUser(
  user: SimUser,
  seed: number,
  options: SimulationOptions,
  driftWeight: (t: number) => number,
): Promise<{ reward: Float64Array[]; regret: Float64Array[] }> {
  const { rounds, players } = options;
  const world = new UserWorld(user, seed, {
    rounds,
    driftWeight,
    ...(options.startMs === undefined ? {} : { startMs: options.startMs }),
  });
  const active = players.map((kind) => kind.create({ seed, user, stream: streamLabel(kind.id) }));
  const reward = players.map(() => new Float64Array(rounds));
  const regret = players.map(() => new Float64Array(rounds));
  for (let t = 0; t < rounds; t++) {
    const round: Round = world.next();
    const bestMean = round.means[round.best]!;
    for (let p = 0; p < active.length; p++) {
      const player = active[p]!;
      const choice = player.choose(round);
      const index = typeof choice === 'number' ? choice : await choice;
      const r = rewardOf(round, index, options.reward);
      const learnt = player.learn(round, index, r);
      if (learnt !== undefined) await learnt;
      reward[p]![t] = r;
      regret[p]![t] = bestMean - round.means[index]!;
    }
    options.onRound?.();
  }
  return { reward, regret };
}

function cumulativePerUser(perRound: Float64Array, users: number): Float64Array {
  const out = new Float64Array(perRound.length);
  let sum = 0;
  for (let t = 0; t < perRound.length; t++) {
    sum += perRound[t]!;
    out[t] = sum / users;
  }
  return out;
}

/** FNV-1a of the id: a player's random stream depends on its id only. */
export function streamLabel(id: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

// Runs `work` over the items with at most `limit` in flight; the first failure stops new work
// and is rethrown once the running ones have settled.
async function forEachLimited<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>) {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    while (failure === undefined && next < items.length) {
      const item = items[next++]!;
      try {
        await work(item);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  if (failure !== undefined) throw failure.error;
}
