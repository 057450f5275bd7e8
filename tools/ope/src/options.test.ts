import { describe, expect, it } from 'vitest';
import { UsageError } from './errors.js';
import { parseOpeArgs } from './options.js';

describe('parseOpeArgs', () => {
  it('has defaults for everything but the log', () => {
    expect(parseOpeArgs(['log.ndjson'])).toEqual({
      file: 'log.ndjson',
      targets: ['uniform', 'egreedy', 'greedy', 'linucb'],
      epsilons: [0.05, 0.1, 0.2],
      alpha: 1,
      model: 'per-user',
      fitFraction: 0.5,
      folds: 5,
      skipInvalid: false,
      json: false,
      help: false,
    });
  });

  it('reads every option, in any order around the log', () => {
    const options = parseOpeArgs([
      '--targets',
      'uniform, egreedy',
      '--epsilons=0.1,.25',
      '--alpha',
      '0.5',
      'x/log.ndjson',
      '--model',
      'pooled',
      '--lambda',
      '2',
      '--fit-fraction',
      '0.3',
      '--clip',
      '50',
      '--folds',
      '10',
      '--user',
      'user-7',
      '--policy',
      'egreedy-v2',
      '--skip-invalid',
      '--json',
    ]);
    expect(options).toEqual({
      file: 'x/log.ndjson',
      targets: ['uniform', 'egreedy'],
      epsilons: [0.1, 0.25],
      alpha: 0.5,
      model: 'pooled',
      lambda: 2,
      fitFraction: 0.3,
      clip: 50,
      folds: 10,
      user: 'user-7',
      policy: 'egreedy-v2',
      skipInvalid: true,
      json: true,
      help: false,
    });
  });

  it('takes - for stdin, and --help without a log', () => {
    expect(parseOpeArgs(['-']).file).toBe('-');
    expect(parseOpeArgs(['--help']).help).toBe(true);
    expect(parseOpeArgs(['-h']).help).toBe(true);
  });

  it.each([
    [[], /the decision log to evaluate is missing/],
    [['a', 'b'], /unexpected argument "b"/],
    [['a', '--bogus'], /Unknown option '--bogus'/],
    [['a', '--targets', 'uniform,bandit'], /--targets: unknown target "bandit"/],
    [['a', '--targets', 'greedy,greedy'], /--targets names a target twice/],
    [['a', '--targets', ','], /--targets names nothing/],
    [['a', '--epsilons', '0.1,1.5'], /--epsilons must be each a number in \[0, 1\], got "1.5"/],
    [['a', '--epsilons', '0.1,0.10'], /--epsilons names a value twice/],
    [['a', '--epsilons', '0x1'], /--epsilons must be/],
    [['a', '--alpha=-1'], /--alpha must be a number ≥ 0, got "-1"/],
    [['a', '--model', 'global'], /--model must be one of per-user, pooled, got "global"/],
    [['a', '--lambda', '0'], /--lambda must be a number > 0, got "0"/],
    [['a', '--fit-fraction', '1'], /--fit-fraction must be a number in \(0, 1\), got "1"/],
    [['a', '--fit-fraction', '0'], /--fit-fraction must be a number in \(0, 1\)/],
    [['a', '--clip', '1e400'], /--clip must be a weight > 0, got "1e400"/],
    [['a', '--folds', '1'], /--folds must be an integer ≥ 2, got "1"/],
    [['a', '--folds', '2.5'], /--folds must be an integer ≥ 2/],
    [['a', '--policy', 'linucb-v9'], /--policy: unknown policy "linucb-v9"/],
    [['a', '--json=yes'], /--json/],
  ])('rejects %j with a message naming the option', (argv, message) => {
    expect(() => parseOpeArgs(argv)).toThrow(UsageError);
    expect(() => parseOpeArgs(argv)).toThrow(message);
  });
});
