import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { OpeReport as OpeReportSchema } from '@oo/contracts';
import { afterAll, describe, expect, it } from 'vitest';
import type { OpeReport } from './report.js';
import { runCli } from './testing/run-cli.js';
import {
  deterministicLog,
  ndjson,
  sampleLine,
  syntheticLog,
  tempDir,
  writeLog,
} from './testing/synthetic-log.js';

const dir = tempDir();
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const lines = syntheticLog({ seed: 3, users: 4, perUser: 60 }).map((d) => d.line);
const log = writeLog(dir, lines);

describe('pnpm ope (the built CLI as a child process)', () => {
  it('prints the split, each logging policy and a table of every target and estimator', async () => {
    const run = await runCli([log, '--epsilons', '0.1']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(
      `Off-policy evaluation of ${log}\n240 lines: 240 valid; 0 unrewarded dropped.`,
    );
    expect(run.stdout).toContain(
      "Split: a ridge model per user (the logging policy's λ) is fitted on each user's earliest 50% of rewarded decisions by ts; every target is evaluated on the later ones, whose rewards no model saw.",
    );
    expect(run.stdout).toContain(
      "egreedy-v1@1.0.0 ε=0.3 γ=1 λ=1 (d = 7): 4 users, 240 rewarded decisions; 120 fit the targets' models (λ = 1), 120 evaluated;",
    );
    expect(run.stdout).toMatch(
      /^\| logging policy +\| target +\| estimator \| +value \| 95% CI +\| +n \| +ESS \| max weight \|$/m,
    );
    const rows = run.stdout.split('\n').filter((line) => line.startsWith('| egreedy-v1'));
    expect(
      rows.map((row) =>
        row
          .split('|')
          .slice(2, 4)
          .map((cell) => cell.trim()),
      ),
    ).toEqual([
      ['logged policy (on-policy)', 'mean'],
      ...['uniform', 'egreedy ε=0.1', 'greedy', 'linucb α=1'].flatMap((target) =>
        ['ips', 'snips', 'dr'].map((estimator) => [target, estimator]),
      ),
    ]);
    for (const row of rows.slice(1))
      expect(row).toMatch(/\| +-?\d\.\d{4} \| \[-?\d\.\d{4}, -?\d\.\d{4}\] \| +120 \|/);
  });

  it('--json gives the same figures, machine-readable', async () => {
    const run = await runCli([log, '--json', '--targets', 'uniform,egreedy', '--epsilons', '0.1,0.2']);
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as OpeReport;
    expect(report.read).toEqual({
      lines: 240,
      valid: 240,
      invalid: 0,
      invalid_lines: [],
      filtered_out: 0,
      unrewarded: 0,
    });
    expect(report.settings).toMatchObject({
      targets: ['uniform', 'egreedy ε=0.1', 'egreedy ε=0.2'],
      fit_fraction: 0.5,
      model: 'per-user',
      folds: 5,
      clip: null,
    });
    const [group] = report.groups;
    expect(group).toMatchObject({
      policy: 'egreedy-v1',
      policy_version: '1.0.0',
      d: 7,
      fit: 120,
      evaluated: 120,
    });
    const uniform = group!.targets[0]!;
    expect(uniform.target).toBe('uniform');
    expect(uniform.ips).toMatchObject({ n: 120, clip: null, clipped: 0 });
    const { value, ci95 } = uniform.dr as { value: number; ci95: [number, number] };
    expect(ci95[0]).toBeLessThan(value);
    expect(ci95[1]).toBeGreaterThan(value);
    // The schema POST /admin/ope answers with (and @oo/client parses by) describes every field:
    // parsing loses nothing, so a field added here without the schema fails this test.
    expect(OpeReportSchema.parse(report)).toEqual(report);
  });

  it('reads the log from stdin with -, and a relative path from where pnpm was called (INIT_CWD)', async () => {
    const fromStdin = await runCli(['-', '--json', '--targets', 'uniform'], {
      stdin: readFileSync(log, 'utf8'),
    });
    expect(fromStdin.code).toBe(0);
    expect((JSON.parse(fromStdin.stdout) as OpeReport).groups[0]!.evaluated).toBe(240);
    const relative = await runCli(['log.ndjson', '--json', '--targets', 'uniform'], {
      env: { INIT_CWD: dir },
    });
    expect(relative.code).toBe(0);
    expect(JSON.parse(relative.stdout)).toEqual(
      JSON.parse(fromStdin.stdout.replace('"file": "-"', '"file": "log.ndjson"')),
    );
  });

  it('exits 2 on an invalid line, naming the line number and the field, and prints nothing on stdout', async () => {
    const bad = sampleLine({
      decision_id: 'bad',
      candidates: [
        { id: 'a', features: [0, 0, 0, 0, 0, 0, 0] },
        { id: 'b', features: [0, 0, 0, 0, 1.5, 0, 0] },
      ],
      chosen_id: 'a',
    });
    const path = writeLog(dir, [...lines.slice(0, 6), bad, ...lines.slice(6)], 'bad.ndjson');
    const run = await runCli([path]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(
      'ope: line 7: candidates[1].features[4]: each feature must be a finite number in [-1, 1]\n',
    );

    const skipped = await runCli([path, '--skip-invalid', '--targets', 'uniform']);
    expect(skipped.code).toBe(0);
    expect(skipped.stdout).toContain('241 lines: 240 valid, 1 invalid skipped; 0 unrewarded dropped.');
    expect(skipped.stdout).toContain(
      '  skipped line 7: candidates[1].features[4]: each feature must be a finite number in [-1, 1]',
    );
  });

  it('drops unrewarded decisions and counts them', async () => {
    const pending = lines.map((line, i) =>
      i % 4 === 0 ? { ...line, reward: null, rewarded_at: null } : line,
    );
    const run = await runCli([writeLog(dir, pending, 'pending.ndjson'), '--json', '--targets', 'uniform']);
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as OpeReport;
    expect(report.read.unrewarded).toBe(60);
    expect(report.groups[0]!.evaluated).toBe(180);
  });

  it('exits 2 when nothing is left to evaluate', async () => {
    const pending = lines.slice(0, 5).map((line) => ({ ...line, reward: null, rewarded_at: null }));
    const run = await runCli([writeLog(dir, pending, 'none.ndjson')]);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe('ope: nothing to evaluate: no rewarded decision (5 valid lines, 5 unrewarded)\n');
    const empty = await runCli(['-'], { stdin: ndjson([]) });
    expect(empty.code).toBe(2);
    expect(empty.stderr).toBe('ope: nothing to evaluate: the log is empty\n');
  });

  it('shows an estimator that cannot answer as not estimated, with its reason, beside the others', async () => {
    // The fit half chose and rewarded the high-priority candidate, the evaluated half always chose
    // the other, which the greedy target never picks.
    const deterministic = deterministicLog();
    const path = writeLog(dir, deterministic, 'deterministic.ndjson');
    const text = await runCli([path, '--targets', 'uniform,greedy']);
    expect(text.stderr).toBe('');
    expect(text.code).toBe(0);
    const cells = (row: string) => row.split('|').map((cell) => cell.trim());
    const greedy = text.stdout.split('\n').filter((line) => line.includes('| greedy '));
    expect(greedy.map((row) => cells(row).slice(3, 6))).toEqual([
      ['ips', '0.0000', '[0.0000, 0.0000]'],
      ['snips', '—', 'not estimated (see below)'],
      ['dr', expect.stringMatching(/^-?\d\.\d{4}$/), expect.stringMatching(/^\[-?\d\.\d{4}, -?\d\.\d{4}\]$/)],
    ]);
    expect(text.stdout).toContain(
      'Not estimated:\n  linucb-v1, greedy, snips: log: the target policy gives probability 0 to every logged choice: self-normalised IPS is undefined\n',
    );

    const json = JSON.parse(
      (await runCli([path, '--json', '--targets', 'uniform,greedy'])).stdout,
    ) as OpeReport;
    const [uniform, greedyJson] = json.groups[0]!.targets;
    expect(greedyJson!.snips).toEqual({
      error:
        'log: the target policy gives probability 0 to every logged choice: self-normalised IPS is undefined',
    });
    expect(greedyJson!.ips).toMatchObject({ value: 0, supported: 0, n: 20 });
    expect(greedyJson!.dr).toMatchObject({ n: 20, supported: 0 });
    for (const estimator of ['ips', 'snips', 'dr'] as const) {
      expect(uniform![estimator]).toMatchObject({ n: 20, supported: 20 });
    }
  });

  it('exits 2 on a usage error or a missing file, and 0 for --help', async () => {
    const usage = await runCli([log, '--fit-fraction', '2']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toBe(
      'ope: --fit-fraction must be a number in (0, 1), got "2"\nRun with --help for the options.\n',
    );
    const missing = await runCli([join(dir, 'nope.ndjson')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe(`ope: cannot read ${join(dir, 'nope.ndjson')}: ENOENT\n`);
    const help = await runCli(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: pnpm ope <log.ndjson | -> [options]');
  });
});
