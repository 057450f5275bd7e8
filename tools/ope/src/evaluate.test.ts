import { Readable } from 'node:stream';
import { epsilonGreedyPolicy, evaluatePolicies, LinearModel, linUcbPolicy, uniformPolicy } from '@oo/bandit';
import { describe, expect, it } from 'vitest';
import { type EstimateResult, evaluateGroup, type GroupResult } from './evaluate.js';
import { type LogEntry, type LogGroup, readDecisionLog } from './read-log.js';
import { splitForFitting } from './split.js';
import { targetSpecs } from './targets.js';
import { deterministicLog, ndjson, syntheticLog } from './testing/synthetic-log.js';

const ALL = targetSpecs({ targets: ['uniform', 'egreedy', 'greedy', 'linucb'], epsilons: [0.1], alpha: 1 });
const BASE = { targets: ALL, fitFraction: 0.5, model: 'per-user' as const, folds: 5 };

async function groupOf(lines: readonly unknown[]): Promise<LogGroup> {
  const read = await readDecisionLog(Readable.from([ndjson(lines)]));
  expect(read.groups).toHaveLength(1);
  return read.groups[0]!;
}

function estimate(group: GroupResult, target: string, estimator: 'ips' | 'snips' | 'dr'): EstimateResult {
  const found = group.targets.find((t) => t.target === target)?.[estimator];
  if (found === undefined || 'error' in found) throw new Error(`no ${estimator} for ${target}`);
  return found;
}

const synthetic = syntheticLog({ seed: 7, users: 6, perUser: 120 });
const group = await groupOf(synthetic.map((d) => d.line));

