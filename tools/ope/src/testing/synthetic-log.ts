import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRng, decide, LinearModel, POLICIES, type PolicyId } from '@oo/bandit';
import type { DecisionLogLine } from '@oo/contracts';

/** A valid egreedy-v1 line (d = 7) over three candidates, for tests to vary. */
export function sampleLine(
  overrides: Partial<Record<keyof DecisionLogLine, unknown>> = {},
): Record<string, unknown> {
  return {
    v: 1,
    user_id: 'u1',
    decision_id: 'd1',
    policy: 'egreedy-v1',
    policy_version: '1.0.0',
    policy_params: { epsilon: 0.1, gamma: 1, lambda: 1 },
    ts: '2025-01-06T09:00:00.000Z',
    candidates: [
      { id: 'a', features: [0.5, 0.5, 0, 0.1, 0, 0, 1] },
      { id: 'b', features: [0.5, 0.5, 1, 0.2, 1, 0, 1] },
      { id: 'c', features: [0.5, 0.5, 0, 0.3, 0.5, 0, 1] },
    ],
    chosen_id: 'b',
    propensity: 0.9333333333333333,
    reward: 1,
    rewarded_at: '2025-01-06T09:05:00.000Z',
    ...overrides,
  };
}

export interface SyntheticLogOptions {
  seed: number;
  users: number;
  /** Decisions per user. */
  perUser: number;
  policy?: PolicyId;
  /** Candidates per decision. @default 4 */
  k?: number;
  /** The logging policy's ε (egreedy policies). @default 0.3 */
  epsilon?: number;
}

export interface SyntheticDecision {
  line: DecisionLogLine;
  /** Hidden expected reward of each candidate. */
  means: number[];
}

const START = Date.parse('2025-01-06T00:00:00Z');

/**
 * A log written the way the service writes one: per user, a model learning online through
 * `decide` with its true propensities, features uniform in [0, 1] (within SPEC §2's range), and
 * Bernoulli rewards with mean 0.2 + 0.6·x₄ (x₄ is `priority` in the task encodings). Users'
 * decisions interleave in time, one minute apart.
 */
export function syntheticLog(options: SyntheticLogOptions): SyntheticDecision[] {
  const policy = options.policy ?? 'egreedy-v1';
  const spec = POLICIES[policy];
  const k = options.k ?? 4;
  const epsilon = options.epsilon ?? 0.3;
  const rng = createRng(options.seed);
  const models = Array.from({ length: options.users }, () => LinearModel.forPolicy(spec));
  const out: SyntheticDecision[] = [];
  for (let t = 0; t < options.perUser; t++) {
    for (let u = 0; u < options.users; u++) {
      const vectors = Array.from({ length: k }, () => {
        const x = new Float64Array(spec.d);
        for (let i = 0; i < spec.d; i++) x[i] = rng.next();
        return x;
      });
      const decision = decide(spec, models[u]!, vectors, { epsilon }, rng);
      const means = vectors.map((x) => 0.2 + 0.6 * x[4]!);
      const reward = rng.next() < means[decision.chosenIndex]! ? 1 : 0;
      models[u]!.update(vectors[decision.chosenIndex]!, reward);
      const ts = new Date(START + (t * options.users + u) * 60_000).toISOString();
      out.push({
        line: {
          v: 1,
          user_id: `user-${u}`,
          decision_id: `d-${u}-${t}`,
          policy,
          policy_version: spec.version,
          policy_params:
            spec.kind === 'egreedy' ? { epsilon, gamma: 1, lambda: 1 } : { alpha: 1, gamma: 1, lambda: 1 },
          ts,
          candidates: vectors.map((x, i) => ({ id: `c${i}`, features: Array.from(x) })),
          chosen_id: `c${decision.chosenIndex}`,
          propensity: decision.propensity,
          reward,
          rewarded_at: ts,
        },
        means,
      });
    }
  }
  return out;
}

/** Lines as NDJSON text, one per line, with a final newline. */
export function ndjson(lines: readonly unknown[]): string {
  return `${lines.map((line) => (typeof line === 'string' ? line : JSON.stringify(line))).join('\n')}\n`;
}

/** Writes NDJSON lines to `dir/name` and returns the path. */
export function writeLog(dir: string, lines: readonly unknown[], name = 'log.ndjson'): string {
  const path = join(dir, name);
  writeFileSync(path, ndjson(lines));
  return path;
}

/** A fresh temporary directory for a test file's logs (remove it in afterAll). */
export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'oo-ope-'));
}

/**
 * A deterministic (LinUCB-like, propensity 1) log of 40 decisions of user `u` between a low- and
 * a high-priority candidate: the first 20 (the fit half) chose `high` and were rewarded 1, the
 * last 20 always chose `low`, which a greedy target fitted on the first half never picks.
 */
export function deterministicLog(): DecisionLogLine[] {
  return Array.from({ length: 40 }, (_, i) => ({
    v: 1,
    user_id: 'u',
    decision_id: `d${i}`,
    policy: 'linucb-v1',
    ts: new Date(Date.parse('2025-01-06T00:00:00Z') + i * 60_000).toISOString(),
    candidates: [
      { id: 'low', features: [0, 1, 0, 0.5, 0] },
      { id: 'high', features: [0, 1, 0, 0.5, 1] },
    ],
    chosen_id: i < 20 ? 'high' : 'low',
    propensity: 1,
    reward: i < 20 ? 1 : i % 2,
    rewarded_at: new Date(Date.parse('2025-01-06T00:05:00Z') + i * 60_000).toISOString(),
  }));
}
