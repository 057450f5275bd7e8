import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { POLICIES } from '@oo/bandit';
import { DecisionLogLine } from '@oo/contracts';
import { afterAll, describe, expect, it } from 'vitest';
import { DecisionLogWriter, decisionLogLine, type SimulatedLogLine, simUserId } from './decision-log.js';
import { type InProcessDecision, inProcessPolicy, UNIFORM } from './players.js';
import { runSimulation, type SimulationOptions } from './run.js';

const dir = mkdtempSync(join(tmpdir(), 'oo-sim-log-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const BASE: Omit<SimulationOptions, 'players'> = {
  seeds: [3, 4],
  users: 3,
  rounds: 40,
  reward: 'bernoulli',
  drift: 'none',
  driftAt: 0.5,
};

const decisions: InProcessDecision[] = [];
const lines: SimulatedLogLine[] = [];
const onDecision = (decision: InProcessDecision) => {
  // Checked here, while the round's candidates and the reused vectors are still this decision's.
  const { round, policy } = decision;
  const ctx = { now: round.now, tz_offset_min: round.tzOffsetMin, profile_features: round.profile };
  round.candidates.forEach((candidate, i) => {
    expect(Array.from(decision.vectors[i]!)).toEqual(
      Array.from(POLICIES[policy].encode(candidate.task, ctx)),
    );
  });
  decisions.push({ ...decision });
  lines.push(decisionLogLine(decision));
};
const logged = await runSimulation({
  ...BASE,
  players: [
    inProcessPolicy('egreedy-v1', { onDecision }),
    inProcessPolicy('linucb-v1', { onDecision }),
    inProcessPolicy('egreedy-v2', { gamma: 0.9, onDecision }),
    UNIFORM,
  ],
});

describe('the decision log of in-process policies', () => {
  it('has one line per decision of every policy (uniform is no policy of the table: not logged)', () => {
    expect(lines).toHaveLength(2 * 3 * 40 * 3);
    const players = new Set(
      lines.map((line) => line.decision_id.replace(/^s\d+-u\d+-/, '').replace(/-t\d+$/, '')),
    );
    expect([...players].sort()).toEqual(['egreedy-v1', 'egreedy-v2-g0.9', 'linucb-v1']);
  });

  it('every line is valid under the contracts schema, with unique decision ids', () => {
    for (const line of lines) {
      const parsed = DecisionLogLine.safeParse(line);
      expect(parsed.error?.issues).toBeUndefined();
      // The hidden means are an extra field: the schema keeps everything else as written.
      const { sim: _sim, ...rest } = line;
      expect(parsed.data).toEqual(rest);
    }
    expect(new Set(lines.map((l) => `${l.user_id}/${l.decision_id}`)).size).toBe(lines.length);
    expect(new Set(lines.map((l) => l.user_id))).toEqual(
      new Set([3, 4].flatMap((seed) => [0, 1, 2].map((u) => simUserId(seed, u)))),
    );
  });

  it("records decide's propensity, the policy's parameters, the reward and the hidden means", () => {
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!;
      const decision = decisions[i]!;
      const k = line.candidates.length;
      expect(line.chosen_id).toBe(decision.round.candidates[decision.chosen]!.id);
      expect(line.propensity).toBe(decision.propensity);
      expect(line.reward).toBe(decision.reward);
      expect(line.rewarded_at).toBe(line.ts);
      expect(line.sim.means).toEqual(Array.from(decision.round.means));
      expect(line.ts).toBe(decision.round.now.toISOString());
      if (line.policy === 'linucb-v1') {
        expect(line.propensity).toBe(1);
        expect(line.policy_params).toEqual({ alpha: 1, gamma: 1, lambda: 1 });
      } else {
        // ε-greedy: (1 − ε) + ε/K on the argmax, ε/K elsewhere (SPEC §3), ε = 0.1.
        expect([1 - (0.1 * (k - 1)) / k, 0.1 / k]).toContain(line.propensity);
        expect(line.policy_params).toEqual({
          epsilon: 0.1,
          gamma: line.policy === 'egreedy-v2' ? 0.9 : 1,
          lambda: 1,
        });
      }
    }
    // Exploration happened, so the log has the small propensities off-policy evaluation needs.
    expect(lines.some((l) => l.policy === 'egreedy-v1' && l.propensity < 0.1)).toBe(true);
  });

  it('does not change the run: the same curves with or without the log', async () => {
    const plain = await runSimulation({
      ...BASE,
      players: [
        inProcessPolicy('egreedy-v1'),
        inProcessPolicy('linucb-v1'),
        inProcessPolicy('egreedy-v2', { gamma: 0.9 }),
        UNIFORM,
      ],
    });
    expect(plain.players.map((p) => p.cumulativeReward.map((c) => Array.from(c)))).toEqual(
      logged.players.map((p) => p.cumulativeReward.map((c) => Array.from(c))),
    );
  });
});

describe('DecisionLogWriter', () => {
  it('writes NDJSON in order across batches, creating the directory', () => {
    const path = join(dir, 'nested', 'log.ndjson');
    const writer = new DecisionLogWriter(path);
    const big = 'x'.repeat(100_000);
    for (let i = 0; i < 25; i++) writer.write({ i, big });
    expect(writer.lines).toBe(25);
    writer.close();
    writer.close();
    const read = readFileSync(path, 'utf8').split('\n');
    expect(read.pop()).toBe('');
    expect(read.map((text) => (JSON.parse(text) as { i: number }).i)).toEqual(
      Array.from({ length: 25 }, (_, i) => i),
    );
    expect(() => writer.write({})).toThrow(`${path} is closed`);
  });
});