describe('evaluateGroup', () => {
  const result = evaluateGroup(group, BASE);

  it('fits per-user models on the first half of each user and evaluates every target on the rest', () => {
    expect(result).toMatchObject({
      label: 'egreedy-v1@1.0.0 ε=0.3 γ=1 λ=1',
      d: 7,
      users: 6,
      decisions: 720,
      fit: 360,
      evaluated: 360,
      lambda: 1,
      skipped: null,
      warnings: [],
    });
    expect(result.targets.map((t) => t.target)).toEqual(['uniform', 'egreedy ε=0.1', 'greedy', 'linucb α=1']);
    for (const target of result.targets) {
      for (const estimator of ['ips', 'snips', 'dr'] as const)
        expect(estimate(result, target.target, estimator).n).toBe(360);
    }
  });

  it('gives exactly what @oo/bandit gives for targets built independently on the same split', () => {
    const { fit, evaluate } = splitForFitting(group.entries, 0.5);
    const models = new Map<string, LinearModel>();
    for (const e of fit) {
      if (!models.has(e.userId)) models.set(e.userId, LinearModel.create(7, 1));
      models.get(e.userId)!.update(e.candidates[e.chosen]!, e.reward);
    }
    const perUser =
      (make: (model: LinearModel) => ReturnType<typeof uniformPolicy>) =>
      (x: readonly Float64Array[], d: LogEntry) =>
        make(models.get(d.userId)!)(x, d);
    const expected = evaluatePolicies(evaluate, {
      uniform: uniformPolicy(),
      egreedy: perUser((m) => epsilonGreedyPolicy(m, 0.1)),
      linucb: perUser((m) => linUcbPolicy(m, 1)),
    });
    for (const [name, key] of [
      ['uniform', 'uniform'],
      ['egreedy ε=0.1', 'egreedy'],
      ['linucb α=1', 'linucb'],
    ] as const) {
      for (const estimator of ['ips', 'snips', 'dr'] as const) {
        const ours = estimate(result, name, estimator);
        const theirs = expected[key][estimator];
        if ('error' in theirs) throw new Error(`${key} ${estimator}: ${theirs.reason}`);
        expect(ours.value).toBe(theirs.value);
        expect(ours.ci95).toEqual(theirs.ci95);
        expect(ours.effective_sample_size).toBe(theirs.diagnostics.effectiveSampleSize);
        expect(ours.max_weight).toBe(theirs.diagnostics.maxWeight);
      }
    }
    expect(estimate(result, 'uniform', 'dr').direct_model).toMatchObject({
      folds: 5,
      lambda: 1,
      intercept: true,
    });
  });

  it("reports the logging policy's own mean reward on the evaluated decisions", () => {
    const { evaluate } = splitForFitting(group.entries, 0.5);
    const mean = evaluate.reduce((s, e) => s + e.reward, 0) / evaluate.length;
    expect(result.logged?.value).toBeCloseTo(mean, 14);
    expect(result.logged?.n).toBe(360);
    expect(result.logged!.ci95[0]).toBeLessThan(mean);
  });

  it("covers uniform's true value on the evaluated decisions (ε = 0.3 logging, 360 decisions)", () => {
    const { evaluate } = splitForFitting(group.entries, 0.5);
    const means = new Map(synthetic.map((d) => [`${d.line.user_id}/${d.line.decision_id}`, d.means]));
    let truth = 0;
    for (const e of evaluate) {
      const mu = means.get(`${e.userId}/${e.decisionId}`)!;
      truth += mu.reduce((s, m) => s + m, 0) / mu.length / evaluate.length;
    }
    for (const estimator of ['ips', 'snips', 'dr'] as const) {
      const { ci95 } = estimate(result, 'uniform', estimator);
      expect(ci95[0]).toBeLessThanOrEqual(truth);
      expect(ci95[1]).toBeGreaterThanOrEqual(truth);
    }
  });

  it('with uniform only, fits nothing and evaluates every decision', () => {
    const uniform = evaluateGroup(group, {
      ...BASE,
      targets: targetSpecs({ targets: ['uniform'], epsilons: [], alpha: 1 }),
    });
    expect(uniform).toMatchObject({ fit: 0, evaluated: 720, lambda: null, warnings: [] });
    expect(estimate(uniform, 'uniform', 'ips').n).toBe(720);
  });

  it('passes clipping, folds and λ through', () => {
    const clipped = evaluateGroup(group, { ...BASE, clip: 2, folds: 3, lambda: 4 });
    const ips = estimate(clipped, 'greedy', 'ips');
    expect(ips.clip).toBe(2);
    expect(ips.clipped).toBeGreaterThan(0);
    expect(ips.max_weight).toBeGreaterThan(2);
    expect(estimate(clipped, 'greedy', 'dr').direct_model?.folds).toBe(3);
    expect(clipped.lambda).toBe(4);
    expect(estimate(clipped, 'greedy', 'ips').value).not.toBe(estimate(result, 'greedy', 'ips').value);
  });

  it('pooled: one model for every user', () => {
    const pooled = evaluateGroup(group, { ...BASE, model: 'pooled' });
    expect(estimate(pooled, 'greedy', 'ips').value).not.toBe(estimate(result, 'greedy', 'ips').value);
    expect(estimate(pooled, 'uniform', 'ips').value).toBe(estimate(result, 'uniform', 'ips').value);
  });

  it('skips a group with fewer than 2 decisions to evaluate, saying why', async () => {
    const small = await groupOf(synthetic.slice(0, 3).map((d) => d.line));
    const skipped = evaluateGroup(small, BASE);
    expect(skipped).toMatchObject({ evaluated: 3, fit: 0, skipped: null });
    const one = await groupOf([synthetic[0]!.line]);
    expect(evaluateGroup(one, BASE)).toMatchObject({
      evaluated: 1,
      skipped: '1 decision left to evaluate; the estimators need at least 2',
      logged: null,
      targets: [],
    });
  });

  it('warns about users with nothing to fit (their learned targets score with θ = 0)', () => {
    // Users 0–2 have one decision each (⌊0.5⌋ = 0 fit); users 3–5 have 120.
    const entries = group.entries.filter(
      (e) => !['user-0', 'user-1', 'user-2'].includes(e.userId) || e.line <= 3,
    );
    const warned = evaluateGroup({ ...group, entries }, BASE);
    expect(warned.warnings).toEqual([
      '3 of 6 users have no decision to fit: their learned targets score with θ = 0 (ties go to the first candidate)',
    ]);
    expect(evaluateGroup({ ...group, entries }, { ...BASE, model: 'pooled' }).warnings).toEqual([]);
  });
});

describe('a deterministic logging policy', () => {
  // LinUCB-like logs (propensity 1) that always chose the low-priority candidate (x₄ = 0) and were
  // rewarded for the high-priority one in the fit half: the greedy target always picks the other.
  const lines = deterministicLog();

  it('is flagged; a target with no support still gets IPS and DR, SNIPS says why it cannot', async () => {
    const result = evaluateGroup(await groupOf(lines), {
      ...BASE,
      targets: targetSpecs({ targets: ['uniform', 'greedy'], epsilons: [], alpha: 1 }),
    });
    expect(result.warnings[0]).toMatch(/^every propensity is 1 \(a deterministic logging policy/);
    expect(result.min_propensity).toBe(1);
    const greedy = result.targets.find((t) => t.target === 'greedy')!;
    expect(greedy.snips).toEqual({
      error:
        'log: the target policy gives probability 0 to every logged choice: self-normalised IPS is undefined',
    });
    expect(estimate(result, 'greedy', 'ips')).toMatchObject({
      value: 0,
      supported: 0,
      effective_sample_size: 0,
    });
    expect(estimate(result, 'greedy', 'dr').n).toBe(20);
    // The other target is unaffected.
    expect(estimate(result, 'uniform', 'snips').value).toBeCloseTo(0.5, 12);
  });
});
