import { describe, expect, it } from 'vitest';
import { createPopulation } from './population.js';
import { DEFAULT_START, driftSchedule, MAX_OPEN_TASKS, type Round, rewardOf, UserWorld } from './world.js';

const ROUNDS = 300;

function play(seed: number, userIndex = 0, rounds = ROUNDS, drift: 'none' | 'abrupt' = 'none'): Round[] {
  const user = createPopulation(seed, { users: userIndex + 1, drift })[userIndex]!;
  const world = new UserWorld(user, seed, { rounds, driftWeight: driftSchedule(drift, rounds, 0.5) });
  return Array.from({ length: rounds }, () => world.next());
}

// Everything a player could see or the simulator knows, as plain data.
const snapshot = (rounds: Round[]) =>
  rounds.map((r) => ({ ...r, now: r.now.toISOString(), means: [...r.means] }));

describe('the population', () => {
  it('is the same for the same seed, and another for another seed', () => {
    expect(createPopulation(7, { users: 12, drift: 'none' })).toEqual(
      createPopulation(7, { users: 12, drift: 'none' }),
    );
    expect(createPopulation(7, { users: 12, drift: 'none' })).not.toEqual(
      createPopulation(8, { users: 12, drift: 'none' }),
    );
  });

  it('does not change a user when more users are drawn', () => {
    const few = createPopulation(3, { users: 2, drift: 'none' });
    const many = createPopulation(3, { users: 50, drift: 'none' });
    expect(many.slice(0, 2)).toEqual(few);
  });

  it('gives users different time zones, peak hours and preferences', () => {
    const users = createPopulation(1, { users: 50, drift: 'none' });
    expect(new Set(users.map((u) => u.tzOffsetMin)).size).toBeGreaterThanOrEqual(5);
    const peaks = users.map((u) => u.peakHour);
    expect(Math.max(...peaks) - Math.min(...peaks)).toBeGreaterThan(8);
    expect(users.some((u) => u.before.priority < 0.1) && users.some((u) => u.before.priority > 0.3)).toBe(
      true,
    );
    expect(users.every((u) => u.after === u.before)).toBe(true);
  });

  it('with drift, flips the sign of every preference a policy can see', () => {
    for (const user of createPopulation(1, { users: 30, drift: 'abrupt' })) {
      expect(user.after).toEqual({
        priority: -user.before.priority,
        overdue: -user.before.overdue,
        age: -user.before.age,
        dueSoon: user.before.dueSoon,
      });
    }
  });
});

