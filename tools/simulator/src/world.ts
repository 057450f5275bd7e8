import type { Rng, TaskInput } from '@oo/bandit';
import { activityAt, type SimUser, type TaskPreferences } from './population.js';
import { normal, poisson, STREAM, streamRng } from './seeds.js';

/** The world's clock starts on a Monday, 00:00 UTC (any instant would do; this one is readable). */
export const DEFAULT_START = Date.parse('2025-01-06T00:00:00Z');

const MS_PER_MINUTE = 60_000;
const MS_PER_HOUR = 3_600_000;
const MS_PER_DAY = 86_400_000;
/** More open tasks than this and the user archives the least important, oldest ones. */
export const MAX_OPEN_TASKS = 20;
const MIN_CANDIDATES = 2;
const PRIORITY_WEIGHTS = [0.35, 0.35, 0.2, 0.1] as const;
/** Mean reward of any candidate is kept inside [P_MIN, P_MAX]. */
const P_MIN = 0.02;
const P_MAX = 0.98;

export type RewardKind = 'bernoulli' | 'bounded';

export interface WorldOptions {
  /** Decisions this user will be asked for (the run's rounds); sets where drift happens. */
  rounds: number;
  /** Drift of the task preferences: 0 before, 1 after (`SimUser.before` → `after`). */
  driftWeight: (round: number) => number;
  /** Epoch of the world's clock, in ms. The HTTP mode moves it by whole weeks (same features). */
  startMs?: number;
}

/** One decision: what the policies see, and what only the simulator knows. */
export interface Round {
  /** 0-based decision number of this user. */
  readonly t: number;
  readonly now: Date;
  readonly tzOffsetMin: number;
  readonly candidates: readonly { id: string; task: TaskInput }[];
  /** The five SPEC §2 profile features, as the app would compute them now. */
  readonly profile: readonly number[];
  /** Hidden: each candidate's expected reward. */
  readonly means: Float64Array;
  /** Hidden: index of the best candidate (lowest index among ties). */
  readonly best: number;
  /**
   * Hidden: one uniform number that fixes the reward of whichever candidate is chosen, the same
   * for every player (common random numbers), so players differ only by their choices.
   */
  readonly noise: number;
}

/** A task of the user's list, with the times the hidden model reads. */
export interface WorldTask {
  id: string;
  createdMs: number;
  dueMs: number | null;
  priority: 1 | 2 | 3 | 4;
  input: TaskInput;
}

/**
 * A user's life, one app session at a time. Tasks are created (Poisson), fall due, are completed
 * (more likely when important or due) and archived, independently of the nudges: every player
 * faces exactly the same sessions and candidate lists, so the comparison is paired.
 */
export class UserWorld {
  private readonly rng: Rng;
  private readonly startMs: number;
  private readonly open: WorldTask[] = [];
  private completedAt: number[] = [];
  /** Accepted and shown counts of the app's other tips, one entry per active day (last 30). */
  private readonly tipDays: { accepted: number; shown: number }[] = [];
  private receptiveness: number;
  private streak = 0;
  private lastActiveDay = -2;
  private nextTaskId = 1;
  private clockMs: number;
  private day = -1;
  private sessions: number[] = [];
  private t = 0;

  constructor(
    readonly user: SimUser,
    seed: number,
    private readonly options: WorldOptions,
  ) {
    this.rng = streamRng(seed, STREAM.world, user.index);
    this.startMs = options.startMs ?? DEFAULT_START;
    this.clockMs = this.startMs - 7 * MS_PER_DAY;
    this.receptiveness = user.receptiveness;
    // A week of history before the first decision, so ages, due dates and rates are lived-in.
    this.advanceTo(this.startMs);
  }

  /** The next decision: moves the clock to the next session and returns what happens there. */
  next(): Round {
    const nowMs = this.nextSessionMs();
    this.advanceTo(nowMs);
    while (this.open.length < MIN_CANDIDATES) this.create(nowMs - MS_PER_MINUTE);
    const now = new Date(nowMs);
    const localMs = nowMs + this.user.tzOffsetMin * MS_PER_MINUTE;
    const localHour = (((localMs % MS_PER_DAY) + MS_PER_DAY) % MS_PER_DAY) / MS_PER_HOUR;
    const weekday = (new Date(localMs).getUTCDay() + 6) % 7;
    const profile = this.profile(nowMs, localHour);
    const prefs = mix(this.user.before, this.user.after, this.options.driftWeight(this.t));
    const means = new Float64Array(this.open.length);
    let best = 0;
    for (let i = 0; i < this.open.length; i++) {
      means[i] = meanReward(this.user, prefs, this.open[i]!, nowMs, localHour, weekday, profile);
      if (means[i]! > means[best]!) best = i;
    }
    const round: Round = {
      t: this.t,
      now,
      tzOffsetMin: this.user.tzOffsetMin,
      candidates: this.open.map((task) => ({ id: task.id, task: task.input })),
      profile,
      means,
      best,
      noise: this.rng.next(),
    };
    this.t++;
    return round;
  }

