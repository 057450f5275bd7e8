import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { LogInputError } from './errors.js';
import { fieldPath, MAX_LINE_CHARS, parseLine, readDecisionLog } from './read-log.js';
import { ndjson, sampleLine, tempDir, writeLog } from './testing/synthetic-log.js';

const dir = tempDir();
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const linucbCandidates = [
  { id: 'a', features: [0.5, 0.5, 0, 0.1, 0] },
  { id: 'b', features: [0.5, 0.5, 1, 0.2, 1] },
];

async function readError(lines: unknown[], options = {}): Promise<LogInputError> {
  const error = await readDecisionLog(writeLog(dir, lines), options).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(LogInputError);
  return error as LogInputError;
}

describe('readDecisionLog: grouping', () => {
  it('groups rewarded decisions by logging policy, version and parameters, each with its d', async () => {
    const lines = [
      sampleLine({ decision_id: 'd1' }),
      sampleLine({
        decision_id: 'd2',
        policy: 'linucb-v1',
        policy_params: { alpha: 1 },
        candidates: linucbCandidates,
        propensity: 1,
      }),
      sampleLine({ decision_id: 'd3', policy_params: { gamma: 0.99, epsilon: 0.1, lambda: 1 } }),
      sampleLine({ decision_id: 'd4' }),
      sampleLine({ decision_id: 'd5', policy_version: undefined, policy_params: undefined }),
      sampleLine({ decision_id: 'd6', reward: null, rewarded_at: null }),
    ];
    const read = await readDecisionLog(writeLog(dir, lines));
    expect(read).toMatchObject({ lines: 6, valid: 6, invalid: 0, filteredOut: 0, unrewarded: 1 });
    expect(read.groups.map((g) => [g.label, g.d, g.entries.map((e) => e.decisionId)])).toEqual([
      ['egreedy-v1@1.0.0 ε=0.1 γ=1 λ=1', 7, ['d1', 'd4']],
      ['linucb-v1@1.0.0 α=1', 5, ['d2']],
      // The same parameters in another key order are the same logging policy; γ = 0.99 is another.
      ['egreedy-v1@1.0.0 ε=0.1 γ=0.99 λ=1', 7, ['d3']],
      ['egreedy-v1', 7, ['d5']],
    ]);
  });

  it('keeps what the estimators read: the chosen index, propensity, reward, time, user and line', async () => {
    const read = await readDecisionLog(
      writeLog(dir, [sampleLine({ chosen_id: 'c', propensity: 0.0333, reward: -0.5, user_id: 'u9' })]),
    );
    const entry = read.groups[0]!.entries[0]!;
    expect(entry).toMatchObject({
      userId: 'u9',
      decisionId: 'd1',
      chosen: 2,
      propensity: 0.0333,
      reward: -0.5,
      tsMs: Date.parse('2025-01-06T09:00:00.000Z'),
      line: 1,
    });
    expect(entry.candidates.map((x) => Array.from(x))).toEqual(
      (sampleLine().candidates as { features: number[] }[]).map((c) => c.features),
    );
  });

  it('ignores blank lines but counts them in line numbers, and reads a stream (stdin)', async () => {
    const text = `\n${JSON.stringify(sampleLine())}\n   \n${JSON.stringify({ ...sampleLine({ decision_id: 'd2' }), v: 3 })}\n`;
    const error = await readDecisionLog(Readable.from([text])).catch((e: unknown) => e);
    expect((error as LogInputError).issue).toEqual({
      line: 4,
      field: 'v',
      message: 'v must be 1: this reader knows decision log format version 1 only',
    });
  });

  it('reads CRLF line endings and a last line without a newline', async () => {
    const text = `${JSON.stringify(sampleLine())}\r\n${JSON.stringify(sampleLine({ decision_id: 'd2' }))}`;
    const read = await readDecisionLog(Readable.from([text]));
    expect(read.valid).toBe(2);
  });

  it('filters by user and by logging policy, after validating every line', async () => {
    const lines = [
      sampleLine({ decision_id: 'd1', user_id: 'u1' }),
      sampleLine({ decision_id: 'd2', user_id: 'u2' }),
      sampleLine({
        decision_id: 'd3',
        user_id: 'u2',
        policy: 'linucb-v1',
        candidates: linucbCandidates,
        propensity: 1,
      }),
    ];
    const path = writeLog(dir, lines);
    const byUser = await readDecisionLog(path, { user: 'u2' });
    expect(byUser.filteredOut).toBe(1);
    expect(byUser.groups.flatMap((g) => g.entries.map((e) => e.decisionId))).toEqual(['d2', 'd3']);
    const byPolicy = await readDecisionLog(path, { policy: 'linucb-v1' });
    expect(byPolicy.groups.map((g) => g.policy)).toEqual(['linucb-v1']);
    await expect(
      readDecisionLog(writeLog(dir, [...lines, '{'], 'bad.ndjson'), { user: 'u2' }),
    ).rejects.toThrow('line 4: (line): not JSON');
  });
});

