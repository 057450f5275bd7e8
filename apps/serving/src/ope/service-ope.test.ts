import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DimensionError, InvalidInputError } from '@oo/bandit';
import { LogInputError } from '@oo/ope';
import { type StateStore, StoreUnavailableError } from '@oo/state';
import { createFileStore } from '@oo/state/file';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ValidationError } from '../errors.js';
import { withBrokenReads } from '../testing/failing-store.js';
import { evaluateServiceLog, opeOptions, toOpeInputError } from './service-ope.js';

describe('toOpeInputError', () => {
  it.each([
    [new InvalidInputError('epsilon', 'expected ε in [0, 1]'), {}, 'epsilons'],
    [new InvalidInputError('clip', 'expected a positive finite weight cap'), {}, 'clip'],
    [new InvalidInputError('folds', 'expected an integer ≥ 2'), {}, 'folds'],
    [new DimensionError('log[3].candidates[0]', 7, 5), {}, 'log[3].candidates[0]'],
    [new LogInputError('nothing to evaluate: the log is empty'), {}, 'body'],
    [new LogInputError('nothing to evaluate: the log is empty'), { user_id: 'u' }, 'user_id'],
    [
      new LogInputError('nothing to evaluate: the log is empty'),
      { user_id: 'u', policy: 'linucb-v1' as const },
      'policy',
    ],
  ])('maps %s to 422 on the field it names', (error, request, path) => {
    const mapped = toOpeInputError(error, request);
    expect(mapped).toBeInstanceOf(ValidationError);
    expect((mapped as ValidationError).issues).toEqual([{ path, message: error.message }]);
  });

  it('leaves an invalid line of the service’s own export, and any other error, as they are', () => {
    const line = new LogInputError('line 1: v: bad', { line: 1, field: 'v', message: 'bad' });
    expect(toOpeInputError(line, {})).toBe(line);
    const bug = new Error('bug');
    expect(toOpeInputError(bug, {})).toBe(bug);
  });
});

describe('opeOptions', () => {
  it('takes the CLI defaults for what the request leaves out', () => {
    expect(opeOptions({})).toMatchObject({
      file: '-',
      targets: ['uniform', 'egreedy', 'greedy', 'linucb'],
      epsilons: [0.05, 0.1, 0.2],
      alpha: 1,
      model: 'per-user',
      fitFraction: 0.5,
      folds: 5,
      json: true,
    });
  });
});

describe('evaluateServiceLog', () => {
  let dir: string;
  let store: StateStore;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'oo-serving-ope-'));
    store = createFileStore({ dir });
  });
  afterEach(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('lets a store failure through as itself (503), not as unreadable input', async () => {
    await expect(evaluateServiceLog(store, { user_id: 'u' })).rejects.toBeInstanceOf(ValidationError);
    const broken = withBrokenReads(store, 'disk on fire');
    await expect(evaluateServiceLog(broken, { user_id: 'u' })).rejects.toThrow('disk on fire');
    const down: StateStore = {
      ...broken,
      backend: 'file',
      readUser: async () => {
        throw new StoreUnavailableError('file', 'down');
      },
    };
    await expect(evaluateServiceLog(down, { user_id: 'u' })).rejects.toBeInstanceOf(StoreUnavailableError);
  });
});
