import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DECISION_LOG_FORMAT_VERSION, DecisionLogLine } from './decision-log-line.js';

// The example of docs/decision-log-format.md: an egreedy-v1 decision (d = 7) over two candidates.
const line = {
  v: 1,
  user_id: 'user-42',
  decision_id: '0b8f7d52-6f1e-4c3a-9d2e-5a7c1f0e9b41',
  policy: 'egreedy-v1',
  policy_version: '1.0.0',
  policy_params: { epsilon: 0.1, gamma: 1, lambda: 1 },
  ts: '2025-01-06T09:30:00.000Z',
  expires_at: '2025-01-07T09:30:00.000Z',
  candidates: [
    { id: 'task-1', features: [0.6088, -0.7934, 0, 0.1333, 1, 0, 1] },
    { id: 'task-2', features: [0.6088, -0.7934, 1, 0.5, 0.3333, 0, 1] },
  ],
  chosen_id: 'task-2',
  propensity: 0.05,
  reward: 1,
  rewarded_at: '2025-01-06T09:41:12.000Z',
};

const pending = { ...line, reward: null, rewarded_at: null };

function issues(input: unknown) {
  return DecisionLogLine.safeParse(input).error?.issues.map((issue) => ({
    path: issue.path,
    message: issue.message,
  }));
}

