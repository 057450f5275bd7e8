import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { POLICY_IDS } from '@oo/bandit';
import { createOoClient } from '@oo/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpPolicy } from './http-players.js';
import { inProcessPolicy } from './players.js';
import { runSimulation } from './run.js';
import { pngSize, runCli } from './testing/run-cli.js';
import { type ServingProcess, startServing } from './testing/serving-process.js';
import { DEFAULT_START } from './world.js';

let serving: ServingProcess;
let dir: string;
beforeAll(async () => {
  [serving, dir] = await Promise.all([startServing(), mkdtemp(join(tmpdir(), 'oo-sim-http-'))]);
});
afterAll(async () => {
  await serving?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('over HTTP against the real service (apps/serving dist/main.js)', () => {
  it('pnpm simulate --url scores and rewards every decision by decision_id, for fresh user ids', async () => {
    const out = join(dir, 'cli');
    const run = await runCli([
      '--url',
      serving.url,
      '--seed',
      '2',
      '--seeds',
      '1',
      '--users',
      '2',
      '--rounds',
      '15',
      '--out',
      out,
    ]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`HTTP (${serving.url}); seed 2`);
    expect(pngSize(await readFile(join(out, 'regret.png'))).width).toBeGreaterThan(0);
    expect(await readFile(join(out, 'results.md'), 'utf8')).toContain(`--url ${serving.url}`);

    const pattern = /User ids on the service: (sim-[0-9a-f]{8})-s<seed>-u<index>/.exec(run.stdout);
    expect(pattern).not.toBeNull();
    const client = createOoClient({ baseUrl: serving.url });
    for (const user of [0, 1]) {
      const userId = `${pattern![1]}-s2-u${user}`;
      for (const policy of POLICY_IDS) {
        const stats = await client.stats(policy, userId);
        expect(stats).toMatchObject({ n_scores: 15, n_rewards: 15 });
      }
      const log = await client.features(userId);
      expect(log.every((decision) => decision.reward !== null)).toBe(true);
    }
  });

  it('gives LinUCB (deterministic) exactly the in-process figures, decision for decision', async () => {
    const client = createOoClient({ baseUrl: serving.url });
    const tag = `${process.pid}-${Date.now()}`;
    // Rewards are accepted until decision time + ttl_sec on the service's clock: start after now.
    const week = 7 * 86_400_000;
    const startMs = DEFAULT_START + Math.ceil((Date.now() - DEFAULT_START) / week) * week;
    const common = {
      seeds: [8],
      users: 2,
      rounds: 25,
      reward: 'bounded',
      drift: 'none',
      driftAt: 0.5,
      startMs,
    } as const;
    const [overHttp, inProcess] = await Promise.all([
      runSimulation({
        ...common,
        players: [httpPolicy(client, 'linucb-v1', (s, u) => `lin-${tag}-${s}-${u}`)],
        concurrency: 2,
      }),
      runSimulation({ ...common, players: [inProcessPolicy('linucb-v1')] }),
    ]);
    expect(overHttp.players[0]!.cumulativeRegret).toEqual(inProcess.players[0]!.cumulativeRegret);
    expect(overHttp.players[0]!.cumulativeReward).toEqual(inProcess.players[0]!.cumulativeReward);
    expect(overHttp.players[0]!.cumulativeRegret[0]!.at(-1)).toBeGreaterThan(0);
  });
});