describe('readDecisionLog: errors name the line and the field', () => {
  it.each([
    ['not JSON', '{"v":1,', '(line)', /^not JSON: /],
    ['a JSON array', '[1, 2]', '(line)', /expected object, received array/],
    [
      'a wrong feature count',
      sampleLine({ policy: 'egreedy-v2' }),
      'candidates[0].features',
      /d = 12 numbers for egreedy-v2, got 7 \(and 2 more issues on this line\)/,
    ],
    [
      'a feature out of range',
      sampleLine({
        candidates: [
          { id: 'a', features: [0, 0, 0, 0, 0, 0, 0] },
          { id: 'b', features: [0, 0, 0, 0, 7, 0, 0] },
        ],
      }),
      'candidates[1].features[4]',
      /each feature must be a finite number in \[-1, 1\]/,
    ],
    ['a missing field', sampleLine({ propensity: undefined }), 'propensity', /^missing \(expected number\)$/],
    ['propensity 0', sampleLine({ propensity: 0 }), 'propensity', /propensity must be in \(0, 1\]/],
    [
      'a chosen id that is no candidate',
      sampleLine({ chosen_id: 'z' }),
      'chosen_id',
      /one of the candidates/,
    ],
    ['an unknown policy', sampleLine({ policy: 'bandit-v3' }), 'policy', /expected one of/],
  ])('%s', async (_label, bad, field, message) => {
    const error = await readError([sampleLine(), sampleLine({ decision_id: 'd2' }), bad]);
    expect(error.issue?.line).toBe(3);
    expect(error.issue?.field).toBe(field);
    expect(error.issue?.message).toMatch(message);
    expect(error.message).toBe(`line 3: ${field}: ${error.issue?.message}`);
  });

  it('a decision logged twice is an error naming both lines (it would be weighed twice)', async () => {
    const error = await readError([sampleLine(), sampleLine({ decision_id: 'd2' }), sampleLine()]);
    expect(error.message).toBe("line 3: decision_id: user u1's decision d1 repeats line 1");
    // The same decision id for another user is another decision.
    const read = await readDecisionLog(writeLog(dir, [sampleLine(), sampleLine({ user_id: 'u2' })]));
    expect(read.valid).toBe(2);
  });

  it('refuses an overlong line before parsing it', () => {
    const parsed = parseLine(`"${'x'.repeat(MAX_LINE_CHARS)}"`, 8);
    expect(parsed).toEqual({
      ok: false,
      issue: {
        line: 8,
        field: '(line)',
        message: `longer than ${MAX_LINE_CHARS} characters: not a decision`,
      },
    });
  });

  it('with skipInvalid, counts and skips bad lines, keeping the first few', async () => {
    const lines = [
      sampleLine(),
      'nope',
      sampleLine({ decision_id: 'd2', propensity: 2 }),
      sampleLine({ decision_id: 'd3' }),
      sampleLine(),
    ];
    const read = await readDecisionLog(writeLog(dir, lines), { skipInvalid: true, keepIssues: 2 });
    expect(read).toMatchObject({ lines: 5, valid: 2, invalid: 3 });
    expect(read.invalidLines.map((issue) => [issue.line, issue.field])).toEqual([
      [2, '(line)'],
      [3, 'propensity'],
    ]);
    expect(read.groups[0]!.entries.map((e) => e.decisionId)).toEqual(['d1', 'd3']);
  });

  it('an unreadable file is an input error naming it', async () => {
    const missing = join(dir, 'missing.ndjson');
    await expect(readDecisionLog(missing)).rejects.toThrow(`cannot read ${missing}: ENOENT`);
    await expect(readDecisionLog(dir)).rejects.toThrow(`cannot read ${dir}: EISDIR`);
  });

  it('an empty log reads as nothing', async () => {
    const read = await readDecisionLog(Readable.from([ndjson([])]));
    expect(read).toMatchObject({ lines: 0, valid: 0, groups: [] });
  });
});

describe('fieldPath', () => {
  it('writes zod paths the way JavaScript would index them', () => {
    expect(fieldPath(['candidates', 1, 'features', 4])).toBe('candidates[1].features[4]');
    expect(fieldPath(['policy_params', 'gamma'])).toBe('policy_params.gamma');
    expect(fieldPath([])).toBe('(line)');
  });
});
