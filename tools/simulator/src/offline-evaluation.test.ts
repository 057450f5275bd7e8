import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimulatedLogLine } from './decision-log.js';
import { runCli } from './testing/run-cli.js';
import { runOpe } from './testing/run-ope.js';
import { type TrueValues, trueValues } from './testing/true-values.js';

type Estimate = { value: number; ci95: [number, number] };

/** What these tests read of `pnpm ope --json`. */
interface OpeJson {
  read: { lines: number; valid: number; unrewarded: number };
  groups: {
    policy: string;
    evaluated: number;
    fit: number;
    warnings: string[];
    targets: { target: string; ips: Estimate; snips: Estimate; dr: Estimate }[];
  }[];
}

const ESTIMATORS = ['ips', 'snips', 'dr'] as const;
const EPSILON = 0.1;
/** Per log: 2 seeds × 40 users × 300 decisions of egreedy-v1 (ε = 0.1), 24,000 decisions, 12,000 evaluated. */
const SIZE = { seeds: 2, users: 40, rounds: 300 } as const;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'oo-sim-ope-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/**
 * `pnpm simulate --log` then `pnpm ope --json`, both built CLIs as child processes, and the true
 * values of the targets on the logged sessions from the simulator's hidden means.
 */
async function simulateAndEvaluate(
  seed: number,
  targets: string,
): Promise<{ report: OpeJson; truth: TrueValues }> {
  const log = join(dir, `decisions-${seed}.ndjson`);
  const simulated = await runCli([
    ...['--seed', String(seed), '--seeds', String(SIZE.seeds), '--users', String(SIZE.users)],
    ...[
      '--rounds',
      String(SIZE.rounds),
      '--policies',
      'egreedy-v1',
      '--out',
      join(dir, `out-${seed}`),
      '--log',
      log,
    ],
  ]);
  expect(simulated.stderr).toBe('');
  expect(simulated.code).toBe(0);
  const decisions = SIZE.seeds * SIZE.users * SIZE.rounds;
  expect(simulated.stdout).toContain(`Wrote the decision log ${log} (${decisions} decisions)`);
  const lines = (await readFile(log, 'utf8'))
    .trimEnd()
    .split('\n')
    .map((text) => JSON.parse(text) as SimulatedLogLine);
  const truth = trueValues(lines, { fitFraction: 0.5, epsilons: [EPSILON] });
  const evaluated = await runOpe([log, '--json', '--targets', targets, '--epsilons', String(EPSILON)]);
  expect(evaluated.stderr).toBe('');
  expect(evaluated.code).toBe(0);
  await rm(log);
  return { report: JSON.parse(evaluated.stdout) as OpeJson, truth };
}

const covers = ({ ci95: [low, high] }: Estimate, value: number) => low <= value && value <= high;

describe('pnpm simulate --log, then pnpm ope (both built CLIs as child processes)', () => {
  let report: OpeJson;
  let truth: TrueValues;
  beforeAll(async () => {
    ({ report, truth } = await simulateAndEvaluate(1, 'uniform,egreedy'));
  });

  it('evaluates every logged decision of egreedy-v1, split as documented', () => {
    expect(report.read).toMatchObject({ lines: 24_000, valid: 24_000, unrewarded: 0 });
    expect(report.groups).toHaveLength(1);
    expect(report.groups[0]).toMatchObject({
      policy: 'egreedy-v1',
      fit: 12_000,
      evaluated: 12_000,
      warnings: [],
    });
    // An independent reimplementation of the split evaluates the same number of decisions.
    expect(truth.evaluated).toBe(12_000);
  });

  it.each([
    ['uniform', 'uniform'],
    ['ε-greedy (ε = 0.1) over per-user ridge models fitted on the first half', `egreedy ε=${EPSILON}`],
  ])(
    "each estimator's 95%% interval covers the true value of %s on the logged sessions",
    (_label, target) => {
      const found = report.groups[0]!.targets.find((t) => t.target === target)!;
      const value = truth.values[target]!;
      for (const estimator of ESTIMATORS) {
        const { ci95 } = found[estimator];
        expect(covers(found[estimator], value), `${target} ${estimator} [${ci95}] vs truth ${value}`).toBe(
          true,
        );
      }
    },
  );

  it('the intervals tell the targets apart, so covering the right one means something', () => {
    const [uniform, egreedy] = report.groups[0]!.targets;
    const other = { uniform: truth.values[`egreedy ε=${EPSILON}`]!, egreedy: truth.values.uniform! };
    for (const estimator of ESTIMATORS) {
      expect(covers(uniform![estimator], other.uniform)).toBe(false);
      expect(covers(egreedy![estimator], other.egreedy)).toBe(false);
    }
  });
});