describe('DecisionLogLine', () => {
  it('accepts a rewarded decision and a pending one', () => {
    expect(DecisionLogLine.parse(line)).toEqual(line);
    expect(DecisionLogLine.parse(pending)).toEqual(pending);
    expect(DECISION_LOG_FORMAT_VERSION).toBe(1);
  });

  it('accepts the fewest fields: no version, parameters or expiry, one candidate, propensity 1', () => {
    const { policy_version: _v, policy_params: _p, expires_at: _e, ...minimal } = line;
    const single = {
      ...minimal,
      policy: 'linucb-v1',
      candidates: [{ id: 'only', features: [0, 1, 0, 0, 0] }],
      chosen_id: 'only',
      propensity: 1,
    };
    expect(DecisionLogLine.parse(single)).toEqual(single);
  });

  it('strips unknown fields, so producers can add some (the simulator adds its hidden means)', () => {
    expect(DecisionLogLine.parse({ ...line, sim: { means: [0.2, 0.4] } })).toEqual(line);
  });

  it('checks d per policy: 12 features for egreedy-v2, 5 for linucb-v1', () => {
    const v2 = line.candidates.map((c) => ({ ...c, features: [...c.features, 0.1, 0.2, 0.3, 0.4, 0.5] }));
    expect(DecisionLogLine.safeParse({ ...line, policy: 'egreedy-v2', candidates: v2 }).success).toBe(true);
    expect(issues({ ...line, policy: 'linucb-v1' })).toEqual([
      {
        path: ['candidates', 0, 'features'],
        message: 'features must hold d = 5 numbers for linucb-v1, got 7',
      },
      {
        path: ['candidates', 1, 'features'],
        message: 'features must hold d = 5 numbers for linucb-v1, got 7',
      },
    ]);
  });

  it.each([
    ['format version 2', { v: 2 }, ['v'], /format version 1 only/],
    ['no version', { v: undefined }, ['v'], /v must be 1/],
    ['an unknown policy', { policy: 'egreedy-v9' }, ['policy'], /expected one of/],
    ['a traversal user id', { user_id: '../u' }, ['user_id'], /user_id must be/],
    ['a bad decision id', { decision_id: 'a b' }, ['decision_id'], /decision_id must be/],
    ['a bad policy version', { policy_version: '1.0 beta' }, ['policy_version'], /policy_version must be/],
    ['ε above 1', { policy_params: { epsilon: 1.5 } }, ['policy_params', 'epsilon'], /<=1/],
    ['γ of 0', { policy_params: { gamma: 0 } }, ['policy_params', 'gamma'], />0/],
    ['a timestamp without offset', { ts: '2025-01-06T09:30:00' }, ['ts'], /RFC 3339/],
    ['no candidates', { candidates: [] }, ['candidates'], /at least 1 candidate/],
    ['propensity 0', { propensity: 0 }, ['propensity'], /\(0, 1\]/],
    ['propensity above 1', { propensity: 1.01 }, ['propensity'], /\(0, 1\]/],
    ['a reward above 1', { reward: 1.5 }, ['reward'], /\[-1, 1\]/],
    ['a missing reward', { reward: undefined }, ['reward'], /expected number/],
    ['a string reward', { reward: '1' }, ['reward'], /expected number/],
    ['a missing rewarded_at', { rewarded_at: undefined }, ['rewarded_at'], /RFC 3339/],
  ])('rejects %s, naming the field', (_label, overrides, path, message) => {
    const found = issues({ ...line, ...overrides });
    expect(found?.map((issue) => issue.path)).toEqual([path]);
    expect(found?.[0]?.message).toMatch(message);
  });

  it('rejects 101 candidates', () => {
    const many = Array.from({ length: 101 }, (_, i) => ({
      id: `t${i}`,
      features: line.candidates[0]!.features,
    }));
    expect(issues({ ...line, candidates: many, chosen_id: 't0' })?.map((i) => i.path)).toEqual([
      ['candidates'],
    ]);
  });

  it.each([
    ['a NaN feature', [Number.NaN, 0, 0, 0, 0, 0, 0], ['candidates', 1, 'features', 0]],
    ['a feature above 1', [0, 0, 0, 0, 1.5, 0, 0], ['candidates', 1, 'features', 4]],
    ['13 features', new Array(13).fill(0), ['candidates', 1, 'features']],
  ])('rejects %s with the candidate and feature index', (_label, features, path) => {
    const candidates = [line.candidates[0]!, { id: 'task-2', features }];
    expect(issues({ ...line, candidates })?.map((issue) => issue.path)).toEqual([path]);
  });

  it('rejects a repeated candidate id at its second position', () => {
    const candidates = [line.candidates[0]!, line.candidates[1]!, { ...line.candidates[0]! }];
    expect(issues({ ...line, candidates })).toEqual([
      {
        path: ['candidates', 2, 'id'],
        message: 'candidates ids must be unique: this id repeats candidates[0].id',
      },
    ]);
  });

  it('rejects a chosen_id that is not a candidate', () => {
    expect(issues({ ...line, chosen_id: 'task-3' })).toEqual([
      { path: ['chosen_id'], message: 'chosen_id must be the id of one of the candidates' },
    ]);
  });

  it('rejects a reward without rewarded_at, and rewarded_at without a reward', () => {
    const message = 'rewarded_at must be null exactly when reward is null';
    expect(issues({ ...line, rewarded_at: null })).toEqual([{ path: ['rewarded_at'], message }]);
    expect(issues({ ...line, reward: null })).toEqual([{ path: ['rewarded_at'], message }]);
  });

  it('rejects a line that is not an object', () => {
    expect(DecisionLogLine.safeParse([line]).success).toBe(false);
    expect(DecisionLogLine.safeParse(null).success).toBe(false);
  });
});

describe('docs/decision-log-format.md', () => {
  const doc = readFileSync(join(import.meta.dirname, '../../../../docs/decision-log-format.md'), 'utf8');
  const blocks = [...doc.matchAll(/```(?:nd)?json\n([\s\S]*?)```/g)].map((match) => match[1]!);

  it('shows a valid line, one line long, and the same line pretty-printed', () => {
    expect(blocks).toHaveLength(2);
    const [oneLine, pretty] = blocks as [string, string];
    expect(oneLine.trimEnd().includes('\n')).toBe(false);
    const line = JSON.parse(oneLine);
    expect(DecisionLogLine.parse(line)).toEqual(line);
    expect(JSON.parse(pretty)).toEqual(line);
  });

  it('lists every field of the schema in its table', () => {
    const fields = Object.keys(DecisionLogLine.shape);
    const section = doc.slice(doc.indexOf('## Fields'), doc.indexOf('## Example'));
    const rows = section.split('\n').filter((row) => /^\| `[a-z_]+` /.test(row));
    expect(rows.map((row) => /^\| `([a-z_]+)`/.exec(row)![1])).toEqual(fields);
  });
});
