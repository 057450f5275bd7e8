import { describe, expect, it } from 'vitest';
import type { LogEntry } from './read-log.js';
import { splitForFitting } from './split.js';
import { fitModels } from './targets.js';

function entry(userId: string, minute: number, line: number, reward = 1, x = [1, 0]): LogEntry {
  return {
    userId,
    decisionId: `${userId}-${line}`,
    tsMs: Date.parse('2025-01-06T00:00:00Z') + minute * 60_000,
    line,
    candidates: [Float64Array.from(x), Float64Array.from([0, 1])],
    chosen: 0,
    propensity: 0.5,
    reward,
  };
}

const ids = (entries: readonly LogEntry[]) => entries.map((e) => e.decisionId);

describe('splitForFitting', () => {
  it("fits on each user's earliest ⌊f·n⌋ decisions by ts, whatever the line order", () => {
    // u1 logged out of time order; u2 has 3 decisions (⌊1.5⌋ = 1 fits); u3 has 1 (0 fit).
    const entries = [
      entry('u1', 30, 1),
      entry('u1', 10, 2),
      entry('u2', 5, 3),
      entry('u1', 20, 4),
      entry('u2', 15, 5),
      entry('u1', 40, 6),
      entry('u3', 1, 7),
      entry('u2', 25, 8),
    ];
    const { fit, evaluate } = splitForFitting(entries, 0.5);
    expect(ids(fit)).toEqual(['u2-3', 'u1-2', 'u1-4']);
    expect(ids(evaluate)).toEqual(['u3-7', 'u2-5', 'u2-8', 'u1-1', 'u1-6']);
  });

  it('never evaluates a decision that precedes one of the same user it fitted on', () => {
    const entries = Array.from({ length: 60 }, (_, i) => entry(`u${i % 4}`, (i * 37) % 61, i + 1));
    for (const fraction of [0.1, 0.5, 0.9]) {
      const { fit, evaluate } = splitForFitting(entries, fraction);
      expect(fit.length + evaluate.length).toBe(60);
      for (const judged of evaluate) {
        for (const seen of fit) {
          if (seen.userId === judged.userId) expect(seen.tsMs).toBeLessThanOrEqual(judged.tsMs);
        }
      }
      for (let u = 0; u < 4; u++) {
        expect(fit.filter((e) => e.userId === `u${u}`)).toHaveLength(Math.floor(fraction * 15));
      }
    }
  });

  it('breaks equal timestamps by line, so the split follows the log', () => {
    const entries = [entry('u', 0, 3), entry('u', 0, 1), entry('u', 0, 2), entry('u', 0, 4)];
    const { fit, evaluate } = splitForFitting(entries, 0.5);
    expect(ids(fit)).toEqual(['u-1', 'u-2']);
    expect(ids(evaluate)).toEqual(['u-3', 'u-4']);
  });

  it('rejects a fraction outside [0, 1)', () => {
    expect(() => splitForFitting([], 1)).toThrow(RangeError);
    expect(() => splitForFitting([], -0.1)).toThrow(RangeError);
  });
});

describe('fitModels sees only the fit decisions', () => {
  const entries = Array.from({ length: 40 }, (_, i) =>
    entry(`u${i % 2}`, i, i + 1, i % 3 === 0 ? 1 : 0, [Math.sin(i), Math.cos(i)]),
  );

  it("a model's θ does not move when the evaluated decisions' rewards do (no leakage)", () => {
    const { fit, evaluate } = splitForFitting(entries, 0.5);
    const flipped = evaluate.map((e) => ({ ...e, reward: 1 - e.reward }));
    const before = fitModels(fit, 2, 1, 'per-user');
    const again = fitModels(splitForFitting([...fit, ...flipped], 0.5).fit, 2, 1, 'per-user');
    for (const user of ['u0', 'u1']) {
      expect(Array.from(again.forUser(user).theta())).toEqual(Array.from(before.forUser(user).theta()));
      expect(before.forUser(user).n).toBe(10);
    }
  });

  it('per user: one model per user, a fresh one for a user never fitted; pooled: one for all', () => {
    const { fit } = splitForFitting(entries, 0.5);
    const perUser = fitModels(fit, 2, 1, 'per-user');
    expect(perUser.forUser('u0')).not.toBe(perUser.forUser('u1'));
    expect(perUser.forUser('stranger').n).toBe(0);
    expect(Array.from(perUser.forUser('stranger').theta())).toEqual([0, 0]);
    const pooled = fitModels(fit, 2, 1, 'pooled');
    expect(pooled.forUser('u0')).toBe(pooled.forUser('stranger'));
    expect(pooled.forUser('u0').n).toBe(20);
  });

  it('uses the given λ', () => {
    const one = fitModels([entry('u', 0, 1)], 2, 1, 'pooled').forUser('u');
    const ten = fitModels([entry('u', 0, 1)], 2, 10, 'pooled').forUser('u');
    // θ = (λI + xxᵀ)⁻¹ x r with x = (1, 0), r = 1: 1/(λ + 1).
    expect(one.theta()[0]).toBeCloseTo(1 / 2, 12);
    expect(ten.theta()[0]).toBeCloseTo(1 / 11, 12);
  });
});