  // The first local day can start before the clock (zones east of UTC): those sessions are skipped.
  private nextSessionMs(): number {
    for (;;) {
      while (this.sessions.length === 0) this.planDay();
      const next = this.sessions.shift()!;
      if (next > this.clockMs) return next;
    }
  }

  // Sessions of the next local day: skipped days break the engagement streak; session hours
  // cluster around the user's peak hour.
  private planDay(): void {
    this.day++;
    const { user, rng } = this;
    const localMidnight = this.startMs - user.tzOffsetMin * MS_PER_MINUTE + this.day * MS_PER_DAY;
    const weekday = (new Date(this.startMs + this.day * MS_PER_DAY).getUTCDay() + 6) % 7;
    const skip = weekday >= 5 ? user.skipWeekend : user.skipWeekday;
    if (rng.next() < skip) return;
    const count = 1 + poisson(rng, user.sessionsPerDay - 1);
    const hours: number[] = [];
    for (let i = 0; i < count; i++) {
      const h = normal(rng, user.peakHour, user.activityWidthH);
      hours.push(((h % 24) + 24) % 24);
    }
    hours.sort((a, b) => a - b);
    this.sessions = hours.map((h) => localMidnight + Math.round(h * MS_PER_HOUR));
    this.streak = this.lastActiveDay === this.day - 1 ? this.streak + 1 : 1;
    this.lastActiveDay = this.day;
    // The app's other tips of the day: acceptance wanders slowly (a random walk).
    this.receptiveness = Math.min(0.95, Math.max(0.02, this.receptiveness + normal(rng, 0, 0.03)));
    const shown = 2;
    let accepted = 0;
    for (let i = 0; i < shown; i++) if (rng.next() < this.receptiveness) accepted++;
    this.tipDays.push({ accepted, shown });
    if (this.tipDays.length > 30) this.tipDays.shift();
  }

  // Everything that happens between two sessions, in order: new tasks, completions, archiving.
  private advanceTo(nowMs: number): void {
    const spanMs = nowMs - this.clockMs;
    if (spanMs <= 0) return;
    const days = spanMs / MS_PER_DAY;
    const { rng } = this;
    const created = poisson(rng, this.user.tasksPerDay * days);
    const stamps: number[] = [];
    for (let i = 0; i < created; i++) stamps.push(this.clockMs + Math.floor(rng.next() * spanMs));
    stamps.sort((a, b) => a - b);
    // Completion hazards are read at the start of the span: important and due tasks go first.
    for (let i = this.open.length - 1; i >= 0; i--) {
      const task = this.open[i]!;
      const pressing = task.dueMs !== null && task.dueMs < this.clockMs + MS_PER_DAY;
      const hazard = 0.12 + 0.06 * (task.priority - 1) + (pressing ? 0.25 : 0);
      if (rng.next() < 1 - Math.exp(-hazard * days)) {
        this.open.splice(i, 1);
        this.completedAt.push(this.clockMs + Math.floor(rng.next() * spanMs));
      }
    }
    for (const stamp of stamps) this.create(stamp);
    while (this.open.length > MAX_OPEN_TASKS) this.archiveOne();
    this.clockMs = nowMs;
    const weekAgo = nowMs - 7 * MS_PER_DAY;
    this.completedAt = this.completedAt.filter((stamp) => stamp >= weekAgo);
  }

  private create(createdMs: number): void {
    const { rng } = this;
    const u = rng.next();
    let priority: 1 | 2 | 3 | 4 = 4;
    let acc = 0;
    for (let p = 0; p < PRIORITY_WEIGHTS.length; p++) {
      acc += PRIORITY_WEIGHTS[p]!;
      if (u < acc) {
        priority = (p + 1) as 1 | 2 | 3 | 4;
        break;
      }
    }
    // 60 % of tasks get a due date, on average 4 days out, never sooner than 2 hours.
    const dueMs =
      rng.next() < 0.6
        ? createdMs + 2 * MS_PER_HOUR + Math.round(-Math.log(1 - rng.next()) * 4 * MS_PER_DAY)
        : null;
    const task: WorldTask = {
      id: `task-${this.nextTaskId++}`,
      createdMs,
      dueMs,
      priority,
      input: {
        due_at: dueMs === null ? null : new Date(dueMs).toISOString(),
        created_at: new Date(createdMs).toISOString(),
        priority,
      },
    };
    this.open.push(task);
  }

