import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pngSize, runCli, svgSize } from './testing/run-cli.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'oo-sim-cli-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const COMMAND =
  'pnpm simulate --seed 4 --seeds 2 --users 3 --rounds 40 --reward bernoulli --drift abrupt --drift-at 0.5 --gamma 0.9';
const PLAYERS = [
  'linucb-v1',
  'linucb-v1 γ=0.9',
  'egreedy-v1',
  'egreedy-v1 γ=0.9',
  'egreedy-v2',
  'egreedy-v2 γ=0.9',
  'uniform',
  'oracle',
];

describe('pnpm simulate (the built CLI as a child process)', () => {
  it('writes SVG and PNG charts, the Markdown table and JSON, each stating the command and seeds', async () => {
    const out = join(dir, 'run');
    const run = await runCli([...COMMAND.split(' ').slice(2), '--out', out]);
    expect(run.stderr).toBe(''); // no progress bar: stdout is a pipe, not a terminal
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`$ ${COMMAND}`);
    expect(run.stdout).toMatch(/^\| player +\| reward \/ decision \|/m);

    for (const name of ['cumulative-reward', 'regret', 'regret-rate']) {
      const svg = await readFile(join(out, `${name}.svg`), 'utf8');
      expect(svg.startsWith('<svg')).toBe(true);
      expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
      // The command is wrapped on two lines in the picture; both halves are there.
      expect(svg).toContain('pnpm simulate --seed 4 --seeds 2 --users 3');
      expect(svg).toContain('seeds 4–5');
      const png = await readFile(join(out, `${name}.png`));
      const size = pngSize(png);
      const vector = svgSize(svg);
      expect(size).toEqual({ width: 2 * vector.width, height: 2 * vector.height });
      expect(size.width).toBeGreaterThan(1400);
    }

    const markdown = await readFile(join(out, 'results.md'), 'utf8');
    expect(markdown).toContain(COMMAND);
    const rows = markdown.split('\n').filter((line) => /^\| `/.test(line));
    expect(rows.map((row) => /^\| `([^`]+)`/.exec(row)![1])).toEqual(PLAYERS);
    for (const row of rows) {
      const cells = row
        .split('|')
        .slice(1, -1)
        .map((cell) => cell.trim());
      expect(cells).toHaveLength(5);
      expect(cells[2]).toMatch(/^\d+\.\d ± \d+\.\d$/);
    }
    expect(markdown).toContain('![regret](regret.svg)');

    const json = JSON.parse(await readFile(join(out, 'results.json'), 'utf8'));
    expect(json).toMatchObject({
      command: COMMAND,
      seeds: [4, 5],
      users: 3,
      rounds: 40,
      drift: 'abrupt',
      gamma: 0.9,
    });
    expect(json.players.map((p: { id: string }) => p.id)).toEqual(PLAYERS);
    const oracle = json.players.find((p: { id: string }) => p.id === 'oracle');
    expect(oracle.cumulativeRegret.mean).toBe(0);
  });

  it('resolves a relative --out against the directory pnpm was called from (INIT_CWD)', async () => {
    const run = await runCli(
      ['--seeds', '1', '--users', '1', '--rounds', '5', '--policies', 'uniform', '--out', 'rel'],
      {
        INIT_CWD: dir,
      },
    );
    expect(run.code).toBe(0);
    expect(pngSize(await readFile(join(dir, 'rel', 'regret.png'))).width).toBeGreaterThan(0);
  });

  it('prints the usage for --help', async () => {
    const run = await runCli(['--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Usage: pnpm simulate [options]');
  });

  it('exits 2 with a message naming the option on a usage error', async () => {
    const run = await runCli(['--seeds', 'many']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--seeds must be an integer');
    expect(run.stdout).toBe('');
  });

  it('exits 1 with a clear message when the service cannot be reached', async () => {
    const run = await runCli([
      '--url',
      'http://127.0.0.1:9',
      '--seeds',
      '1',
      '--users',
      '1',
      '--rounds',
      '2',
    ]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('simulate: the service at http://127.0.0.1:9 failed: OoNetworkError');
  });
});