describe('a user world', () => {
  it('replays exactly for the same seed and differs for another seed', () => {
    expect(snapshot(play(11))).toEqual(snapshot(play(11)));
    expect(snapshot(play(11)).map((r) => r.now)).not.toEqual(snapshot(play(12)).map((r) => r.now));
  });

  it('moves its clock forward from the start, in sessions clustered around the peak hour', () => {
    const user = createPopulation(5, { users: 1, drift: 'none' })[0]!;
    const rounds = play(5);
    expect(rounds[0]!.now.getTime()).toBeGreaterThan(DEFAULT_START);
    for (let t = 1; t < rounds.length; t++) {
      expect(rounds[t]!.now.getTime()).toBeGreaterThan(rounds[t - 1]!.now.getTime());
    }
    const days = (rounds.at(-1)!.now.getTime() - rounds[0]!.now.getTime()) / 86_400_000;
    expect(days).toBeGreaterThan(ROUNDS / 8);
    const distances = rounds.map((r) => {
      const local = new Date(r.now.getTime() + r.tzOffsetMin * 60_000);
      const hour = local.getUTCHours() + local.getUTCMinutes() / 60;
      const d = Math.abs(hour - user.peakHour) % 24;
      return Math.min(d, 24 - d);
    });
    const meanDistance = distances.reduce((s, d) => s + d, 0) / distances.length;
    // Uniform hours would be 6 h away on average.
    expect(meanDistance).toBeLessThan(1.2 * user.activityWidthH);
  });

  it('keeps a task list that evolves: tasks are created, completed, fall due', () => {
    const rounds = play(2);
    const seen = new Set<string>();
    let appeared = 0;
    let disappeared = 0;
    let becameOverdue = 0;
    let previous = new Map<string, boolean>();
    for (const round of rounds) {
      expect(round.candidates.length).toBeGreaterThanOrEqual(2);
      expect(round.candidates.length).toBeLessThanOrEqual(MAX_OPEN_TASKS);
      const current = new Map<string, boolean>();
      for (const { id, task } of round.candidates) {
        expect(Date.parse(task.created_at)).toBeLessThanOrEqual(round.now.getTime());
        const overdue = task.due_at !== null && Date.parse(task.due_at) < round.now.getTime();
        current.set(id, overdue);
        if (!seen.has(id)) appeared++;
        seen.add(id);
        if (overdue && previous.get(id) === false) becameOverdue++;
      }
      for (const id of previous.keys()) if (!current.has(id)) disappeared++;
      previous = current;
    }
    expect(appeared).toBeGreaterThan(100);
    expect(disappeared).toBeGreaterThan(80);
    expect(becameOverdue).toBeGreaterThan(5);
  });

  it('computes profile features and hidden means within their ranges, with a best candidate', () => {
    for (const round of [...play(3, 0), ...play(3, 4)]) {
      expect(round.profile).toHaveLength(5);
      for (const value of round.profile) {
        expect(value).toBeGreaterThanOrEqual(0);
        expect(value).toBeLessThanOrEqual(1);
      }
      for (const mean of round.means) {
        expect(mean).toBeGreaterThanOrEqual(0.02);
        expect(mean).toBeLessThanOrEqual(0.98);
      }
      expect(round.means[round.best]).toBe(Math.max(...round.means));
      expect(round.noise).toBeGreaterThanOrEqual(0);
      expect(round.noise).toBeLessThan(1);
    }
  });

  it('makes the best candidate depend on the task (the choice matters)', () => {
    const rounds = play(4);
    const gaps = rounds.map((r) => Math.max(...r.means) - Math.min(...r.means));
    expect(gaps.reduce((s, g) => s + g, 0) / gaps.length).toBeGreaterThan(0.1);
  });

  it('drifts: the same sessions, with the best choices changing after the drift point', () => {
    const still = play(6, 0, ROUNDS, 'none');
    const drifting = play(6, 0, ROUNDS, 'abrupt');
    expect(drifting.map((r) => r.now)).toEqual(still.map((r) => r.now));
    expect(drifting.slice(0, ROUNDS / 2).map((r) => r.best)).toEqual(
      still.slice(0, ROUNDS / 2).map((r) => r.best),
    );
    const after = drifting.slice(ROUNDS / 2);
    const changed = after.filter((r, i) => r.best !== still[ROUNDS / 2 + i]!.best).length;
    expect(changed / after.length).toBeGreaterThan(0.5);
  });
});

describe('driftSchedule', () => {
  it('is 0 throughout without drift, a step when abrupt, a ramp over half the run when gradual', () => {
    const none = driftSchedule('none', 100, 0.5);
    const abrupt = driftSchedule('abrupt', 100, 0.5);
    const gradual = driftSchedule('gradual', 100, 0.5);
    expect([0, 50, 99].map(none)).toEqual([0, 0, 0]);
    expect([0, 49, 50, 99].map(abrupt)).toEqual([0, 0, 1, 1]);
    expect([0, 25, 50, 75, 99].map(gradual)).toEqual([0, 0, 0.5, 1, 1]);
  });
});

describe('rewardOf', () => {
  const round = (p: number, noise: number): Round => ({
    t: 0,
    now: new Date(DEFAULT_START),
    tzOffsetMin: 0,
    candidates: [],
    profile: [],
    means: Float64Array.of(p),
    best: 0,
    noise,
  });

  it('is Bernoulli(p) by the shared noise, or bounded in [0, 1] with mean p', () => {
    for (const p of [0.02, 0.3, 0.5, 0.9, 0.98]) {
      let bernoulli = 0;
      let bounded = 0;
      let outside = 0;
      const n = 10_000;
      for (let i = 0; i < n; i++) {
        const noise = (i + 0.5) / n;
        const b = rewardOf(round(p, noise), 0, 'bernoulli');
        const r = rewardOf(round(p, noise), 0, 'bounded');
        if ((b !== 0 && b !== 1) || r < 0 || r > 1) outside++;
        bernoulli += b;
        bounded += r;
      }
      expect(outside).toBe(0);
      expect(bernoulli / n).toBeCloseTo(p, 3);
      expect(bounded / n).toBeCloseTo(p, 10);
    }
  });
});
