import type { Rng } from '@oo/bandit';
import { normal, pick, STREAM, streamRng, uniform } from './seeds.js';

/**
 * How much a user cares about each task property (added to the nudge's acceptance probability).
 * `priority`, `overdue` and `age` are what every policy sees (SPEC §2); `dueSoon` (due within the
 * next 48 h, not yet overdue) is seen by no policy, as in the real app, where "due tomorrow" is
 * not a feature.
 */
export interface TaskPreferences {
  priority: number;
  overdue: number;
  age: number;
  dueSoon: number;
}

/** One simulated user: everything hidden from the policies that decides how the user behaves. */
export interface SimUser {
  readonly index: number;
  /** Minutes east of UTC, as the app sends it. */
  readonly tzOffsetMin: number;
  /** Local hour around which the user opens the app (a bump of width `activityWidthH`). */
  readonly peakHour: number;
  readonly activityWidthH: number;
  /** Mean number of app sessions (each one a decision) on a day the user is active. */
  readonly sessionsPerDay: number;
  /** Probability that the user skips a weekday, and a weekend day. */
  readonly skipWeekday: number;
  readonly skipWeekend: number;
  /** New tasks per day (Poisson). */
  readonly tasksPerDay: number;
  /** Acceptance probability of a nudge on a task with all properties at 0, in the user's peak hour. */
  readonly base: number;
  /** Preferences before drift, and after it (equal when the run has no drift). */
  readonly before: TaskPreferences;
  readonly after: TaskPreferences;
  /** Level effects: how much acceptance rises in the active hours, and on weekends. */
  readonly activityEffect: number;
  readonly weekendEffect: number;
  /**
   * Time-of-day × task interaction: in the morning the user leans to high-priority tasks and in
   * the evening away from them (weight × priority × cos(2π(h − 9)/24)). No linear policy of SPEC
   * §2 can represent it; only the oracle exploits it.
   */
  readonly morningPriority: number;
  /** Profile effects (SPEC §2 profile features): level effects and one interaction. */
  readonly profileEffects: {
    completionRate: number;
    tipAcceptRate: number;
    engagementStreak: number;
    /** backlog_pressure × is_overdue: under pressure, overdue nudges are welcome. */
    backlogOverdue: number;
  };
  /** Where the user's own tip acceptance (other tips of the app) starts; it then wanders daily. */
  readonly receptiveness: number;
}

export type DriftKind = 'none' | 'abrupt' | 'gradual';

export interface PopulationOptions {
  users: number;
  drift: DriftKind;
}

// Offsets of real time zones (minutes east of UTC), from Los Angeles to Tokyo.
const TZ_OFFSETS = [-480, -420, -300, -180, 0, 60, 120, 330, 480, 540] as const;

/** The users of one seed. The same seed and options always give the same users. */
export function createPopulation(seed: number, options: PopulationOptions): SimUser[] {
  return Array.from({ length: options.users }, (_, index) =>
    createUser(streamRng(seed, STREAM.population, index), index, options.drift),
  );
}

function createUser(rng: Rng, index: number, drift: DriftKind): SimUser {
  const before: TaskPreferences = {
    priority: normal(rng, 0.2, 0.1),
    overdue: normal(rng, 0.08, 0.12),
    age: normal(rng, -0.06, 0.1),
    dueSoon: uniform(rng, 0.02, 0.15),
  };
  // Drift flips every preference a policy can see: a user who wanted important, overdue, fresh
  // tasks now wants unimportant, on-time, old ones (the hidden due-soon effect stays).
  const after: TaskPreferences =
    drift === 'none'
      ? before
      : { priority: -before.priority, overdue: -before.overdue, age: -before.age, dueSoon: before.dueSoon };
  return {
    index,
    tzOffsetMin: pick(rng, TZ_OFFSETS),
    peakHour: uniform(rng, 7, 22),
    activityWidthH: uniform(rng, 2, 4),
    sessionsPerDay: uniform(rng, 2, 6),
    skipWeekday: uniform(rng, 0.05, 0.25),
    skipWeekend: uniform(rng, 0.2, 0.6),
    tasksPerDay: uniform(rng, 1.5, 4),
    base: uniform(rng, 0.2, 0.4),
    before,
    after,
    activityEffect: uniform(rng, 0.05, 0.15),
    weekendEffect: normal(rng, -0.03, 0.03),
    morningPriority: normal(rng, 0, 0.06),
    profileEffects: {
      completionRate: uniform(rng, 0, 0.1),
      tipAcceptRate: uniform(rng, 0.05, 0.2),
      engagementStreak: uniform(rng, 0, 0.08),
      backlogOverdue: uniform(rng, 0, 0.15),
    },
    receptiveness: uniform(rng, 0.1, 0.6),
  };
}

/** Activity of a user at a local hour: 1 at the peak, a Gaussian bump on the 24 h circle. */
export function activityAt(user: SimUser, localHour: number): number {
  const distance = Math.abs(localHour - user.peakHour) % 24;
  const wrapped = Math.min(distance, 24 - distance);
  return Math.exp(-(wrapped * wrapped) / (2 * user.activityWidthH * user.activityWidthH));
}
