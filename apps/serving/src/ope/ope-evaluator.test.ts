import { BanditError } from '@oo/bandit';
import { LogInputError } from '@oo/ope';
import { describe, expect, it } from 'vitest';
import { HttpError, type ValidationError } from '../errors.js';
import { OpeEvaluator, OpeUnavailableError } from './ope-evaluator.js';
import { OpeWorkerError } from './ope-protocol.js';
import { opeOptions, toOpeInputError } from './service-ope.js';

// Workers that never answer or die at once, to reach the limits without timing anything.
const HANGING = new URL('data:text/javascript,setInterval(() => {}, 1000)');
const THROWING = new URL('data:text/javascript,throw new Error("boom")');
const EXITING = new URL('data:text/javascript,process.exit(3)');

interface SampleCandidate {
  id: string;
  features: number[];
}

/** Decision `i` of a valid egreedy-v1 log (d = 7, the @oo/ope test sample's shape), rewarded. */
function sampleLine(
  i: number,
  userId: string,
  candidates: SampleCandidate[],
  chosen: string,
  propensity: number,
) {
  const ts = new Date(Date.parse('2025-01-06T09:00:00Z') + i * 60_000).toISOString();
  const line = {
    v: 1,
    user_id: userId,
    decision_id: `d${i}`,
    policy: 'egreedy-v1',
    policy_version: '1.0.0',
    policy_params: { epsilon: 0.1, gamma: 1, lambda: 1 },
    ts,
    candidates,
    chosen_id: chosen,
    propensity,
    reward: i % 2,
    rewarded_at: ts,
  };
  return `${JSON.stringify(line)}\n`;
}

/** `n` decisions of three candidates, all of one user. */
function sampleLog(n: number): string {
  const features = (i: number, c: number) => [0.5, 0.5, c % 2, (i % 10) / 10, c / 2, 0, 1];
  let text = '';
  for (let i = 0; i < n; i++) {
    const candidates = ['a', 'b', 'c'].map((id, c) => ({ id, features: features(i, c) }));
    text += sampleLine(i, 'u1', candidates, 'b', 0.9333333333333333);
  }
  return text;
}

async function* chunks(...texts: string[]): AsyncGenerator<string> {
  yield* texts;
}

/**
 * `n` decisions of 100 candidates each over 50 users, made as the worker pulls them (100 lines a
 * chunk), so the test process never holds the log.
 */
async function* wideLog(n: number): AsyncGenerator<string> {
  for (let first = 0; first < n; first += 100) {
    let text = '';
    for (let i = first; i < Math.min(n, first + 100); i++) {
      const candidates = Array.from({ length: 100 }, (_, c) => ({
        id: `c${c}`,
        features: [0.5, 0.5, c % 2, (i % 10) / 10, (c % 7) / 7, ((i * 31 + c) % 97) / 97, 1],
      }));
      text += sampleLine(i, `u${i % 50}`, candidates, 'c1', 0.5);
    }
    yield text;
  }
}

describe('OpeEvaluator with the real worker', () => {
  const evaluator = new OpeEvaluator();

  it('rebuilds a bad line as the LogInputError evaluateLog threw, with its issue', async () => {
    const error = await evaluator.evaluate(opeOptions({}), chunks('not json\n')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LogInputError);
    expect((error as LogInputError).issue).toMatchObject({ line: 1 });
    // A bad line of the service's own export stays a bug (500), as before.
    expect(toOpeInputError(error, {})).toBe(error);
  });

  it('rebuilds "nothing to evaluate" as a LogInputError without an issue: 422 on what selected it', async () => {
    const error = await evaluator.evaluate(opeOptions({}), chunks()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LogInputError);
    expect((error as LogInputError).issue).toBeUndefined();
    expect((toOpeInputError(error, { user_id: 'u' }) as ValidationError).issues[0]?.path).toBe('user_id');
  });

  it('rebuilds an estimator’s refusal as a @oo/bandit error with its field: 422 on the body field', async () => {
    const options = { ...opeOptions({}), epsilons: [2] };
    const error = await evaluator.evaluate(options, chunks(sampleLog(12))).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BanditError);
    expect(error).toMatchObject({ name: 'InvalidInputError', field: 'epsilon' });
    expect((toOpeInputError(error, {}) as ValidationError).issues[0]?.path).toBe('epsilons');
  });

  it('rejects with the log source’s own error and is free again afterwards', async () => {
    const failure = new Error('disk on fire');
    async function* failing(): AsyncGenerator<string> {
      yield* [];
      throw failure;
    }
    await expect(evaluator.evaluate(opeOptions({}), failing())).rejects.toBe(failure);
    expect(evaluator.busy).toBe(false);
    await expect(evaluator.evaluate(opeOptions({}), chunks())).rejects.toBeInstanceOf(LogInputError);
  });
});

describe('OpeEvaluator limits', () => {
  it('refuses a second evaluation while one runs (503 ope_busy, Retry-After), and all after close()', async () => {
    const evaluator = new OpeEvaluator({ worker: HANGING });
    const first = evaluator.evaluate(opeOptions({}), chunks()).catch((e: unknown) => e);
    expect(evaluator.busy).toBe(true);
    const second = await evaluator.evaluate(opeOptions({}), chunks()).catch((e: unknown) => e);
    expect(second).toBeInstanceOf(OpeUnavailableError);
    expect(second).toMatchObject({ status: 503, reason: 'ope_busy', details: { reason: 'ope_busy' } });
    expect((second as HttpError).headers).toMatchObject({ 'retry-after': expect.stringMatching(/^\d+$/) });

    await evaluator.close();
    expect(await first).toMatchObject({ status: 503, reason: 'shutting_down' });
    expect(evaluator.busy).toBe(false);
    await expect(evaluator.evaluate(opeOptions({}), chunks())).rejects.toMatchObject({
      reason: 'shutting_down',
    });
  });

  it('terminates a worker past the time limit and answers 503 ope_timeout', async () => {
    const evaluator = new OpeEvaluator({ worker: HANGING, timeoutMs: 50 });
    const error = await evaluator.evaluate(opeOptions({}), chunks()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpeUnavailableError);
    expect(error).toMatchObject({ status: 503, reason: 'ope_timeout' });
    expect(evaluator.busy).toBe(false);
  });

  it('stops an evaluation that outgrows its heap limit (503 ope_memory) and runs the next one that fits', async () => {
    // 32 MiB holds the worker and a small evaluation, not 3,000 decisions of 100 candidates.
    const evaluator = new OpeEvaluator({ maxHeapMb: 32 });
    const error = await evaluator.evaluate(opeOptions({}), wideLog(3_000)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpeUnavailableError);
    expect(error).toMatchObject({ status: 503, reason: 'ope_memory', details: { reason: 'ope_memory' } });
    expect((error as Error).message).toMatch(/more than 32 MiB/);
    expect(evaluator.busy).toBe(false);
    const report = await evaluator.evaluate(opeOptions({}), wideLog(12));
    expect(report.read).toMatchObject({ lines: 12, valid: 12 });
  });

  it.each([
    ['throws', THROWING],
    ['exits', EXITING],
  ])(
    'answers a worker that %s with an error that is no HttpError (500), not a hang',
    async (_label, worker) => {
      const evaluator = new OpeEvaluator({ worker });
      const error = await evaluator.evaluate(opeOptions({}), chunks()).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OpeWorkerError);
      expect(error).not.toBeInstanceOf(HttpError);
      expect(evaluator.busy).toBe(false);
    },
  );
});