/**
 * The issue's validation, end to end, over many logs (default 50; seeds 1–2, 3–4, …; about 10 s
 * each, so it runs on request): `OPE_COVERAGE=50 pnpm exec vitest run src/offline-evaluation.test.ts`
 * prints the table of docs/simulation.md ("Evaluate a policy offline"). Asserted: DR's mean absolute
 * error is no larger than IPS's for every target, and every estimator covers uniform's true value
 * in at least 90 % of the logs. The learned targets' coverage is printed, not asserted: with up to
 * 20 candidates and ε = 0.1 their weights reach 200; with the Student-t intervals (ADR-0020,
 * amendment) 50 logs covered the truth in 47–48 (IPS), 46 (SNIPS) and 44–47 (DR) — DR on ε-greedy
 * and greedy at 44, one short of 90 %. The ≥ 45/50 check on 20-candidate logs is asserted, seeded
 * and fast, in @oo/bandit's ope-validation.test.ts.
 */
describe.runIf(process.env.OPE_COVERAGE)('coverage over many simulated logs (OPE_COVERAGE=N)', () => {
  const logs = Number(process.env.OPE_COVERAGE) || 50;

  it(`DR's error ≤ IPS's for every target; uniform covered in ≥ 90 % of ${logs} logs by every estimator`, {
    timeout: logs * 120_000,
  }, async () => {
    const tally = new Map<string, { covered: number; low: number; error: number; truth: number }>();
    for (let i = 0; i < logs; i++) {
      const { report, truth } = await simulateAndEvaluate(
        1 + SIZE.seeds * i,
        'uniform,egreedy,greedy,linucb',
      );
      for (const found of report.groups[0]!.targets) {
        const value = truth.values[found.target]!;
        for (const estimator of ESTIMATORS) {
          const key = `${found.target}|${estimator}`;
          const entry = tally.get(key) ?? { covered: 0, low: 0, error: 0, truth: 0 };
          if (covers(found[estimator], value)) entry.covered++;
          else if (found[estimator].ci95[1] < value) entry.low++;
          entry.error += Math.abs(found[estimator].value - value) / logs;
          entry.truth += value / logs;
          tally.set(key, entry);
        }
      }
    }
    const targets = [...new Set([...tally.keys()].map((key) => key.split('|')[0]!))];
    const rows = targets.map((target) => {
      const [ips, snips, dr] = ESTIMATORS.map((estimator) => tally.get(`${target}|${estimator}`)!);
      const misses = [ips!, snips!, dr!].map((e) => `${e.low}/${logs - e.covered - e.low}`).join(' · ');
      return `| ${target} | ${ips!.truth.toFixed(4)} | ${ips!.covered} / ${snips!.covered} / ${dr!.covered} of ${logs} | ${misses} | ${ips!.error.toFixed(4)} / ${snips!.error.toFixed(4)} / ${dr!.error.toFixed(4)} | ${(dr!.error / ips!.error).toFixed(2)} |`;
    });
    console.log(
      [
        '| target | mean true value | 95 % CI covers truth (IPS / SNIPS / DR) | misses below/above the truth (IPS · SNIPS · DR) | mean abs. error IPS / SNIPS / DR | DR / IPS |',
        '| --- | ---: | --- | --- | --- | ---: |',
        ...rows,
      ].join('\n'),
    );
    for (const [key, { covered, error }] of tally) {
      if (key.startsWith('uniform|')) expect(covered / logs, key).toBeGreaterThanOrEqual(0.9);
      if (key.endsWith('|dr'))
        expect(error, key).toBeLessThanOrEqual(tally.get(key.replace('|dr', '|ips'))!.error);
    }
  });
});
