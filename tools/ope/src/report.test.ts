import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { evaluateGroup } from './evaluate.js';
import { parseOpeArgs } from './options.js';
import { readDecisionLog } from './read-log.js';
import { buildReport, formatJson, formatText } from './report.js';
import { targetSpecs } from './targets.js';
import { ndjson, sampleLine, syntheticLog } from './testing/synthetic-log.js';

// One egreedy-v1 group to evaluate, one linucb-v1 group with a single decision (skipped), and one
// invalid line skipped.
const lines = [
  ...syntheticLog({ seed: 5, users: 2, perUser: 30 }).map((d) => d.line),
  sampleLine({
    decision_id: 'lone',
    policy: 'linucb-v1',
    policy_params: { alpha: 1 },
    candidates: [
      { id: 'a', features: [0, 1, 0, 0, 0] },
      { id: 'b', features: [0, 1, 0, 0, 1] },
    ],
    chosen_id: 'a',
    propensity: 1,
  }),
  '{"v": 1',
];
const options = parseOpeArgs([
  'decisions.ndjson',
  '--targets',
  'uniform,greedy',
  '--clip',
  '20',
  '--skip-invalid',
]);
const specs = targetSpecs(options);
const read = await readDecisionLog(Readable.from([ndjson(lines)]), { skipInvalid: true });
const groups = read.groups.map((group) =>
  evaluateGroup(group, { targets: specs, fitFraction: 0.5, model: 'per-user', folds: 5, clip: 20 }),
);
const report = buildReport(options, specs, read, groups);

describe('the text report', () => {
  const text = formatText(report);

  it('opens with what was read, the split rule and the estimator settings', () => {
    expect(text.split('\n').slice(0, 5)).toEqual([
      'Off-policy evaluation of decisions.ndjson',
      '62 lines: 61 valid, 1 invalid skipped; 0 unrewarded dropped.',
      // JSON.parse's own wording differs between Node versions.
      expect.stringMatching(/^ {2}skipped line 62: \(line\): not JSON: \S/),
      "Split: a ridge model per user (the logging policy's λ) is fitted on each user's earliest 50% of rewarded decisions by ts; every target is evaluated on the later ones, whose rewards no model saw.",
      "DR: ridge direct model cross-fitted over 5 folds; weights clipped at 20; 95% CI = value ± t·SE, t from Student's t with the terms' effective degrees of freedom (1.96 when the weights are tame).",
    ]);
  });

  it('describes each logging policy, its warnings and why a group was not evaluated', () => {
    expect(text).toContain(
      "egreedy-v1@1.0.0 ε=0.3 γ=1 λ=1 (d = 7): 2 users, 60 rewarded decisions; 30 fit the targets' models (λ = 1), 30 evaluated;",
    );
    expect(text).toContain('linucb-v1@1.0.0 α=1 (d = 5): 1 user, 1 rewarded decisions;');
    expect(text).toContain(
      '  warning: every propensity is 1 (a deterministic logging policy such as LinUCB)',
    );
    expect(text).toContain('  not evaluated: 1 decision left to evaluate; the estimators need at least 2');
  });

  it('has one aligned row per estimate, and the on-policy mean first', () => {
    const rows = text.split('\n').filter((line) => line.startsWith('| '));
    expect(rows).toHaveLength(2 + 1 + 2 * 3);
    expect(new Set(rows.map((row) => row.length)).size).toBe(1);
    expect(rows[2]).toMatch(
      /^\| egreedy-v1@1\.0\.0 ε=0\.3 γ=1 λ=1 \| logged policy \(on-policy\) \| mean +\| +0\.\d{4} \|/,
    );
    expect(rows.slice(3).map((row) => row.split('|')[3]!.trim())).toEqual([
      'ips',
      'snips',
      'dr',
      'ips',
      'snips',
      'dr',
    ]);
  });
});

describe('the JSON report', () => {
  it('carries the settings, what was read and every group, skipped ones included', () => {
    const json = JSON.parse(formatJson(report));
    expect(json.settings).toEqual({
      targets: ['uniform', 'greedy'],
      fit_fraction: 0.5,
      model: 'per-user',
      lambda: null,
      clip: 20,
      folds: 5,
      user: null,
      policy: null,
      split: expect.stringContaining("each user's earliest 50%"),
    });
    expect(json.read).toMatchObject({ lines: 62, valid: 61, invalid: 1, unrewarded: 0 });
    expect(
      json.groups.map((g: { policy: string; skipped: string | null }) => [g.policy, g.skipped !== null]),
    ).toEqual([
      ['egreedy-v1', false],
      ['linucb-v1', true],
    ]);
    expect(json.groups[0].targets[1].ips).toMatchObject({ clip: 20, n: 30 });
  });

  it('says so when no target is learned', () => {
    const uniformOnly = parseOpeArgs(['x', '--targets', 'uniform']);
    const json = buildReport(uniformOnly, targetSpecs(uniformOnly), read, []);
    expect(json.settings).toMatchObject({
      fit_fraction: null,
      model: null,
      split: 'no learned target: every rewarded decision is evaluated',
    });
  });
});
