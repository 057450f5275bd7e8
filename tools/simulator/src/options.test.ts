import { describe, expect, it } from 'vitest';
import { PLAYER_IDS, parseSimulateArgs, reproducingCommand, seedList, UsageError } from './options.js';

describe('parseSimulateArgs', () => {
  it('has defaults for everything', () => {
    expect(parseSimulateArgs([])).toEqual({
      seed: 1,
      seeds: 5,
      users: 20,
      rounds: 500,
      players: [...PLAYER_IDS],
      reward: 'bernoulli',
      drift: 'none',
      driftAt: 0.5,
      concurrency: 4,
      out: 'simulation',
      quiet: false,
      help: false,
    });
  });

  it('reads every option', () => {
    const options = parseSimulateArgs([
      '--seed=42',
      '--seeds',
      '3',
      '--users',
      '7',
      '--rounds',
      '90',
      '--policies',
      'egreedy-v1, uniform',
      '--reward',
      'bounded',
      '--drift',
      'gradual',
      '--drift-at',
      '0.25',
      '--url',
      'http://127.0.0.1:8000',
      '--concurrency',
      '8',
      '--out',
      'x/y',
      '--quiet',
    ]);
    expect(options).toMatchObject({
      seed: 42,
      seeds: 3,
      users: 7,
      rounds: 90,
      players: ['egreedy-v1', 'uniform'],
      reward: 'bounded',
      drift: 'gradual',
      driftAt: 0.25,
      url: 'http://127.0.0.1:8000',
      concurrency: 8,
      out: 'x/y',
      quiet: true,
    });
    expect(seedList(options)).toEqual([42, 43, 44]);
  });

  it.each([
    [['--seeds', '0'], '--seeds must be an integer in [1, 1000], got "0"'],
    [['--users', '2.5'], '--users must be an integer'],
    [['--rounds', '1'], '--rounds must be an integer in [2, '],
    [['--policies', 'linucb-v1,greedy'], 'unknown player "greedy"'],
    [['--policies', 'uniform,uniform'], 'names a player twice'],
    [['--policies', ','], 'names no player'],
    [['--reward', 'gaussian'], '--reward must be one of bernoulli, bounded'],
    [['--drift', 'sudden'], '--drift must be one of none, abrupt, gradual'],
    [['--drift-at', '1'], '--drift-at must be a number in (0, 1)'],
    [['--url', 'ftp://x'], '--url must be an http(s) URL'],
    [['--gamma', '1'], '--gamma must be a decimal in (0, 1)'],
    [['--gamma', '0'], '--gamma must be a decimal in (0, 1)'],
    [['--gamma', '1e-2'], '--gamma must be a decimal in (0, 1)'],
    [['--gamma', '0.99', '--policies', 'uniform,oracle'], '--gamma needs a policy in --policies'],
    [['--gamma', '0.99', '--url', 'http://127.0.0.1:8000'], '--gamma plays in-process only'],
    [['--url', 'not a url'], '--url must be an http(s) URL'],
    [['--log', 'x.ndjson', '--url', 'http://127.0.0.1:8000'], '--log records in-process decisions only'],
    [['--log', 'x.ndjson', '--policies', 'uniform,oracle'], '--log needs a policy in --policies'],
    [['--colour'], "Unknown option '--colour'"],
    [['extra'], 'unexpected argument "extra"'],
  ])('refuses %j', (argv, message) => {
    expect(() => parseSimulateArgs(argv)).toThrow(UsageError);
    expect(() => parseSimulateArgs(argv)).toThrow(message);
  });
});

describe('reproducingCommand', () => {
  it('spells out every option that changes the figures, and parses back to the same run', () => {
    const options = parseSimulateArgs(['--seed', '9', '--drift', 'abrupt', '--policies', 'linucb-v1,oracle']);
    const command = reproducingCommand(options);
    expect(command).toBe(
      'pnpm simulate --seed 9 --seeds 5 --users 20 --rounds 500 --reward bernoulli --drift abrupt --drift-at 0.5 --policies linucb-v1,oracle',
    );
    const again = parseSimulateArgs(command.replace('pnpm simulate ', '').split(' '));
    expect(again).toEqual(options);
  });

  it('names the forgetting factor of the discounted variants', () => {
    const options = parseSimulateArgs(['--drift', 'gradual', '--gamma', '.995']);
    expect(options.gamma).toBe(0.995);
    const command = reproducingCommand(options);
    expect(command).toContain('--drift gradual --drift-at 0.5 --gamma 0.995');
    expect(parseSimulateArgs(command.replace('pnpm simulate ', '').split(' '))).toEqual(options);
  });

  it('leaves out what does not change the figures (output directory, progress, decision log)', () => {
    const options = parseSimulateArgs(['--out', '/tmp/a', '--quiet', '--log', 'runs/sim.ndjson']);
    expect(options.log).toBe('runs/sim.ndjson');
    expect(reproducingCommand(options)).toBe(
      'pnpm simulate --seed 1 --seeds 5 --users 20 --rounds 500 --reward bernoulli',
    );
  });
});