  private archiveOne(): void {
    let victim = 0;
    for (let i = 1; i < this.open.length; i++) {
      const a = this.open[i]!;
      const b = this.open[victim]!;
      if (a.priority < b.priority || (a.priority === b.priority && a.createdMs < b.createdMs)) victim = i;
    }
    this.open.splice(victim, 1);
  }

  // SPEC §2's five profile features, computed as the app would (ADR-0011), each in [0, 1].
  private profile(nowMs: number, localHour: number): number[] {
    const completed = this.completedAt.length;
    const completionRate = completed / (completed + this.open.length);
    let accepted = 0;
    let shown = 0;
    for (const day of this.tipDays) {
      accepted += day.accepted;
      shown += day.shown;
    }
    // Laplace smoothing: a user with no tips yet reads as 50 %, not 0 %.
    const tipAcceptRate = (accepted + 1) / (shown + 2);
    const activeHourOverlap = activityAt(this.user, localHour);
    let pressing = 0;
    for (const task of this.open) {
      if (task.dueMs !== null && task.dueMs < nowMs + 2 * MS_PER_DAY) pressing++;
    }
    const backlogPressure = Math.min(1, pressing / 10);
    const engagementStreak = Math.min(1, this.streak / 14);
    return [completionRate, tipAcceptRate, activeHourOverlap, backlogPressure, engagementStreak];
  }
}

function mix(a: TaskPreferences, b: TaskPreferences, w: number): TaskPreferences {
  if (w <= 0) return a;
  if (w >= 1) return b;
  return {
    priority: a.priority + w * (b.priority - a.priority),
    overdue: a.overdue + w * (b.overdue - a.overdue),
    age: a.age + w * (b.age - a.age),
    dueSoon: a.dueSoon + w * (b.dueSoon - a.dueSoon),
  };
}

/**
 * The hidden model: acceptance probability of a nudge on `task` now. Linear in the SPEC §2 task
 * features (what the policies can learn), plus what they cannot: a hidden "due soon" effect, a
 * time-of-day × priority interaction and a backlog × overdue interaction. Level effects (hour,
 * weekend, profile) move every candidate alike: they change rewards, not the best choice.
 */
export function meanReward(
  user: SimUser,
  prefs: TaskPreferences,
  task: WorldTask,
  nowMs: number,
  localHour: number,
  weekday: number,
  profile: readonly number[],
): number {
  const priority = (task.priority - 1) / 3;
  const overdue = task.dueMs !== null && task.dueMs < nowMs ? 1 : 0;
  const age = Math.min(1, Math.max(0, (nowMs - task.createdMs) / MS_PER_DAY / 30));
  const hoursToDue = task.dueMs === null ? Number.POSITIVE_INFINITY : (task.dueMs - nowMs) / MS_PER_HOUR;
  const dueSoon = hoursToDue >= 0 && hoursToDue <= 48 ? 1 - hoursToDue / 48 : 0;
  const [completionRate, tipAcceptRate, activeHourOverlap, backlogPressure, engagementStreak] = profile as [
    number,
    number,
    number,
    number,
    number,
  ];
  const effects = user.profileEffects;
  const p =
    user.base +
    prefs.priority * priority +
    prefs.overdue * overdue +
    prefs.age * age +
    prefs.dueSoon * dueSoon +
    user.activityEffect * (activeHourOverlap - 0.5) +
    (weekday >= 5 ? user.weekendEffect : 0) +
    user.morningPriority * priority * Math.cos((2 * Math.PI * (localHour - 9)) / 24) +
    effects.completionRate * (completionRate - 0.5) +
    effects.tipAcceptRate * (tipAcceptRate - 0.3) +
    effects.engagementStreak * (engagementStreak - 0.5) +
    effects.backlogOverdue * backlogPressure * overdue;
  return Math.min(P_MAX, Math.max(P_MIN, p));
}

/** The reward a player gets for choosing `index` in `round`: Bernoulli, or bounded with the same mean. */
export function rewardOf(round: Round, index: number, kind: RewardKind): number {
  const p = round.means[index]!;
  if (kind === 'bernoulli') return round.noise < p ? 1 : 0;
  // Uniform on [p − m, p + m] with m = min(p, 1 − p): mean p, always inside [0, 1].
  const m = Math.min(p, 1 - p);
  return p + (2 * round.noise - 1) * m;
}

/** Drift weight per round: none, a switch at `at`·rounds, or a linear ramp over half the run around it. */
export function driftSchedule(kind: 'none' | 'abrupt' | 'gradual', rounds: number, at: number) {
  const point = at * rounds;
  if (kind === 'none') return () => 0;
  if (kind === 'abrupt') return (t: number) => (t >= point ? 1 : 0);
  const from = point - rounds / 4;
  const to = point + rounds / 4;
  return (t: number) => Math.min(1, Math.max(0, (t - from) / (to - from)));
}
