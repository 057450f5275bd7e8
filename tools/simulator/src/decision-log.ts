import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { POLICIES } from '@oo/bandit';
import type { DecisionLogLine } from '@oo/contracts';
import type { InProcessDecision } from './players.js';

/**
 * A line of the decision log format (docs/decision-log-format.md) plus `sim.means`: the hidden
 * expected reward of every candidate, which only a simulation knows. Readers of the format ignore
 * fields they do not know, so the log stays a valid export; tests use it to compute a target
 * policy's true value on the logged sessions.
 */
export type SimulatedLogLine = DecisionLogLine & { sim: { means: number[] } };

/** The user id of a simulated user in a log: seeds give disjoint populations. */
export function simUserId(seed: number, userIndex: number): string {
  return `sim-s${seed}-u${userIndex}`;
}

/** One decision as a log line: the true propensity from `decide`, rewarded at once. */
export function decisionLogLine(decision: InProcessDecision): SimulatedLogLine {
  const { round, seed, user } = decision;
  const ts = round.now.toISOString();
  // Player ids of discounted variants hold a space and γ; decision ids allow [A-Za-z0-9._:@-].
  const player = decision.playerId.replace(' γ=', '-g');
  return {
    v: 1,
    user_id: simUserId(seed, user.index),
    decision_id: `s${seed}-u${user.index}-${player}-t${round.t}`,
    policy: decision.policy,
    policy_version: POLICIES[decision.policy].version,
    policy_params: { ...decision.params },
    ts,
    candidates: round.candidates.map((candidate, i) => ({
      id: candidate.id,
      features: Array.from(decision.vectors[i]!),
    })),
    chosen_id: round.candidates[decision.chosen]!.id,
    propensity: decision.propensity,
    reward: decision.reward,
    rewarded_at: ts,
    sim: { means: Array.from(round.means) },
  };
}

/** Lines buffered before a write: large enough for few system calls, small enough to not matter. */
const FLUSH_CHARS = 1 << 20;

/**
 * Appends NDJSON lines to a file with synchronous writes in 1 MiB batches: the simulation loop is
 * synchronous in-process, so this needs no back-pressure handling and never holds the whole log.
 */
export class DecisionLogWriter {
  #fd: number | null;
  #chunks: string[] = [];
  #chars = 0;
  #lines = 0;

  constructor(readonly path: string) {
    mkdirSync(dirname(path), { recursive: true });
    this.#fd = openSync(path, 'w');
  }

  get lines(): number {
    return this.#lines;
  }

  write(line: object): void {
    if (this.#fd === null) throw new Error(`${this.path} is closed`);
    const text = `${JSON.stringify(line)}\n`;
    this.#chunks.push(text);
    this.#chars += text.length;
    this.#lines++;
    if (this.#chars >= FLUSH_CHARS) this.#flush();
  }

  close(): void {
    if (this.#fd === null) return;
    this.#flush();
    closeSync(this.#fd);
    this.#fd = null;
  }

  #flush(): void {
    if (this.#chunks.length === 0 || this.#fd === null) return;
    const bytes = Buffer.from(this.#chunks.join(''), 'utf8');
    // writeSync may write less than asked; loop until the batch is out.
    for (let offset = 0; offset < bytes.length; ) offset += writeSync(this.#fd, bytes, offset);
    this.#chunks = [];
    this.#chars = 0;
  }
}
